"""The wiki's web interface: thin views that parse input, call wiki.services or wiki.selectors,
and render. Permission is decided in participation.permissions (through the selectors and the
services); the templates only hide what the person may not do anyway."""

import functools

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from reversion.models import Version

from participation import permissions
from participation.forms import add_service_errors
from participation.http import id_from
from participation.models import Membership, ProgrammeRole
from participation.permissions import Action
from participation.selectors import programme_for

from . import (
    anchors,
    attachments,
    discussion,
    display,
    live,
    mentions,
    rendering,
    selectors,
    services,
)
from .diagrams import diagrams_compared
from .diff import CONTEXT_LINES, DIFF_FORMAT, diff_texts, versions_diff
from .downloads import attachment_response
from .forms import (
    MAX_BODY_LENGTH,
    CommentEditForm,
    CommentForm,
    DocumentCreateForm,
    DocumentEditForm,
    DocumentTemplateForm,
    MoveForm,
    RenameForm,
    SearchForm,
    WatchForm,
)
from .models import Attachment, Document, DocumentTemplate, EditMeta, version_number

RECENT_CHANGES = 10
SEARCH_PAGE_SIZE = 20
TITLE_HINTS = 8


# --- helpers -----------------------------------------------------------------------------------


def _allowed(user, programme) -> dict[str, bool]:
    """What the templates may offer; the services refuse the rest anyway."""
    return {
        "can_edit": permissions.can(user, Action.EDIT, programme),
        "can_discuss": permissions.can(user, Action.DISCUSS, programme),
        "can_delete": permissions.can(user, Action.DELETE, programme),
        "can_restore": permissions.can(user, Action.RESTORE, programme),
        "can_manage_programme": permissions.can(user, Action.MANAGE_PROGRAMME, programme),
        "live_ms": _live_ms(user, programme),
    }


def _live_ms(user, programme) -> int:
    """How often the page's live parts (wiki.live) ask, in milliseconds; 0 leaves them out:
    for whoever may not see presence, or when they are turned off."""
    if not live.enabled() or not permissions.can(user, Action.PRESENCE, programme):
        return 0
    return max(250, int(settings.STIP_LIVE_INTERVAL_SECONDS * 1000))


def _document(request, programme, slug, *, include_deleted: bool = False):
    """The living document, or a redirect (301) when `slug` is its old address.

    `include_deleted` lets a save or a comment that was typed before someone deleted the document
    reach the service, which refuses it with a message while the form keeps the text.

    A document that was deleted answers 410 with a page saying so (who, when, where to restore
    it), so a notification, bookmark or link to it does not end in a bare "not found"."""
    try:
        document, new_slug = selectors.document_for(
            programme, slug, include_deleted=include_deleted
        )
    except Http404:
        deleted = (
            Document.objects.deleted()
            .filter(programme=programme, slug=slug)
            .select_related("deleted_by")
            .first()
        )
        if deleted is None:
            raise
        return None, render(
            request,
            "wiki/deleted.html",
            {"programme": programme, "document": deleted, **_allowed(request.user, programme)},
            status=410,
        )
    if document is None:
        match = request.resolver_match
        url = reverse(
            f"{match.namespace}:{match.url_name}", kwargs={**match.kwargs, "slug": new_slug}
        )
        if request.META.get("QUERY_STRING"):
            url = f"{url}?{request.META['QUERY_STRING']}"
        return None, HttpResponsePermanentRedirect(url)
    return document, None


def _version_or_404(document: Document, version_id) -> Version:
    try:
        return services.version_of(document, int(version_id))
    except (Version.DoesNotExist, ValueError, TypeError):
        raise Http404(_("This document has no such version.")) from None


def _authors_between(document: Document, after_id: int | None, before_id: int) -> str:
    """Names of the people who saved versions between two versions, for the merge message."""
    versions = Version.objects.get_for_object(document).filter(pk__lt=before_id)
    if after_id:
        versions = versions.filter(pk__gt=after_id)
    names = []
    for version in versions.select_related("revision__user"):
        user = version.revision.user
        name = (user.get_full_name() or user.username) if user else _("someone")
        if name not in names:
            names.append(name)
    return get_text_list(names, _("and")) if names else _("someone")


