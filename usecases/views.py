"""The use cases pages: thin views that parse input, call usecases.services or selectors, and
render. Permission is decided in participation.permissions (through the selectors and the
services); the templates only hide what the person may not do anyway."""

import contextlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from reversion.models import Version

from participation import permissions
from participation.forms import add_service_errors
from participation.http import id_from, redirect_next
from participation.permissions import Action
from participation.selectors import programme_for
from wiki import selectors as wiki_selectors
from wiki.diff import diff_texts
from wiki.models import Document
from wiki.rendering import without_title
from wiki.services import WikiError, change_refusal, organisation_of, version_of

from . import display, forms, selectors, services, structure
from .display import Renderer
from .glossary import entries_for
from .models import Actor, Term


def _allowed(user, programme) -> dict[str, bool]:
    return {
        "can_edit": permissions.can(user, Action.EDIT, programme),
        "can_sign_off": permissions.can(user, Action.SIGN_OFF, programme),
        "can_manage": permissions.can(user, Action.MANAGE_PROGRAMME, programme),
    }


def _document(request, programme, slug, *, use_case: bool = True):
    """(document, None) or (None, redirect) when the slug is an old address."""
    document, new_slug = wiki_selectors.document_for(programme, slug)
    if document is None:
        match = request.resolver_match
        url = reverse(
            f"{match.namespace}:{match.url_name}", kwargs={**match.kwargs, "slug": new_slug}
        )
        if request.META.get("QUERY_STRING"):
            url = f"{url}?{request.META['QUERY_STRING']}"
        return None, HttpResponsePermanentRedirect(url)
    if use_case and document.kind != Document.Kind.USE_CASE:
        raise Http404(_("This document is not a use case."))
    return document, None


def _usecase_url(document: Document) -> str:
    return reverse("usecases:detail", args=[document.programme.slug, document.slug])


# --- a use case ------------------------------------------------------------------------------


def detail(request, programme, slug):
    programme = programme_for(request.user, programme)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    if selectors.usecase_of(document) is None:
        return _unstructured(request, programme, document)
    data = selectors.usecase_data(document)
    own = organisation_of(request.user, programme)
    structured = display.structured_context(data, Renderer(programme, own=own), own=own)
    context = {
        "programme": programme,
        "document": document,
        "ancestors": document.ancestors(),
        **structured,
        "warnings": structure.detail_warnings(
            data, selectors.technical_words(programme), title=document.title
        ),
        "parent_change": selectors.parent_change(document),
        "signoffs": selectors.signoffs_for(document),
        "own_organisation": own,
        "can_variant": permissions.can(request.user, Action.EDIT, programme) and own is not None,
        **_allowed(request.user, programme),
    }
    return render(request, "usecases/detail.html", context)


def _unstructured(request, programme, document):
    """A use case document written as plain text, before it had fields."""
    html = Renderer(programme)(without_title(document.body, document.title))
    context = {
        "programme": programme,
        "document": document,
        "ancestors": document.ancestors(),
        "html": html,
        "parent_change": selectors.parent_change(document),
        "signoffs": selectors.signoffs_for(document),
        **_allowed(request.user, programme),
    }
    return render(request, "usecases/unstructured.html", context)


def _edit_context(request, programme, form, steps, extensions, **extra):
    if form.is_bound and "warnings" not in extra:
        data = forms.data_from_rows(request.POST, steps, extensions)
        extra["warnings"] = structure.detail_warnings(
            data, selectors.technical_words(programme), title=request.POST.get("title", "")
        )
    choices = forms.step_choices(steps)
    step_formset = forms.StepFormSet(prefix="steps", initial=steps)
    extension_formset = forms.ExtensionFormSet(
        prefix="extensions", initial=extensions, form_kwargs={"step_choices": choices}
    )
    return {
        "programme": programme,
        "form": form,
        "step_formset": step_formset,
        "extension_formset": extension_formset,
        "actor_names": programme.actors.values_list("name", flat=True),
        **_allowed(request.user, programme),
        **extra,
    }


def _bound_rows(request):
    steps_set = forms.StepFormSet(request.POST, prefix="steps")
    steps = forms.raw_rows(steps_set, ("id", "actor", "text"))
    for row in steps:
        row["id"] = row["id"] or structure.new_id("s")
    extensions_set = forms.ExtensionFormSet(
        request.POST, prefix="extensions", form_kwargs={"step_choices": []}
    )
    extensions = forms.raw_rows(extensions_set, ("id", "at", "condition", "steps"))
    for row in extensions:
        row["id"] = row["id"] or structure.new_id("e")
    return steps, extensions


