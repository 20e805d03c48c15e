"""Writes of the reports app: a report over a large cohort queued as a run, worked out in the
background with its progress saved as it goes, and kept for the next person who asks."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import checks_organisation

from .models import ReportRun, RunStatus
from .referral_selectors import funnel_report, what_works_report
from .selectors import (
    Filters,
    Viewer,
    needs_report,
    outcomes_report,
    stored_form,
)
from .skills import skills_report

REPORTS = {
    "needs": needs_report,
    "outcomes": outcomes_report,
    "what-works": what_works_report,
    "referrals": funnel_report,
    "skills": skills_report,
}


@checks_organisation
def request_report_run(
    *,
    by: Any,
    organisation: Organisation,
    kind: str,
    filters: Filters,
    key: str,
    total: int,
    language: str,
) -> ReportRun:
    """The run answering `key`: a finished or unfinished one if there is one, else a new one,
    queued once the transaction commits."""
    from .tasks import build_report

    if kind not in REPORTS:
        raise ValueError(f"{kind!r} is not a report that runs in the background.")
    with transaction.atomic():
        existing = (
            ReportRun.objects.filter(organisation=organisation, key=key)
            .exclude(status=RunStatus.FAILED)
            .first()
        )
        if existing is not None:
            return existing
        run = ReportRun.objects.create(
            key=key,
            kind=kind,
            filters=filters.as_json(),
            language=language,
            organisation=organisation,
            requested_by=by,
            total=total,
        )
        transaction.on_commit(lambda: build_report.enqueue(run.pk))
    return run


def run_report(run_id: int) -> ReportRun:
    """Works the report of a queued run out, saving progress every few thousand assessments."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.QUEUED:
            return run
        run.status = RunStatus.RUNNING
        run.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        ReportRun.objects.filter(pk=run_id).update(done=done, total=total)

    filters = Filters.from_json(run.filters)
    viewer = Viewer(run.requested_by, run.organisation)
    try:
        with translation.override(run.language):
            report = REPORTS[run.kind](
                viewer=viewer, filters=filters, audit=False, progress=progress
            )
    except Exception as error:
        ReportRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, failure=str(error)[:300], finished_at=timezone.now()
        )
        raise
    ReportRun.objects.filter(pk=run_id).update(
        status=RunStatus.COMPLETE, result=stored_form(report), finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run
