"""The site's answer to a request it cannot take (Django's `handler400`): a translated page, or
the API's JSON error body under /api/, instead of Django's bare 400.

- A request larger than Stip reads (`DATA_UPLOAD_MAX_MEMORY_SIZE`, sized for the longest text
  in its most long-winded encoding) is answered with 413: nothing was read or saved, and the
  person is told that their text is still in the browser to go back to.
- `participation.http.InvalidInput` (an id that is no number, …) carries its own message.
"""

from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render
from django.utils.translation import gettext as _

from participation.http import InvalidInput

from .limits import too_large_message


def bad_request(request, exception, template_name="400.html"):
    status, message = 400, None
    if isinstance(exception, RequestDataTooBig):
        status, message = 413, too_large_message()
    elif isinstance(exception, InvalidInput):
        message = exception.message
    if request.path_info.startswith("/api/"):
        from config.api import _error

        text = message or _("The address or the data sent with it is not valid.")
        return _error(request, status, text, {"__all__": [text]})
    return render(request, template_name, {"message": message}, status=status)
