"""Timeboxes and baselines on the site: thin views that parse input, call a service or a
selector, and render. Permission is decided in participation.permissions (through the
selectors and the services)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participation import permissions
from participation.forms import add_service_errors
from participation.http import id_from
from participation.permissions import Action
from participation.selectors import programme_for
from wiki import attachments, rendering

from . import exports, selectors, services
from .forms import CloseForm, NewDeadlineForm, TimeboxForm, offsets_text
from .models import Baseline, BaselineExport

EXPORT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _can_manage(request, programme) -> bool:
    return permissions.can(request.user, Action.MANAGE_TIMEBOXES, programme)


@require_GET
def timebox_list(request, programme):
    programme = programme_for(request.user, programme)
    timeboxes = list(selectors.timeboxes_of(programme))
    with timezone.override(programme.timezone):
        return render(
            request,
            "timeboxes/list.html",
            {
                "programme": programme,
                "timeboxes": timeboxes,
                "timeline": selectors.timeline(timeboxes),
                "can_manage": _can_manage(request, programme),
            },
        )


@require_http_methods(["GET", "POST"])
def timebox_create(request, programme):
    programme = programme_for(request.user, programme, Action.MANAGE_TIMEBOXES)
    with timezone.override(programme.timezone):
        form = TimeboxForm(request.POST or None, programme=programme)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    timebox = services.timebox_create(
                        programme=programme,
                        by=request.user,
                        name=data["name"],
                        goal=data["goal"],
                        starts_at=data["starts_at"],
                        deadline=data["deadline"],
                        documents=list(data["documents"]),
                        subtrees=list(data["subtrees"]),
                        reminder_offsets=data["reminders"],
                        auto_close=data["auto_close"],
                        freeze_discussion=data["freeze_discussion"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("The timebox was created."))
                    return redirect(timebox)
        elif not form.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            form.initial.update({"starts_at": now})
        return render(
            request,
            "timeboxes/form.html",
            {"programme": programme, "form": form},
            status=status,
        )


@require_GET
def timebox_detail(request, programme, pk):
    programme = programme_for(request.user, programme)
    timebox = selectors.timebox_for(request.user, programme, pk)
    can_manage = _can_manage(request, programme)
    with timezone.override(programme.timezone):
        return render(
            request,
            "timeboxes/detail.html",
            {
                "programme": programme,
                "timebox": timebox,
                "documents": selectors.scope_documents(timebox),
                "events": timebox.events.select_related("actor"),
                "baselines": timebox.baselines.all(),
                "reminders": offsets_text(timebox.reminder_offsets),
                "can_manage": can_manage,
                "extend_form": NewDeadlineForm(initial={"deadline": timebox.deadline})
                if can_manage
                else None,
            },
        )


def _new_deadline_view(request, programme, pk, *, service, template: str, done: str):
    programme = programme_for(request.user, programme, Action.MANAGE_TIMEBOXES)
    timebox = selectors.timebox_for(request.user, programme, pk)
    with timezone.override(programme.timezone):
        form = NewDeadlineForm(request.POST or None, initial={"deadline": timebox.deadline})
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    service(
                        timebox=timebox,
                        by=request.user,
                        deadline=form.cleaned_data["deadline"],
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                except services.TimeboxError as error:
                    form.add_error(None, error.message)
                    status = 409
                else:
                    messages.success(request, done)
                    return redirect(timebox)
        return render(
            request,
            template,
            {"programme": programme, "timebox": timebox, "form": form},
            status=status,
        )


@require_http_methods(["GET", "POST"])
def timebox_extend(request, programme, pk):
    return _new_deadline_view(
        request,
        programme,
        pk,
        service=services.timebox_extend,
        template="timeboxes/extend.html",
        done=_("The deadline was moved; everyone taking part is told."),
    )


@require_http_methods(["GET", "POST"])
def timebox_reopen(request, programme, pk):
    return _new_deadline_view(
        request,
        programme,
        pk,
        service=services.timebox_reopen,
        template="timeboxes/reopen.html",
        done=_("The timebox is open again; everyone taking part is told."),
    )


@require_http_methods(["GET", "POST"])
def timebox_close(request, programme, pk):
    programme = programme_for(request.user, programme, Action.MANAGE_TIMEBOXES)
    timebox = selectors.timebox_for(request.user, programme, pk)
    with timezone.override(programme.timezone):
        form = CloseForm(request.POST or None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    baseline = services.timebox_close(
                        timebox=timebox, by=request.user, outcome=form.cleaned_data["outcome"]
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                except services.TimeboxError as error:
                    form.add_error(None, error.message)
                    status = 409
                else:
                    messages.success(
                        request, _("The timebox was closed and its baseline recorded.")
                    )
                    return redirect(baseline or timebox)
        return render(
            request,
            "timeboxes/close.html",
            {
                "programme": programme,
                "timebox": timebox,
                "form": form,
                "checklist": selectors.checklist(timebox),
            },
            status=status,
        )


# --- baselines ---------------------------------------------------------------------------------


def _baseline(request, programme, pk) -> tuple:
    programme = programme_for(request.user, programme)
    return programme, selectors.baseline_for(request.user, programme, pk)


@require_GET
def baseline_detail(request, programme, pk):
    programme, baseline = _baseline(request, programme, pk)
    others = Baseline.objects.filter(timebox__programme=programme).exclude(pk=baseline.pk)
    with timezone.override(programme.timezone):
        return render(
            request,
            "timeboxes/baseline.html",
            {
                "programme": programme,
                "baseline": baseline,
                "timebox": baseline.timebox,
                "documents": selectors.baseline_documents(baseline),
                "others": others.select_related("timebox"),
                "exports": _exports(request, programme, baseline),
            },
        )


def _exports(request, programme, baseline) -> list[dict]:
    """The PDF and Word exports in the reader's language, as the baseline page shows them."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    found = selectors.baseline_exports(baseline, language)
    return [
        {
            "format": fmt,
            "label": label,
            "export": found[fmt],
            "status": _export_status(programme, baseline, fmt, found[fmt]),
        }
        for fmt, label in BaselineExport.Format.choices
    ]


