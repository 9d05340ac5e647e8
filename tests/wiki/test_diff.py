"""The side-by-side diff: line and word level, escaping, skipped context and the time bound."""

from wiki.diff import diff_texts


def kinds(diff):
    return [row.kind for row in diff.rows]


def test_identical_texts_have_no_changes():
    diff = diff_texts("een\ntwee\n", "een\ntwee\n")
    assert diff.unchanged
    assert kinds(diff) == ["equal", "equal"]


def test_added_line_is_an_insert_row_with_its_number():
    diff = diff_texts("een\ntwee\n", "een\nanderhalf\ntwee\n")
    assert diff.added == 1 and diff.removed == 0
    insert = next(row for row in diff.rows if row.kind == "insert")
    assert insert.right == "anderhalf" and insert.right_number == 2 and insert.left_number is None


def test_removed_line_is_a_delete_row():
    diff = diff_texts("een\ntwee\ndrie\n", "een\ndrie\n")
    assert diff.removed == 1 and diff.added == 0
    delete = next(row for row in diff.rows if row.kind == "delete")
    assert delete.left == "twee" and delete.left_number == 2


def test_changed_line_marks_only_the_changed_words():
    diff = diff_texts("De kat zit op de mat.\n", "De hond zit op de mat.\n")
    (row,) = diff.rows
    assert row.kind == "replace"
    assert row.left == "De <del>kat</del> zit op de mat."
    assert row.right == "De <ins>hond</ins> zit op de mat."


def test_html_in_the_texts_is_escaped():
    diff = diff_texts("<b>oud</b>\n", "<script>alert(1)</script>\n")
    (row,) = diff.rows
    assert "<script" not in row.right and "&lt;" in row.right and "&gt;" in row.right
    assert "<b>" not in row.left and "</b>" not in row.left


def test_long_unchanged_stretches_become_a_skip_row():
    old = "".join(f"regel {n}\n" for n in range(1, 41))
    new = old.replace("regel 20\n", "regel twintig\n")
    diff = diff_texts(old, new)
    assert kinds(diff).count("skip") == 2
    skips = [row.skipped for row in diff.rows if row.kind == "skip"]
    assert sum(skips) == 40 - 1 - 6  # everything but the change and three lines either side
    whole = diff_texts(old, new, context=None)
    assert "skip" not in kinds(whole) and len(whole.rows) == 40


def test_uneven_replacement_pairs_lines_and_lists_the_rest():
    diff = diff_texts("a\nb\n", "x\ny\nz\n")
    assert kinds(diff) == ["replace", "replace", "insert"]
    assert diff.added == 3 and diff.removed == 2


def test_word_highlighting_stops_when_the_time_budget_is_spent(settings):
    settings.STIP_DIFF_TIMEOUT_SECONDS = 0
    diff = diff_texts("een twee\n", "een drie\n")
    assert diff.truncated
    (row,) = diff.rows
    assert row.left == "<del>een twee</del>" and row.right == "<ins>een drie</ins>"


def test_large_texts_are_compared_quickly():
    import time

    old = "".join(f"regel {n} met wat woorden erin\n" for n in range(20_000))
    new = old.replace("regel 5 ", "regel vijf ").replace("regel 19000 ", "regel X ")
    start = time.monotonic()
    diff = diff_texts(old, new)
    assert time.monotonic() - start < 10
    assert diff.added == 2 and diff.removed == 2
