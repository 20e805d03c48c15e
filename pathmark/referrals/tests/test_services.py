"""Referrals through their services: the states, the grant that follows them, the e-mails."""

from __future__ import annotations

import pytest
from django.core import mail

from pathmark.assessments.models import Assessment
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people import access
from pathmark.people.models import Consent, Person
from pathmark.referrals import services, states
from pathmark.referrals.models import Referral, ReferralEvent
from pathmark.testing import run_assessment

from .conftest import as_member, make_service, move, refer


def test_sending_records_the_consent_and_an_event_for_each_step(world, client_person, service):
    referral = refer(world, client_person, service)
    assert referral.status == states.SENT
    assert referral.receiving_organisation == world.org_a
    assert referral.consent_method == "in_person"
    with organisation_scope(organisation_id=world.org_b.pk):
        steps = list(
            ReferralEvent.objects.filter(referral=referral).values_list(
                "from_status", "to_status", "by__username", "organisation_id"
            )
        )
    assert steps == [
        ("", states.DRAFT, world.b_caseworker.username, world.org_b.pk),
        (states.DRAFT, states.SENT, world.b_caseworker.username, world.org_b.pk),
    ]
    assert set(
        AuditEvent.objects.filter(object_id=str(referral.pk)).values_list("action", flat=True)
    ) == {"referral.drafted", "referral.sent"}


def test_a_referral_needs_the_persons_consent(world, client_person, service):
    with pytest.raises(services.ReferralError):
        refer(world, client_person, service, consent=None)


def test_a_service_not_taking_referrals_refuses(world, client_person):
    closed = make_service(world.org_a, taking_referrals=False)
    with pytest.raises(services.ReferralError):
        refer(world, client_person, closed)


def test_an_organisation_that_cannot_see_the_person_cannot_refer_them(
    world, client_person, service
):
    user, scope = as_member(world, world.org_c)
    with scope, pytest.raises(Person.DoesNotExist):
        services.draft_referral(
            by=user,
            organisation=world.org_c,
            person=client_person,
            service=service,
            consent=None,
        )


def test_receiver_sees_the_person_only_while_the_referral_is_open(world, client_person, service):
    def a_sees() -> bool:
        with organisation_scope(organisation_id=world.org_a.pk):
            return Person.objects.filter(pk=client_person.pk).exists()

    assert not a_sees()
    referral = refer(world, client_person, service, send=False)
    assert not a_sees(), "a draft is the sender's alone"
    move(world, world.org_b, referral, states.SENT, role=Role.CASEWORKER)
    assert a_sees()
    move(world, world.org_a, referral, states.ACCEPTED)
    move(world, world.org_a, referral, states.STARTED)
    assert a_sees()
    move(world, world.org_a, referral, states.COMPLETED)
    assert not a_sees()
    with organisation_scope(organisation_id=world.org_a.pk):
        assert not Referral.objects.filter(pk=referral.pk).exists()


def test_declining_ends_the_receivers_view(world, client_person, service):
    referral = refer(world, client_person, service)
    move(world, world.org_a, referral, states.DECLINED, reason=states.CHILDCARE)
    with organisation_scope(organisation_id=world.org_a.pk):
        assert not Person.objects.filter(pk=client_person.pk).exists()
    referral.refresh_from_db()
    assert referral.decline_reason == states.CHILDCARE


def test_receiver_sees_assessments_only_when_the_consent_covers_them(world, client_person, service):
    run_assessment(world.b_caseworker, world.org_b, client_person)

    def a_sees_assessments() -> bool:
        with organisation_scope(organisation_id=world.org_a.pk):
            return Assessment.objects.filter(person=client_person).exists()

    first = refer(world, client_person, service)
    assert not a_sees_assessments()
    move(world, world.org_b, first, states.WITHDRAWN, role=Role.CASEWORKER)
    covered = services.ReferralConsent(
        given_on=first.consent_given_on, method="written", covers_assessments=True
    )
    refer(world, client_person, service, consent=covered)
    assert a_sees_assessments()


def test_receiver_never_sees_the_persons_consents(world, client_person, service):
    refer(world, client_person, service)
    with organisation_scope(organisation_id=world.org_a.pk):
        assert not Consent.objects.filter(person=client_person).exists()


def test_grants_list_the_referral_while_open_and_its_end_after(world, client_person, service):
    def referral_grants() -> list[access.Grant]:
        with system_scope("test"):
            return [g for g in access.grants_for(client_person.pk) if g.kind == "referral"]

    referral = refer(world, client_person, service)
    (grant,) = referral_grants()
    assert grant.organisation_id == world.org_a.pk and grant.is_active
    move(world, world.org_b, referral, states.WITHDRAWN, role=Role.CASEWORKER)
    (grant,) = referral_grants()
    assert not grant.is_active


def test_sender_cannot_accept_its_own_referral(world, client_person, service):
    referral = refer(world, client_person, service)
    with pytest.raises(services.ReferralError):
        move(world, world.org_b, referral, states.ACCEPTED, role=Role.CASEWORKER)


def test_a_third_organisation_cannot_move_a_referral(world, client_person, service):
    referral = refer(world, client_person, service)
    with pytest.raises(Referral.DoesNotExist):
        move(world, world.org_c, referral, states.ACCEPTED)


def test_nothing_changes_a_completed_referral(world, client_person, service):
    referral = refer(world, client_person, service)
    for new in (states.ACCEPTED, states.STARTED, states.COMPLETED):
        move(world, world.org_a, referral, new)
    with pytest.raises(services.ReferralError):
        move(world, world.org_b, referral, states.WITHDRAWN, role=Role.CASEWORKER)


def test_rating_is_recorded_by_the_sender_once_attended(world, client_person, service):
    referral = refer(world, client_person, service)
    user, scope = as_member(world, world.org_b)
    with scope, pytest.raises(services.ReferralError):
        services.record_rating(by=user, organisation=world.org_b, referral=referral, rating=4)
    move(world, world.org_a, referral, states.ACCEPTED)
    move(world, world.org_a, referral, states.STARTED)
    user, scope = as_member(world, world.org_b)
    with scope:
        services.record_rating(
            by=user, organisation=world.org_b, referral=referral, rating=4, comment="Kind staff"
        )
        with pytest.raises(services.ReferralError):
            services.record_rating(by=user, organisation=world.org_b, referral=referral, rating=6)
    referral.refresh_from_db()
    assert (referral.rating, referral.rating_comment) == (4, "Kind staff")


def test_emails_hold_a_link_and_no_personal_data(
    world, client_person, service, django_capture_on_commit_callbacks
):
    world.member(world.org_a, Role.SERVICE_PROVIDER).email = "provider@example.org"
    world.member(world.org_a, Role.SERVICE_PROVIDER).save()
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(world, client_person, service, note="Needs evening classes")
    (message,) = mail.outbox
    assert message.to == ["provider@example.org"]
    assert f"/referrals/{referral.pk}/" in message.body
    text = message.subject + message.body
    for secret in (client_person.name, *client_person.name.split(), "evening", "ESOL"):
        assert secret not in text


def test_erasure_keeps_the_dated_states_but_not_the_free_text(world, client_person, service):
    referral = refer(world, client_person, service, note="Private message")
    move(world, world.org_a, referral, states.DECLINED, reason=states.OTHER, note="Sorry")
    with system_scope("test: erasure"):
        services.erase_referrals(client_person)
        assert not ReferralEvent.objects.filter(referral=referral).exclude(note="").exists()
    referral.refresh_from_db()
    assert (referral.note, referral.status) == ("", states.DECLINED)
