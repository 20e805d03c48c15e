"""Pathmark's URLs plus three that fail on purpose, so the accessibility tests can see the
400, 403 and 500 pages as Django's own error handlers render them on a live server."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from pathmark.urls import urlpatterns as pathmark_urlpatterns


@login_not_required
def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("accessibility test: a request Pathmark refuses")


@login_not_required
def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("accessibility test: the error page")


urlpatterns = [
    *pathmark_urlpatterns,
    path("test-errors/400/", bad_request),
    path("test-errors/403/", forbidden),
    path("test-errors/500/", server_error),
]