# --- home, programme, search -------------------------------------------------------------------


@require_GET
def programme(request, programme):
    programme = programme_for(request.user, programme)
    memberships = (
        Membership.objects.filter(programme=programme)
        .select_related("organisation")
        .order_by("level", "organisation__name")
    )
    leads = (
        ProgrammeRole.objects.filter(programme=programme, role=ProgrammeRole.Role.LEAD)
        .select_related("user")
        .order_by("user__last_name", "user__username")
        if request.user.is_authenticated
        else []
    )
    recent = (
        Document.objects.alive()
        .filter(programme=programme)
        .select_related("head__revision__user", "head__revision__edit_meta__organisation")
        .order_by("-updated_at")[:RECENT_CHANGES]
    )
    return render(
        request,
        "wiki/programme.html",
        {
            "programme": programme,
            "level": permissions.level_of(request.user, programme),
            "tree": selectors.document_tree(programme),
            "contributors": [
                m for m in memberships if m.level == Membership.MemberLevel.CONTRIBUTOR
            ],
            "observers": [m for m in memberships if m.level == Membership.MemberLevel.OBSERVER],
            "leads": leads,
            "recent": recent,
            "search_form": SearchForm(initial={"programme": programme.slug}),
            **_allowed(request.user, programme),
        },
    )


@require_GET
def search(request):
    form = SearchForm(request.GET)
    programme = None
    page = None
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if form.cleaned_data["programme"]:
            programme = programme_for(request.user, form.cleaned_data["programme"])
        if query:
            results = selectors.search_documents(request.user, query, programme)
            page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "wiki/search.html",
        {"form": form, "query": query, "programme": programme, "page": page},
    )


