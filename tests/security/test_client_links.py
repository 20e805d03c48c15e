"""Break-in tests for a client's link: a guessed secret, an expired, stopped or already used
link, and another organisation trying to use, stop or make one. Nothing is written, nothing
of B's person is shown."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.selfservice.models import ClientLink
from pathmark.testing import client_for

from .probing import Target, is_sign_in_redirect, personal_rows

ANSWERS = {
    "economic-stability-money-for-bills": "agree",
    "economic-stability-steady-income": "agree",
}


@pytest.fixture(autouse=True)
def _no_counted_failures():  # type: ignore[no-untyped-def]
    cache.clear()


def _secret(target: Target, kind: str) -> str:
    expired, revoked, used, guessed = target.closed_link_secrets
    return {"expired": expired, "revoked": revoked, "used": used, "guessed": guessed}[kind]


@pytest.mark.parametrize(
    ("kind", "status"), [("guessed", 404), ("expired", 410), ("revoked", 410), ("used", 409)]
)
def test_a_link_that_does_not_send_answers_writes_nothing(target: Target, kind, status):  # type: ignore[no-untyped-def]
    before = personal_rows()
    response = client_for(None).post(f"/self/c/{_secret(target, kind)}/", ANSWERS)
    assert response.status_code == status
    body = response.content.decode()
    assert not [secret for secret in target.secrets if secret in body]
    assert personal_rows() == before


@pytest.mark.parametrize("kind", ["guessed", "expired", "revoked"])
def test_a_closed_link_shows_nothing_of_the_person(target: Target, kind):  # type: ignore[no-untyped-def]
    response = client_for(None).get(f"/self/c/{_secret(target, kind)}/")
    assert response.status_code in (404, 410)
    assert "<form" not in response.content.decode()


def test_guessing_is_rate_limited(target: Target, settings):  # type: ignore[no-untyped-def]
    settings.CLIENT_LINK_FAILURE_LIMIT = 5
    client = client_for(None)
    statuses = [client.get(f"/self/c/guess-{n:040d}/").status_code for n in range(7)]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429, 429]


def test_another_organisation_cannot_stop_use_or_make_bs_link(target: Target):  # type: ignore[no-untyped-def]
    link = target.client_link
    before = personal_rows()
    for principal in target.outsiders:
        if principal.user is None:
            continue
        client = client_for(principal.user)
        stopped = client.post(f"/self/links/{link.pk}/revoke/")
        made = client.post(
            f"/self/person/{target.person.pk}/link/",
            {"instrument": "integration-journey", "language": "en", "delivery": "screen"},
        )
        for response in (stopped, made):
            # The 404 of a missing page; a deactivated account is sent to sign in.
            assert response.status_code == 404 or is_sign_in_redirect(response), principal.label
    assert personal_rows() == before
    with system_scope("test"):
        assert ClientLink.objects.get(pk=link.pk).revoked_at is None


def test_a_signed_in_member_of_another_organisation_sees_only_the_client_page(target: Target):  # type: ignore[no-untyped-def]
    """A link opened while signed in as someone else still runs in the scope of the
    organisation that made it, and shows the client's page, not the staff's."""
    a_caseworker = target.outsiders[0].user
    assert target.outsiders[0].role == Role.CASEWORKER
    response = client_for(a_caseworker).get(f"/self/c/{_secret(target, 'used')}/")
    body = response.content.decode()
    assert response.status_code == 200 and "/people/" not in body
    assert not [secret for secret in target.secrets if secret in body]
