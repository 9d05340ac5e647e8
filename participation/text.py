"""One-line fields stay one line, from the form and the API to the e-mail header.

Titles, names and edit summaries are one line wherever they go: a page heading, a list, an
e-mail subject. The rule (docs/decisions/one-line-fields.md): every run of white space, line
breaks and other control characters becomes one space, and the ends are trimmed. It is applied
at each boundary with the same function: the site's forms (`OneLineField`), the API's schemas
(`OneLine`) and the services, which the admin and management commands call too.
"""

import re
from typing import Annotated

from django import forms
from pydantic import BeforeValidator

_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def one_line(text: str | None) -> str:
    """The text on one line: "Visie\\r\\n2030\\t" becomes "Visie 2030"."""
    return _BREAKS.sub(" ", text or "").strip()


class OneLineField(forms.CharField):
    """A form's text input whose value is normalised to one line before it is validated (so its
    length limit counts what will be stored) and shown back as it will be stored."""

    def to_python(self, value):
        value = super().to_python(value)
        return one_line(value) if isinstance(value, str) else value


def _one_line_if_text(value):
    return one_line(value) if isinstance(value, str) else value


# An API schema's one-line string; length limits (`Field(max_length=…)`) count the normalised
# text. Anything that is not text is left for the string check to refuse.
OneLine = Annotated[str, BeforeValidator(_one_line_if_text)]
