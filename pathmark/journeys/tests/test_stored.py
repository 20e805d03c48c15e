"""The stored trends give exactly the caseload the in-memory computation gives from every
completed assessment, in every organisation's scope, whatever the caseload holds: shared
records, withdrawn consents, restricted and erased people, gaps, two instrument versions."""

from __future__ import annotations

import copy
import random
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.instruments.models import InstrumentVersion
from pathmark.instruments.registry import definition_sha256
from pathmark.instruments.services import instrument_version_for
from pathmark.journeys import selectors
from pathmark.journeys.caseload import compute_cohort
from pathmark.journeys.models import JourneyTrend
from pathmark.journeys.selectors import (
    WORKLIST_LIMIT,
    cohort_rows,
    instruments_by_version,
    stored_cohort,
)
from pathmark.journeys.services import refresh_trends
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person
from pathmark.privacy.services import erase_person
from pathmark.testing import PersonFactory

from .conftest import completed

START = date(2022, 1, 3)
AT_START = timezone.make_aware(datetime.combine(START, time(11)))


def second_version(slug: str, measurement_error: float) -> InstrumentVersion:
    """A later version of an instrument with another measurement error, as an administrator
    might install: the series of a person reassessed on it takes its error."""
    first = instrument_version_for(slug)
    definition = copy.deepcopy(first.definition)
    definition["version"] = first.version + 1
    definition["measurement_error"] = measurement_error
    return InstrumentVersion.objects.create(
        slug=slug,
        version=first.version + 1,
        title=first.title,
        definition=definition,
        sha256=definition_sha256(definition),
    )


def synthetic_caseload(world, seed: int) -> list[Person]:  # type: ignore[no-untyped-def]
    """People in all three organisations with random journeys. Scores move in five-point steps
    (so falls equal to the measurement error come up) or by any amount; some dates repeat,
    some domains go unscored, a few overall scores are missing; some people are shared with
    another organisation, which assesses them too; some consents are withdrawn."""
    rng = random.Random(seed)
    organisations = [world.org_a, world.org_b, world.org_c]
    with system_scope("test: a synthetic caseload"):
        versions = {
            "integration-journey": [
                instrument_version_for("integration-journey"),
                second_version("integration-journey", 3.0),
            ],
            "indicators-of-integration": [instrument_version_for("indicators-of-integration")],
        }
        people = []
        for number in range(45):
            owner = rng.choice(organisations)
            person = PersonFactory(organisation=owner, name=f"Synthetic {seed}-{number}")
            people.append(person)
            runners = [owner]
            if rng.random() < 0.3:
                other = rng.choice([o for o in organisations if o != owner])
                consent = Consent.objects.create(
                    person=person,
                    kind=ConsentKind.SHARE,
                    shared_with=other,
                    purpose="Share",
                    method=ConsentMethod.IN_PERSON,
                    given_on=START,
                )
                runners.append(other)
                if rng.random() < 0.3:
                    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=AT_START)
            slugs = rng.sample(list(versions), k=rng.choice([1, 1, 1, 2]))
            for slug in slugs:
                base = rng.choice([20.0, 40.0, 55.0, 70.0])
                days = sorted(rng.randint(0, 900) for _ in range(rng.choice([0, 1, 2, 3, 4, 5])))
                for offset in [0, *days]:
                    version = rng.choice(versions[slug])
                    instrument = version.instrument
                    step = rng.choice([5.0, 10.0, 2.5]) if rng.random() < 0.7 else rng.random()
                    scores: dict[str, float | None] = {}
                    for domain in instrument.domains:
                        if rng.random() < 0.08:
                            continue  # unscored that day: too few answers
                        scores[domain.id] = max(0.0, min(100.0, base + rng.randint(-3, 3) * step))
                    overall = None if rng.random() < 0.05 else round(base + rng.uniform(-9, 9), 1)
                    Assessment.objects.create(
                        person=person,
                        organisation=rng.choice(runners),
                        instrument_version=version,
                        status=AssessmentStatus.COMPLETED,
                        mode=AssessmentMode.CASEWORKER_LED,
                        language="en",
                        assessed_on=START + timedelta(days=offset),
                        domain_scores=scores,
                        overall_score=overall,
                        stage="",
                        completed_at=AT_START,
                    )
                    base = max(0.0, min(100.0, base + rng.choice([-10, -5, 0, 5, 10])))
            if rng.random() < 0.1:
                Person.objects.filter(pk=person.pk).update(status=Person.Status.RESTRICTED)
        # A draft never counts.
        Assessment.objects.create(
            person=people[0],
            organisation=people[0].organisation,
            instrument_version=versions["integration-journey"][0],
            mode=AssessmentMode.CASEWORKER_LED,
            language="en",
            assessed_on=START,
        )
        refresh_trends(person_ids=[person.pk for person in people])
    return people


