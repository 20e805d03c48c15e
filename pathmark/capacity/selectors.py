"""Reading capacity self-assessments. An organisation reads its own; the partnership host's
support roles (`capacity.support`) read every organisation's completed results, and each such
read is audited in the host's log and in the log of the organisation read about. Nothing here
is offered to reports, the funder report or the evidence bank: support is kept apart from
funding decisions (seed 000)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

from pathmark.assessments.charts import BarChart, domain_bar_chart
from pathmark.assessments.text import in_language, is_rtl, language_of
from pathmark.audit.services import record
from pathmark.instruments.definition import Instrument, Stage
from pathmark.instruments.registry import get_instrument
from pathmark.organisations.models import Organisation
from pathmark.organisations.permissions import role_may

from .models import CapacityAssessment, CapacityStatus
from .services import DEFAULT_INSTRUMENT


def may_support(organisation: Organisation, role: str | None) -> bool:
    """Whether a member acting in `role` for `organisation` sees other organisations' results:
    only the partnership host's support roles do."""
    return (
        organisation.is_partnership_host
        and organisation.is_active
        and role_may(role, "capacity.support")
    )


def history_of(*, organisation: Organisation) -> list[CapacityAssessment]:
    """The organisation's own self-assessments, drafts and completed, newest first, each
    with `stage_label` in the reader's language."""
    labels = {
        stage.id: in_language(stage.label) for stage in get_instrument(DEFAULT_INSTRUMENT).stages
    }
    history = list(
        CapacityAssessment.objects.filter(organisation=organisation)
        .select_related("instrument_version")
        .defer("instrument_version__definition", "answers")
        .order_by("-assessed_on", "-pk")
    )
    for assessment in history:
        assessment.stage_label = labels.get(assessment.stage, assessment.stage)  # type: ignore[attr-defined]
    return history


def capacity_assessment_for(
    *,
    actor: Any,
    organisation: Organisation,
    role: str | None,
    assessment_id: int,
    for_writing: bool = False,
) -> CapacityAssessment:
    """The self-assessment if this member may see it (and, `for_writing`, change it);
    `CapacityAssessment.DoesNotExist` otherwise, whether it is missing or not theirs."""
    assessment = CapacityAssessment.objects.select_related(
        "organisation", "instrument_version"
    ).get(pk=assessment_id)
    if assessment.organisation_id == organisation.pk:
        return assessment
    if for_writing or assessment.is_draft or not may_support(organisation, role):
        raise CapacityAssessment.DoesNotExist
    for log in (organisation, assessment.organisation):
        record(
            actor=actor,
            organisation=log,
            action="capacity.viewed_by_partnership",
            target=assessment,
            extra={"organisation_assessed": assessment.organisation_id},
        )
    return assessment


# --- Presenting one result ---------------------------------------------------------------


@dataclass(frozen=True)
class AreaResult:
    id: str
    title: str
    language: str
    score: float | None
    stage: str
    stage_id: str
    support: str


@dataclass(frozen=True)
class CapacityResult:
    assessment: CapacityAssessment
    instrument_title: str
    domains: tuple[AreaResult, ...]
    overall: float | None
    stage_label: str
    chart: BarChart
    measurement_error: float | None


def _stage(instrument: Instrument, stage_id: str) -> Stage | None:
    return next((stage for stage in instrument.stages if stage.id == stage_id), None)


def result_of(assessment: CapacityAssessment) -> CapacityResult:
    language = get_language() or "en"
    instrument = assessment.instrument_version.instrument
    areas = []
    for domain in instrument.domains:
        stage = _stage(instrument, assessment.domain_stages.get(domain.id, ""))
        areas.append(
            AreaResult(
                id=domain.id,
                title=in_language(domain.title, language),
                language=language_of(domain.title, language),
                score=assessment.domain_scores.get(domain.id),
                stage=in_language(stage.label, language) if stage else "",
                stage_id=stage.id if stage else "",
                support=in_language(stage.description, language) if stage else "",
            )
        )
    overall_stage = _stage(instrument, assessment.stage)
    return CapacityResult(
        assessment=assessment,
        instrument_title=in_language(instrument.title, language),
        domains=tuple(areas),
        overall=assessment.overall_score,
        stage_label=in_language(overall_stage.label, language) if overall_stage else "",
        chart=domain_bar_chart([(a.title, a.score) for a in areas], rtl=is_rtl(language)),
        measurement_error=instrument.measurement_error,
    )


# --- The partnership's view: which organisations need which support ------------------------


@dataclass(frozen=True)
class Cell:
    score: float | None
    stage_id: str
    stage: str
    needs_start: bool
    """In the instrument's first stage: the area needs support to start."""


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    assessment: CapacityAssessment
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class AreaSummary:
    title: str
    language: str
    counts: tuple[int, ...]  # organisations in each stage, in the instrument's order
    not_scored: int
    first_stage_percent: float | None


