"""Organisations assess their own capacity: scores and stages from the instrument engine,
answers checked, every write audited, and only the organisation itself writes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pathmark.audit.models import AuditEvent
from pathmark.capacity import services
from pathmark.capacity.models import CapacityAssessment, CapacityStatus
from pathmark.instruments.scoring import score_responses
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import ScopeError, organisation_scope

from .conftest import self_assess


def test_completed_self_assessment_is_scored_by_the_instrument_with_a_stage_per_area(
    world, capacity_instrument
):
    manager = world.member(world.org_c, Role.MANAGER)
    assessment = self_assess(
        manager,
        world.org_c,
        levels={"governance": "not-in-place", "finance": "embedded"},
        default="in-place",
    )
    expected = score_responses(capacity_instrument, assessment.answers)
    assert assessment.status == CapacityStatus.COMPLETED
    assert assessment.domain_scores == expected.domains
    assert assessment.overall_score == expected.overall
    assert assessment.domain_scores["governance"] == 0
    assert assessment.domain_stages["governance"] == "needs-support-to-start"
    assert assessment.domain_stages["volunteers"] == "developing"
    assert assessment.domain_stages["finance"] == "established"
    assert assessment.completed_by == manager


def test_not_sure_is_left_out_and_an_area_without_enough_answers_has_no_stage(world):
    manager = world.member(world.org_c, Role.MANAGER)
    assessment = self_assess(manager, world.org_c, levels={"safeguarding": "not-sure"})
    assert assessment.domain_scores["safeguarding"] is None
    assert "safeguarding" not in assessment.domain_stages


def test_an_answer_that_is_not_on_the_scale_is_refused_naming_the_item(world):
    manager = world.member(world.org_c, Role.MANAGER)
    draft = self_assess(manager, world.org_c, complete=False)
    with (
        organisation_scope(organisation_id=world.org_c.pk),
        pytest.raises(ValidationError) as error,
    ):
        services.save_capacity_answers(
            by=manager,
            organisation=world.org_c,
            assessment=draft,
            domain_id="finance",
            answers={"bank-account": "brilliant"},
        )
    assert list(error.value.error_dict) == ["bank-account"]


def test_a_future_date_is_refused(world):
    manager = world.member(world.org_c, Role.MANAGER)
    with (
        organisation_scope(organisation_id=world.org_c.pk),
        pytest.raises(ValidationError) as error,
    ):
        services.start_capacity_assessment(
            by=manager,
            organisation=world.org_c,
            language="en",
            assessed_on=timezone.localdate() + timedelta(days=1),
        )
    assert "assessed_on" in error.value.error_dict


def test_an_organisation_is_never_assessed_on_a_person_instrument(world):
    manager = world.member(world.org_c, Role.MANAGER)
    with (
        organisation_scope(organisation_id=world.org_c.pk),
        pytest.raises(ValidationError) as error,
    ):
        services.start_capacity_assessment(
            by=manager,
            organisation=world.org_c,
            language="en",
            assessed_on=date(2026, 1, 5),
            instrument_slug="integration-journey",
        )
    assert "about a person, not an organisation" in " ".join(error.value.messages)
    assert not CapacityAssessment.objects.exists()


def test_another_organisation_cannot_change_or_complete_a_draft(world):
    draft = self_assess(world.member(world.org_c, Role.MANAGER), world.org_c, complete=False)
    intruder = world.member(world.org_a, Role.ADMINISTRATOR)
    with organisation_scope(organisation_id=world.org_a.pk):
        with pytest.raises(CapacityAssessment.DoesNotExist):
            services.save_capacity_answers(
                by=intruder,
                organisation=world.org_a,
                assessment=draft,
                domain_id="finance",
                answers={"bank-account": "embedded"},
            )
        with pytest.raises(CapacityAssessment.DoesNotExist):
            services.complete_capacity_assessment(
                by=intruder, organisation=world.org_a, assessment=draft
            )
        with pytest.raises(CapacityAssessment.DoesNotExist):
            services.discard_capacity_draft(by=intruder, organisation=world.org_a, assessment=draft)
    draft.refresh_from_db()
    assert draft.is_draft and draft.answers["bank-account"] == "in-place"


def test_the_organisation_argument_must_be_the_scope(world):
    manager = world.member(world.org_c, Role.MANAGER)
    with organisation_scope(organisation_id=world.org_a.pk), pytest.raises(ScopeError):
        services.start_capacity_assessment(
            by=manager, organisation=world.org_c, language="en", assessed_on=date(2026, 1, 5)
        )


def test_a_completed_self_assessment_cannot_change(world):
    manager = world.member(world.org_c, Role.MANAGER)
    done = self_assess(manager, world.org_c)
    with organisation_scope(organisation_id=world.org_c.pk), pytest.raises(ValidationError):
        services.save_capacity_answers(
            by=manager,
            organisation=world.org_c,
            assessment=done,
            domain_id="finance",
            answers={"bank-account": "embedded"},
        )


def test_every_write_is_audited_without_the_answers(world):
    manager = world.member(world.org_c, Role.MANAGER)
    done = self_assess(manager, world.org_c, note="We need a treasurer who can train us")
    events = AuditEvent.objects.filter(
        object_id=str(done.pk), object_type="capacity.capacityassessment"
    )
    actions = list(events.order_by("pk").values_list("action", flat=True))
    assert actions == ["capacity.started"] + ["capacity.saved"] * 7 + ["capacity.completed"]
    assert all(event.organisation_id == world.org_c.pk for event in events)
    assert not any("treasurer" in str(event.extra) for event in events)


def test_discarding_a_draft_deletes_it_and_is_audited(world):
    manager = world.member(world.org_c, Role.MANAGER)
    draft = self_assess(manager, world.org_c, complete=False)
    with organisation_scope(organisation_id=world.org_c.pk):
        services.discard_capacity_draft(by=manager, organisation=world.org_c, assessment=draft)
    assert not CapacityAssessment.objects.exists()
    assert AuditEvent.objects.filter(action="capacity.discarded").count() == 1
