"""Demand for services against their capacity, theme by theme (issue 17, Needs)."""

from __future__ import annotations

import pytest

from pathmark.directory.catalogue import themes
from pathmark.organisations.scoping import system_scope
from pathmark.plans.models import Goal, PlanStatus
from pathmark.plans.tests.conftest import DirectoryServiceFactory
from pathmark.plans.tests.test_services import draft
from pathmark.reports.demand import gap_in_words, theme_demand
from pathmark.testing import PersonFactory, run_assessment


@pytest.fixture
def goals(world):  # type: ignore[no-untyped-def]
    """Six people of A with a drafted plan each."""
    for number in range(6):
        person = PersonFactory(organisation=world.org_a, name=f"Demand Person {number}")
        draft(world, run_assessment(world.a_caseworker, world.org_a, person, answer="disagree"))
    with system_scope("test"):
        return list(Goal.objects.values_list("instrument_slug", "domain_id"))


def _theme_of(instrument: str, domain: str):  # type: ignore[no-untyped-def]
    return themes().themes_for_domain(instrument, domain)[0]


def test_open_goals_stand_beside_the_places_of_the_themes_services(world, goals):
    instrument, domain = goals[0]
    theme = _theme_of(instrument, domain)
    expected = sum(1 for i, d in goals if theme.works_on(i, d))
    DirectoryServiceFactory(name="Small course", domain=domain, places_per_month=2)
    DirectoryServiceFactory(name="Course with no number", domain=domain)
    rows = {
        row.slug: row for row in theme_demand(organisation_id=None, minimum=5, suppressing=False)
    }
    row = rows[theme.slug]
    assert (row.goals, row.services, row.places, row.without_places) == (expected, 2, 2, 1)
    words = gap_in_words(row)
    assert f"Open goals: {expected}" in words and f"{expected - 2} more" in words


def test_closed_plans_and_other_organisations_goals_do_not_count(world, goals):
    instrument, domain = goals[0]
    theme = _theme_of(instrument, domain)
    others = theme_demand(organisation_id=world.org_b.pk, minimum=5, suppressing=False)
    assert {row.slug: row.goals for row in others}[theme.slug] == 0
    from pathmark.plans import services as plan_services
    from pathmark.plans.models import Plan
    from pathmark.plans.tests.test_services import as_a

    with system_scope("test"):
        plans = list(Plan.objects.all())
    for plan in plans:
        as_a(world, plan_services.close_plan, plan=plan, expected_version=plan.version)
    with system_scope("test"):
        assert set(Plan.objects.values_list("status", flat=True)) == {PlanStatus.CLOSED}
    rows = {
        row.slug: row for row in theme_demand(organisation_id=None, minimum=5, suppressing=False)
    }
    assert rows[theme.slug].goals == 0
    assert "no service" in gap_in_words(rows[theme.slug]).lower()


def test_small_counts_are_hidden_outside_the_owning_organisation(world, goals):
    plain = theme_demand(organisation_id=world.org_a.pk, minimum=50, suppressing=False)
    rows = theme_demand(organisation_id=world.org_a.pk, minimum=50, suppressing=True)
    # Every count from 1 to 49 is hidden; the unsuppressed counts were such counts.
    for before, after in zip(plain, rows, strict=True):
        assert after.goals == 0 if before.goals == 0 else after.goals is None
    hidden = [row for row in rows if row.goals is None]
    assert hidden and "Too few" in gap_in_words(hidden[0])


def test_the_needs_report_carries_the_demand_table(world, goals):
    from pathmark.reports.selectors import Filters, Viewer, needs_report

    report = needs_report(viewer=Viewer(None, None), filters=Filters(), audit=False)
    titles = [table.title for table in report.tables]
    assert "Demand for services against their capacity, by theme" in titles
