"""The site's home page: the programmes a person may read, and what waits for them."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from participation import permissions
from wiki.forms import SearchForm


@require_GET
def home(request):
    programmes = [
        (programme, permissions.level_of(request.user, programme))
        for programme in permissions.visible_programmes(request.user).order_by("name")
    ]
    return render(
        request, "workspace/home.html", {"programmes": programmes, "search_form": SearchForm()}
    )
