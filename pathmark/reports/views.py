"""Report pages: a filter form, a chart, the same numbers as a table, CSV and XLSX exports."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import get_language, get_language_bidi
from django.views.decorators.http import require_GET

from pathmark.assessments.charts import domain_bar_chart
from pathmark.organisations.permissions import requires

from .charts import interval_chart
from .exports import tables_as_csv, tables_as_xlsx
from .forms import ReportFiltersForm
from .models import RunStatus
from .selectors import (
    Filters,
    Report,
    Viewer,
    audit_export,
    audit_view,
    cohort_size,
    from_stored_form,
    minimum_count,
    needs_report,
    outcomes_report,
    report_key,
)
from .services import request_report_run

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@requires("reports.view")
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", {"report_minimum": minimum_count()})


@requires("reports.view")
@require_GET
def needs(request: HttpRequest) -> HttpResponse:
    return _report_page(request, needs_report, "needs")


@requires("reports.view")
@require_GET
def outcomes(request: HttpRequest) -> HttpResponse:
    return _report_page(request, outcomes_report, "outcomes")


def _report_page(request: HttpRequest, build: Callable[..., Report], kind: str) -> HttpResponse:
    form = ReportFiltersForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "reports/report.html", {"form": form}, status=400)
    filters = form.filters() if form.is_bound else Filters()
    viewer = Viewer(request.user, request.organisation)  # type: ignore[attr-defined]
    export = request.GET.get("export")
    size = cohort_size(filters)
    if size >= settings.PATHMARK_REPORT_BACKGROUND_ASSESSMENTS:
        run = request_report_run(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            kind=kind,
            filters=filters,
            key=report_key(kind, filters, viewer, get_language()),
            total=size,
            language=get_language(),
        )
        if run.status != RunStatus.COMPLETE:
            audit_view(viewer, kind, filters)
            return render(request, "reports/running.html", {"run": run, "form": form})
        report = from_stored_form(run.result)
        if export not in EXPORT_TYPES:
            audit_view(viewer, kind, filters)
    else:
        report = build(viewer=viewer, filters=filters, audit=export not in EXPORT_TYPES)
    if export in EXPORT_TYPES:
        audit_export(viewer, report, export)
        return _export(report, export)
    rtl = get_language_bidi()
    context = {
        "form": form,
        "report": report,
        "bars": domain_bar_chart(report.bars, rtl=rtl) if report.bars else None,
        "intervals": interval_chart(report.intervals, rtl=rtl) if report.intervals else None,
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/report.html", context)


def _export(report: Report, export: str) -> HttpResponse:
    name = slugify(f"pathmark-{report.kind}")
    body = tables_as_csv(report.tables) if export == "csv" else tables_as_xlsx(report.tables)
    response = HttpResponse(body, content_type=EXPORT_TYPES[export])
    response["Content-Disposition"] = f'attachment; filename="{name}.{export}"'
    return response
