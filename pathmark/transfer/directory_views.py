"""Pages for uploading an HSDS package into the directory: the host organisation's
administrators upload, watch the check, read the preview, confirm or cancel, and watch the
import. Another organisation's administrators get the 404 of a missing page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pathmark.directory.models import DirectoryImportJob
from pathmark.organisations.permissions import requires

from . import directory_jobs
from .views import REFRESH_SECONDS


class PackageForm(forms.Form):
    file = forms.FileField(
        label=_("HSDS package"),
        help_text=_(
            "A .zip of the CSV files with their datapackage.json, or a .json file of service "
            "documents, up to 50 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.json"}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        directory_jobs.check_package_upload(upload)
        return upload


def host_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only the partnership host's administrators import into the shared directory."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.organisation.is_partnership_host:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _job_or_404(job_id: int) -> DirectoryImportJob:
    try:
        return DirectoryImportJob.objects.select_related("created_by").get(pk=job_id)
    except DirectoryImportJob.DoesNotExist:
        raise Http404 from None


@requires("directory.import")
@host_only
def upload(request: HttpRequest) -> HttpResponse:
    form = PackageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = directory_jobs.start_directory_import(
                by=request.user, organisation=request.organisation, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("transfer:directory_job", directory_job_id=job.pk)
    return render(
        request,
        "transfer/directory.html",
        {"form": form, "jobs": DirectoryImportJob.objects.select_related("created_by")[:20]},
    )


@requires("directory.import")
@host_only
def job(request: HttpRequest, directory_job_id: int) -> HttpResponse:
    import_job = _job_or_404(directory_job_id)
    return render(
        request,
        "transfer/directory_job.html",
        {
            "job": import_job,
            "counts": sorted(import_job.counts.items()),
            "refresh_seconds": REFRESH_SECONDS if import_job.is_running else None,
        },
    )


def _step(request: HttpRequest, directory_job_id: int, step: Callable[..., Any]) -> HttpResponse:
    """Confirms or cancels a job through its service; a refusal is shown as a message."""
    import_job = _job_or_404(directory_job_id)
    try:
        step(by=request.user, organisation=request.organisation, job=import_job)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("transfer:directory_job", directory_job_id=import_job.pk)


@require_POST
@requires("directory.import")
@host_only
def confirm(request: HttpRequest, directory_job_id: int) -> HttpResponse:
    return _step(request, directory_job_id, directory_jobs.confirm_directory_import)


@require_POST
@requires("directory.import")
@host_only
def cancel(request: HttpRequest, directory_job_id: int) -> HttpResponse:
    return _step(request, directory_job_id, directory_jobs.cancel_directory_import)
