"""The start page and the pages every visitor may reach."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pathmark.organisations.permissions import any_member


@any_member
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: says the process answers, nothing more."""
    return HttpResponse("ok", content_type="text/plain")
