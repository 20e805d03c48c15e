"""Cohorts for report tests: people with completed assessments of chosen scores and dates,
written directly (as the journeys tests do) so each figure can be worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.instruments.services import instrument_version_for
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Person
from pathmark.testing import PersonFactory

JOURNEY = "integration-journey"


def completed(person: Person, assessed_on: date, score: float) -> Assessment:
    """A completed assessment where every domain and the overall scored `score`."""
    version = instrument_version_for(JOURNEY)
    instrument = version.instrument
    with system_scope("test: completed assessment"):
        return Assessment.objects.create(
            person=person,
            organisation=person.organisation,
            instrument_version=version,
            status=AssessmentStatus.COMPLETED,
            mode=AssessmentMode.CASEWORKER_LED,
            language="en",
            assessed_on=assessed_on,
            domain_scores={domain.id: score for domain in instrument.domains},
            overall_score=score,
            stage=instrument.stage_for(score).id,
            completed_at=timezone.make_aware(datetime.combine(assessed_on, time(11))),
        )


def cohort(organisation, starts: list[float], changes: list[float], **person):  # type: ignore[no-untyped-def]
    """One person per (start, change): assessed at `start` on 1 March 2025 and at
    `start + change` a year later."""
    people = []
    for start, change in zip(starts, changes, strict=True):
        someone = PersonFactory(organisation=organisation, **person)
        completed(someone, date(2025, 3, 1), start)
        completed(someone, date(2026, 3, 1), start + change)
        people.append(someone)
    return people


@pytest.fixture
def partnership(world):  # type: ignore[no-untyped-def]
    """A: 3 people (a small group); B: 12 people; all below the host norm at first."""
    small = cohort(world.org_a, [30, 35, 40], [5, 6, 7], name="Secretname Smallgroup")
    large = cohort(world.org_b, [30 + i for i in range(12)], [i - 2 for i in range(12)])
    return small, large
