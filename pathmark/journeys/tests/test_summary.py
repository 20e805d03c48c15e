"""The caseload page's figures are worked out once and kept (`CaseloadSummary`) until a stored
trend, the people shared with the organisation, or the day changes; what is kept is always
exactly what working them out again would give."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pathmark.journeys.caseload import cohort_figures, cohort_from_figures, newest_instruments
from pathmark.journeys.models import CaseloadSummary
from pathmark.journeys.selectors import instruments_by_version, stored_cohort, summarised_cohort
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import Consent, ConsentKind, ConsentMethod
from pathmark.privacy.services import erase_person
from pathmark.testing import PersonFactory

from .conftest import completed
from .test_stored import START, synthetic_caseload

TODAY = date(2025, 6, 1)


def caseload_of(organisation):  # type: ignore[no-untyped-def]
    """The kept figures and freshly worked-out ones, in the organisation's scope."""
    with organisation_scope(organisation_id=organisation.pk):
        instruments = instruments_by_version()
        kept = summarised_cohort(instruments=instruments, as_of=TODAY)
        return kept, stored_cohort(instruments=instruments, as_of=TODAY)


def test_figures_survive_being_kept(world):
    synthetic_caseload(world, 1)
    with organisation_scope(organisation_id=world.org_a.pk):
        instruments = instruments_by_version()
        cohort = stored_cohort(instruments=instruments, as_of=TODAY)
        assert cohort.turned_down
        assert (
            cohort_from_figures(cohort_figures(cohort), newest_instruments(instruments)) == cohort
        )


def test_the_second_view_reads_the_kept_figures(world):
    synthetic_caseload(world, 2)
    with organisation_scope(organisation_id=world.org_a.pk):
        instruments = instruments_by_version()
        with CaptureQueriesContext(connection) as first:
            worked_out = summarised_cohort(instruments=instruments, as_of=TODAY)
        with CaptureQueriesContext(connection) as second:
            kept = summarised_cohort(instruments=instruments, as_of=TODAY)
    assert kept == worked_out
    assert len(second) == 4 < len(first)  # generation, shares, norms in force, summary
    assert not any("journeys_journeytrend" in query["sql"] for query in second)


def test_a_changed_trend_is_shown_at_once(world):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2024, 6, 10), 62)
    before, _ = caseload_of(world.org_a)
    assert before.turned_down == 0
    completed(person, date(2025, 1, 10), 30)
    after, fresh = caseload_of(world.org_a)
    assert after == fresh
    assert after.turned_down == 1


def test_a_new_share_is_shown_at_once_and_a_withdrawn_one_goes(world):
    person = PersonFactory(organisation=world.org_b)
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 30)
    before, _ = caseload_of(world.org_a)
    assert before.people == 0
    with system_scope("test"):
        consent = Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=world.org_a,
            purpose="Share",
            method=ConsentMethod.IN_PERSON,
            given_on=START,
        )
    shared, fresh = caseload_of(world.org_a)
    assert shared == fresh
    assert shared.people == 1
    with system_scope("test"):
        Consent.objects.filter(pk=consent.pk).update(withdrawn_at=consent.recorded_at)
    withdrawn, _ = caseload_of(world.org_a)
    assert withdrawn.people == 0


def test_an_erased_person_leaves_the_kept_figures(world):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 30)
    before, _ = caseload_of(world.org_a)
    assert before.people == 1
    with organisation_scope(organisation_id=world.org_a.pk):
        erase_person(by=world.a_manager, organisation=world.org_a, person=person)
    with system_scope("test"):
        assert not CaseloadSummary.objects.exists()  # forgotten with the trends, at once
    after, fresh = caseload_of(world.org_a)
    assert after == fresh
    assert after.people == 0


def test_each_organisation_keeps_and_sees_only_its_own_figures(world):
    synthetic_caseload(world, 3)
    for organisation in (world.org_a, world.org_b, world.org_c):
        kept, fresh = caseload_of(organisation)
        assert kept == fresh
    with organisation_scope(organisation_id=world.org_b.pk):
        assert list(CaseloadSummary.objects.values_list("organisation_id", flat=True)) == [
            world.org_b.pk
        ]
