"""What works and where referrals fail, on referrals written directly: the effect comes from the
estimator, small counts stay hidden outside the owning organisation, and the page, the export
and `pathmark reports what-works --json` agree."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from pathmark.directory.models import Service, TaxonomyTerm
from pathmark.directory.services import directory_entry_for
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.referrals import states
from pathmark.referrals.models import Referral
from pathmark.reports.figures import RowStatus
from pathmark.reports.referral_selectors import funnel_report, what_works_report
from pathmark.reports.selectors import Filters, Viewer
from pathmark.testing import PersonFactory, assert_disallowed, client_for

from .conftest import completed

pytestmark = pytest.mark.django_db


def esol_service(organisation) -> Service:  # type: ignore[no-untyped-def]
    with system_scope("test: a service"):
        term = TaxonomyTerm.objects.create(code="english-esol", name="English (ESOL)")
        service = Service.objects.create(
            organization=directory_entry_for(organisation), name="ESOL Level 1"
        )
        service.themes.add(term)
        return service


def referral(person, service, status, *, reason="", on=date(2025, 6, 1), rating=None):  # type: ignore[no-untyped-def]
    with system_scope("test: a referral"):
        return Referral.objects.create(
            person=person,
            organisation=person.organisation,
            service=service,
            receiving_organisation=service.organization.organisation,
            status=status,
            decline_reason=reason,
            referred_on=on,
            sent_at=datetime(2025, 6, 1, 9, tzinfo=UTC),
            answered_at=datetime(2025, 6, 4, 9, tzinfo=UTC),
            rating=rating,
        )


@pytest.fixture
def cohort(world):  # type: ignore[no-untyped-def]
    """30 people of B referred to A's ESOL class (15 attended, gaining 8 points more), and 3
    people of C declined for lack of places."""
    service = esol_service(world.org_a)
    rng = random.Random(4)
    for number in range(30):
        person = PersonFactory(organisation=world.org_b)
        attended = number % 2 == 0
        start = rng.uniform(30, 60)
        completed(person, date(2025, 3, 1), start)
        completed(person, date(2026, 3, 1), start + (8 if attended else 0) + rng.gauss(0, 2))
        status = states.COMPLETED if attended else states.DID_NOT_ATTEND
        referral(person, service, status, rating=4 if attended else None)
    for _ in range(3):
        referral(
            PersonFactory(organisation=world.org_c),
            service,
            states.DECLINED,
            reason=states.NO_CAPACITY,
        )
    return service


def analyst(world, organisation):  # type: ignore[no-untyped-def]
    return world.member(organisation, Role.ANALYST)


def test_what_works_recovers_the_effect_of_attending(world, cohort):
    report = what_works_report(
        viewer=Viewer(analyst(world, world.org_c), world.org_c),
        filters=Filters(domain="personal-agency"),
    )
    (row,) = report.rows
    assert row.group == cohort.pk and row.status is RowStatus.ESTIMATED
    assert row.low is not None and row.high is not None and row.low <= 8 <= row.high
    assert row.low > 0


def test_what_works_says_too_few_to_tell_below_the_minimum(world, cohort):
    report = what_works_report(
        viewer=Viewer(analyst(world, world.org_b), world.org_b),
        filters=Filters(domain="personal-agency", date_to=date(2025, 1, 1)),
    )
    assert all(row.status is RowStatus.TOO_FEW and row.estimate is None for row in report.rows)


def test_where_referrals_fail_hides_small_counts_outside_the_organisation(world, cohort):
    report = funnel_report(
        viewer=Viewer(analyst(world, world.org_a), world.org_a), filters=Filters()
    )
    table = report.tables[0]
    (line,) = [row for row in table.rows if row[0] == "ESOL Level 1"]
    declined = table.columns.index("Declined: No places at the moment")
    assert line[declined] == "hidden"
    for row in table.rows:
        for cell in row[1:]:
            assert cell == "hidden" or int(cell) == 0 or int(cell) >= 5


def test_pages_and_command_agree_and_others_may_not_look(world, cohort):
    client = client_for(analyst(world, world.org_c))
    page = client.get(reverse("reports:what_works"), {"domain": "personal-agency"})
    assert page.status_code == 200 and "ESOL Level 1" in page.content.decode()
    assert client.get(reverse("reports:referrals")).status_code == 200
    out = io.StringIO()
    call_command("reports", "what-works", "--json", "--domain", "personal-agency", stdout=out)
    printed = json.loads(out.getvalue())
    expected = what_works_report(
        viewer=Viewer(None, None), filters=Filters(domain="personal-agency"), audit=False
    )
    assert printed["rows"] == [row.as_json() for row in expected.rows]
    for name in ("reports:what_works", "reports:referrals"):
        assert_disallowed(
            reverse(name),
            [world.a_caseworker, world.member(world.org_a, Role.SERVICE_PROVIDER), None],
        )
