"""Forms of the use cases pages. They parse input only; the services decide.

The editing form works without JavaScript: the steps and extensions are formsets whose rows
carry their stable id, and the buttons "add", "remove", "up" and "down" post the whole form back
(`apply_row_action`), which is re-shown with the change made and nothing typed lost.
`static/js/usecases.js` does the same in the page without a round trip.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from participation.text import OneLineField
from wiki.forms import SummaryField
from wiki.models import Document

from . import structure
from .models import TEXT_FIELDS, GoalLevel, SignOff

ROW_ACTIONS = ("add", "remove", "up", "down")


class UseCaseForm(forms.Form):
    title = OneLineField(
        label=_("Title"),
        max_length=200,
        help_text=_("The goal of the primary actor, as an active verb phrase."),
    )
    goal_level = forms.ChoiceField(label=_("Goal level"), choices=GoalLevel.choices)
    primary_actor = OneLineField(
        label=_("Primary actor"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "actor-names", "autocomplete": "off"}),
    )
    supporting_actors = OneLineField(
        label=_("Supporting actors"),
        max_length=1000,
        required=False,
        help_text=_("Separate them with commas."),
    )
    scope = forms.CharField(label=_("Scope"), required=False, widget=forms.Textarea({"rows": 2}))
    stakeholders = forms.CharField(
        label=_("Stakeholders and interests"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    trigger = forms.CharField(
        label=_("Trigger"), required=False, widget=forms.Textarea({"rows": 2})
    )
    preconditions = forms.CharField(
        label=_("Preconditions"), required=False, widget=forms.Textarea({"rows": 2})
    )
    success_guarantees = forms.CharField(
        label=_("Success guarantees"), required=False, widget=forms.Textarea({"rows": 2})
    )
    minimal_guarantees = forms.CharField(
        label=_("Minimal guarantees"), required=False, widget=forms.Textarea({"rows": 2})
    )
    frequency = forms.CharField(
        label=_("Frequency"), required=False, widget=forms.Textarea({"rows": 1})
    )
    open_issues = forms.CharField(
        label=_("Open issues"), required=False, widget=forms.Textarea({"rows": 2})
    )
    summary = SummaryField()
    base_version_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, parent_choices=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if parent_choices is not None:
            self.fields["parent"] = forms.ModelChoiceField(
                label=_("Work process"), queryset=parent_choices, empty_label=None
            )
            self.order_fields(["parent"])


class StepForm(forms.Form):
    id = forms.CharField(widget=forms.HiddenInput, required=False)
    actor = OneLineField(
        label=_("Actor"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "actor-names", "autocomplete": "off"}),
    )
    text = OneLineField(label=_("What happens"), max_length=1000, required=False)


class ExtensionForm(forms.Form):
    id = forms.CharField(widget=forms.HiddenInput, required=False)
    at = forms.ChoiceField(label=_("Branches from step"), required=False)
    condition = OneLineField(label=_("Condition"), max_length=500, required=False)
    steps = forms.CharField(
        label=_("Steps"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("One step a line, like “Teacher: approves the roster”."),
    )

    def __init__(self, *args, step_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].choices = list(step_choices)


StepFormSet = forms.formset_factory(StepForm, extra=0)
ExtensionFormSet = forms.formset_factory(ExtensionForm, extra=0)


def step_choices(steps: list[dict]) -> list[tuple[str, str]]:
    return [
        (s["id"], f"{n}. {s['text'][:50]}" if s["text"] else str(n))
        for n, s in enumerate(steps, start=1)
    ]


def _extension_step_lines(steps: list[dict]) -> str:
    return "\n".join(f"{s['actor']}: {s['text']}" if s["actor"] else s["text"] for s in steps)


def initial_from_data(title: str, data: dict) -> dict:
    initial = {name: data[name] for name in TEXT_FIELDS}
    initial.update(
        title=title,
        goal_level=data["goal_level"],
        primary_actor=data["primary_actor"],
        supporting_actors=", ".join(data["supporting_actors"]),
    )
    return initial


def step_rows(data: dict) -> list[dict]:
    return [dict(s) for s in data["steps"]]


def extension_rows(data: dict) -> list[dict]:
    return [
        {
            "id": e["id"],
            "at": e["at"],
            "condition": e["condition"],
            "steps": _extension_step_lines(e["steps"]),
        }
        for e in data["extensions"]
    ]


def raw_rows(formset: forms.BaseFormSet, names: tuple[str, ...]) -> list[dict]:
    """The rows as typed, valid or not, so a re-shown form keeps everything."""
    rows = []
    for form in formset.forms:
        rows.append({name: form[name].value() or "" for name in names})
    return rows


def apply_row_action(action: str, steps: list[dict], extensions: list[dict]) -> None:
    """Do one of the no-JavaScript buttons: "add:steps", "remove:steps:2", "up:extensions:1"."""
    parts = action.split(":")
    if len(parts) < 2 or parts[0] not in ROW_ACTIONS or parts[1] not in ("steps", "extensions"):
        return
    rows = steps if parts[1] == "steps" else extensions
    if parts[0] == "add":
        if parts[1] == "steps":
            rows.append({"id": structure.new_id("s"), "actor": "", "text": ""})
        else:
            at = steps[-1]["id"] if steps else ""
            rows.append({"id": structure.new_id("e"), "at": at, "condition": "", "steps": ""})
        return
    try:
        index = int(parts[2])
    except (IndexError, ValueError):
        return
    if not 0 <= index < len(rows):
        return
    if parts[0] == "remove":
        del rows[index]
    elif parts[0] == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif parts[0] == "down" and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]


def _extension_steps(text: str, previous: list[dict]) -> list[dict]:
    """Read the extension's step lines, keeping the ids of steps that stayed (exactly the same
    line, else the same position), so variants and diffs follow them."""
    parsed = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        line = structure.STEP_LINE.sub(r"\2", line).strip()
        if line:
            parsed.append(structure._parse_step(line))
    unused = {s["id"]: s for s in previous}
    for step in parsed:
        for old in list(unused.values()):
            if (old["actor"], old["text"]) == (step["actor"], step["text"]):
                step["id"] = old["id"]
                del unused[old["id"]]
                step["kept"] = True
                break
    for n, step in enumerate(parsed):
        if step.pop("kept", False):
            continue
        if n < len(previous) and previous[n]["id"] in unused:
            step["id"] = previous[n]["id"]
            del unused[previous[n]["id"]]
    return parsed


def data_from_rows(post, steps: list[dict], extensions: list[dict]) -> dict:
    """Use case data from the rows as typed, valid or not: for the detail check while editing."""
    data = {name: post.get(name, "") for name in TEXT_FIELDS}
    data.update(
        goal_level=post.get("goal_level", ""),
        primary_actor=post.get("primary_actor", ""),
        supporting_actors=[a.strip() for a in post.get("supporting_actors", "").split(",")],
        steps=steps,
        extensions=[{**e, "steps": _extension_steps(e["steps"], [])} for e in extensions],
    )
    return structure.normalise(data)


def data_from_forms(
    form: UseCaseForm, steps: list[dict], extensions: list[dict], previous: dict
) -> dict:
    """The use case data the person submitted; variants are kept from `previous`."""
    cleaned = form.cleaned_data
    data = {name: cleaned.get(name, "") for name in TEXT_FIELDS}
    old_extensions = {e["id"]: e for e in previous["extensions"]}
    data.update(
        goal_level=cleaned["goal_level"],
        primary_actor=cleaned.get("primary_actor", ""),
        supporting_actors=[a.strip() for a in cleaned.get("supporting_actors", "").split(",")],
        steps=[
            {"id": s["id"] or structure.new_id("s"), "actor": s["actor"], "text": s["text"]}
            for s in steps
        ],
        extensions=[
            {
                "id": e["id"] or structure.new_id("e"),
                "at": e["at"],
                "condition": e["condition"],
                "steps": _extension_steps(
                    e["steps"], old_extensions.get(e["id"], {}).get("steps", [])
                ),
            }
            for e in extensions
        ],
        variants=previous["variants"],
    )
    return structure.normalise(data)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Markdown file"), required=False)
    text = forms.CharField(
        label=_("Or paste the Markdown here"),
        required=False,
        widget=forms.Textarea({"rows": 14, "class": "editor-text"}),
        max_length=structure.MAX_IMPORT_BYTES,
    )
    base_version_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, parent_choices=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if parent_choices is not None:
            self.fields["parent"] = forms.ModelChoiceField(
                label=_("Work process"), queryset=parent_choices, empty_label=None
            )
            self.order_fields(["parent"])

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > structure.MAX_IMPORT_BYTES:
                raise forms.ValidationError(_("The file is too large for a use case."))
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        if not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the Markdown."))
        return cleaned


class VariantForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your organisation's variant"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Leave empty to remove your organisation's variant."),
    )
    base_version_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SignOffForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Your organisation's verdict"),
        choices=SignOff.Verdict.choices,
        widget=forms.RadioSelect,
    )
    remarks = forms.CharField(
        label=_("Remarks or reason"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Required when you object."),
    )


class ActorForm(forms.Form):
    name = OneLineField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({"rows": 3})
    )


class TermForm(forms.Form):
    term = OneLineField(label=_("Term"), max_length=100)
    definition = forms.CharField(label=_("Definition"), widget=forms.Textarea({"rows": 3}))


class LocalWordForm(forms.Form):
    word = OneLineField(
        label=_("What your organisation calls it"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to remove it."),
    )


class TechnicalWordsForm(forms.Form):
    words = forms.CharField(
        label=_("Too-technical words"),
        required=False,
        widget=forms.Textarea({"rows": 12}),
        help_text=_("One word a line. The detail check warns when a step uses one of them."),
    )


def work_processes(programme):
    return (
        Document.objects.alive()
        .filter(programme=programme, kind=Document.Kind.WORK_PROCESS)
        .order_by("title")
    )
