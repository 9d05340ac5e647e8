"""Forms of the wiki's web interface. They parse input only; the services decide."""

from django import forms
from django.conf import settings
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from participation.text import OneLineField

from .models import Document, Watch, text_too_long

MAX_BODY_LENGTH = settings.STIP_MAX_TEXT_LENGTH


def _refuse_too_long(value: str) -> None:
    if len(value) > MAX_BODY_LENGTH:
        raise ValidationError(text_too_long(len(value)), code="max_length")


class BodyField(forms.CharField):
    """The markdown text: a large textarea that keeps whatever was typed, blank lines too. Its
    limit (`STIP_MAX_TEXT_LENGTH`) is also the textarea's `maxlength`, which the editor checks
    before the form is sent; a text over it comes back with the message, kept as typed."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Text (markdown)"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", MAX_BODY_LENGTH)
        kwargs.setdefault(
            "widget",
            forms.Textarea(
                attrs={
                    "rows": 22,
                    "class": "editor-text",
                    "spellcheck": "true",
                    "data-editor": "",
                    "aria-describedby": "id_body_helptext",
                }
            ),
        )
        super().__init__(**kwargs)
        self.validators = [
            *(v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)),
            _refuse_too_long,
        ]


class SummaryField(OneLineField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Edit summary"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("help_text", _("Briefly, what did you change and why?"))
        super().__init__(**kwargs)


class ProgrammeDocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.title} ({obj.get_kind_display().lower()})"


def _programme_documents(programme, exclude: Document | None = None):
    documents = Document.objects.alive().filter(programme=programme).order_by("kind", "title")
    if exclude is not None:
        documents = documents.exclude(pk=exclude.pk)
    return documents


class DocumentCreateForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    parent = ProgrammeDocumentChoiceField(
        label=_("Below"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("(top level)"),
        help_text=_(
            "A work process belongs below a main process, a use case below a work process."
        ),
    )
    body = BodyField()
    summary = SummaryField()

    def __init__(self, *args, programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = _programme_documents(programme)


class DocumentEditForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=200)
    body = BodyField()
    summary = SummaryField()
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RenameForm(forms.Form):
    title = OneLineField(label=_("New title"), max_length=200)
    slug = forms.SlugField(
        label=_("New address"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to derive it from the title. The old address keeps working."),
    )
    summary = SummaryField()


class MoveForm(forms.Form):
    parent = ProgrammeDocumentChoiceField(
        label=_("New place"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("(top level)"),
    )
    summary = SummaryField()

    def __init__(self, *args, document: Document, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = _programme_documents(document.programme, exclude=document)


class CommentForm(forms.Form):
    """A new thread (about the document, or a place in it) or, with `parent`, a reply."""

    body = forms.CharField(
        label=_("Your comment"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown. Name someone with @username or an organisation with @its-slug."),
    )
    anchor = forms.ChoiceField(label=_("About"), required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, places=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["anchor"].choices = [("", _("The document as a whole"))] + [
            (place.key, place.label) for place in places
        ]


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    programme = forms.SlugField(required=False, widget=forms.HiddenInput)


class WatchForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Watch"),
        choices=[
            (Watch.Scope.DOCUMENT, Watch.Scope.DOCUMENT.label),
            (Watch.Scope.SUBTREE, Watch.Scope.SUBTREE.label),
            ("", _("Stop watching")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )


class DocumentTemplateForm(forms.Form):
    body = BodyField(
        label=_("Template (markdown)"),
        help_text=_("A new document of this kind starts with this text. Leave it empty for none."),
    )
