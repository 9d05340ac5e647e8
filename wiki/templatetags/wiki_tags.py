"""Display helpers for the wiki's templates. Display only, no decisions; `programme_watch` and
`document_watch` are the ones that read (a person's watch of a programme or a document)."""

from django import template
from django.urls import reverse
from django.utils import dateformat, formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from participation.models import Level
from wiki import display, selectors, snippets

from ..models import EditMeta, version_number

register = template.Library()


@register.simple_tag(takes_context=True)
def programme_watch(context, programme):
    """The person's watch of the whole programme, or None."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return None
    return selectors.watch_of(user, programme)


@register.simple_tag(takes_context=True)
def document_watch(context, document, ancestors=None):
    """The person's watch that covers the document (its own, one above it, the programme's)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return None
    return selectors.watch_covering(user, document, ancestors)


@register.filter
def search_snippet(document, query: str) -> SafeString:
    """A search result's lines of the document's text, plain, with the matched words marked."""
    return snippets.snippet(display.reading_text(document), query)


@register.filter
def person(user) -> str:
    """A person's name as shown beside their work."""
    if user is None:
        return _("someone")
    return user.get_full_name() or user.username


@register.filter(name="version_number")
def version_number_filter(version) -> int | None:
    """The document's own number of a version ("version 3"), see wiki.models.VersionNumber."""
    return version_number(version)


@register.filter
def level_label(level) -> str:
    try:
        return Level(level).label
    except ValueError:
        return ""


@register.filter
def edit_action(revision) -> str:
    """What a revision did ("edited", "reverted", …), from its EditMeta when it has one."""
    meta = getattr(revision, "edit_meta", None)
    return meta.get_action_display() if meta is not None else _("edited")


@register.filter
def edit_organisation(revision):
    meta = getattr(revision, "edit_meta", None)
    return meta.organisation if meta is not None else None


@register.filter
def is_member(level) -> bool:
    """Whether a level is more than a reader's (an observer, contributor or lead)."""
    return level >= Level.OBSERVER


HISTORY_ROW = (
    "\n        <tr>\n"
    '          <td class="pick" data-label="{from_label}"><input type="radio" name="from"'
    ' value="{pk}" aria-label="{compare_from}"{from_checked}></td>\n'
    '          <td class="pick" data-label="{to_label}"><input type="radio" name="to"'
    ' value="{pk}" aria-label="{compare_to}"{to_checked}></td>\n'
    '          <td class="number">{number}</td>\n'
    '          <td><time datetime="{iso}">{when}</time></td>\n'
    "          <td>{who}{organisation}</td>\n"
    "          <td>{action}</td>\n"
    "          <td>{comment}</td>\n"
    '          <td class="links">\n'
    '            <a href="{version_url}">{view_label}</a>\n'
    "            {changes}\n"
    "          </td>\n"
    "        </tr>\n      "
)


# A baseline records the document as it was, without changing it: a marker between the versions,
# not a version of its own to compare from or to.
MARKER_ROW = (
    '\n        <tr class="history-marker">\n'
    '          <td colspan="8"><span class="marker">{label}</span> {comment}'
    ' · <time datetime="{iso}">{when}</time> · {who}</td>\n'
    "        </tr>\n      "
)


@register.simple_tag
def history_rows(
    versions, programme, document, diff_url: str, is_first_page: bool, more: bool
) -> SafeString:
    """The rows of a document's history table (wiki/history.html), one per version, and a
    marker row where a baseline recorded the document.

    Written out here rather than in the template: a page of the history has 50 rows, and the
    template language spent most of the page's time on them. Display only, the same HTML."""
    esc = conditional_escape
    labels = {
        "from_label": esc(_("From")),
        "to_label": esc(_("To")),
        "view_label": esc(_("view")),
    }
    changes_label = esc(_("changes"))
    compare_from = _("Compare from the version of %(date)s")
    compare_to = _("Compare to the version of %(date)s")
    diff_url = esc(diff_url)
    # One reverse() for the page: the address of version 0 with the number swapped per row.
    version_0 = reverse("wiki:version", args=[programme.slug, document.slug, 0])
    version_prefix = version_0.removesuffix("0/")
    actions: dict[str | None, str] = {}  # get_action_display translates every choice per call
    marker_label = esc(_("Baseline"))
    # What the template's |date:"DATETIME_FORMAT" gives, with the format looked up once.
    datetime_format = formats.get_format("DATETIME_FORMAT")
    rows = []
    last = len(versions) - 1
    shown = 0  # versions with a row of their own: the first two are preselected to compare
    for index, version in enumerate(versions):
        revision = version.revision
        meta = getattr(revision, "edit_meta", None)
        if meta is not None and meta.action == EditMeta.Action.BASELINE:
            created = template_localtime(revision.date_created)
            rows.append(
                MARKER_ROW.format(
                    label=marker_label,
                    comment=esc(revision.comment),
                    iso=esc(created.isoformat()),
                    when=esc(dateformat.format(created, datetime_format)),
                    who=esc(person(revision.user)),
                )
            )
            continue
        organisation = edit_organisation(revision)
        organisation_html = (
            f'<br><span class="meta">{esc(organisation.name)}</span>' if organisation else ""
        )
        created = template_localtime(revision.date_created)
        when = esc(dateformat.format(created, datetime_format))
        pk = esc(version.pk)
        action_key = meta.action if meta is not None else None
        if action_key not in actions:
            actions[action_key] = esc(edit_action(revision))
        action = actions[action_key]
        changes = (
            f'<a href="{diff_url}?to={pk}">{changes_label}</a>' if index != last or more else ""
        )
        rows.append(
            HISTORY_ROW.format(
                **labels,
                pk=pk,
                compare_from=compare_from % {"date": when},
                compare_to=compare_to % {"date": when},
                from_checked=" checked" if is_first_page and shown == 1 else "",
                to_checked=" checked" if is_first_page and shown == 0 else "",
                iso=esc(created.isoformat()),  # the date filter's "c"
                when=when,
                number=esc(version_number(version) or "—"),
                who=esc(person(revision.user)),
                organisation=organisation_html,
                action=action,
                comment=esc(revision.comment),
                version_url=esc(f"{version_prefix}{version.pk}/"),
                changes=changes,
            )
        )
        shown += 1
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
