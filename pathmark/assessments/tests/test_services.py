"""Services: what may be written, by whom, and that each write is whole and audited."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pathmark.assessments import services
from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.assessments.selectors import assessments_of
from pathmark.audit.models import AuditEvent
from pathmark.instruments.models import InstrumentVersion
from pathmark.instruments.registry import definition_sha256
from pathmark.instruments.scoring import score_responses
from pathmark.organisations.scoping import system_scope

from .conftest import JOURNEY, answers_for, reload, share


def start(world, person, *, by=None, organisation=None, **overrides):  # type: ignore[no-untyped-def]
    values = {
        "instrument_slug": JOURNEY,
        "mode": AssessmentMode.CASEWORKER_LED,
        "language": "en",
        "assessed_on": date(2025, 6, 1),
    }
    values.update(overrides)
    return services.start_assessment(
        by=by or world.a_caseworker,
        organisation=organisation or world.org_a,
        person=person,
        **values,
    )


def answer_everything(world, assessment, instrument, value="agree", *, by=None, organisation=None):  # type: ignore[no-untyped-def]
    answers = answers_for(instrument, value)
    for domain in instrument.domains:
        services.save_answers(
            by=by or world.a_caseworker,
            organisation=organisation or world.org_a,
            assessment=assessment,
            domain_id=domain.id,
            answers={item.id: answers.get(item.id) for item in domain.items},
        )


def test_start_uses_latest_version_and_is_audited(world, person_a, journey, in_scope):
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
    assert assessment.instrument_version == journey
    assert assessment.organisation == world.org_a
    assert assessment.status == AssessmentStatus.DRAFT
    event = AuditEvent.objects.get(action="assessment.started")
    assert event.person_id == person_a.pk
    assert event.object_id == str(assessment.pk)


def test_assessment_date_cannot_be_in_the_future(world, person_a, journey, in_scope):
    with in_scope(world.a_caseworker), pytest.raises(ValidationError) as error:
        start(world, person_a, assessed_on=timezone.localdate() + timedelta(days=1))
    assert "assessed_on" in error.value.error_dict


def test_assessment_date_cannot_be_before_birth(world, person_a, journey, in_scope):
    with in_scope(world.a_caseworker), pytest.raises(ValidationError) as error:
        start(world, person_a, assessed_on=person_a.date_of_birth - timedelta(days=1))
    assert "assessed_on" in error.value.error_dict


def test_language_must_be_one_of_the_instrument(world, person_a, journey, in_scope):
    with in_scope(world.a_caseworker), pytest.raises(ValidationError) as error:
        start(world, person_a, language="xx")
    assert "language" in error.value.error_dict


def test_a_person_is_never_assessed_on_an_organisation_instrument(
    world, person_a, journey, in_scope
):
    with in_scope(world.a_caseworker), pytest.raises(ValidationError) as error:
        start(world, person_a, instrument_slug="organisational-capacity")
    assert "instrument" in error.value.error_dict


def test_unknown_option_is_rejected_naming_the_item_and_nothing_is_written(
    world, person_a, journey_instrument, in_scope
):
    domain = journey_instrument.domains[0]
    first, second = domain.items[0].id, domain.items[1].id
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        saved_before = AuditEvent.objects.filter(action="assessment.saved").count()
        with pytest.raises(ValidationError) as error:
            services.save_answers(
                by=world.a_caseworker,
                organisation=world.org_a,
                assessment=assessment,
                domain_id=domain.id,
                answers={first: "agree", second: "7"},
            )
    assert list(error.value.error_dict) == [second]
    assert second in " ".join(error.value.messages)
    assessment = reload(assessment)
    assert assessment.answers == {}
    assert AuditEvent.objects.filter(action="assessment.saved").count() == saved_before


def test_item_of_another_domain_is_rejected(world, person_a, journey_instrument, in_scope):
    other_item = journey_instrument.domains[1].items[0].id
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        with pytest.raises(ValidationError) as error:
            services.save_answers(
                by=world.a_caseworker,
                organisation=world.org_a,
                assessment=assessment,
                domain_id=journey_instrument.domains[0].id,
                answers={other_item: "agree", "no-such-item": "agree"},
            )
    assert set(error.value.error_dict) == {other_item, "no-such-item"}


def test_blank_answer_clears_an_earlier_one(world, person_a, journey_instrument, in_scope):
    domain = journey_instrument.domains[0]
    item_id = domain.items[0].id
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        for value in ("agree", None):
            assessment = services.save_answers(
                by=world.a_caseworker,
                organisation=world.org_a,
                assessment=assessment,
                domain_id=domain.id,
                answers={item_id: value},
            )
    assert assessment.answers == {}


def test_complete_stores_scores_with_the_version_used(
    world, person_a, journey, journey_instrument, in_scope
):
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        answer_everything(world, assessment, journey_instrument)
        assessment = services.complete_assessment(
            by=world.a_caseworker,
            organisation=world.org_a,
            assessment=assessment,
            instrument_version=journey,
        )
    expected = score_responses(journey_instrument, answers_for(journey_instrument))
    assessment = reload(assessment)
    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.instrument_version_id == journey.pk
    assert assessment.overall_score == expected.overall
    assert assessment.domain_scores == expected.domains
    assert assessment.item_scores == expected.items
    assert assessment.stage == expected.stage
    assert assessment.completed_by == world.a_caseworker
    assert assessment.completed_at is not None


def test_completed_assessment_cannot_change(world, person_a, journey_instrument, in_scope):
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        answer_everything(world, assessment, journey_instrument)
        services.complete_assessment(
            by=world.a_caseworker, organisation=world.org_a, assessment=assessment
        )
        domain = journey_instrument.domains[0]
        with pytest.raises(ValidationError):
            services.save_answers(
                by=world.a_caseworker,
                organisation=world.org_a,
                assessment=assessment,
                domain_id=domain.id,
                answers={domain.items[0].id: "disagree"},
            )
        with pytest.raises(ValidationError):
            services.complete_assessment(
                by=world.a_caseworker, organisation=world.org_a, assessment=assessment
            )
        with pytest.raises(ValidationError):
            services.discard_draft(
                by=world.a_caseworker, organisation=world.org_a, assessment=assessment
            )


def test_completing_on_a_wrong_instrument_version_is_refused(
    world, person_a, journey, journey_instrument, in_scope
):
    definition = dict(journey.definition, version=journey.version + 1)
    other = InstrumentVersion.objects.create(
        slug=JOURNEY,
        version=journey.version + 1,
        title=journey.title,
        definition=definition,
        sha256=definition_sha256(definition),
    )
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        answer_everything(world, assessment, journey_instrument)
        with pytest.raises(ValidationError, match="answered on"):
            services.complete_assessment(
                by=world.a_caseworker,
                organisation=world.org_a,
                assessment=assessment,
                instrument_version=other,
            )
    assessment = reload(assessment)
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.overall_score is None
    assert not AuditEvent.objects.filter(action="assessment.completed").exists()


def test_completing_on_an_altered_stored_version_is_refused(
    world, person_a, journey, journey_instrument, in_scope
):
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        answer_everything(world, assessment, journey_instrument)
    # Someone edits the stored definition in place instead of adding a new version.
    InstrumentVersion.objects.filter(pk=journey.pk).update(
        definition=dict(journey.definition, measurement_error=9)
    )
    with in_scope(world.a_caseworker), pytest.raises(ValidationError, match="changed"):
        services.complete_assessment(
            by=world.a_caseworker, organisation=world.org_a, assessment=assessment
        )
    assessment = reload(assessment)
    assert assessment.status == AssessmentStatus.DRAFT


def test_completing_without_enough_answers_is_refused(world, person_a, journey, in_scope):
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        with pytest.raises(ValidationError, match="not enough answers"):
            services.complete_assessment(
                by=world.a_caseworker, organisation=world.org_a, assessment=assessment
            )


def test_failure_during_completion_leaves_nothing_half_written(
    world, person_a, journey_instrument, in_scope, monkeypatch
):
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        answer_everything(world, assessment, journey_instrument)

    real_record = services.record

    def failing_record(**kwargs):  # type: ignore[no-untyped-def]
        if kwargs["action"] == "assessment.completed":
            raise RuntimeError("audit store unavailable")
        return real_record(**kwargs)

    monkeypatch.setattr(services, "record", failing_record)
    with in_scope(world.a_caseworker), pytest.raises(RuntimeError):
        services.complete_assessment(
            by=world.a_caseworker, organisation=world.org_a, assessment=assessment
        )
    with system_scope("test: check nothing was written"):
        stored = Assessment.objects.get(pk=assessment.pk)
    assert stored.status == AssessmentStatus.DRAFT
    assert stored.overall_score is None
    assert stored.domain_scores == {}
    assert stored.completed_at is None


def test_only_the_organisation_that_started_it_may_write(
    world, person_a, journey_instrument, in_scope
):
    share(person_a, world.org_b)
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
    domain = journey_instrument.domains[0]
    with in_scope(world.b_caseworker):
        visible = Assessment.objects.get(pk=assessment.pk)
        with pytest.raises(Assessment.DoesNotExist):
            services.save_answers(
                by=world.b_caseworker,
                organisation=world.org_b,
                assessment=visible,
                domain_id=domain.id,
                answers={domain.items[0].id: "agree"},
            )
        with pytest.raises(Assessment.DoesNotExist):
            services.discard_draft(
                by=world.b_caseworker, organisation=world.org_b, assessment=visible
            )


def test_shared_person_can_be_assessed_by_the_other_organisation(
    world, person_a, journey_instrument, in_scope
):
    share(person_a, world.org_b)
    with in_scope(world.b_caseworker):
        assessment = start(world, person_a, by=world.b_caseworker, organisation=world.org_b)
        answer_everything(
            world, assessment, journey_instrument, by=world.b_caseworker, organisation=world.org_b
        )
        services.complete_assessment(
            by=world.b_caseworker, organisation=world.org_b, assessment=assessment
        )
    assert assessment.organisation == world.org_b
    with in_scope(world.a_caseworker):
        # The registering organisation sees the result too: it is visible wherever the person is.
        assert list(assessments_of(person_a)) == [assessment]
    with in_scope(world.member(world.org_c, "caseworker")):
        assert not Assessment.objects.filter(pk=assessment.pk).exists()


def test_unshared_person_cannot_be_assessed_elsewhere(world, person_a, journey, in_scope):
    with in_scope(world.b_caseworker), pytest.raises(type(person_a).DoesNotExist):
        start(world, person_a, by=world.b_caseworker, organisation=world.org_b)
    with system_scope("test"):
        assert not Assessment.objects.exists()


def test_withdrawn_consent_hides_the_assessments(world, person_a, journey, in_scope):
    consent = share(person_a, world.org_b)
    with in_scope(world.b_caseworker):
        assessment = start(world, person_a, by=world.b_caseworker, organisation=world.org_b)
    with system_scope("test: withdraw"):
        consent.withdrawn_at = timezone.now()
        consent.save()
    with in_scope(world.b_caseworker):
        assert not Assessment.objects.filter(pk=assessment.pk).exists()


def test_discard_deletes_the_draft_and_is_audited(world, person_a, journey_instrument, in_scope):
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        answer_everything(world, assessment, journey_instrument)
        services.discard_draft(
            by=world.a_caseworker, organisation=world.org_a, assessment=assessment
        )
        assert not Assessment.objects.filter(pk=assessment.pk).exists()
    event = AuditEvent.objects.get(action="assessment.discarded")
    assert event.object_id == str(assessment.pk)
    assert event.person_id == person_a.pk


def test_audit_entries_hold_no_answers(world, person_a, journey_instrument, in_scope):
    with in_scope(world.a_caseworker):
        assessment = start(world, person_a)
        answer_everything(world, assessment, journey_instrument, value="strongly-disagree")
        services.complete_assessment(
            by=world.a_caseworker, organisation=world.org_a, assessment=assessment
        )
    events = list(AuditEvent.objects.filter(action__startswith="assessment."))
    assert {event.action for event in events} == {
        "assessment.started",
        "assessment.saved",
        "assessment.completed",
    }
    written = json.dumps([event.extra for event in events])
    assert "disagree" not in written
    assert "score" not in written


def test_restricted_persons_draft_cannot_be_answered_or_completed(world, person_a):  # type: ignore[no-untyped-def]
    from datetime import date

    import pytest
    from django.core.exceptions import ValidationError

    from pathmark.assessments import services
    from pathmark.organisations.scoping import organisation_scope, system_scope
    from pathmark.people.models import Person

    with organisation_scope(organisation_id=world.org_a.pk):
        draft = services.start_assessment(
            by=world.a_caseworker,
            organisation=world.org_a,
            person=person_a,
            instrument_slug="integration-journey",
            mode="caseworker_led",
            language="en",
            assessed_on=date(2025, 5, 1),
        )
    with system_scope("test"):
        Person.objects.filter(pk=person_a.pk).update(status=Person.Status.RESTRICTED)
    with (
        organisation_scope(organisation_id=world.org_a.pk),
        pytest.raises(ValidationError, match="restricted"),
    ):
        services.complete_assessment(
            by=world.a_caseworker, organisation=world.org_a, assessment=draft
        )
