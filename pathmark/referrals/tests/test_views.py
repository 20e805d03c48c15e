"""The referral pages, both sides, in a real browser-less client."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from pathmark.organisations.models import Role
from pathmark.referrals import states
from pathmark.referrals.models import Referral
from pathmark.testing import assert_disallowed, client_for, run_assessment

from .conftest import SECRET_NAME, move, refer


def test_where_to_refer_lists_the_service_with_its_reasons(world, client_person, service):
    run_assessment(world.b_caseworker, world.org_b, client_person)
    page = client_for(world.b_caseworker).get(
        reverse("referrals:where_to_refer", args=[client_person.pk])
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert service.name in text
    assert "speaks Arabic" in text


def test_caseworker_sends_a_referral_from_the_page(world, client_person, service):
    url = reverse("referrals:where_to_refer", args=[client_person.pk])
    response = client_for(world.b_caseworker).post(
        url,
        {
            "service": service.pk,
            "consent_given": "on",
            "consent_method": "in_person",
            "consent_given_on": timezone.localdate().isoformat(),
            "note": "Evenings are best",
        },
    )
    referral = Referral._base_manager.get(person=client_person)
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.status == states.SENT


def test_referral_without_consent_is_refused_by_name(world, client_person, service):
    url = reverse("referrals:where_to_refer", args=[client_person.pk])
    page = client_for(world.b_caseworker).post(
        url, {"service": service.pk, "consent_method": "in_person"}
    )
    assert page.status_code == 200
    assert "consent to share" in page.content.decode()
    assert not Referral._base_manager.exists()


def test_provider_answers_from_the_inbox_and_loses_sight_when_closed(world, client_person, service):
    referral = refer(world, client_person, service)
    provider = client_for(world.member(world.org_a, Role.SERVICE_PROVIDER))
    inbox = provider.get(reverse("referrals:inbox")).content.decode()
    assert SECRET_NAME in inbox
    detail = reverse("referrals:detail", args=[referral.pk])
    assert SECRET_NAME in provider.get(detail).content.decode()
    change = reverse("referrals:change", args=[referral.pk])
    for new in (states.ACCEPTED, states.STARTED):
        assert provider.post(change, {"status": new}).status_code == 302
    response = provider.post(change, {"status": states.COMPLETED})
    assert response["Location"] == reverse("referrals:inbox")
    assert SECRET_NAME not in provider.get(reverse("referrals:inbox")).content.decode()
    assert_disallowed(
        detail, [world.member(world.org_a, Role.SERVICE_PROVIDER)], secret=SECRET_NAME
    )
    sender_view = client_for(world.b_caseworker).get(detail).content.decode()
    assert 'data-status="completed"' in sender_view


def test_decline_needs_a_reason(world, client_person, service):
    referral = refer(world, client_person, service)
    provider = client_for(world.member(world.org_a, Role.SERVICE_PROVIDER))
    provider.post(reverse("referrals:change", args=[referral.pk]), {"status": states.DECLINED})
    referral.refresh_from_db()
    assert referral.status == states.SENT


def test_others_may_not_see_a_referral(world, client_person, service):
    referral = refer(world, client_person, service)
    outsiders = [world.member(world.org_c, role) for role in Role.values]
    outsiders += [world.member(world.org_a, Role.ANALYST), None]
    for name in ("referrals:detail", "referrals:change", "referrals:rate"):
        url = reverse(name, args=[referral.pk])
        method = "get" if name == "referrals:detail" else "post"
        assert_disallowed(url, outsiders, method=method, secret=SECRET_NAME)


def test_provider_cannot_open_where_to_refer(world, client_person, service):
    refer(world, client_person, service)
    url = reverse("referrals:where_to_refer", args=[client_person.pk])
    assert_disallowed(url, [world.member(world.org_a, Role.SERVICE_PROVIDER)], secret=SECRET_NAME)


def test_overdue_referrals_are_flagged_to_the_sender(world, client_person, service):
    referral = refer(world, client_person, service)
    Referral._base_manager.filter(pk=referral.pk).update(
        sent_at=timezone.now() - timedelta(days=service.response_days + 1)
    )
    page = client_for(world.b_caseworker).get(reverse("referrals:sent")).content.decode()
    assert "Overdue" in page


def test_sender_records_the_persons_rating(world, client_person, service):
    referral = refer(world, client_person, service)
    move(world, world.org_a, referral, states.ACCEPTED)
    move(world, world.org_a, referral, states.STARTED)
    client_for(world.b_caseworker).post(
        reverse("referrals:rate", args=[referral.pk]), {"rating": "5", "comment": "Helpful"}
    )
    referral.refresh_from_db()
    assert referral.rating == 5


def test_person_page_shows_where_each_referral_stands(world, client_person, service):
    refer(world, client_person, service)
    page = client_for(world.b_caseworker).get(reverse("people:detail", args=[client_person.pk]))
    assert 'data-status="sent"' in page.content.decode()
