"""Texts that cost a markdown renderer more than linear time or recursion without end, in the
spirit of CommonMark's pathological tests: each made to about `size` characters. The tests
render them and `bench/rendering.py` times them."""


def _repeat(unit: str, size: int, head: str = "", tail: str = "") -> str:
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


def _nested_lists(size: int) -> str:
    lines, n = [], 0
    while sum(len(line) for line in lines) < size:
        lines.append("    " * (n % 60) + "- item\n")
        n += 1
    return "".join(lines)


def _wide_table(size: int) -> str:
    columns = max(1, size // 4)
    return "|" + "a|" * columns + "\n|" + "-|" * columns + "\n"


def _many_column_rows(size: int) -> str:
    row = "|" + "cell|" * 200 + "\n"
    head = row + "|" + "-|" * 200 + "\n"
    return head + row * max(1, (size - len(head)) // len(row))


def _backtick_runs(size: int) -> str:
    parts, n, length = [], 1, 0
    while length < size:
        part = "`" * (n % 500 + 1) + " x "
        parts.append(part)
        length += len(part)
        n += 1
    return "".join(parts)


def corpus(size: int) -> dict[str, str]:
    half = size // 2
    return {
        "nested emphasis": "*" * half + "a" + "*" * half,
        "nested underscores": "_" * half + "a" + "_" * half,
        "alternating emphasis": _repeat("*a _b ", size),
        "nested brackets": "[" * half + "x" + "]" * half,
        "unclosed brackets": "[" * size,
        "link openers": _repeat("[a](", size),
        "image openers": _repeat("![", size),
        "wiki-link openers": _repeat("[[", size),
        "closed wiki links": _repeat("[[a]] ", size),
        "nested blockquotes": ">" * size,
        "blockquote staircase": _repeat("".join(">" * i + " a\n" for i in range(1, 60)), size),
        "nested lists": _nested_lists(size),
        "list markers on one line": _repeat("- ", size),
        "backtick run": "`" * half + "a" + "`" * (half - 1),
        "backtick runs of many lengths": _backtick_runs(size),
        "table with very many columns": _wide_table(size),
        "rows of 200 columns": _many_column_rows(size),
        "long line without spaces": "a" * size,
        "long words": _repeat("x" * 5000 + " ", size),
        "unclosed comments": _repeat("<!--", size),
        "unclosed inline comments": _repeat("a <!-- ", size),
        "unclosed tags": _repeat("<a ", size),
        "nested divs": _repeat("<div>", size),
        "unclosed inline tags": _repeat("a <b>", size),
        "entity run": _repeat("&amp;", size),
        "numeric entity run": _repeat("&#65;", size),
        "unclosed autolinks": _repeat("<http://a", size),
    }
