"""The live parts of documents, editors and the programme page (wiki.live): thin views the
pages' script (static/js/live.js) asks every `STIP_LIVE_INTERVAL_SECONDS`. Whoever may not read
the programme gets 404, whoever is not logged in 403: the script goes quiet on either."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from participation import permissions
from participation.http import id_from
from participation.permissions import Action
from participation.selectors import programme_for

from . import live, selectors, services
from .diff import diff_texts
from .forms import MAX_BODY_LENGTH


def _identify(request, programme):
    def identify() -> tuple[str, str]:
        user = request.user
        organisation = services.organisation_of(user, programme)
        return user.get_full_name() or user.username, organisation.name if organisation else ""

    return identify


def _saved(request, document, base_version_id) -> dict | None:
    saved = live.saved_since(document, base_version_id)
    if saved is None:
        return None
    who = f"{saved.name} ({saved.organisation})" if saved.organisation else saved.name
    when = formats.time_format(timezone.localtime(saved.at))
    diff_url = reverse("wiki:diff", args=[document.programme.slug, document.slug])
    return {
        "version": saved.version_id,
        "text": _("%(who)s saved a new version of this document at %(when)s.")
        % {"who": who, "when": when},
        "diff_url": f"{diff_url}?from={base_version_id}&to={saved.version_id}",
    }


@require_POST
def beat(request, programme, document_id):
    """The page `page` has the document open (`editing=1` in its editor) on version `base`: say
    so, and answer who else has it open and, when someone saved since `base`, who and where
    to see their change."""
    programme = programme_for(request.user, programme, Action.PRESENCE)
    document = selectors.document_live(programme, document_id)
    page = request.POST.get("page", "")
    if not live.page_id_valid(page):
        return HttpResponseBadRequest(_("This page cannot take part in presence."))
    editing = request.POST.get("editing") == "1" and permissions.can(
        request.user, Action.EDIT, programme
    )
    base = request.POST.get("base")
    live.presence_beat(
        document=document,
        user=request.user,
        page=page,
        editing=editing,
        identify=_identify(request, programme),
    )
    people = live.presence_on(document, viewer=request.user)
    response = JsonResponse(
        {
            "people": render_to_string("wiki/includes/live_people.html", {"people": people}),
            "count": len(people),
            "saved": _saved(request, document, id_from(base) if base else None),
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def leave(request, programme, document_id):
    """The page `page` was closed (the browser's last word, `navigator.sendBeacon`)."""
    programme = programme_for(request.user, programme, Action.PRESENCE)
    document = selectors.document_live(programme, document_id)
    page = request.POST.get("page", "")
    if live.page_id_valid(page):
        live.presence_leave(document=document, user=request.user, page=page)
    return JsonResponse({})


@require_POST
def merge(request, programme, document_id):
    """The editor's text (`title`, `body`, on version `base_version`) merged with what was
    saved since, three ways as a save would merge it; nothing is saved. On overlap, the
    answer shows both texts, as the conflict page does."""
    programme = programme_for(request.user, programme, Action.EDIT)
    document = selectors.document_live(programme, document_id)
    body = request.POST.get("body", "")
    if len(body) > MAX_BODY_LENGTH:
        return HttpResponseBadRequest(_("This text is too long to merge."))
    base = request.POST.get("base_version")
    offer = services.edit_merge(
        document=document,
        title=request.POST.get("title", "")[:200],
        body=body,
        base_version_id=id_from(base) if base else None,
        user=request.user,
    )
    answer = {
        "overlap": offer.overlap,
        "title": offer.title,
        "body": offer.body,
        "base_version": offer.base_version_id,
    }
    if offer.overlap:
        current = offer.document
        answer["html"] = render_to_string(
            "wiki/includes/live_overlap.html",
            {
                "current": current,
                "diff": diff_texts(current.body, offer.body),
                "title_changed": current.title != offer.title,
                "submitted_title": offer.title,
            },
            request=request,
        )
    return JsonResponse(answer)


@require_GET
def programme_editing(request, programme):
    """Which of the programme's documents someone is editing now, as the programme page shows
    it."""
    programme = programme_for(request.user, programme, Action.PRESENCE)
    editing = live.documents_being_edited(programme, viewer=request.user)
    response = JsonResponse(
        {
            "html": render_to_string(
                "wiki/includes/live_programme_list.html", {"being_edited": editing}
            ),
            "count": len(editing),
        }
    )
    response["Cache-Control"] = "no-store"
    return response