def _export_status(programme, baseline, fmt: str, export: BaselineExport | None) -> dict:
    args = [programme.slug, baseline.pk, fmt]
    status = export.status if export is not None else "none"
    if export is None:
        message = ""
    elif status == BaselineExport.Status.READY:
        message = _("Ready: %(size)s.") % {"size": filesizeformat(export.size)}
    elif status == BaselineExport.Status.FAILED:
        message = _("Could not be made. Try again; if it fails again, tell the programme's lead.")
    elif status == BaselineExport.Status.BUILDING and export.stage == "layout":
        message = _("Laying out the pages (%(total)s documents)…") % {"total": export.total}
    elif status == BaselineExport.Status.BUILDING and export.total:
        message = _("Being made: %(done)s of %(total)s documents…") % {
            "done": export.done,
            "total": export.total,
        }
    else:
        message = _("Waiting to be made…")
    return {
        "status": status,
        "percent": export.percent if export is not None else 0,
        "message": str(message),
        "download_url": reverse("timeboxes:baseline_export_download", args=args)
        if status == BaselineExport.Status.READY
        else None,
    }


@require_POST
def baseline_export_request(request, programme, pk, fmt):
    programme, baseline = _baseline(request, programme, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        services.baseline_export_request(
            baseline=baseline,
            by=request.user,
            format=fmt,
            language=translation.get_language(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(
            request,
            _("The export is being made. This page shows how far it is; you can leave it."),
        )
    return redirect(f"{baseline.get_absolute_url()}#exports")


def _export_or_404(baseline, fmt: str) -> BaselineExport:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    export = BaselineExport.objects.filter(baseline=baseline, format=fmt, language=language).first()
    if export is None:
        raise Http404(_("This export has not been made yet."))
    return export


@require_GET
def baseline_export_status(request, programme, pk, fmt):
    programme, baseline = _baseline(request, programme, pk)
    export = _export_or_404(baseline, fmt)
    response = JsonResponse(_export_status(programme, baseline, fmt, export))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def baseline_export_download(request, programme, pk, fmt):
    """The export's file, to whoever may read the programme (checked by `_baseline`)."""
    programme, baseline = _baseline(request, programme, pk)
    export = _export_or_404(baseline, fmt)
    if export.status != BaselineExport.Status.READY or not export.file:
        raise Http404(_("This export is not ready yet."))
    try:
        handle = default_storage.open(export.file.name, "rb")
    except FileNotFoundError:
        raise Http404(_("This export is not ready yet.")) from None
    name = f"{exports.filename(baseline)}-{export.language}.{export.format}"
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=EXPORT_TYPES[export.format]
    )
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def baseline_document(request, programme, pk, slug):
    programme, baseline = _baseline(request, programme, pk)
    document = selectors.baseline_document(baseline, slug)
    if document is None:
        raise Http404(_("This baseline holds no such document."))
    with timezone.override(programme.timezone):
        return render(
            request,
            "timeboxes/baseline_document.html",
            {
                "programme": programme,
                "baseline": baseline,
                "document": document,
                "html": rendering.version_html(
                    programme,
                    document.version.pk,
                    document.body,
                    title=document.title,
                    attachments=attachments.version_resolver(document.document_id, document.files),
                ),
            },
        )


@require_GET
def baseline_compare(request, programme, pk):
    """?with=now (the default) or ?with=<baseline id>."""
    programme, baseline = _baseline(request, programme, pk)
    other_ref = request.GET.get("with", "now")
    other = None
    if other_ref != "now":
        other = selectors.baseline_for(request.user, programme, id_from(other_ref))
    older, newer = selectors.compare_sides(baseline, other)
    rows = selectors.compare(older, newer)
    with timezone.override(programme.timezone):
        return render(
            request,
            "timeboxes/compare.html",
            {
                "programme": programme,
                "baseline": baseline,
                "other": other,
                "older": older,
                "newer": newer,
                "rows": rows,
                "changed": sum(1 for row in rows if row.state != "unchanged"),
                "choices": Baseline.objects.filter(timebox__programme=programme)
                .exclude(pk=baseline.pk)
                .select_related("timebox"),
            },
        )


@require_GET
def baseline_export_html(request, programme, pk):
    programme, baseline = _baseline(request, programme, pk)
    with timezone.override(programme.timezone):
        content = exports.baseline_html(baseline)
    response = HttpResponse(content, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(baseline)}.html"'
    return response


@require_GET
def baseline_export_zip(request, programme, pk):
    programme, baseline = _baseline(request, programme, pk)
    with timezone.override(programme.timezone):
        content = exports.baseline_zip(baseline)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(baseline)}.zip"'
    return response
