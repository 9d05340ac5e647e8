"""Insight into a programme: the numbers behind its charts, the charts as server-side SVG, and
the views that show them as a chart, an HTML table and a CSV download.

Every chart is a `Chart`: categories along the x axis (weeks, months, timeboxes, ...) and one
or more series stacked in each bar. The same object feeds the SVG, the table and the CSV, so
the three cannot disagree. The SVG needs no JavaScript and no colour to be read: each series
has its own fill pattern as well as its own colour, the legend names it, and each bar carries
its numbers as text.

Charts that depend on another app's feature (timeboxes, sign-offs) are built only when that
feature exists; until then their function returns None and the page leaves them out.
"""

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import CharField
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.models import Revision, Version

from participation.models import Membership, Programme
from participation.selectors import programme_for
from participation.spreadsheets import csv_response, csv_writer
from wiki.models import Document, EditMeta

WEEKS = 12
MONTHS = 24


@dataclass
class Chart:
    """Numbers to draw: `values[i][j]` is series j in category i."""

    key: str
    title: str
    description: str
    category_label: str
    categories: list[str]
    series: list[str]
    values: list[list[int]]
    # Machine-readable category keys for the CSV (ISO dates, slugs); the labels when empty.
    category_keys: list[str] = field(default_factory=list)
    unit: str = ""

    @property
    def totals(self) -> list[int]:
        return [sum(row) for row in self.values]

    @property
    def grand_total(self) -> int:
        return sum(self.totals)

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        return [
            (label, values, sum(values))
            for label, values in zip(self.categories, self.values, strict=True)
        ]

    @property
    def is_empty(self) -> bool:
        return self.grand_total == 0


# Data ---------------------------------------------------------------------------------------


