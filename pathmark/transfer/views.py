"""Import and export pages for managers: upload, preview, confirm, watch; prepare, watch,
download and delete an export; and the blank templates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pathmark.audit.services import record
from pathmark.core.uploads import upload_cut_off
from pathmark.instruments.registry import UnknownInstrument, get_instrument
from pathmark.journeys.models import HostSurvey
from pathmark.journeys.services import publish_host_survey
from pathmark.journeys.survey import NormEstimate
from pathmark.organisations.permissions import any_member, requires, role_may

from . import services
from .exporting import (
    assessment_template_rows,
    people_template_rows,
    template_csv,
    template_xlsx,
)
from .forms import ConfirmForm, HostSurveyForm, UploadForm
from .models import ExportJob, ImportJob, ImportStatus
from .surveys import plan_survey
from .tabular import TableError, read_table

PREVIEW_ROWS = 20
RECENT_EXPORTS = 10
REFRESH_SECONDS = 2


def _job_or_404(job_id: int) -> ImportJob:
    try:
        return ImportJob.objects.select_related("created_by").get(pk=job_id)
    except ImportJob.DoesNotExist:
        raise Http404 from None


@requires("data.import")
def index(request: HttpRequest) -> HttpResponse:
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        cut_off=request.method == "POST" and upload_cut_off(request, "file"),
    )
    if request.method == "POST" and form.is_valid():
        kind, slug = form.kind_and_instrument()
        try:
            job = services.start_import_job(
                by=request.user,
                organisation=request.organisation,
                kind=kind,
                instrument_slug=slug,
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("transfer:job", job_id=job.pk)
    return render(
        request,
        "transfer/index.html",
        {
            "form": form,
            "jobs": ImportJob.objects.select_related("created_by")[:20],
            "templates": _template_links(),
            "may_export": role_may(request.membership.role, "data.export"),
        },
    )


def _template_links() -> list[dict[str, str]]:
    from pathmark.instruments.definition import DEFAULT_LANGUAGE
    from pathmark.instruments.registry import list_instruments

    links = [{"kind": "people", "title": _("People")}]
    for instrument in list_instruments():
        links.append(
            {
                "kind": instrument.slug,
                "title": _("Assessments: %(title)s")
                % {"title": instrument.title.get(DEFAULT_LANGUAGE, instrument.slug)},
            }
        )
    return links


def _preview(request: HttpRequest, job: ImportJob) -> dict[str, object] | None:
    """The first rows of the file with the cells that have a problem marked. Reading the file
    is reading personal data, so it is audited like any other read."""
    path = services.job_file(job)
    if path is None or not path.is_file():
        return None
    try:
        table = read_table(path, source=job.file_name, limit=PREVIEW_ROWS)
    except TableError:
        return None
    record(
        actor=request.user,
        organisation=request.organisation,
        action="transfer.previewed",
        target=job,
    )
    marked: dict[tuple[int, str], str] = {}
    for problem in job.problems:
        marked.setdefault((problem["row"], problem["column"]), problem["message"])
    rows = []
    for row in table.rows:
        rows.append(
            {
                "number": row.number,
                "problem": marked.get((row.number, "")),
                "cells": [
                    {
                        "value": row.cells.get(column, ""),
                        "problem": marked.get((row.number, column)),
                    }
                    for column in table.columns
                ],
            }
        )
    header_problems = {column for (number, column) in marked if number == 1}
    return {
        "columns": [{"name": c, "problem": c in header_problems} for c in table.columns],
        "rows": rows,
    }


@requires("data.import")
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    import_job = _job_or_404(job_id)
    preview = _preview(request, import_job) if import_job.status == ImportStatus.READY else None
    return render(
        request,
        "transfer/job.html",
        {
            "job": import_job,
            "preview": preview,
            "confirm_form": ConfirmForm(),
            "refresh_seconds": REFRESH_SECONDS if import_job.is_running else None,
            "now": timezone.now(),
        },
    )


@require_POST
@requires("data.import")
def confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    import_job = _job_or_404(job_id)
    form = ConfirmForm(request.POST)
    skip = form.is_valid() and form.cleaned_data["leave_out_rows_with_problems"]
    try:
        services.confirm_import_job(
            by=request.user, organisation=request.organisation, job=import_job, skip_invalid=skip
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("transfer:job", job_id=import_job.pk)


@require_POST
@requires("data.import")
def cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    import_job = _job_or_404(job_id)
    try:
        services.cancel_import_job(
            by=request.user, organisation=request.organisation, job=import_job
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("transfer:job", job_id=import_job.pk)


def _export_or_404(export_id: int) -> ExportJob:
    try:
        return ExportJob.objects.select_related("created_by").get(pk=export_id)
    except ExportJob.DoesNotExist:
        raise Http404 from None


@requires("data.export")
def export(request: HttpRequest) -> HttpResponse:
    """The export page: prepare an export (a POST, so no prefetch or crawler can start one),
    watch it being prepared, download it. It lists exports and their counts, never a record."""
    if request.method == "POST":
        job, created = services.start_export_job(by=request.user, organisation=request.organisation)
        if not created:
            messages.info(
                request,
                _("An export is already being prepared; it is shown below. One runs at a time."),
            )
        return redirect("transfer:export")
    jobs = list(ExportJob.objects.select_related("created_by")[:RECENT_EXPORTS])
    running = next((job for job in jobs if job.is_running), None)
    return render(
        request,
        "transfer/export.html",
        {
            "jobs": jobs,
            "running": running,
            "refresh_seconds": REFRESH_SECONDS if running else None,
            "now": timezone.now(),
        },
    )


@require_GET
@requires("data.export")
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    """The finished zip, to the organisation's managers only; anyone else, and anyone after
    the file expired or was deleted, gets the same 404."""
    job = _export_or_404(export_id)
    try:
        stream = services.open_export(by=request.user, organisation=request.organisation, job=job)
    except services.ExportUnavailable:
        raise Http404 from None
    stamp = timezone.localdate(job.finished_at).isoformat()
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=f"pathmark-{request.organisation.slug}-{stamp}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@requires("data.export")
def export_discard(request: HttpRequest, export_id: int) -> HttpResponse:
    job = _export_or_404(export_id)
    try:
        services.discard_export_job(by=request.user, organisation=request.organisation, job=job)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Export %(export)s and its file are deleted.") % {"export": job}
        )
    return redirect("transfer:export")


@any_member
def template(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    """A blank file to fill in: the header row and one example row (and, in the workbook, a
    second sheet saying what each column may hold). Holds no personal data."""
    if file_format not in ("csv", "xlsx"):
        raise Http404
    if kind == "people":
        columns, example, guide = people_template_rows()
        name = "people"
    else:
        try:
            instrument = get_instrument(kind)
        except UnknownInstrument:
            raise Http404 from None
        columns, example, guide = assessment_template_rows(instrument)
        name = f"assessments-{instrument.slug}"
    if file_format == "csv":
        response = HttpResponse(
            template_csv(columns, example), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            template_xlsx(columns, example, guide),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}-template.{file_format}"'
    return response


# --- Host norms from a survey of the host population -------------------------------------

SURVEY_SALT = "pathmark.transfer.host-survey"
SURVEY_PREVIEW_SECONDS = 3600


def _host_or_404(request: HttpRequest) -> None:
    if not request.organisation.is_partnership_host:  # type: ignore[attr-defined]
        raise Http404


@requires("reference.manage")
def host_survey(request: HttpRequest) -> HttpResponse:
    """The host organisation's administrators upload a survey of the host population; the
    page shows the norms it gives (sample sizes and 95 % intervals) before they publish."""
    _host_or_404(request)
    form = HostSurveyForm(request.POST or None, request.FILES or None)
    preview = None
    problems = None
    if request.method == "POST" and "token" in request.POST:
        return _publish_survey(request)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                # A survey is small; its temporary file goes at the end of this block.
                table = read_table(Path(handle.name), source=upload.name).held()
            except TableError as error:
                form.add_error("file", str(error))
                table = None
        if table is not None:
            plan = plan_survey(
                table,
                instrument=form.cleaned_data["instrument"],
                min_group=form.cleaned_data["min_group"],
            )
            if plan.result.problems:
                problems = plan.result.problems
            else:
                payload = {
                    "instrument": form.cleaned_data["instrument"],
                    "valid_from": form.cleaned_data["valid_from"].isoformat(),
                    "source": form.cleaned_data["source"],
                    "label": form.cleaned_data["label"],
                    "min_group": form.cleaned_data["min_group"],
                    "respondents": len(plan.respondents),
                    "estimates": [dataclasses.astuple(e) for e in plan.estimates],
                }
                preview = {
                    "payload": payload,
                    "token": signing.dumps(payload, salt=SURVEY_SALT, compress=True),
                    "whole": [e for e in plan.estimates if not e.group_kind],
                    "groups": [e for e in plan.estimates if e.group_kind],
                }
    return render(
        request,
        "transfer/host_survey.html",
        {
            "form": form,
            "preview": preview,
            "problems": problems,
            "surveys": HostSurvey.objects.order_by("-valid_from", "instrument")[:50],
        },
    )


def _publish_survey(request: HttpRequest) -> HttpResponse:
    try:
        payload = signing.loads(
            request.POST["token"], salt=SURVEY_SALT, max_age=SURVEY_PREVIEW_SECONDS
        )
    except signing.BadSignature:
        messages.error(request, _("The preview has expired; upload the file again."))
        return redirect("transfer:host_survey")
    try:
        publish_host_survey(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            instrument=payload["instrument"],
            valid_from=dt.date.fromisoformat(payload["valid_from"]),
            source=payload["source"],
            label=payload["label"],
            respondents=payload["respondents"],
            min_group=payload["min_group"],
            estimates=[NormEstimate(*row) for row in payload["estimates"]],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("transfer:host_survey")
    messages.success(
        request,
        _(
            "Host norms published. Every journey is being worked out again against them; the "
            "caseload page shows the progress."
        ),
    )
    return redirect("journeys:norms")
