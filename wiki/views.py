from django.http import HttpResponse

from . import selectors


def programme(request, programme):
    selectors.programme_for(request.user, programme)
    return HttpResponse("")


def create(request, programme):
    selectors.programme_for(request.user, programme)
    return HttpResponse("")


def document(request, programme, slug):
    selectors.programme_for(request.user, programme)
    return HttpResponse("")
