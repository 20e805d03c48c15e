"""A client's link: made by a caseworker, used once by the client to send answers in their
language, then showing their journey; stored hashed, expiring, revoked with consent, audited,
and useless to anyone else."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone, translation

from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people import services as people_services
from pathmark.people.models import Consent, ConsentKind, ConsentMethod
from pathmark.people.services import MergeReason
from pathmark.privacy.services import erase_person, export_personal_data
from pathmark.selfservice import delivery
from pathmark.selfservice.models import ClientLink, RevokedBecause
from pathmark.selfservice.services import hash_of
from pathmark.testing import PersonFactory, assert_disallowed, client_for, run_assessment

LINK = re.compile(r"https?://[^\s\"<]+/self/c/([\w-]+)/")


@pytest.fixture(autouse=True)
def _fresh():  # type: ignore[no-untyped-def]
    """Each test starts with no failed attempts counted and ends back in English."""
    cache.clear()
    yield
    translation.deactivate()


def _issue(world, person, **data):  # type: ignore[no-untyped-def]
    response = client_for(world.a_caseworker).post(
        f"/self/person/{person.pk}/link/",
        {"instrument": "integration-journey", "language": "ar", "delivery": "screen", **data},
    )
    assert response.status_code == 201, response.content.decode()[:500]
    match = LINK.search(response.content.decode()) or LINK.search(
        mail.outbox[-1].body if mail.outbox else ""
    )
    assert match, "no link on the page"
    return response, match.group(0), match.group(1)


def _person(world, **values):  # type: ignore[no-untyped-def]
    return PersonFactory(organisation=world.org_a, name="Hala Quillmarsh", **values)


def _answers(value: str = "agree") -> dict[str, str]:
    """A POST answering every item of the integration journey that offers `value`."""
    from pathmark.assessments.selectors import instrument_of
    from pathmark.instruments.services import instrument_version_for

    instrument = instrument_of(instrument_version_for("integration-journey"))
    return {
        f"{domain.id}-{item.id}": value
        for domain in instrument.domains
        for item in domain.items
        if item.option(value)
    }


def _self_completed(person):  # type: ignore[no-untyped-def]
    with system_scope("test"):
        return list(Assessment.objects.filter(person=person, mode=AssessmentMode.SELF_COMPLETED))


def test_the_caseworker_sees_a_qr_code_and_the_link_once_and_only_its_hash_is_stored(world):
    person = _person(world)
    response, url, secret = _issue(world, person)
    page = response.content.decode()
    assert "<svg" in page and "QR code" in page
    assert response["Cache-Control"] == "no-store"
    assert len(secret) >= 43
    with system_scope("test"):
        link = ClientLink.objects.get(person=person)
        stored = [str(value) for value in ClientLink.objects.values_list().get(pk=link.pk)]
    assert link.token_hash == hash_of(secret) and not any(secret in value for value in stored)
    assert AuditEvent.objects.filter(action="selfservice.link_issued", person_id=person.pk).exists()
    # The person page no longer shows the secret: it cannot.
    detail = client_for(world.a_caseworker).get(f"/people/{person.pk}/").content.decode()
    assert secret not in detail and "works until" in detail


def test_the_client_page_is_in_the_clients_language_and_direction_without_an_account(world):
    person = _person(world)
    _response, url, _secret = _issue(world, person)
    page = client_for(None).get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in body
    assert "الاستقرار الاقتصادي" in body  # a part of the questionnaire, in Arabic
    assert "Hala" not in body and person.reference not in body
    assert "<script" not in body
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]


def test_answers_arrive_as_a_self_completed_draft_that_counts_only_when_completed(world):
    person = _person(world)
    _response, url, _secret = _issue(world, person)
    client = client_for(None)
    response = client.post(url, _answers())
    assert response.status_code == 200
    assert "شكرًا" in response.content.decode() or "Thank you" in response.content.decode()
    (draft,) = _self_completed(person)
    assert draft.status == AssessmentStatus.DRAFT and draft.started_by is None
    assert draft.organisation == world.org_a and draft.language == "ar"
    assert draft.answers and draft.assessed_on == timezone.localdate()
    assert AuditEvent.objects.filter(
        action="selfservice.answers_submitted", person_id=person.pk
    ).exists()
    # The caseworker sees it marked self-completed and reviews it before it counts.
    caseworker = client_for(world.a_caseworker)
    review = caseworker.get(f"/assessments/{draft.pk}/review/").content.decode()
    assert "answered these questions on their own phone" in review
    caseworker.post(
        f"/assessments/{draft.pk}/review/", {"instrument_version": draft.instrument_version_id}
    )
    with system_scope("test"):
        draft.refresh_from_db()
    assert draft.status == AssessmentStatus.COMPLETED and draft.completed_by == world.a_caseworker


def test_a_link_sends_answers_once_and_then_shows_the_journey(world):
    person = _person(world)
    run_assessment(world.a_caseworker, world.org_a, person, assessed_on=date(2025, 1, 10))
    _response, url, _secret = _issue(world, person)
    client = client_for(None)
    client.post(url, _answers())
    again = client.post(url, _answers("disagree"))
    assert again.status_code == 409
    assert len(_self_completed(person)) == 1
    journey = client.get(url)
    body = journey.content.decode()
    assert journey.status_code == 200 and "<form" not in body
    assert 'class="reflection" lang="ar" dir="rtl"' in body
    assert "Hala" not in body and person.reference not in body


def test_an_empty_submission_is_refused_and_the_link_still_works(world):
    person = _person(world)
    _response, url, _secret = _issue(world, person)
    response = client_for(None).post(url, {})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not _self_completed(person)
    with system_scope("test"):
        assert ClientLink.objects.get(person=person).submitted_at is None


def test_an_expired_link_is_refused(world, settings):
    person = _person(world)
    _response, url, _secret = _issue(world, person)
    with system_scope("test"):
        ClientLink.objects.filter(person=person).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    assert client_for(None).get(url).status_code == 410
    assert client_for(None).post(url, _answers()).status_code == 410
    assert not _self_completed(person)


def test_a_guessed_link_is_not_found(world):
    assert client_for(None).get("/self/c/" + "A" * 43 + "/").status_code == 404


def test_links_last_the_configured_time(world, settings):
    settings.CLIENT_LINK_HOURS = 2
    person = _person(world)
    _issue(world, person)
    with system_scope("test"):
        link = ClientLink.objects.get(person=person)
    assert timedelta(hours=1, minutes=59) < link.expires_at - link.created_at <= timedelta(hours=2)


def test_wrong_links_from_one_address_are_rate_limited(world, settings):
    settings.CLIENT_LINK_FAILURE_LIMIT = 3
    person = _person(world)
    _response, url, _secret = _issue(world, person)
    client = client_for(None)
    for attempt in range(3):
        assert client.get(f"/self/c/guess{attempt}{'x' * 40}/").status_code == 404
    assert client.get(url).status_code == 429


def test_a_new_link_stops_the_earlier_one(world):
    person = _person(world)
    _response, first, _secret = _issue(world, person)
    _issue(world, person)
    assert client_for(None).get(first).status_code == 410


def test_the_caseworker_can_stop_a_link(world):
    person = _person(world)
    _response, url, _secret = _issue(world, person)
    with system_scope("test"):
        link = ClientLink.objects.get(person=person)
    response = client_for(world.a_caseworker).post(f"/self/links/{link.pk}/revoke/")
    assert response.status_code == 302
    assert client_for(None).get(url).status_code == 410


def test_withdrawing_consent_revokes_the_link(world):
    person = _person(world)
    _response, url, _secret = _issue(world, person)
    with organisation_scope(organisation_id=world.org_a.pk):
        consent = Consent.objects.get(person=person, kind=ConsentKind.PROCESSING)
        people_services.withdraw_consent(
            by=world.a_caseworker, organisation=world.org_a, consent=consent
        )
    with system_scope("test"):
        link = ClientLink.objects.get(person=person)
    assert link.revoked_because == RevokedBecause.CONSENT_WITHDRAWN
    assert client_for(None).get(url).status_code == 410
    assert client_for(None).post(url, _answers()).status_code == 410
    assert AuditEvent.objects.filter(
        action="selfservice.link_revoked", person_id=person.pk
    ).exists()


def test_withdrawing_consent_to_share_revokes_the_other_organisations_link(world):
    person = _person(world)
    with system_scope("test"):
        share = Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=world.org_b,
            purpose="Joint support",
            method=ConsentMethod.IN_PERSON,
            given_on=date(2025, 1, 2),
        )
    b_client = client_for(world.b_caseworker)
    response = b_client.post(
        f"/self/person/{person.pk}/link/",
        {"instrument": "integration-journey", "language": "en", "delivery": "screen"},
    )
    url = LINK.search(response.content.decode()).group(0)
    assert client_for(None).get(url).status_code == 200
    with organisation_scope(organisation_id=world.org_a.pk):
        people_services.withdraw_consent(
            by=world.a_caseworker, organisation=world.org_a, consent=share
        )
    assert client_for(None).get(url).status_code == 410


def test_another_organisation_can_neither_make_nor_stop_a_link(world):
    person = _person(world)
    _issue(world, person)
    with system_scope("test"):
        link = ClientLink.objects.get(person=person)
    outsiders = [
        *world.everyone_outside(world.org_a),
        world.member(world.org_a, Role.ANALYST),
        world.member(world.org_a, Role.SERVICE_PROVIDER),
    ]
    assert_disallowed(f"/self/person/{person.pk}/link/", outsiders, secret="Hala")
    assert_disallowed(
        f"/self/person/{person.pk}/link/",
        [u for u in outsiders if u is not None],
        method="post",
        data={"instrument": "integration-journey", "language": "en", "delivery": "screen"},
    )
    assert_disallowed(f"/self/links/{link.pk}/revoke/", outsiders, method="post")
    with system_scope("test"):
        link.refresh_from_db()
        assert link.revoked_at is None and ClientLink.objects.filter(person=person).count() == 1


def test_the_link_can_be_e_mailed_in_the_clients_language(world):
    person = _person(world, email="hala@example.org")
    _response, url, _secret = _issue(world, person, delivery="email")
    (message,) = mail.outbox
    assert message.to == ["hala@example.org"] and url in message.body
    assert "Hala" not in message.body


def test_the_link_can_be_texted(world, settings):
    settings.PATHMARK_SMS_BACKEND = "pathmark.selfservice.delivery.LocmemSmsBackend"
    delivery.outbox.clear()
    person = _person(world, phone="07700900123")
    client_for(world.a_caseworker).post(
        f"/self/person/{person.pk}/link/",
        {"instrument": "integration-journey", "language": "ar", "delivery": "sms"},
    )
    ((to, text),) = delivery.outbox
    assert to == "07700900123" and "/self/c/" in text


def test_subject_access_lists_the_links_and_erasure_removes_them(world):
    person = _person(world)
    _response, url, secret = _issue(world, person)
    with organisation_scope(organisation_id=world.org_a.pk):
        copy = export_personal_data(
            by=world.a_manager, organisation=world.org_a, person=person, format="json"
        )
    (links,) = [rows for provider, rows in copy.sections if provider.key == "selfservice.links"]
    assert len(links) == 1 and links[0]["language"] == "ar" and secret not in str(copy.sections)
    with organisation_scope(organisation_id=world.org_a.pk):
        erase_person(by=world.a_manager, organisation=world.org_a, person=person)
    with system_scope("test"):
        assert not ClientLink.objects.filter(person_id=person.pk).exists()
    assert client_for(None).get(url).status_code == 404


def test_a_link_follows_a_merge_to_the_kept_record(world):
    kept = _person(world)
    merged = PersonFactory(organisation=world.org_a, name="Hala Quillmarsh")
    _response, url, _secret = _issue(world, merged)
    with organisation_scope(organisation_id=world.org_a.pk):
        people_services.merge_people(
            by=world.a_caseworker,
            organisation=world.org_a,
            kept=kept,
            merged=merged,
            reason=MergeReason.values[0],
        )
    client_for(None).post(url, _answers())
    (draft,) = _self_completed(kept)
    assert draft.person_id == kept.pk
