"""Plan services: drafting from an assessment, changes under the optimistic lock with their
history, agreement, reviews, closing, and only the holding organisation changing a plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pathmark.audit.models import AuditEvent
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.plans import services
from pathmark.plans.models import Action, ActionKind, Plan, PlanChange, PlanStatus
from pathmark.testing import PersonFactory, run_assessment

from .conftest import DirectoryServiceFactory


@pytest.fixture
def person(world):  # type: ignore[no-untyped-def]
    return PersonFactory(organisation=world.org_a, name="Hana Planner")


@pytest.fixture
def assessment(world, person):  # type: ignore[no-untyped-def]
    return run_assessment(world.a_caseworker, world.org_a, person, answer="disagree")


def draft(world, assessment, user=None, organisation=None):  # type: ignore[no-untyped-def]
    user = user or world.a_caseworker
    organisation = organisation or world.org_a
    with organisation_scope(organisation_id=organisation.pk, user_id=user.pk, role="caseworker"):
        return services.draft_plan(by=user, organisation=organisation, assessment=assessment)


def as_a(world, function, **kwargs):  # type: ignore[no-untyped-def]
    user = kwargs.pop("by", world.a_caseworker)
    with organisation_scope(organisation_id=world.org_a.pk, user_id=user.pk, role="caseworker"):
        return function(by=user, organisation=world.org_a, **kwargs)


def test_a_draft_has_one_goal_per_priority_with_target_review_and_actions(world, assessment):
    plan = draft(world, assessment)
    with system_scope("test"):
        goals = list(plan.goals.order_by("priority"))
        assert 1 <= len(goals) <= 3
        assert [goal.priority for goal in goals] == list(range(1, len(goals) + 1))
        for goal in goals:
            assert goal.review_date > timezone.localdate()
            assert goal.target_score is not None and goal.target_score > goal.baseline_score
            kinds = [action.kind for action in goal.actions.all()]
            assert kinds[-1] == ActionKind.CLIENT_STEP and len(kinds) >= 2
    assert plan.status == PlanStatus.DRAFT and plan.version == 1
    assert AuditEvent.objects.filter(action="plan.drafted", person_id=plan.person_id).exists()


def test_a_draft_suggests_a_referral_to_a_service_addressing_the_domain(world, assessment):
    plan = draft(world, assessment)
    with system_scope("test"):
        goal = plan.goals.order_by("priority").first()
    service = DirectoryServiceFactory(name="Drop-in help", domain=goal.domain_id)
    plan = draft(world, assessment)
    with system_scope("test"):
        first = plan.goals.get(domain_id=goal.domain_id)
        referral = first.actions.get(kind=ActionKind.REFERRAL)
    assert referral.service_id == service.pk and "Drop-in help" in referral.text


def test_only_a_completed_assessment_starts_a_plan(world, person):
    from pathmark.assessments.tests.conftest import AssessmentFactory

    draft_assessment = AssessmentFactory(person=person)
    with pytest.raises(ValidationError):
        draft(world, draft_assessment)


def test_a_change_raises_the_version_and_keeps_before_and_after(world, assessment):
    plan = draft(world, assessment)
    with system_scope("test"):
        goal = plan.goals.first()
    as_a(
        world,
        services.change_goal,
        goal=goal,
        expected_version=1,
        priority=goal.priority,
        target_text="Read a letter from the council",
        target_score=80,
        review_date=goal.review_date,
    )
    with system_scope("test"):
        plan.refresh_from_db()
        change = PlanChange.objects.get(plan=plan, version=2)
    assert plan.version == 2 and change.changed_by == world.a_caseworker
    fields = {c["field"]: (c["before"], c["after"]) for c in change.changes}
    assert fields["target_text"] == ("", "Read a letter from the council")
    assert fields["target_score"][1] == "80"
    assert AuditEvent.objects.filter(action="plan.changed", person_id=plan.person_id).exists()
    assert "council" not in str(AuditEvent.objects.filter(action="plan.changed").first().extra)


def test_a_second_caseworker_on_an_old_version_is_told_what_changed(world, assessment):
    plan = draft(world, assessment)
    with system_scope("test"):
        goal = plan.goals.first()
    first_edit = dict(
        goal=goal, priority=1, target_score=None, review_date=goal.review_date, expected_version=1
    )
    as_a(world, services.change_goal, target_text="First caseworker's words", **first_edit)
    with pytest.raises(services.StalePlan) as stale:
        as_a(
            world,
            services.change_goal,
            by=world.a_manager,
            target_text="Second caseworker's words",
            **first_edit,
        )
    assert [change.version for change in stale.value.changes] == [2]
    assert stale.value.changes[0].changes[0]["after"] == "First caseworker's words"
    with system_scope("test"):
        goal.refresh_from_db()
    assert goal.target_text == "First caseworker's words"


def test_actions_are_added_changed_done_and_removed(world, assessment):
    plan = draft(world, assessment)
    with system_scope("test"):
        goal = plan.goals.first()
    action = as_a(
        world,
        services.add_action,
        goal=goal,
        expected_version=1,
        kind=ActionKind.CASEWORKER_TASK,
        text="Book an interpreter",
        due_date=date(2026, 2, 1),
    )
    action = as_a(
        world,
        services.change_action,
        action=action,
        expected_version=2,
        kind=ActionKind.CASEWORKER_TASK,
        text="Book an interpreter",
        due_date=date(2026, 2, 1),
        done=True,
    )
    assert action.done_at is not None
    as_a(world, services.remove_action, action=action, expected_version=3)
    with system_scope("test"):
        assert not Action.objects.filter(pk=action.pk).exists()
        assert Plan.objects.get(pk=plan.pk).version == 4


def test_a_referral_action_needs_a_service(world, assessment):
    plan = draft(world, assessment)
    with system_scope("test"):
        goal = plan.goals.first()
    with pytest.raises(ValidationError) as error:
        as_a(
            world,
            services.add_action,
            goal=goal,
            expected_version=1,
            kind=ActionKind.REFERRAL,
            text="Refer somewhere",
        )
    assert "service" in error.value.message_dict


def test_agreement_records_who_when_how_and_the_version_agreed(world, assessment):
    plan = draft(world, assessment)
    agreement = as_a(
        world,
        services.record_agreement,
        plan=plan,
        expected_version=1,
        agreed_on=timezone.localdate(),
        method="interpreter",
        agreed_by="",
    )
    with system_scope("test"):
        plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED and agreement.plan_version == 1
    assert agreement.recorded_by == world.a_caseworker


def test_a_review_links_the_next_assessment_of_the_same_person(world, person, assessment):
    plan = draft(world, assessment)
    later = run_assessment(
        world.a_caseworker, world.org_a, person, answer="agree", assessed_on=date(2025, 9, 1)
    )
    review = as_a(
        world,
        services.record_review,
        plan=plan,
        expected_version=1,
        reviewed_on=timezone.localdate(),
        progress_notes="Started the ESOL class",
        next_assessment=later,
    )
    assert review.next_assessment == later
    other = run_assessment(world.a_caseworker, world.org_a, PersonFactory(organisation=world.org_a))
    with pytest.raises(ValidationError):
        as_a(
            world,
            services.record_review,
            plan=plan,
            expected_version=2,
            reviewed_on=timezone.localdate(),
            progress_notes="Wrong person",
            next_assessment=other,
        )


def test_a_closed_plan_no_longer_changes(world, assessment):
    plan = draft(world, assessment)
    as_a(world, services.close_plan, plan=plan, expected_version=1)
    with pytest.raises(ValidationError):
        as_a(world, services.close_plan, plan=plan, expected_version=2)


def test_an_organisation_the_person_is_shared_with_cannot_change_the_plan(world, assessment):
    from pathmark.assessments.tests.conftest import share

    plan = draft(world, assessment)
    share(plan.person, world.org_b)
    with organisation_scope(organisation_id=world.org_b.pk), pytest.raises(Plan.DoesNotExist):
        services.close_plan(
            by=world.b_caseworker, organisation=world.org_b, plan=plan, expected_version=1
        )


def test_a_review_date_in_the_future_is_refused(world, assessment):
    plan = draft(world, assessment)
    with pytest.raises(ValidationError) as error:
        as_a(
            world,
            services.record_review,
            plan=plan,
            expected_version=1,
            reviewed_on=timezone.localdate() + timedelta(days=3),
            progress_notes="Too early",
        )
    assert "reviewed_on" in error.value.message_dict


def test_a_goal_names_an_area_of_the_questionnaire(world, assessment):
    plan = draft(world, assessment)
    with pytest.raises(ValidationError) as error:
        as_a(
            world,
            services.add_goal,
            plan=plan,
            expected_version=1,
            instrument_slug="integration-journey",
            domain_id="not-a-domain",
            priority=4,
            review_date=date(2027, 1, 1),
        )
    assert "domain_id" in error.value.message_dict
