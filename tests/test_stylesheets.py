"""Our stylesheets are one file each: a rule left open swallows every rule after it, so the pages
lose their layout without any error. Each stylesheet must close what it opens."""

import re
from pathlib import Path

import pytest

STYLESHEETS = sorted((Path(__file__).resolve().parent.parent / "static" / "css").glob("*.css"))


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda path: path.name)
def test_every_rule_of_the_stylesheet_is_closed(path):
    # Comments are blanked out line for line, so the numbers in a failure are the file's own.
    text = re.sub(r"/\*.*?\*/", lambda c: "\n" * c[0].count("\n"), path.read_text(), flags=re.S)
    open_rules: list[int] = []
    for number, line in enumerate(text.split("\n"), 1):
        for char in line:
            if char == "{":
                open_rules.append(number)
            elif char == "}":
                assert open_rules, f"{path.name}:{number} closes a rule that was not opened"
                open_rules.pop()
    assert not open_rules, f"{path.name}: the rule opened on line {open_rules[0]} is never closed"
