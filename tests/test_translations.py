"""Dutch ships complete: every message of the catalogue is translated, and the compiled
catalogue is the one Django serves."""

from pathlib import Path

from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "nl" / "LC_MESSAGES"


def _entries(po_text: str):
    """(msgid, msgstr, flags) of each entry of a .po file, msgid_plural folded into msgid."""
    entries, flags, current, field = [], "", {}, None
    for line in [*po_text.splitlines(), ""]:
        if line.startswith("#,"):
            flags = line
        elif line.startswith(("msgid ", "msgid_plural ", "msgstr")):
            key = line.split(" ", 1)[0]
            if key == "msgid" and current:
                entries.append((current.get("msgid", ""), current, flags))
                current, flags = {}, ""
            field = key
            current[field] = current.get(field, "") + line.split(" ", 1)[1].strip()[1:-1]
        elif line.startswith('"') and field:
            current[field] += line.strip()[1:-1]
        elif not line.strip() and current:
            entries.append((current.get("msgid", ""), current, flags))
            current, flags, field = {}, "", None
    return entries


def test_dutch_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    missing = []
    for msgid, fields, flags in _entries(po):
        if not msgid:
            continue
        translations = [v for k, v in fields.items() if k.startswith("msgstr")]
        if "fuzzy" in flags or not translations or not all(translations):
            missing.append(msgid)
    assert missing == [], f"{len(missing)} untranslated Dutch messages, e.g. {missing[:10]}"


def test_compiled_dutch_catalogue_is_served():
    assert (LOCALE / "django.mo").exists()
    with translation.override("nl"):
        assert translation.gettext("Log in") != "Log in"


def test_every_message_in_the_code_is_in_the_dutch_catalogue(tmp_path):
    """Extract the messages from the code as `make messages` does, in a copy of the project,
    and find none that the committed catalogue lacks."""
    import os
    import shutil
    import subprocess
    import sys

    import pytest

    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must not skip this test: xgettext (gettext) is missing")
        pytest.skip("needs xgettext (apt-get install gettext)")
    root = Path(__file__).resolve().parent.parent
    ignore = shutil.ignore_patterns(
        ".venv", "var", "node_modules", ".git", "__pycache__", "*.png", "bench", "test-results"
    )
    copy = tmp_path / "stip"
    shutil.copytree(root, copy, ignore=ignore)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "nl",
            "--no-obsolete",
            "--no-location",
            "--ignore=bench",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    po = (copy / "locale" / "nl" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    missing = [
        msgid
        for msgid, fields, flags in _entries(po)
        if msgid
        and ("fuzzy" in flags or not all(v for k, v in fields.items() if k.startswith("msgstr")))
    ]
    assert missing == [], f"messages missing from the Dutch catalogue: {missing[:10]}"