@dataclass(frozen=True)
class SupportNeeds:
    instrument_title: str
    areas: tuple[tuple[str, str, str], ...]  # (domain id, title, language)
    stages: tuple[tuple[str, str], ...]  # (stage id, label)
    first_stage: str
    rows: tuple[OrganisationRow, ...]
    summary: tuple[AreaSummary, ...]
    chart: BarChart
    not_assessed: tuple[Organisation, ...] = field(default=())


class NotHost(LookupError):
    """The member is not one of the partnership host's support roles."""


def support_needs(
    *,
    actor: Any,
    organisation: Organisation,
    role: str | None,
    kind: str = "",
    domain: str = "",
    stage: str = "",
) -> SupportNeeds:
    """The latest completed self-assessment of each active organisation, filtered by kind of
    organisation and by the stage of an area (or of any area); greatest need first. The
    summary counts organisations per area and stage; the chart shows, per area, the share
    of organisations with a score there that need support to start."""
    if not may_support(organisation, role):
        raise NotHost
    language = get_language() or "en"
    instrument = get_instrument(DEFAULT_INSTRUMENT)
    organisations = Organisation.objects.filter(is_active=True)
    if kind:
        organisations = organisations.filter(kind=kind)
    latest: dict[int, CapacityAssessment] = {}
    completed = (
        CapacityAssessment.objects.filter(
            status=CapacityStatus.COMPLETED,
            organisation__in=organisations,
            instrument_version__slug=instrument.slug,
        )
        .select_related("organisation")
        .only(
            "organisation",
            "assessed_on",
            "domain_scores",
            "domain_stages",
            "overall_score",
            "stage",
            "instrument_version_id",
        )
        .order_by("organisation_id", "-assessed_on", "-pk")
    )
    for assessment in completed:
        latest.setdefault(assessment.organisation_id, assessment)
    labels = {s.id: in_language(s.label, language) for s in instrument.stages}
    domain_ids = [d.id for d in instrument.domains]
    rows = []
    for assessment in latest.values():
        cells = tuple(
            Cell(
                score=assessment.domain_scores.get(domain_id),
                stage_id=assessment.domain_stages.get(domain_id, ""),
                stage=labels.get(assessment.domain_stages.get(domain_id, ""), ""),
                needs_start=assessment.domain_stages.get(domain_id) == instrument.stages[0].id,
            )
            for domain_id in domain_ids
        )
        rows.append(OrganisationRow(assessment.organisation, assessment, cells))
    summary = _summary(instrument, rows, language)
    if stage or domain:
        columns = [domain_ids.index(domain)] if domain in domain_ids else range(len(domain_ids))
        rows = [
            row
            for row in rows
            if any(
                row.cells[i].score is not None and (not stage or row.cells[i].stage_id == stage)
                for i in columns
            )
        ]
    if domain in domain_ids:
        column = domain_ids.index(domain)
        rows.sort(key=lambda row: (row.cells[column].score or 0.0, row.organisation.name))
    else:
        rows.sort(key=lambda row: (row.assessment.overall_score or 0.0, row.organisation.name))
    not_assessed = tuple(o for o in organisations.order_by("name") if o.pk not in latest)
    record(
        actor=actor,
        organisation=organisation,
        action="capacity.viewed_partnership",
        extra={
            "organisations": len(rows),
            "filters": {"kind": kind, "domain": domain, "stage": stage},
        },
    )
    return SupportNeeds(
        instrument_title=in_language(instrument.title, language),
        areas=tuple(
            (d.id, in_language(d.title, language), language_of(d.title, language))
            for d in instrument.domains
        ),
        stages=tuple((s.id, labels[s.id]) for s in instrument.stages),
        first_stage=labels[instrument.stages[0].id],
        rows=tuple(rows),
        summary=summary,
        chart=domain_bar_chart(
            [(area.title, area.first_stage_percent) for area in summary], rtl=is_rtl(language)
        ),
        not_assessed=not_assessed,
    )


def _summary(
    instrument: Instrument, rows: list[OrganisationRow], language: str
) -> tuple[AreaSummary, ...]:
    stage_ids = [s.id for s in instrument.stages]
    summary = []
    for index, domain in enumerate(instrument.domains):
        counts = [0] * len(stage_ids)
        not_scored = 0
        for row in rows:
            cell = row.cells[index]
            if cell.score is None or cell.stage_id not in stage_ids:
                not_scored += 1
            else:
                counts[stage_ids.index(cell.stage_id)] += 1
        scored = sum(counts)
        summary.append(
            AreaSummary(
                title=in_language(domain.title, language),
                language=language_of(domain.title, language),
                counts=tuple(counts),
                not_scored=not_scored,
                first_stage_percent=round(100 * counts[0] / scored, 1) if scored else None,
            )
        )
    return tuple(summary)
