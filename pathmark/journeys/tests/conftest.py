"""Helpers for journey tests: people with completed assessments on chosen dates and scores,
their stored trends refreshed as the assessment services do."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.instruments.services import instrument_version_for
from pathmark.journeys.services import refresh_trends
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Person

JOURNEY = "integration-journey"


def completed(
    person: Person,
    assessed_on: date,
    score: float,
    *,
    slug: str = JOURNEY,
    domains: dict[str, float | None] | None = None,
    organisation=None,  # type: ignore[no-untyped-def]
    refresh: bool = True,
) -> Assessment:
    """A completed assessment where every domain scored `score` unless `domains` says so;
    with `refresh`, the person's trends are recomputed, as completing one does."""
    version = instrument_version_for(slug)
    instrument = version.instrument
    scores: dict[str, float | None] = {domain.id: score for domain in instrument.domains}
    scores.update(domains or {})
    with system_scope("test: completed assessment"):
        assessment = Assessment.objects.create(
            person=person,
            organisation=organisation or person.organisation,
            instrument_version=version,
            status=AssessmentStatus.COMPLETED,
            mode=AssessmentMode.CASEWORKER_LED,
            language="en",
            assessed_on=assessed_on,
            domain_scores=scores,
            overall_score=score,
            stage=instrument.stage_for(score).id,
            completed_at=timezone.make_aware(datetime.combine(assessed_on, time(11))),
        )
        if refresh:
            refresh_trends(person_ids=[person.pk])
        return assessment
