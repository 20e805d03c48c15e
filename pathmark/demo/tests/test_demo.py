"""The demo partnership loads, is varied, is idempotent and says it is synthetic."""

from collections import defaultdict
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from pathmark.assessments.models import Assessment
from pathmark.demo.services import DEMO_PASSWORD, load_demo_partnership
from pathmark.journeys.models import JourneyTrend
from pathmark.journeys.selectors import instruments_by_version, stored_cohort
from pathmark.organisations.models import Membership, Organisation, Role
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Person


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    return load_demo_partnership(people=60, seed=7)


def test_demo_has_three_assessing_organisations_and_every_role(demo):
    assert Organisation.objects.count() >= 3
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)


def test_demo_people_have_one_to_four_assessments_over_two_years(demo):
    with system_scope("test"):
        counts = defaultdict(int)
        for person_id in Assessment.objects.values_list("person_id", flat=True):
            counts[person_id] += 1
        assert Person.objects.count() == 60
        assert set(counts.values()) <= {1, 2, 3, 4} and len(counts) == 60
        dates = list(Assessment.objects.values_list("assessed_on", flat=True))
    assert (max(dates) - min(dates)).days > 365


def test_demo_journeys_are_not_all_improving(demo):
    with system_scope("test"):
        changes = []
        for person in Person.objects.prefetch_related("assessments"):
            scores = [
                a.overall_score
                for a in sorted(person.assessments.all(), key=lambda a: a.assessed_on)
            ]
            if len(scores) >= 2:
                changes.append(scores[-1] - scores[0])
    assert any(change < 0 for change in changes) and any(change > 0 for change in changes)


def test_the_demo_worklist_names_some_journeys_but_not_most(demo):
    """The worklist rule (see `journeys.trajectory.journey_turned_down`) on the demo's noisy
    answers: some journeys turned down, far fewer than half of those with two assessments."""
    with system_scope("test"):
        cohort = stored_cohort(instruments=instruments_by_version(), as_of=date.today())
        reassessed = JourneyTrend.objects.filter(assessments__gte=2).count()
    assert 0 < cohort.turned_down < reassessed / 2


def test_running_the_demo_again_adds_nothing(demo):
    again = load_demo_partnership(people=60, seed=7)
    assert again.people_created == 0 and again.assessments_created == 0 and again.users == 0


def test_demo_command_prints_the_logins(db, capsys):
    call_command("demo", "--people", "5")
    out = capsys.readouterr().out
    assert "amira" in out and DEMO_PASSWORD in out and "synthetic" in out


def test_every_page_says_the_data_is_synthetic(demo, client, settings):
    settings.PATHMARK_DEMO = True
    assert client.login(username="amira", password=DEMO_PASSWORD)
    for url in ("/", "/people/"):
        assert "every person shown here is synthetic" in client.get(url).content.decode()
    assert "synthetic" in Client().get("/accounts/login/").content.decode()
