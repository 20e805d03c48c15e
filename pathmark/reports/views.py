"""Report pages: a filter form, a chart, the same numbers as a table, CSV and XLSX exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import get_language, get_language_bidi
from django.views.decorators.http import require_GET

from pathmark.assessments.charts import domain_bar_chart
from pathmark.organisations.permissions import requires

from .charts import interval_chart
from .exports import tables_as_csv, tables_as_xlsx
from .figures import Dimension
from .forms import (
    COHORT_FIELDS,
    PERIOD_FIELDS,
    REFERRAL_FIELDS,
    WHAT_WORKS_FIELDS,
    ReportFiltersForm,
)
from .funder_pdf import funder_pdf
from .models import RunStatus
from .referral_selectors import funnel_report, what_works_report
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
from .skills import skills_report

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@requires("reports.view")
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {"report_minimum": minimum_count(), "form": ReportFiltersForm(only=PERIOD_FIELDS)}
    return render(request, "reports/index.html", context)


@requires("reports.view")
@require_GET
def needs(request: HttpRequest) -> HttpResponse:
    return _report_page(request, needs_report, "needs", COHORT_FIELDS)


@requires("reports.view")
@require_GET
def outcomes(request: HttpRequest) -> HttpResponse:
    return _report_page(request, outcomes_report, "outcomes", COHORT_FIELDS)


@requires("reports.view")
@require_GET
def funder(request: HttpRequest) -> HttpResponse:
    """The funder report as a PDF for a period and one organisation or the whole partnership,
    in English (see funder_pdf.py), from the same figures as the pages."""
    form = ReportFiltersForm(request.GET or None, only=PERIOD_FIELDS)
    if request.GET and not form.is_valid():
        return render(request, "reports/report.html", {"form": form}, status=400)
    chosen = form.filters() if form.is_bound else Filters()
    filters = replace(chosen, group_by=Dimension.NONE, domain=None)
    viewer = Viewer(request.user, request.organisation)  # type: ignore[attr-defined]
    with translation.override("en"):
        needs_figures = needs_report(viewer=viewer, filters=filters, audit=False)
        outcome_figures = outcomes_report(viewer=viewer, filters=filters, audit=False)
        organisation = form.cleaned_data.get("organisation") if form.is_bound else None
        body = funder_pdf(
            needs=needs_figures,
            outcomes=outcome_figures,
            organisation=organisation.name if organisation else "The whole partnership",
            period=_period(filters),
            minimum=needs_figures.minimum if needs_figures.suppressing else None,
        )
    audit_export(viewer, needs_figures, "pdf")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="pathmark-funder-report.pdf"'
    return response


def _period(filters: Filters) -> str:
    start = filters.date_from.isoformat() if filters.date_from else "the first assessment"
    end = filters.date_to.isoformat() if filters.date_to else "today"
    return f"assessments from {start} to {end}"


@requires("reports.view")
@require_GET
def what_works(request: HttpRequest) -> HttpResponse:
    return _report_page(request, what_works_report, "what-works", WHAT_WORKS_FIELDS)


@requires("reports.view")
@require_GET
def referrals(request: HttpRequest) -> HttpResponse:
    return _report_page(request, funnel_report, "referrals", REFERRAL_FIELDS)


@requires("reports.view")
@require_GET
def skills(request: HttpRequest) -> HttpResponse:
    return _report_page(request, skills_report, "skills", ("organisation",))


def _report_page(
    request: HttpRequest, build: Callable[..., Report], kind: str, fields: tuple[str, ...]
) -> HttpResponse:
    form = ReportFiltersForm(request.GET or None, only=fields)
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
