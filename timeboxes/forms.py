"""Forms of timeboxes. Dates are entered and shown in the programme's time zone: the views
activate it around the form (`timezone.override`)."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from participation.text import OneLineField
from wiki.models import Document

from .models import DAY, HOUR

UNITS = {"w": 7 * DAY, "d": DAY, "h": HOUR, "m": 60}
OFFSET = re.compile(r"^\s*(\d+)\s*([wdhm])\s*$", re.IGNORECASE)


def parse_offsets(text: str) -> list[int]:
    """ "7d, 1d, 1h" → seconds. Raises ValidationError naming the part it does not understand."""
    offsets = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = OFFSET.match(part)
        if not match or int(match.group(1)) == 0:
            raise forms.ValidationError(
                _("“%(part)s” is not a time before the deadline, like 7d, 1d or 1h.")
                % {"part": part}
            )
        offsets.append(int(match.group(1)) * UNITS[match.group(2).lower()])
    return sorted(set(offsets), reverse=True)


def offsets_text(offsets: list[int]) -> str:
    """The reminders as a reader reads them, in the active language: "1 week, 1 day, 1 hour"
    (the form takes them as "1w, 1d, 1h")."""
    words = {
        "w": lambda n: ngettext("%(count)d week", "%(count)d weeks", n),
        "d": lambda n: ngettext("%(count)d day", "%(count)d days", n),
        "h": lambda n: ngettext("%(count)d hour", "%(count)d hours", n),
        "m": lambda n: ngettext("%(count)d minute", "%(count)d minutes", n),
    }
    parts = []
    for offset in sorted(offsets, reverse=True):
        for unit, seconds in UNITS.items():
            if offset % seconds == 0:
                count = offset // seconds
                parts.append(words[unit](count) % {"count": count})
                break
    return ", ".join(parts)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.title} ({obj.get_kind_display().lower()})"


class TimeboxForm(forms.Form):
    name = OneLineField(label=gettext_lazy("Name"), max_length=200)
    goal = forms.CharField(
        label=gettext_lazy("Goal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What should be agreed when the timebox ends."),
    )
    starts_at = forms.DateTimeField(label=gettext_lazy("Start"), widget=DateTimeInput())
    deadline = forms.DateTimeField(label=gettext_lazy("Deadline"), widget=DateTimeInput())
    subtrees = DocumentChoiceField(
        label=gettext_lazy("Whole subtrees in scope"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("A process with everything below it."),
    )
    documents = DocumentChoiceField(
        label=gettext_lazy("Single documents in scope"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reminders = forms.CharField(
        label=gettext_lazy("Reminders before the deadline"),
        required=False,
        initial="7d, 1d, 1h",
        help_text=gettext_lazy("Separated by commas: w weeks, d days, h hours, m minutes."),
    )
    auto_close = forms.BooleanField(
        label=gettext_lazy("Close automatically at the deadline"), required=False
    )
    freeze_discussion = forms.BooleanField(
        label=gettext_lazy("Also freeze comments and sign-offs at the deadline"), required=False
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        documents = Document.objects.alive().filter(programme=programme).order_by("kind", "title")
        self.fields["documents"].queryset = documents
        self.fields["subtrees"].queryset = documents.filter(children__isnull=False).distinct()

    def clean_reminders(self) -> list[int]:
        return parse_offsets(self.cleaned_data["reminders"])

    def clean(self):
        data = super().clean()
        if not data.get("documents") and not data.get("subtrees") and not self.errors:
            raise forms.ValidationError(_("Choose at least one document or subtree for the scope."))
        return data


class NewDeadlineForm(forms.Form):
    deadline = forms.DateTimeField(label=gettext_lazy("New deadline"), widget=DateTimeInput())
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Everyone taking part is told, with this reason."),
    )


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What was agreed, and what is left for later."),
    )