def installed_model(app_label: str, name: str):
    """Another app's model, or None while that app does not have it yet."""
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _programme_zone(programme: Programme) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(programme.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def document_keys(documents):
    """The documents' ids as reversion's `Version.object_id` holds them (text), as a subquery."""
    return documents.annotate(key=Cast("pk", output_field=CharField())).values("key")


def programme_revisions(programme: Programme):
    """Revisions that touched a document of the programme (deleted documents included)."""
    documents = Document.objects.filter(programme=programme)
    versions = Version.objects.get_for_model(Document).filter(
        object_id__in=document_keys(documents)
    )
    return Revision.objects.filter(pk__in=versions.values("revision_id"))


def _short_date(day: dt.date) -> str:
    """Day and abbreviated month in the language's order and case: "Nov 16", "16 nov"."""
    label = formats.date_format(day, formats.get_format("MONTH_DAY_FORMAT").replace("F", "M"))
    month = formats.date_format(day, "F")
    return label.lower() if month[:1].islower() else label


def contributions_per_week(
    programme: Programme, *, weeks: int = WEEKS, now: dt.datetime | None = None
) -> Chart:
    """Saves per organisation in each of the last `weeks` weeks (Monday to Sunday, in the
    programme's time zone). Baselines are made by a timebox, not by a person: left out."""
    zone = _programme_zone(programme)
    today = timezone.localtime(now or timezone.now(), zone).date()
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    start = dt.datetime.combine(first_monday, dt.time.min, tzinfo=zone)
    rows = (
        programme_revisions(programme)
        .filter(date_created__gte=start)
        .exclude(edit_meta__action=EditMeta.Action.BASELINE)
        .values_list("date_created", "edit_meta__organisation__name")
    )
    nobody = _("No organisation")
    counts: Counter[tuple[int, str]] = Counter()
    for created, organisation in rows:
        day = timezone.localtime(created, zone).date()
        counts[((day - first_monday).days // 7, organisation or nobody)] += 1
    series = sorted({name for _week, name in counts}, key=lambda n: (n == nobody, n.lower()))
    mondays = [first_monday + dt.timedelta(weeks=n) for n in range(weeks)]
    return Chart(
        key="contributions",
        title=_("Contributions per organisation per week"),
        description=_(
            "Saved changes to documents (new documents, edits, reverts, renames and moves) "
            "per organisation, in each of the last %(weeks)s weeks. Each bar is a week, "
            "starting on the Monday shown."
        )
        % {"weeks": weeks},
        category_label=_("Week of"),
        categories=[_short_date(monday) for monday in mondays],
        category_keys=[monday.isoformat() for monday in mondays],
        series=series,
        values=[[counts[(n, name)] for name in series] for n in range(weeks)],
        unit=_("changes"),
    )


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _membership_history(programme: Programme) -> list[tuple[dt.datetime, int, str]]:
    """(moment, organisation id, level or "" for gone) for every change of membership: from
    participation's change log where it has one, and each membership's joining otherwise."""
    history: list[tuple[dt.datetime, int, str]] = []
    logged: set[int] = set()
    change = installed_model("participation", "MembershipChange")
    if change is not None:
        for at, organisation, level in change.objects.filter(programme=programme).values_list(
            "changed_at", "organisation_id", "to_level"
        ):
            history.append((at, organisation, level or ""))
            logged.add(organisation)
    for at, organisation, level in Membership.objects.filter(programme=programme).values_list(
        "joined_at", "organisation_id", "level"
    ):
        if organisation not in logged:
            history.append((at, organisation, level))
        elif not any(o == organisation and at2 <= at for at2, o, _l in history):
            history.append((at, organisation, level))  # joined before the log began
    history.sort(key=lambda row: row[0])
    return history


def network_growth(
    programme: Programme, *, months: int = MONTHS, now: dt.datetime | None = None
) -> Chart:
    """Member organisations at the end of each month by their level then, from the month of the
    first membership on (at most the last `months` months)."""
    zone = _programme_zone(programme)
    today = timezone.localtime(now or timezone.now(), zone).date()
    history = [
        (timezone.localtime(at, zone).date(), org, lvl)
        for at, org, lvl in _membership_history(programme)
    ]
    first = min([day for day, _org, _lvl in history], default=today)
    month_starts = _month_starts(first, today)[-months:]
    levels = [Membership.MemberLevel.CONTRIBUTOR, Membership.MemberLevel.OBSERVER]
    values = []
    for month in month_starts:
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        state: dict[int, str] = {}
        for day, organisation, level in history:
            if day < next_month:
                state[organisation] = level
        values.append([sum(1 for lvl in state.values() if lvl == level) for level in levels])
    return Chart(
        key="growth",
        title=_("Network growth"),
        description=_(
            "Member organisations at the end of each month, contributors and observers. "
            "Each bar is a month."
        ),
        category_label=_("Month"),
        categories=[formats.date_format(month, "YEAR_MONTH_FORMAT") for month in month_starts],
        category_keys=[month.strftime("%Y-%m") for month in month_starts],
        series=[_("Contributors"), _("Observers")],
        values=values,
        unit=_("organisations"),
    )


def documents_per_timebox(programme: Programme, *, now: dt.datetime | None = None) -> Chart | None:
    """Documents changed during each timebox that has started: those in its scope and those
    elsewhere in the programme. None while timeboxes do not exist."""
    timebox = installed_model("timeboxes", "Timebox")
    try:
        from timeboxes import selectors as timebox_selectors
    except ImportError:
        return None
    if timebox is None:
        return None
    now = now or timezone.now()
    boxes = list(
        timebox.objects.filter(programme=programme, starts_at__lte=now).order_by("starts_at", "pk")
    )
    documents = Document.objects.filter(programme=programme)
    values = []
    for box in boxes:
        until = box.closed_at or now
        changed = {
            int(pk)
            for pk in Version.objects.get_for_model(Document)
            .filter(
                object_id__in=document_keys(documents),
                revision__date_created__gte=box.starts_at,
                revision__date_created__lte=until,
            )
            .exclude(revision__edit_meta__action=EditMeta.Action.BASELINE)
            .values_list("object_id", flat=True)
            .distinct()
        }
        scope = timebox_selectors.scope_document_ids(box)
        values.append([len(changed & scope), len(changed - scope)])
    return Chart(
        key="timeboxes",
        title=_("Documents changed per timebox"),
        description=_(
            "How many documents changed while each timebox ran (until its close, or until now "
            "for a running one): in the timebox's scope, and elsewhere in the programme."
        ),
        category_label=_("Timebox"),
        categories=[box.name for box in boxes],
        category_keys=[str(box.pk) for box in boxes],
        series=[_("In scope"), _("Elsewhere")],
        values=values,
        unit=_("documents"),
    )


def signoff_coverage(programme: Programme) -> Chart | None:
    """Per contributing organisation, how many of the programme's use cases it has signed off in
    their current version, objected to, signed in an older version only, or not at all. None
    while sign-offs do not exist."""
    signoff = installed_model("usecases", "SignOff")
    if signoff is None:
        return None
    heads = dict(
        Document.objects.alive()
        .filter(programme=programme, kind=Document.Kind.USE_CASE)
        .values_list("pk", "head_id")
    )
    organisations = list(
        Membership.objects.filter(programme=programme, level=Membership.MemberLevel.CONTRIBUTOR)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    verdicts: dict[tuple[int, int], tuple[int, str]] = {
        (document, organisation): (version, verdict)
        for document, organisation, version, verdict in signoff.objects.filter(
            document_id__in=heads
        ).values_list("document_id", "organisation_id", "version_id", "verdict")
    }
    values = []
    for membership in organisations:
        agreed = objected = older = 0
        for document, head in heads.items():
            found = verdicts.get((document, membership.organisation_id))
            if found is None:
                continue
            version, verdict = found
            if version != head:
                older += 1
            elif verdict == "object":
                objected += 1
            else:
                agreed += 1
        values.append([agreed, objected, older, len(heads) - agreed - objected - older])
    return Chart(
        key="signoffs",
        title=_("Sign-off coverage"),
        description=_(
            "For each contributing organisation, the programme's %(count)s use cases by sign-off: "
            "agreed to the current version (with or without remarks), objected to it, signed "
            "an older version only, or not signed off."
        )
        % {"count": len(heads)},
        category_label=_("Organisation"),
        categories=[m.organisation.name for m in organisations],
        category_keys=[m.organisation.slug for m in organisations],
        series=[_("Agreed"), _("Objected"), _("Older version"), _("Not signed off")],
        values=values,
        unit=_("use cases"),
    )


ChartBuilder = Callable[[Programme], Chart | None]

CHARTS: dict[str, ChartBuilder] = {
    "contributions": contributions_per_week,
    "timeboxes": documents_per_timebox,
    "signoffs": signoff_coverage,
    "growth": network_growth,
}


def charts_for(programme: Programme) -> list[Chart]:
    return [chart for build in CHARTS.values() if (chart := build(programme)) is not None]


def chart_for(programme: Programme, key: str) -> Chart:
    build = CHARTS.get(key)
    chart = build(programme) if build is not None else None
    if chart is None:
        raise Http404
    return chart


# SVG ----------------------------------------------------------------------------------------

# Okabe-Ito colours (distinguishable with colour blindness) and, for reading without colour at
# all, a fill pattern per series. A pattern is (kind, colour); kinds are drawn in `_pattern`.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000"]
PATTERN_KINDS = ["solid", "diagonal", "dots", "cross", "horizontal", "vertical", "grid"]

WIDTH, HEIGHT = 720, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 12, 24, 48
LEGEND_ROW = 22
INK = "#1f2933"
GRID = "#c5ccd3"


PATTERN_SHAPES = {
    "diagonal": '<path d="M-1,1 l2,-2 M0,8 l8,-8 M7,9 l2,-2" stroke="{}" stroke-width="2.5"/>',
    "dots": '<circle cx="4" cy="4" r="2.2" fill="{}"/>',
    "cross": '<path d="M0,0 L8,8 M8,0 L0,8" stroke="{}" stroke-width="1.6"/>',
    "horizontal": '<path d="M0,4 H8" stroke="{}" stroke-width="3"/>',
    "vertical": '<path d="M4,0 V8" stroke="{}" stroke-width="3"/>',
    "grid": '<path d="M0,0.5 H8 M0.5,0 V8" stroke="{}" stroke-width="2"/>',
}


def _pattern(pattern_id: str, kind: str, colour: str) -> SafeString:
    return format_html(
        '<pattern id="{}" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#ffffff"/>{}</pattern>',
        pattern_id,
        format_html(PATTERN_SHAPES[kind], colour),
    )


def _fill(chart: Chart, index: int) -> tuple[str, SafeString, str]:
    """(fill attribute, pattern definition, colour) for series `index`."""
    colour = PALETTE[index % len(PALETTE)]
    kind = PATTERN_KINDS[index % len(PATTERN_KINDS)]
    if kind == "solid":
        return colour, SafeString(), colour
    pattern_id = f"chart-{chart.key}-pattern-{index}"
    return f"url(#{pattern_id})", _pattern(pattern_id, kind, colour), colour


NICE_STEPS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)


def _nice_maximum(value: int) -> int:
    """A round top for the y axis, at least `value`, whose quarters are whole numbers."""
    step = max(1, -(-value // 4))
    magnitude = 1
    while True:
        for nice in NICE_STEPS:
            candidate = nice * magnitude
            if candidate >= step and float(candidate).is_integer():
                return 4 * int(candidate)
        magnitude *= 10


def _number(value: int) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def chart_svg(chart: Chart) -> SafeString:
    """The chart as an inline SVG: stacked bars, a labelled y axis, the total above each bar,
    segment numbers where they fit, and a legend of pattern swatches with names."""
    legend_rows = (len(chart.series) + 2) // 3
    height = HEIGHT + legend_rows * LEGEND_ROW
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    top = _nice_maximum(max(chart.totals, default=0))
    count = max(len(chart.categories), 1)
    slot = plot_width / count
    bar = round(min(slot * 0.7, 64), 1)
    fills = [_fill(chart, n) for n in range(len(chart.series))]
    title_id, desc_id = f"chart-{chart.key}-title", f"chart-{chart.key}-desc"

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" '
            'role="img" aria-labelledby="{} {}" font-family="inherit" font-size="12">'
            '<title id="{}">{}</title><desc id="{}">{}</desc>',
            WIDTH,
            height,
            title_id,
            desc_id,
            title_id,
            chart.title,
            desc_id,
            chart.description,
        ),
        format_html("<defs>{}</defs>", format_html_join("", "{}", ((f[1],) for f in fills))),
    ]
    # y axis: gridlines at quarters, numbered.
    for quarter in range(5):
        value = top // 4 * quarter
        y = round(MARGIN_TOP + plot_height - plot_height * quarter / 4, 1)
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" '
                'fill="{}">{}</text>',
                MARGIN_LEFT,
                WIDTH - MARGIN_RIGHT,
                y,
                y,
                GRID,
                MARGIN_LEFT - 6,
                y,
                INK,
                _number(value),
            )
        )
    label_every = max(1, -(-count * 60 // plot_width))  # keep x labels at least ~60px apart
    for i, (label, values, total) in enumerate(chart.rows):
        x = round(MARGIN_LEFT + slot * i + (slot - bar) / 2, 1)
        middle = round(x + bar / 2, 1)
        y_bottom = MARGIN_TOP + plot_height
        for j, value in enumerate(values):
            if not value:
                continue
            h = round(plot_height * value / top, 1)
            y_bottom = round(y_bottom - h, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" '
                    'stroke="{}" stroke-width="1"><title>{}: {} {}</title></rect>',
                    x,
                    y_bottom,
                    bar,
                    h,
                    fills[j][0],
                    INK,
                    chart.series[j],
                    _number(value),
                    label,
                )
            )
            number = _number(value)
            plate = 7 * len(number) + 8  # a white plate behind the number, clear of the pattern
            if h >= 18 and len(values) > 1 and bar >= plate + 2:
                parts.append(
                    format_html(
                        '<rect class="segment-plate" x="{}" y="{}" width="{}" height="16" '
                        'rx="3" fill="#ffffff" stroke="{}" stroke-width="0.5"/>'
                        '<text x="{}" y="{}" text-anchor="middle" '
                        'dominant-baseline="middle" fill="{}">{}</text>',
                        round(middle - plate / 2, 1),
                        round(y_bottom + h / 2 - 8, 1),
                        plate,
                        INK,
                        middle,
                        round(y_bottom + h / 2, 1),
                        INK,
                        number,
                    )
                )
        if total:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-weight="bold" '
                    'fill="{}">{}</text>',
                    middle,
                    round(y_bottom - 5, 1),
                    INK,
                    _number(total),
                )
            )
        if i % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                    middle,
                    MARGIN_TOP + plot_height + 18,
                    INK,
                    label,
                )
            )
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5"/>',
            MARGIN_LEFT,
            WIDTH - MARGIN_RIGHT,
            MARGIN_TOP + plot_height,
            MARGIN_TOP + plot_height,
            INK,
        )
    )
    # Legend: a swatch with the series' pattern and its name, three per row.
    for j, name in enumerate(chart.series):
        lx = round(MARGIN_LEFT + (j % 3) * (plot_width / 3), 1)
        ly = HEIGHT + (j // 3) * LEGEND_ROW
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="18" height="14" fill="{}" stroke="{}"/>'
                '<text x="{}" y="{}" dominant-baseline="middle" fill="{}">{}</text>',
                lx,
                ly - 11,
                fills[j][0],
                INK,
                lx + 24,
                ly - 4,
                INK,
                name,
            )
        )
    parts.append(SafeString("</svg>"))
    return _join(parts)


def _join(parts: list[SafeString]) -> SafeString:
    html = SafeString()
    for part in parts:
        html += part
    return html


def chart_csv(chart: Chart, response: HttpResponse) -> HttpResponse:
    """Write the chart's numbers as CSV: the same rows and columns as its HTML table."""
    writer = csv_writer(response)
    writer.writerow([chart.category_label, *chart.series, _("Total")])
    keys = chart.category_keys or chart.categories
    for key, (_label, values, total) in zip(keys, chart.rows, strict=True):
        writer.writerow([key, *values, total])
    return response


# Views --------------------------------------------------------------------------------------


def insight(request, programme):
    """All charts of a programme, each with its table and CSV link. Anyone who may read it."""
    programme = programme_for(request.user, programme)
    charts = [(chart, chart_svg(chart)) for chart in charts_for(programme)]
    return render(
        request,
        "insight/programme.html",
        {"programme": programme, "charts": charts, "page_title": gettext_lazy("Insight")},
    )


def insight_csv(request, programme, chart):
    programme = programme_for(request.user, programme)
    data = chart_for(programme, chart)
    return chart_csv(data, csv_response(f"{programme.slug}-{data.key}.csv"))
