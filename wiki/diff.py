"""Side-by-side diff of two texts, by line and, within changed lines, by word.

Bounded in time: the line diff is difflib's, and word-level highlighting stops once the time
budget (`STIP_DIFF_TIMEOUT_SECONDS`) is spent; the rest of the changed lines are shown whole.
Two stored versions never change, so their diff is computed once and then read from the cache
(`versions_diff`).
"""

import difflib
import re
import time
from dataclasses import dataclass, field
from html import escape

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

CONTEXT_LINES = 3
# Part of the cache keys of diffs: raise it when diff_texts or diff_table.html shows a diff
# differently, so no diff computed or rendered the old way is shown again.
DIFF_FORMAT = 1
DIFF_CACHE_SECONDS = 60 * 60 * 24 * 7
WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass
class Row:
    kind: str  # "equal", "insert", "delete", "replace" or "skip"
    left_number: int | None = None
    left: SafeString = mark_safe("")  # noqa: S308 - empty
    right_number: int | None = None
    right: SafeString = mark_safe("")  # noqa: S308 - empty
    skipped: int = 0


@dataclass
class Diff:
    rows: list[Row] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    truncated: bool = False

    @property
    def unchanged(self) -> bool:
        return self.added == 0 and self.removed == 0


def words_marked(old: str, new: str) -> tuple[str, str]:
    """Both lines, escaped, with the words only the old one has in <del> and those only the new
    one has in <ins>."""
    a, b = WORDS.findall(old), WORDS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old_part, new_part = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part:
            left.append(f"<del>{old_part}</del>")
        if new_part:
            right.append(f"<ins>{new_part}</ins>")
    return "".join(left), "".join(right)


def diff_texts(old: str, new: str, *, context: int | None = CONTEXT_LINES) -> Diff:
    """Compare two texts. `context` lines of unchanged text are kept around each change (all of
    them when None); longer unchanged stretches become a "skip" row."""
    deadline = time.monotonic() + settings.STIP_DIFF_TIMEOUT_SECONDS
    a, b = old.splitlines(), new.splitlines()
    # autojunk: in long texts, lines that occur very often (blank lines, table rules) are not
    # used as anchors. Without it, matching is quadratic in them: 3.5 s for two 100 KB versions
    # instead of 0.1 s. The diff stays exact; it may only pair lines a little less tightly.
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=True)
    result = Diff()
    opcodes = matcher.get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            lines = list(zip(range(i1, i2), range(j1, j2), strict=True))
            if context is not None and len(lines) > 2 * context + 1:
                head = lines[:context] if index > 0 else []
                tail = lines[-context:] if index < len(opcodes) - 1 else []
                skipped = len(lines) - len(head) - len(tail)
                lines_out: list = [*head, ("skip", skipped), *tail]
            else:
                lines_out = lines
            for item in lines_out:
                if item[0] == "skip":
                    result.rows.append(Row("skip", skipped=item[1]))
                    continue
                i, j = item
                text = mark_safe(escape(a[i]))  # noqa: S308 - escaped
                result.rows.append(Row("equal", i + 1, text, j + 1, text))
            continue
        result.removed += i2 - i1
        result.added += j2 - j1
        pairs = max(i2 - i1, j2 - j1)
        for k in range(pairs):
            i, j = i1 + k, j1 + k
            has_left, has_right = i < i2, j < j2
            if has_left and has_right:
                if time.monotonic() < deadline:
                    left, right = words_marked(a[i], b[j])
                else:
                    result.truncated = True
                    left, right = f"<del>{escape(a[i])}</del>", f"<ins>{escape(b[j])}</ins>"
                result.rows.append(
                    Row("replace", i + 1, mark_safe(left), j + 1, mark_safe(right))  # noqa: S308
                )
            elif has_left:
                result.rows.append(Row("delete", i + 1, mark_safe(escape(a[i]))))  # noqa: S308
            else:
                result.rows.append(
                    Row("insert", right_number=j + 1, right=mark_safe(escape(b[j])))  # noqa: S308
                )
    return result


def versions_diff(
    old_version_id: int | None, new_version_id: int, old: str, new: str, *, context: int | None
) -> Diff:
    """`diff_texts(old, new)` of two stored versions (None: before the first), from the cache
    when it was computed before. A diff cut short by the time budget is not kept, so a later
    view can still show it word by word."""
    key = f"wiki:diff:{DIFF_FORMAT}:{old_version_id}:{new_version_id}:{context}"
    diff = cache.get(key)
    if diff is None:
        diff = diff_texts(old, new, context=context)
        if not diff.truncated:
            cache.set(key, diff, timeout=DIFF_CACHE_SECONDS)
    return diff
