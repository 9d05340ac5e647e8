"""What the site says when a request is over the size Stip reads, for the pages
(`config.views`) and the API (`config.api`) alike."""

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _


def too_large_message() -> str:
    return _(
        "What you sent is larger than Stip takes in one go: a text has at most %(limit)s "
        "characters. Nothing was saved. Go back: your browser still holds your text. Shorten it, "
        "or split it over several documents, and save again."
    ) % {"limit": number_format(settings.STIP_MAX_TEXT_LENGTH, force_grouping=True)}
