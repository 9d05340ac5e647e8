"""Forms of stakes. The deadline is entered and shown in the programme's time zone (the views
activate it around the form), the reminders as with timeboxes ("7d, 1d, 1h")."""

from django import forms
from django.utils.translation import gettext_lazy

from participation.text import OneLineField
from timeboxes.forms import DateTimeInput, DocumentChoiceField, parse_offsets
from wiki.models import Document

from .models import Answer, Stake
from .services import MAX_EXPLANATION, MAX_PROPOSAL_TEXT


class StakeForm(forms.Form):
    direction = forms.ChoiceField(
        label=gettext_lazy("Cost or benefit"),
        choices=Stake.Direction.choices,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Stake.Kind.choices)
    size = forms.TypedChoiceField(
        label=gettext_lazy("Rough size"),
        choices=[("", "—"), *Stake.Size.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    amount = forms.CharField(
        label=gettext_lazy("Or an amount in euros"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("For money: what it costs or brings your organisation, roughly."),
    )
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"),
        required=False,
        max_length=MAX_EXPLANATION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProposalForm(forms.Form):
    title = OneLineField(label=gettext_lazy("Title"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("Proposal"),
        max_length=MAX_PROPOSAL_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What is proposed, and why."),
    )
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line, if there is something to choose between."),
    )
    documents = DocumentChoiceField(
        label=gettext_lazy("Documents it is about"),
        queryset=Document.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateTimeField(label=gettext_lazy("Deadline"), widget=DateTimeInput())
    reminders = forms.CharField(
        label=gettext_lazy("Reminders before the deadline"),
        required=False,
        initial="7d, 1d, 1h",
        help_text=gettext_lazy("Separated by commas: w weeks, d days, h hours, m minutes."),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = (
            Document.objects.alive().filter(programme=programme).order_by("kind", "title")
        )

    def clean_reminders(self) -> list[int]:
        return parse_offsets(self.cleaned_data["reminders"])

    def clean_options(self) -> list[str]:
        return [line for line in self.cleaned_data["options"].splitlines() if line.strip()]


class AnswerForm(forms.Form):
    choice = forms.ChoiceField(
        label=gettext_lazy("Your organisation's answer"),
        choices=Answer.Choice.choices,
        widget=forms.RadioSelect,
    )
    remarks = forms.CharField(
        label=gettext_lazy("Remarks or reason"),
        required=False,
        max_length=MAX_EXPLANATION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("An objection needs a reason."),
    )


class DecideForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"),
        max_length=MAX_PROPOSAL_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What was decided; it stays in the programme's decision log."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=MAX_EXPLANATION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