@require_http_methods(["GET", "POST"])
def edit(request, programme, slug):
    programme = programme_for(request.user, programme, Action.EDIT)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    current = selectors.usecase_data(document)
    extra = {"document": document, "ancestors": document.ancestors()}
    if request.method == "GET":
        extra["refusal"] = change_refusal(document, "edit")
        if selectors.usecase_of(document) is None and document.body.strip():
            # Written as plain text before it had fields: start from the text when it follows
            # the template, and show it beside the form either way, so nothing is lost.
            extra["plain_text"] = document.body
            with contextlib.suppress(structure.MarkdownError):
                current = structure.from_markdown(
                    document.body, services.organisation_names(programme)
                )[1]
        form = forms.UseCaseForm(
            initial={
                **forms.initial_from_data(document.title, current),
                "base_version_id": document.head_id,
            }
        )
        context = _edit_context(
            request,
            programme,
            form,
            forms.step_rows(current),
            forms.extension_rows(current),
            **extra,
        )
        return render(
            request,
            "usecases/edit.html",
            _with_warnings(context, programme, current, document.title),
        )
    form = forms.UseCaseForm(request.POST)
    steps, extensions = _bound_rows(request)
    action = request.POST.get("row")
    if action:
        forms.apply_row_action(action, steps, extensions)
        form.is_valid()
        form.errors.clear()
        context = _edit_context(request, programme, form, steps, extensions, **extra)
        return render(request, "usecases/edit.html", context)
    if form.is_valid():
        data = forms.data_from_forms(form, steps, extensions, current)
        try:
            result = services.usecase_save(
                document=document,
                data=data,
                base_version_id=form.cleaned_data["base_version_id"],
                author=request.user,
                summary=form.cleaned_data["summary"],
                title=form.cleaned_data["title"],
            )
        except services.UseCaseConflict as conflict:
            return _conflict(request, programme, document, conflict, extra)
        except ValidationError as error:
            add_service_errors(form, error)
        except WikiError as error:
            form.add_error(None, error.message)
        else:
            if result.unchanged:
                messages.info(request, _("Nothing changed, so no new version was made."))
            elif result.merged:
                messages.success(
                    request,
                    _("Saved. Someone else changed other fields meanwhile; both changes are kept."),
                )
            else:
                messages.success(request, _("Saved the use case."))
            return redirect(_usecase_url(result.document))
    context = _edit_context(request, programme, form, steps, extensions, **extra)
    return render(request, "usecases/edit.html", context)


@require_POST
def check(request, programme):
    """The detail check of the editing form as it is now (posted by static/js/usecases.js
    while someone types): an HTML fragment, nothing saved."""
    programme = programme_for(request.user, programme)
    steps, extensions = _bound_rows(request)
    data = forms.data_from_rows(request.POST, steps, extensions)
    warnings = structure.detail_warnings(
        data, selectors.technical_words(programme), title=request.POST.get("title", "")
    )
    return render(request, "usecases/includes/warnings.html", {"warnings": warnings})


def _with_warnings(context, programme, data, title):
    context["warnings"] = structure.detail_warnings(
        data, selectors.technical_words(programme), title=title
    )
    return context


def _conflict(request, programme, document, conflict, extra):
    """Show the form again with what the person submitted, what others changed meanwhile,
    and the current version as the new base: saving again is a deliberate choice."""
    document.refresh_from_db()
    now = selectors.usecase_data(document)
    labels = [str(structure.FIELD_LABELS.get(name, name)) for name in conflict.fields]
    form = forms.UseCaseForm(
        initial={
            **forms.initial_from_data(conflict.title, conflict.data),
            "summary": conflict.summary,
            "base_version_id": document.head_id,
        }
    )
    changes = None
    if conflict.base_version is not None:
        before = services.snapshot_at(document, conflict.base_version)
        changes = structure.diff(before.data, now, old_title=before.title, new_title=document.title)
    context = _edit_context(
        request,
        programme,
        form,
        forms.step_rows(conflict.data),
        forms.extension_rows(conflict.data),
        conflict=conflict,
        conflict_fields=labels,
        changes=changes,
        **extra,
    )
    messages.warning(
        request,
        _(
            "Someone else changed %(fields)s while you were editing. Your version is below; "
            "check what changed meanwhile, then save again to keep yours."
        )
        % {"fields": ", ".join(labels)},
    )
    return render(request, "usecases/edit.html", context, status=409)


