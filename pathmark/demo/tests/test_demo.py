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


def test_every_demo_organisation_has_an_administrator(demo):
    for organisation in Organisation.objects.all():
        assert Membership.objects.filter(
            organisation=organisation, role=Role.ADMINISTRATOR, is_active=True
        ).exists(), organisation.slug


def test_demo_registrations_are_dated_with_their_first_consent_and_assessment(demo):
    """Registered on the day of the first consent and first assessment, not on the day the
    demo was loaded."""
    with system_scope("test"):
        for person in Person.objects.prefetch_related("assessments", "consents"):
            first_assessment = min(a.assessed_on for a in person.assessments.all())
            consent = min(c.given_on for c in person.consents.all())
            registered = person.created_at.date()
            assert registered == consent == first_assessment, person.pk


def test_running_the_demo_again_adds_nothing(demo):
    again = load_demo_partnership(people=60, seed=7)
    assert again.people_created == 0 and again.assessments_created == 0 and again.users == 0
    assert again.capacity_assessments_created == 0


def test_demo_organisations_have_capacity_self_assessments_showing_support_needs(demo):
    from pathmark.capacity.models import CapacityAssessment

    assert demo.capacity_assessments_created == 5
    rco = CapacityAssessment.objects.filter(
        organisation__slug="syrian-community-association"
    ).order_by("assessed_on")
    first, latest, draft = list(rco)
    assert draft.is_draft and not first.is_draft and not latest.is_draft
    assert latest.overall_score > first.overall_score
    assert latest.domain_stages["safeguarding"] == "needs-support-to-start"
    assert not CapacityAssessment.objects.filter(organisation__slug="northbridge-council").exists()


def test_demo_command_prints_the_logins(db, capsys):
    call_command("demo", "--people", "5")
    out = capsys.readouterr().out
    assert "amira" in out and DEMO_PASSWORD in out and "synthetic" in out


def test_demo_sign_in_line_names_the_port_it_serves_on(db, capsys, settings):
    """`make demo HOST=0.0.0.0 PORT=8123` passes HOST and PORT on; the line says where."""
    settings.SITE_URL = ""
    settings.LOCAL_SITE_URL = "http://0.0.0.0:8123"
    call_command("demo", "--people", "0")
    assert "Sign in at http://0.0.0.0:8123/ " in capsys.readouterr().out


def test_demo_sign_in_line_prefers_the_configured_site_address(db, capsys, settings):
    settings.SITE_URL = "https://pathmark.example.org"
    call_command("demo", "--people", "0")
    assert "Sign in at https://pathmark.example.org/ " in capsys.readouterr().out


def test_every_page_says_the_data_is_synthetic(demo, client, settings):
    settings.PATHMARK_DEMO = True
    assert client.login(username="amira", password=DEMO_PASSWORD)
    for url in ("/", "/people/"):
        assert "every person shown here is synthetic" in client.get(url).content.decode()
    assert "synthetic" in Client().get("/accounts/login/").content.decode()


def test_demo_has_synthetic_plans_some_agreed_and_reviewed(demo):
    from pathmark.plans.models import Plan, PlanStatus, Review

    assert demo.plans_created > 0
    with system_scope("test"):
        statuses = set(Plan.objects.values_list("status", flat=True))
        assert {PlanStatus.DRAFT, PlanStatus.AGREED} <= statuses
        assert Plan.objects.filter(goals__isnull=False).exists()
        notes = list(Review.objects.values_list("progress_notes", flat=True))
    assert notes and all(note.startswith("Synthetic demo note") for note in notes)
    again = load_demo_partnership(people=60, seed=7)
    assert again.plans_created == 0


def test_demo_has_past_referrals_with_endings_and_live_ones_at_the_college(demo):
    from pathmark.referrals.models import Referral
    from pathmark.referrals.selectors import inbox_summary

    assert demo.referrals_created > 0
    with system_scope("test"):
        statuses = set(Referral.objects.values_list("status", flat=True))
        assert {"completed", "did_not_attend", "declined"} <= statuses
        # Every past referral sits between the person's first and latest assessment.
        for referral in Referral.objects.exclude(referred_on=None).select_related("person")[:20]:
            dates = list(
                Assessment.objects.filter(person=referral.person, status="completed")
                .order_by("assessed_on")
                .values_list("assessed_on", flat=True)
            )
            assert dates[0] < referral.referred_on
        college = Organisation.objects.get(slug="northbridge-college")
        waiting = inbox_summary(organisation=college)
    assert waiting.waiting >= 1 and waiting.accepted >= 1 and waiting.started >= 1
    again = load_demo_partnership(people=60, seed=7)
    assert again.referrals_created == 0