# --- create and preview ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def create(request, programme):
    programme = programme_for(request.user, programme, Action.EDIT)
    if request.method == "POST" and "preview" in request.POST:
        return _preview_page(
            request,
            programme,
            "wiki/create.html",
            DocumentCreateForm,
            {"staged": _staged(request, programme)},
        )
    if request.method == "POST":
        form = DocumentCreateForm(request.POST, programme=programme)
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = services.document_create(
                    programme=programme,
                    kind=data["kind"],
                    title=data["title"],
                    body=data["body"],
                    parent=data["parent"],
                    summary=data["summary"],
                    author=request.user,
                    attachment_ids=_staged_ids(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except services.WikiError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The document was created."))
                return redirect(document)
        return render(
            request,
            "wiki/create.html",
            {
                "programme": programme,
                "form": form,
                "templates": selectors.document_templates(programme),
                "staged": _staged(request, programme),
            },
            status=400,
        )
    return render(
        request,
        "wiki/create.html",
        {
            "programme": programme,
            "form": DocumentCreateForm(
                initial=_create_initial(request, programme), programme=programme
            ),
            "templates": selectors.document_templates(programme),
        },
    )


def _preview_page(request, programme, template: str, form_class, context: dict):
    """The no-JS preview: the form as typed (not yet validated, so no premature errors) with the
    text rendered below it."""
    kwargs = {"programme": programme} if form_class is DocumentCreateForm else {}
    form = form_class(initial=request.POST.dict(), **kwargs)
    body = request.POST.get("body", "")[:MAX_BODY_LENGTH]
    return render(
        request,
        template,
        {
            **context,
            "programme": programme,
            "form": form,
            "preview": rendering.render_for_programme(
                programme,
                body,
                _current_files(context.get("document"), user=request.user, programme=programme),
            ),
        },
    )


def _current_files(document, *, user=None, programme=None):
    """What `attachment:NAME` means in a text being edited: the document's files now; for a
    document being created, the files its author staged for it."""
    if document is None:
        if user is None or programme is None:
            return None
        return _staged_resolver(user, programme)
    return attachments.reference_resolver(document, document.files)


def _staged_ids(request) -> list[int]:
    return [int(pk) for pk in request.POST.getlist("attachments")[:100] if pk.isdigit()]


def _staged(request, programme) -> list[Attachment]:
    """The staged files the create form carries (its hidden `attachments`), for showing again."""
    return list(
        services.staged_attachments(request.user, programme).filter(pk__in=_staged_ids(request))
    )


def _staged_url(programme, attachment: Attachment) -> str:
    return reverse("wiki:staged_attachment", args=[programme.slug, attachment.pk, attachment.name])


def _staged_resolver(user, programme):
    """`attachment:NAME` in the text of a document being created: the author's staged file of
    that name (the latest)."""
    staged = {a.name: a for a in services.staged_attachments(user, programme).order_by("pk")}

    def resolve(name: str):
        found = staged.get(name)
        return (_staged_url(programme, found), found.is_image) if found is not None else None

    return resolve


def _create_initial(request, programme) -> dict:
    """Prefill from ?title=&kind=&parent= (a wiki link to a missing document lands here)."""
    initial = {"title": request.GET.get("title", "")[:200]}
    parent_ref = request.GET.get("parent", "")
    parent = None
    if parent_ref:
        documents = Document.objects.alive().filter(programme=programme)
        lookup = {"pk": parent_ref} if parent_ref.isdigit() else {"slug": parent_ref}
        parent = documents.filter(**lookup).first()
    if parent is not None:
        initial["parent"] = parent.pk
        child_kind = {v: k for k, v in Document.PARENT_KIND.items()}.get(parent.kind)
        if child_kind:
            initial["kind"] = child_kind
    if request.GET.get("kind") in Document.Kind.values:
        initial["kind"] = request.GET["kind"]
    kind = initial.get("kind") or DocumentCreateForm.base_fields["kind"].choices[0][0]
    initial["body"] = selectors.document_template_text(programme, kind)
    return initial


@require_POST
def preview(request, programme):
    """The editor's live preview: the same rendering and sanitising as a saved page."""
    programme = programme_for(request.user, programme, Action.EDIT)
    body = request.POST.get("body", "")
    if len(body) > MAX_BODY_LENGTH:
        return HttpResponseBadRequest(_("This text is too long to preview."))
    try:  # the document being edited, whose files the text may refer to
        document = selectors.document_for(programme, request.POST.get("document") or "-")[0]
    except Http404:
        document = None
    files = _current_files(document, user=request.user, programme=programme)
    response = HttpResponse(rendering.render_for_programme(programme, body, files))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@xframe_options_sameorigin
@csp_update({"style-src": ["'unsafe-inline'"], "frame-ancestors": ["'self'"]})
def diagram_frame(request):
    """The hidden frame in which static/js/diagrams.js has Mermaid draw a page's diagrams.

    Mermaid writes a `<style>` element into each drawing while it measures it; the pages keep
    `style-src 'self'`, so it draws here, in a frame of our own origin that holds no text of
    anyone's but the diagram sources it is sent and whose policy allows inline style (scripts
    stay `'self'`). The page shows the drawings it gets back as pictures (`<img>` of SVG, which
    runs no script)."""
    return render(request, "wiki/diagram_frame.html")


@require_GET
def titles(request, programme):
    """Titles for the editor's `[[wiki link]]` hint: living documents whose title contains `q`."""
    programme = programme_for(request.user, programme)
    query = request.GET.get("q", "").strip()[:100]
    documents = Document.objects.alive().filter(programme=programme)
    if query:
        documents = documents.filter(title__icontains=query)
    rows = documents.order_by("title").values("title", "slug", "kind")[:TITLE_HINTS]
    return JsonResponse({"documents": list(rows)})


# --- a document --------------------------------------------------------------------------------


@require_GET
def document(request, programme, slug):
    programme = programme_for(request.user, programme)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    return render(
        request,
        "wiki/document.html",
        _document_context(request, programme, document),
    )


def _document_context(request, programme, document, *, comment_form=None) -> dict:
    head = document.head
    # The parts the cache usually holds (participation.fragments) are read only when the
    # template asks for them: called by the template, once each.

    @functools.cache
    def body() -> str:
        return display.body_html(document, title=document.title, text=document.body)

    @functools.cache
    def threads() -> discussion.Discussion:
        return discussion.discussion_of(document, request.user, body())

    def marked_body():
        # Called by the template only when the cached part of the page is not there.
        found = threads()
        return mark_safe(anchors.mark_places(body(), found.places, found.counts()))  # noqa: S308

    if comment_form is None:
        comment_form = _comment_form(request, document)
    return {
        "programme": programme,
        "document": document,
        "html": marked_body,
        "ancestors": document.ancestors(),
        "children": functools.cache(
            lambda: (
                document.children.alive()
                .select_related("programme")  # for their addresses
                .defer("body")
                .order_by("position", "title")
            )
        ),
        "last_change": head.revision if head else None,
        "discussion": threads,
        "attachments": functools.cache(lambda: selectors.attachments_of(document, document.files)),
        "comment_form": comment_form,
        "replying_to": _replying_to(document, comment_form),
        **_allowed(request.user, programme),
    }


def _comment_form(request, document, data=None) -> CommentForm:
    """The discussion's form; `?anchor=<place>` starts a thread about that place, `?reply=<id>`
    answers a thread."""
    if not permissions.can(request.user, Action.DISCUSS, document.programme):
        return CommentForm()
    places = discussion.places_of(document)
    initial = {
        "anchor": request.GET.get("anchor", "")[:200],
        "parent": _optional_id(request.GET.get("reply")),
    }
    return CommentForm(data, places=places, initial=initial)


def _optional_id(value) -> int | None:
    """An id given in a form or the address, None when none is given."""
    if value is None or value == "":
        return None
    return id_from(str(value))


def _replying_to(document, form):
    """The thread the form answers, for the form to say so."""
    value = form.data.get("parent") if form.is_bound else form.initial.get("parent")
    comment_id = _optional_id(value)
    if comment_id is None:
        return None
    return (
        document.comments.filter(pk=comment_id).select_related("author", "parent__author").first()
    )


@require_http_methods(["GET", "POST"])
def edit(request, programme, slug):
    programme = programme_for(request.user, programme, Action.EDIT)
    document, moved = _document(request, programme, slug, include_deleted=request.method == "POST")
    if moved:
        return moved
    context = {"programme": programme, "document": document, **_allowed(request.user, programme)}
    if request.method == "GET":
        form = DocumentEditForm(
            initial={
                "title": document.title,
                "body": document.body,
                "base_version": document.head_id,
            }
        )
        refusal = services.change_refusal(document, "edit")
        return render(request, "wiki/edit.html", {**context, "form": form, "refusal": refusal})

    if "preview" in request.POST:
        return _preview_page(request, programme, "wiki/edit.html", DocumentEditForm, context)
    form = DocumentEditForm(request.POST)
    if not form.is_valid():
        return render(request, "wiki/edit.html", {**context, "form": form}, status=400)
    data = form.cleaned_data
    try:
        result = services.document_save(
            document=document,
            body=data["body"],
            base_version_id=data["base_version"],
            author=request.user,
            summary=data["summary"],
            title=data["title"],
        )
    except services.EditConflict as conflict:
        return _conflict(request, context, conflict)
    except ValidationError as error:
        add_service_errors(form, error)
        return render(request, "wiki/edit.html", {**context, "form": form}, status=400)
    except services.WikiError as error:
        # A frozen document is refused by the rules (403); a deleted one conflicts (409).
        status = 403 if isinstance(error, services.DocumentFrozen) else 409
        form.add_error(None, error.message)
        return render(request, "wiki/edit.html", {**context, "form": form}, status=status)
    if result.unchanged:
        messages.info(request, _("You changed nothing, so no new version was saved."))
    elif result.merged:
        names = _authors_between(document, data["base_version"], result.version.pk)
        messages.success(
            request,
            _(
                "Your changes were merged with the changes %(names)s saved meanwhile. "
                "Please check the result."
            )
            % {"names": names},
        )
    else:
        messages.success(request, _("Your changes were saved."))
    return redirect(result.document)


def _conflict(request, context: dict, conflict: services.EditConflict):
    """Answer a stale save: keep the submitted text, show what is current now and how the two
    differ, and let the person save again on top of the current version."""
    current = conflict.document
    form = DocumentEditForm(
        initial={
            "title": conflict.title,
            "body": conflict.body,
            "summary": conflict.summary,
            "base_version": current.head_id,
        }
    )
    return render(
        request,
        "wiki/conflict.html",
        {
            **context,
            "document": current,
            "form": form,
            "current": current,
            "diff": diff_texts(current.body, conflict.body),
            "title_changed": current.title != conflict.title,
            "submitted_title": conflict.title,
            "preview": rendering.render_for_programme(
                current.programme, conflict.body, _current_files(current)
            ),
        },
        status=409,
    )


@require_GET
def history(request, programme, slug):
    programme = programme_for(request.user, programme)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    before = request.GET.get("before")
    before = id_from(before) if before else None
    versions, more = selectors.history(
        document, before=before, limit=settings.STIP_HISTORY_PAGE_SIZE
    )
    return render(
        request,
        "wiki/history.html",
        {
            "programme": programme,
            "document": document,
            "versions": versions,
            "older": versions[-1].pk if more and versions else None,
            "is_first_page": before is None,
            "more": more,
            **_allowed(request.user, programme),
        },
    )


@require_GET
def version(request, programme, slug, version_id):
    programme = programme_for(request.user, programme)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    version = _version_or_404(document, version_id)
    fields = version.field_dict
    return render(
        request,
        "wiki/version.html",
        {
            "programme": programme,
            "document": document,
            "version": version,
            "version_title": fields.get("title", ""),
            "is_current": version.pk == document.head_id,
            "attachments": selectors.attachments_of(document, fields.get("files")),
            "html": display.body_html(
                document,
                version=version,
                title=fields.get("title", ""),
                text=fields.get("body", ""),
            ),
            **_allowed(request.user, programme),
        },
    )


@require_GET
def diff(request, programme, slug):
    """Side by side: ?from=<id>&to=<id>. Without `to`, the current version; without `from`, the
    version before `to`."""
    programme = programme_for(request.user, programme)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    own_page = display.diff_page(document)
    if own_page is not None:
        query = request.GET.copy()
        query.pop("context", None)
        return redirect(f"{own_page}?{query.urlencode()}" if query else own_page)
    to_id = request.GET.get("to")
    new = _version_or_404(document, id_from(to_id) if to_id else document.head_id)
    from_id = request.GET.get("from")
    if from_id:
        old = _version_or_404(document, id_from(from_id))
    else:
        old = (
            Version.objects.get_for_object(document)
            .filter(pk__lt=new.pk)
            .exclude(revision__edit_meta__action=EditMeta.Action.BASELINE)
            .select_related("revision__user", "numbering")
            .order_by("-pk")
            .first()
        )
    if old is not None and old.pk > new.pk:
        old, new = new, old
    old_fields = old.field_dict if old is not None else {}
    new_fields = new.field_dict
    whole = request.GET.get("context") == "all"
    return render(
        request,
        "wiki/diff.html",
        {
            "programme": programme,
            "document": document,
            "old": old,
            "new": new,
            "old_number": version_number(old),
            "new_number": version_number(new),
            "old_title": old_fields.get("title", ""),
            "new_title": new_fields.get("title", ""),
            "diff": versions_diff(
                old.pk if old is not None else None,
                new.pk,
                old_fields.get("body", ""),
                new_fields.get("body", ""),
                context=None if whole else CONTEXT_LINES,
            ),
            "diff_format": DIFF_FORMAT,
            "attachment_changes": selectors.attachment_changes(
                document, old_fields.get("files"), new_fields.get("files")
            ),
            "diagram_pairs": diagrams_compared(
                old_fields.get("body", ""), new_fields.get("body", "")
            ),
            "whole": whole,
            **_allowed(request.user, programme),
        },
    )


@require_http_methods(["GET", "POST"])
def revert(request, programme, slug, version_id):
    """GET asks to confirm (what the document goes back to, and that nothing is lost); POST
    reverts."""
    programme = programme_for(request.user, programme, Action.EDIT)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    version = _version_or_404(document, version_id)
    if request.method == "GET":
        return render(
            request,
            "wiki/revert.html",
            {
                "programme": programme,
                "document": document,
                "version": version,
                "version_title": version.field_dict.get("title", ""),
                "is_current": version.pk == document.head_id,
                "refusal": services.change_refusal(document, "revert"),
            },
        )
    try:
        services.document_revert(document=document, version_id=version.pk, author=request.user)
    except services.WikiError as error:
        messages.error(request, error.message)
        return redirect(
            "wiki:version", programme=programme.slug, slug=document.slug, version_id=version.pk
        )
    messages.success(request, _("The document is back at the chosen version, as a new version."))
    return redirect(document)


@require_http_methods(["GET", "POST"])
def rename(request, programme, slug):
    programme = programme_for(request.user, programme, Action.EDIT)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    form = RenameForm(
        request.POST or None, initial={"title": document.title, "slug": document.slug}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                document = services.document_rename(
                    document=document,
                    title=form.cleaned_data["title"],
                    slug=form.cleaned_data["slug"],
                    summary=form.cleaned_data["summary"],
                    author=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except services.WikiError as error:
                form.add_error(None, error.message)
                status = 409
            else:
                messages.success(
                    request, _("The document was renamed; its old address still works.")
                )
                return redirect(document)
    refusal = services.change_refusal(document, "rename") if request.method == "GET" else None
    return render(
        request,
        "wiki/rename.html",
        {"programme": programme, "document": document, "form": form, "refusal": refusal},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def move(request, programme, slug):
    programme = programme_for(request.user, programme, Action.EDIT)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    form = MoveForm(request.POST or None, document=document, initial={"parent": document.parent_id})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                document = services.document_move(
                    document=document,
                    parent=form.cleaned_data["parent"],
                    summary=form.cleaned_data["summary"],
                    author=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except services.WikiError as error:
                form.add_error(None, error.message)
                status = 409
            else:
                messages.success(request, _("The document was moved."))
                return redirect(document)
    refusal = services.change_refusal(document, "move") if request.method == "GET" else None
    return render(
        request,
        "wiki/move.html",
        {"programme": programme, "document": document, "form": form, "refusal": refusal},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def delete(request, programme, slug):
    programme = programme_for(request.user, programme, Action.DELETE)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    if request.method == "POST":
        try:
            services.document_delete(document=document, by=request.user)
        except services.WikiError as error:
            messages.error(request, error.message)
            return redirect(document)
        messages.success(
            request,
            _("“%(title)s” was moved to the trash. A lead can restore it.")
            % {"title": document.title},
        )
        return redirect(programme)
    return render(
        request,
        "wiki/delete.html",
        {
            "programme": programme,
            "document": document,
            "children": document.children.alive(),
            "refusal": services.change_refusal(document, "delete"),
        },
    )


@require_GET
def trash(request, programme):
    programme = programme_for(request.user, programme, Action.DELETE)
    documents = (
        Document.objects.deleted()
        .filter(programme=programme)
        .select_related("deleted_by", "parent")
        .order_by("-deleted_at")
    )
    return render(
        request,
        "wiki/trash.html",
        {"programme": programme, "documents": documents, **_allowed(request.user, programme)},
    )


@require_POST
def restore(request, programme, document_id):
    programme = programme_for(request.user, programme, Action.RESTORE)
    document = get_object_or_404(Document.objects.deleted(), programme=programme, pk=document_id)
    try:
        services.document_restore(document=document, by=request.user)
    except services.WikiError as error:
        messages.error(request, error.message)
        return redirect("wiki:trash", programme=programme.slug)
    messages.success(request, _("“%(title)s” was restored.") % {"title": document.title})
    return redirect(document)


@require_POST
def comment(request, programme, slug):
    """A new thread or a reply. A reply typed under its thread comes as `reply_to` with its text
    in `reply-<thread>`; refused, it shows again in the discussion's form, as typed."""
    programme = programme_for(request.user, programme, Action.DISCUSS)
    document, moved = _document(request, programme, slug, include_deleted=True)
    if moved:
        return moved
    data = request.POST
    reply_to = _optional_id(request.POST.get("reply_to"))
    if reply_to is not None:
        data = {"body": request.POST.get(f"reply-{reply_to}", ""), "parent": reply_to}
    form = _comment_form(request, document, data)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = get_object_or_404(document.comments, pk=form.cleaned_data["parent"])
        try:
            added = services.comment_add(
                document=document,
                author=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
                anchor="" if parent else form.cleaned_data["anchor"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.WikiError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your comment was added."))
            return redirect(f"{document.get_absolute_url()}#comment-{added.pk}")
    # Show the page again with the comment as typed and the reason it was not added.
    context = _document_context(request, programme, document, comment_form=form)
    return render(request, "wiki/document.html", context, status=400)


def _comment(request, programme, slug, comment_id):
    """The programme (the person may read it), the document and one of its comments."""
    programme = programme_for(request.user, programme)
    document = get_object_or_404(Document.objects.alive(), programme=programme, slug=slug)
    found = get_object_or_404(document.comments.select_related("parent"), pk=comment_id)
    return programme, document, found


@require_http_methods(["GET", "POST"])
def comment_edit(request, programme, slug, comment_id):
    programme, document, found = _comment(request, programme, slug, comment_id)
    if not permissions.may_edit_comment(request.user, programme, found.author_id):
        raise PermissionDenied(_("Only its author may edit a comment."))
    context = {"programme": programme, "document": document, "comment": found}
    if request.method == "GET":
        form = CommentEditForm(initial={"body": found.body})
        return render(request, "wiki/comment_edit.html", {**context, "form": form})
    form = CommentEditForm(request.POST)
    if form.is_valid():
        try:
            services.comment_edit(comment=found, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        except services.WikiError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your comment was changed."))
            return redirect(f"{document.get_absolute_url()}#comment-{found.pk}")
    return render(request, "wiki/comment_edit.html", {**context, "form": form}, status=400)


@require_POST
def comment_delete(request, programme, slug, comment_id):
    programme, document, found = _comment(request, programme, slug, comment_id)
    services.comment_delete(comment=found, by=request.user)
    messages.success(request, _("The comment was deleted."))
    return redirect(f"{document.get_absolute_url()}#comment-{found.pk}")


@require_POST
def thread_resolve(request, programme, slug, comment_id):
    programme, document, found = _comment(request, programme, slug, comment_id)
    resolved = request.POST.get("resolved", "1") != "0"
    thread = services.thread_resolve(comment=found, by=request.user, resolved=resolved)
    if resolved:
        # Not to the thread itself: a browser unfolds the resolved threads to show it.
        messages.success(request, _("The thread was resolved."))
        return redirect(f"{document.get_absolute_url()}#discussion")
    messages.success(request, _("The thread was reopened."))
    return redirect(f"{document.get_absolute_url()}#comment-{thread.pk}")


@require_GET
def mention_suggestions(request, programme):
    """People and organisations the editor may suggest after an `@`: only for whoever may take
    part in the discussion, and only those who may read the programme (`wiki.mentions`)."""
    programme = programme_for(request.user, programme, Action.DISCUSS)
    return JsonResponse({"names": mentions.suggestions(programme, request.GET.get("q", ""))})


# --- Watching ---


@login_required
@require_http_methods(["GET", "POST"])
def watch(request, programme, slug=None):
    programme = programme_for(request.user, programme, Action.WATCH)
    document = None
    if slug is not None:
        document = get_object_or_404(Document.objects.alive(), programme=programme, slug=slug)
    current = selectors.watch_of(request.user, programme, document)
    form = WatchForm(
        request.POST or None,
        initial={"scope": current.scope if current else "subtree"},
    )
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        if document is None:
            scope = request.POST.get("scope", "")
        if scope:
            services.watch_set(
                user=request.user, programme=programme, document=document, scope=scope
            )
            messages.success(request, _("You watch this now."))
        else:
            services.watch_remove(user=request.user, programme=programme, document=document)
            messages.success(request, _("You no longer watch this."))
        if document is not None:
            return redirect(document.get_absolute_url())
        return redirect("participation:members", programme=programme.slug)
    return render(
        request,
        "wiki/watch.html",
        {"programme": programme, "document": document, "watch": current, "form": form},
    )


# --- attachments -------------------------------------------------------------------------------


@require_GET
def attachment(request, programme, slug, attachment_id, name):
    """A document's file, to whoever may read the programme; never from a public address.
    Pictures Stip re-encoded are shown inline; every other type (SVG, HTML, …) is a download."""
    programme = programme_for(request.user, programme)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    found = get_object_or_404(Attachment, pk=attachment_id, document=document)
    return attachment_response(found, thumbnail=request.GET.get("thumbnail") == "1")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refusal_text(error: ValidationError | services.WikiError) -> str:
    """What a refused upload says, in one line."""
    if isinstance(error, services.WikiError):
        return error.message
    return " ".join(m for messages_ in error.message_dict.values() for m in messages_)


@require_POST
def attach(request, programme, slug):
    """Attach a file (the editor's drop, paste or choose, or the form under the document)."""
    programme = programme_for(request.user, programme, Action.EDIT)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": _("Choose a file to attach.")})
        result = services.attachment_add(
            document=document, name=upload.name, data=upload.read(), author=request.user
        )
    except (ValidationError, services.WikiError) as error:
        message = _refusal_text(error)
        if _wants_json(request):
            return JsonResponse({"error": message}, status=400)
        messages.error(request, message)
        return redirect(f"{document.get_absolute_url()}#attachments")
    found = result.attachment
    if _wants_json(request):
        return JsonResponse(
            {
                "name": found.name,
                "markdown": attachments.markdown_reference(found),
                "base_version": result.version.pk,
                "replaced": result.replaced,
            }
        )
    messages.success(request, _("%(name)s is attached.") % {"name": found.name})
    return redirect(f"{document.get_absolute_url()}#attachments")


@require_POST
def attach_staged(request, programme):
    """Attach a file to a document being created (the create page's editor): staged for the
    author until the document is created (`services.attachment_stage`)."""
    programme = programme_for(request.user, programme, Action.EDIT)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": _("Choose a file to attach.")})
        found = services.attachment_stage(
            programme=programme, name=upload.name, data=upload.read(), author=request.user
        )
    except (ValidationError, services.WikiError) as error:
        return JsonResponse({"error": _refusal_text(error)}, status=400)
    return JsonResponse(
        {"id": found.pk, "name": found.name, "markdown": attachments.markdown_reference(found)}
    )


@require_GET
def staged_attachment(request, programme, attachment_id, name):
    """A staged file, to the person who staged it only (the create page's preview)."""
    programme = programme_for(request.user, programme, Action.EDIT)
    found = get_object_or_404(
        services.staged_attachments(request.user, programme), pk=attachment_id
    )
    return attachment_response(found, thumbnail=request.GET.get("thumbnail") == "1")


@require_POST
def detach(request, programme, slug):
    programme = programme_for(request.user, programme, Action.EDIT)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    name = request.POST.get("name", "")
    try:
        services.attachment_remove(document=document, name=name, author=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
    except services.WikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s was taken off the document.") % {"name": name})
    return redirect(f"{document.get_absolute_url()}#attachments")


# --- document templates ------------------------------------------------------------------------


@require_GET
def document_templates(request, programme):
    """The programme's templates, per kind: the leads keep them."""
    programme = programme_for(request.user, programme, Action.MANAGE_PROGRAMME)
    kept = selectors.document_templates(programme)
    kinds = [(kind, Document.Kind(kind).label, kind in kept) for kind in DocumentTemplate.KINDS]
    return render(
        request,
        "wiki/templates.html",
        {"programme": programme, "kinds": kinds, **_allowed(request.user, programme)},
    )


@require_http_methods(["GET", "POST"])
def document_template(request, programme, kind):
    programme = programme_for(request.user, programme, Action.MANAGE_PROGRAMME)
    if kind not in DocumentTemplate.KINDS:
        raise Http404
    context = {"programme": programme, "kind": kind, "kind_label": Document.Kind(kind).label}
    if request.method == "POST":
        form = DocumentTemplateForm(request.POST)
        if form.is_valid():
            try:
                services.document_template_set(
                    programme=programme, kind=kind, body=form.cleaned_data["body"], by=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The template was saved."))
                return redirect("wiki:templates", programme=programme.slug)
        return render(request, "wiki/template.html", {**context, "form": form}, status=400)
    form = DocumentTemplateForm(initial={"body": selectors.document_template_text(programme, kind)})
    return render(request, "wiki/template.html", {**context, "form": form})