def assert_stored_equals_reference(world) -> None:  # type: ignore[no-untyped-def]
    """Equal in each organisation's scope and the whole partnership's, with the whole worklist
    and with one cut short (so its order is tested through the limit)."""
    scopes = [
        organisation_scope(organisation_id=o.pk) for o in (world.org_a, world.org_b, world.org_c)
    ]
    worklists = 0
    for scope in [*scopes, system_scope("test: the whole partnership")]:
        with scope:
            instruments = instruments_by_version()
            for limit in (WORKLIST_LIMIT, 3):
                reference = compute_cohort(
                    cohort_rows(),
                    instruments=instruments,
                    as_of=START,
                    limit=limit,
                    norms=selectors.norms_by_slug(),
                )
                stored = stored_cohort(instruments=instruments, as_of=START, limit=limit)
                assert stored == reference
                worklists += reference.turned_down
    assert worklists, "the caseload should have journeys that turned down"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_caseload_equals_the_computation_from_assessments(world, seed):
    synthetic_caseload(world, seed)
    assert_stored_equals_reference(world)


def test_the_synthetic_caseload_has_the_cases_it_is_meant_to_test(world):
    """The equality above means something only if the caseload holds what it claims."""
    people = synthetic_caseload(world, 1)
    with system_scope("test"):
        shared = Consent.objects.filter(kind=ConsentKind.SHARE)
        assert shared.filter(withdrawn_at__isnull=True).exists()
        assert shared.filter(withdrawn_at__isnull=False).exists()
        journeys = JourneyTrend.objects.filter(person__in=people)
        assert journeys.filter(turned_down=True).exists()
        assert journeys.filter(turned_down=False).exclude(fell=[]).exists()  # one area alone
        assert journeys.values("instrument_version").distinct().count() == 3
        directions = {
            direction
            for series in journeys.values_list("series", flat=True)
            for _key, _rate, direction, *_rest in series
        }
        assert {"not_enough_data", "declining"} <= directions
        restricted = Person.objects.filter(status=Person.Status.RESTRICTED)
        assert restricted.filter(pk__in=[person.pk for person in people]).exists()


def test_withdrawing_a_consent_changes_the_caseload_without_a_refresh(world):
    synthetic_caseload(world, 2)
    with system_scope("test"):
        Consent.objects.filter(kind=ConsentKind.SHARE, withdrawn_at__isnull=True).update(
            withdrawn_at=AT_START
        )
    assert_stored_equals_reference(world)


def test_erased_people_leave_both_caseloads_alike(world):
    synthetic_caseload(world, 3)
    with system_scope("test"):
        erased = list(
            Person.objects.filter(organisation=world.org_a, status=Person.Status.ACTIVE)
            .filter(pk__in=JourneyTrend.objects.values("person_id"))
            .order_by("pk")[:3]
        )
    assert len(erased) == 3
    with organisation_scope(organisation_id=world.org_a.pk):
        for person in erased:
            erase_person(by=world.a_manager, organisation=world.org_a, person=person)
    with system_scope("test"):
        assert not JourneyTrend.objects.filter(person__in=erased).exists()
        assert Assessment.objects.filter(person__in=erased, status="completed").exists()
    assert_stored_equals_reference(world)


def test_a_caseload_of_one_journey(world):
    """One rate per domain: every quartile is that rate."""
    person = PersonFactory(organisation=world.org_c)
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 40)
    assert_stored_equals_reference(world)
    with organisation_scope(organisation_id=world.org_c.pk):
        cohort = stored_cohort(instruments=instruments_by_version(), as_of=START)
    overall = cohort.instruments["integration-journey"].distributions["overall"]
    assert overall.quartiles == (pytest.approx(-20, abs=0.1),) * 3


def test_an_empty_caseload(world):
    with organisation_scope(organisation_id=world.org_a.pk):
        cohort = stored_cohort(instruments=instruments_by_version(), as_of=START)
    assert (cohort.people, cohort.turned_down, cohort.worklist, cohort.instruments) == (
        0,
        0,
        [],
        {},
    )


def test_people_shared_with_an_organisation_are_read_a_few_at_a_time(world, monkeypatch):
    monkeypatch.setattr(selectors, "OTHERS_CHUNK", 2)
    synthetic_caseload(world, 1)
    assert_stored_equals_reference(world)