@require_http_methods(["GET", "POST"])
def create(request, programme):
    programme = programme_for(request.user, programme, Action.EDIT)
    parents = forms.work_processes(programme)
    if not parents.exists():
        messages.info(request, _("A use case belongs below a work process. Create one first."))
        return redirect("wiki:create", programme.slug)
    empty = structure.empty_data()
    if request.method == "GET":
        parent = parents.filter(slug=request.GET.get("parent", "")).first()
        form = forms.UseCaseForm(
            parent_choices=parents,
            initial={
                **forms.initial_from_data(request.GET.get("title", ""), empty),
                "parent": parent,
            },
        )
        starting = [{"id": structure.new_id("s"), "actor": "", "text": ""}]
        return render(
            request, "usecases/edit.html", _edit_context(request, programme, form, starting, [])
        )
    form = forms.UseCaseForm(request.POST, parent_choices=parents)
    steps, extensions = _bound_rows(request)
    action = request.POST.get("row")
    if action:
        forms.apply_row_action(action, steps, extensions)
        form.is_valid()
        form.errors.clear()
    elif form.is_valid():
        data = forms.data_from_forms(form, steps, extensions, empty)
        try:
            document = services.usecase_create(
                programme=programme,
                parent=form.cleaned_data["parent"],
                title=form.cleaned_data["title"],
                data=data,
                author=request.user,
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except WikiError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Created the use case."))
            return redirect(_usecase_url(document))
    return render(
        request, "usecases/edit.html", _edit_context(request, programme, form, steps, extensions)
    )


def export(request, programme, slug):
    programme = programme_for(request.user, programme)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    text = structure.to_markdown(document.title, selectors.usecase_data(document))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{document.slug}.md"'
    return response


@require_http_methods(["GET", "POST"])
def import_new(request, programme):
    programme = programme_for(request.user, programme, Action.EDIT)
    parents = forms.work_processes(programme)
    form = forms.ImportForm(
        request.POST or None,
        request.FILES or None,
        parent_choices=parents,
        initial={"parent": parents.filter(slug=request.GET.get("parent", "")).first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.usecase_import(
                programme=programme,
                parent=form.cleaned_data["parent"],
                text=form.cleaned_data["text"],
                author=request.user,
            )
        except structure.MarkdownError as error:
            form.add_error("text", str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        except WikiError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Imported the use case."))
            return redirect(_usecase_url(document))
    context = {"programme": programme, "form": form, "template": _template_example()}
    return render(request, "usecases/import.html", context)


@require_http_methods(["GET", "POST"])
def import_into(request, programme, slug):
    programme = programme_for(request.user, programme, Action.EDIT)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    form = forms.ImportForm(
        request.POST or None, request.FILES or None, initial={"base_version_id": document.head_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.usecase_import_into(
                document=document,
                text=form.cleaned_data["text"],
                base_version_id=form.cleaned_data["base_version_id"],
                author=request.user,
            )
        except structure.MarkdownError as error:
            form.add_error("text", str(error))
        except services.UseCaseConflict:
            form.add_error(
                None,
                _(
                    "Someone else changed the same fields since you exported it. Export the "
                    "current version and make your changes there."
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except WikiError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Imported the use case as a new version."))
            return redirect(_usecase_url(document))
    context = {
        "programme": programme,
        "document": document,
        "ancestors": document.ancestors(),
        "form": form,
        "template": structure.to_markdown(document.title, selectors.usecase_data(document)),
        **_allowed(request.user, programme),
    }
    return render(request, "usecases/import.html", context)


def _template_example() -> str:
    data = structure.empty_data()
    data.update(
        primary_actor="Teacher",
        supporting_actors=["Roster maker"],
        trigger="…",
        steps=[
            {"id": "s1", "actor": "Teacher", "text": "…"},
            {"id": "s2", "actor": "Roster maker", "text": "…"},
        ],
        extensions=[
            {
                "id": "e1",
                "at": "s2",
                "condition": "…",
                "steps": [{"id": "x1", "actor": "Teacher", "text": "…"}],
            }
        ],
    )
    return structure.to_markdown(_("Make the roster"), data)


@require_POST
def variant(request, programme, slug):
    programme = programme_for(request.user, programme, Action.EDIT)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    form = forms.VariantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The variant could not be read; please try again."))
        return redirect(_usecase_url(document))
    try:
        services.variant_save(
            document=document,
            target=form.cleaned_data["target"],
            text=form.cleaned_data["text"],
            base_version_id=form.cleaned_data["base_version_id"],
            author=request.user,
        )
    except services.UseCaseConflict:
        messages.error(
            request,
            _("Someone changed the variants meanwhile. Your text was: %(text)s")
            % {"text": form.cleaned_data["text"]},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except WikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved your organisation's variant."))
    return redirect(_usecase_url(document))


def diff(request, programme, slug):
    """The use case compared field by field: ?from=<id>&to=<id> (document version ids)."""
    programme = programme_for(request.user, programme)
    document, moved = _document(request, programme, slug)
    if moved:
        return moved
    versions = list(
        Version.objects.get_for_object(document)
        .select_related("revision__user")
        .order_by("-pk")[:100]
    )
    try:
        to_id = request.GET.get("to")
        new = version_of(document, id_from(to_id) if to_id else document.head_id)
        if request.GET.get("from"):
            old = version_of(document, id_from(request.GET["from"]))
        else:
            old = (
                Version.objects.get_for_object(document)
                .filter(pk__lt=new.pk)
                .select_related("revision")
                .order_by("-pk")
                .first()
            )
    except (Version.DoesNotExist, ValueError, TypeError):
        raise Http404(_("This document has no such version.")) from None
    if old is not None and old.pk > new.pk:
        old, new = new, old
    after = services.snapshot_at(document, new)
    before = (
        services.snapshot_at(document, old)
        if old
        else services.Snapshot("", structure.empty_data())
    )
    changes = structure.diff(before.data, after.data, old_title=before.title, new_title=after.title)
    field_diffs = []
    for change in changes.fields:
        old_text, new_text = change.old, change.new
        if isinstance(old_text, list):
            old_text, new_text = ", ".join(old_text), ", ".join(new_text)
        field_diffs.append((change, diff_texts(str(old_text), str(new_text), context=None)))
    context = {
        "programme": programme,
        "document": document,
        "ancestors": document.ancestors(),
        "old": old,
        "new": new,
        "changes": changes,
        "field_diffs": field_diffs,
        "versions": versions,
        "text_diff_url": selectors.wiki_diff_url(document, old.pk if old else None, new.pk),
        **_allowed(request.user, programme),
    }
    return render(request, "usecases/diff.html", context)


# --- sign-off (any document) ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signoffs(request, programme, slug):
    programme = programme_for(request.user, programme)
    document, moved = _document(request, programme, slug, use_case=False)
    if moved:
        return moved
    form = forms.SignOffForm(request.POST or None)
    if request.method == "POST" and request.POST.get("withdraw"):
        try:
            services.signoff_withdraw(document=document, author=request.user)
        except WikiError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your organisation's sign-off is withdrawn."))
        return redirect(request.path)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.signoff_give(
                    document=document,
                    verdict=form.cleaned_data["verdict"],
                    remarks=form.cleaned_data["remarks"],
                    author=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except WikiError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your organisation's sign-off is recorded."))
                return redirect_next(request, request.path)
        elif not permissions.can(request.user, Action.SIGN_OFF, programme):
            raise PermissionDenied(permissions.DENIED_MESSAGES[Action.SIGN_OFF])
    own = organisation_of(request.user, programme)
    statuses = selectors.signoffs_for(document)
    context = {
        "programme": programme,
        "document": document,
        "ancestors": document.ancestors(),
        "signoffs": statuses,
        "form": form,
        "own_signoff": next(
            (s for s in statuses if own and s.signoff.organisation_id == own.pk), None
        ),
        "missing": [
            o
            for o in selectors.contributing_organisations(programme)
            if o.pk not in {s.signoff.organisation_id for s in statuses}
        ],
        **_allowed(request.user, programme),
    }
    return render(request, "usecases/signoffs.html", context)


# --- overview -------------------------------------------------------------------------------


def overview(request, programme):
    programme = programme_for(request.user, programme)
    context = {
        "programme": programme,
        "overview": selectors.overview(programme),
        **_allowed(request.user, programme),
    }
    return render(request, "usecases/overview.html", context)


@require_http_methods(["GET", "POST"])
def technical_words(request, programme):
    programme = programme_for(request.user, programme, Action.MANAGE_PROGRAMME)
    form = forms.TechnicalWordsForm(
        request.POST or None,
        initial={"words": "\n".join(selectors.technical_words(programme))},
    )
    if request.method == "POST" and form.is_valid():
        services.technical_words_save(
            programme=programme, words=form.cleaned_data["words"], author=request.user
        )
        messages.success(request, _("Saved the list of too-technical words."))
        return redirect("usecases:overview", programme.slug)
    return render(request, "usecases/technical_words.html", {"programme": programme, "form": form})


# --- actors ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def actors(request, programme):
    programme = programme_for(request.user, programme)
    form = forms.ActorForm(request.POST or None)
    if request.method == "POST":
        permissions.check(request.user, Action.EDIT, programme)
        if form.is_valid():
            try:
                actor = services.actor_save(
                    programme=programme,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    author=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Added the actor."))
                return redirect(actor.get_absolute_url())
    context = {
        "programme": programme,
        "actors": programme.actors.all(),
        "form": form,
        **_allowed(request.user, programme),
    }
    return render(request, "usecases/actors.html", context)


@require_http_methods(["GET", "POST"])
def actor(request, programme, actor):
    programme = programme_for(request.user, programme)
    instance = get_object_or_404(Actor, programme=programme, slug=actor)
    form = forms.ActorForm(
        request.POST or None,
        initial={"name": instance.name, "description": instance.description},
    )
    if request.method == "POST":
        permissions.check(request.user, Action.EDIT, programme)
        if form.is_valid():
            try:
                services.actor_save(
                    programme=programme,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    author=request.user,
                    actor=instance,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved the actor."))
                return redirect(instance.get_absolute_url())
    context = {
        "programme": programme,
        "actor": instance,
        "description": Renderer(programme)(instance.description),
        "usecases": selectors.actor_usecases(instance),
        "form": form,
        **_allowed(request.user, programme),
    }
    return render(request, "usecases/actor.html", context)


# --- glossary -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def glossary(request, programme):
    programme = programme_for(request.user, programme)
    form = forms.TermForm(request.POST or None)
    if request.method == "POST":
        permissions.check(request.user, Action.EDIT, programme)
        if form.is_valid():
            try:
                term = services.term_save(
                    programme=programme,
                    term=form.cleaned_data["term"],
                    definition=form.cleaned_data["definition"],
                    author=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Added the term to the glossary."))
                return redirect(term.get_absolute_url())
    context = {
        "programme": programme,
        "terms": selectors.glossary(programme),
        "form": form,
        **_allowed(request.user, programme),
    }
    return render(request, "usecases/glossary.html", context)


@require_http_methods(["GET", "POST"])
def term(request, programme, term):
    programme = programme_for(request.user, programme)
    instance = get_object_or_404(Term, programme=programme, slug=term)
    own = organisation_of(request.user, programme)
    own_word = instance.local_words.filter(organisation=own).first() if own else None
    form = forms.TermForm(
        request.POST if request.POST.get("form") == "term" else None,
        initial={"term": instance.term, "definition": instance.definition},
    )
    word_form = forms.LocalWordForm(
        request.POST if request.POST.get("form") == "word" else None,
        initial={"word": own_word.word if own_word else ""},
    )
    if request.method == "POST":
        permissions.check(request.user, Action.EDIT, programme)
        try:
            if form.is_bound and form.is_valid():
                instance = services.term_save(
                    programme=programme,
                    term=form.cleaned_data["term"],
                    definition=form.cleaned_data["definition"],
                    author=request.user,
                    instance=instance,
                )
                messages.success(request, _("Saved the term."))
                return redirect(instance.get_absolute_url())
            if word_form.is_bound and word_form.is_valid():
                services.local_word_save(
                    term=instance, word=word_form.cleaned_data["word"], author=request.user
                )
                messages.success(request, _("Saved your organisation's word."))
                return redirect(instance.get_absolute_url())
        except ValidationError as error:
            add_service_errors(form if form.is_bound else word_form, error)
    context = {
        "programme": programme,
        "term": instance,
        "definition": Renderer(programme)(instance.definition),
        "local_words": instance.local_words.select_related("organisation"),
        "usages": selectors.term_usages(instance),
        "versions": Version.objects.get_for_object(instance).select_related("revision__user")[:20],
        "form": form,
        "word_form": word_form,
        "own_organisation": own,
        **_allowed(request.user, programme),
    }
    return render(request, "usecases/term.html", context)


def glossary_json(request, programme):
    """The glossary's words (terms and organisations' local words) with their definitions, for
    the editor's hints while typing."""
    programme = programme_for(request.user, programme)
    return JsonResponse(
        {
            "terms": [
                {
                    "words": list(entry.words),
                    "term": entry.words[0],
                    "definition": entry.definition,
                    "url": entry.url,
                }
                for entry in entries_for(programme)
            ]
        }
    )
