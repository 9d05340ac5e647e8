"""The balance per organisation as a chart: for each organisation a bar of its cost points to
the left of the axis and one of its benefit points to the right, drawn as inline SVG by the
template (no script), with the same numbers in a table and as CSV."""

from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.translation import gettext as _

from participation.spreadsheets import csv_writer

from .selectors import Balance

WIDTH = 640
LABEL = 200
ROW = 28


@dataclass
class Bar:
    name: str
    costs: int
    benefits: int
    net: int
    y: int
    cost_x: float
    cost_width: float
    benefit_width: float


@dataclass
class Chart:
    bars: list[Bar]
    width: int
    height: int
    axis: float
    half: float


def balance_chart(balance: Balance) -> Chart:
    half = (WIDTH - LABEL) / 2
    top = max([max(t.costs, t.benefits) for t in balance.totals] or [0]) or 1
    axis = LABEL + half
    bars = []
    for n, (organisation, total) in enumerate(balance.per_organisation):
        cost_width = round(half * total.costs / top, 1)
        bars.append(
            Bar(
                name=organisation.name,
                costs=total.costs,
                benefits=total.benefits,
                net=total.net,
                y=n * ROW,
                cost_x=round(axis - cost_width, 1),
                cost_width=cost_width,
                benefit_width=round(half * total.benefits / top, 1),
            )
        )
    return Chart(bars, WIDTH, max(len(bars), 1) * ROW + 10, axis, half)


def balance_csv(balance: Balance, response: HttpResponse) -> HttpResponse:
    """Per organisation its points and euros; then the matrix, one row per document."""
    writer = csv_writer(response)
    writer.writerow(
        [
            _("Organisation"),
            _("Cost points"),
            _("Benefit points"),
            _("Balance"),
            _("Costs in euros"),
            _("Benefits in euros"),
        ]
    )
    for organisation, total in balance.per_organisation:
        writer.writerow(
            [
                organisation.name,
                total.costs,
                total.benefits,
                total.net,
                f"{total.euros_cost:.2f}",
                f"{total.euros_benefit:.2f}",
            ]
        )
    writer.writerow([])
    writer.writerow([_("Document"), *[o.name for o in balance.organisations], _("Flagged")])
    for row in balance.rows:
        writer.writerow(
            [
                row.document.title,
                *[cell.net for cell in row.cells],
                _("yes") if row.flagged else "",
            ]
        )
    return response
