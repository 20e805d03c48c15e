"""Issue 13, findings 1, 2, 7 and 9: administrators stopped at their organisation's edge.

Each test reproduces one break-in that worked before the fix (each was run against the code
before it and failed there): an administrator of a third organisation taking over another
organisation's member through a shared account, any administrator editing the partnership's
immigration statuses, a set-password link surviving a change of the account's state, and a
sign-in rate limit that one office address or a window boundary could defeat.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathmark.accounts import services
from pathmark.accounts.links import set_password_url
from pathmark.accounts.models import User, UserSession
from pathmark.accounts.tests.helpers import app_code, give_authenticator, sign_in
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Membership, Role
from pathmark.people.models import ImmigrationStatus
from pathmark.testing import PASSWORD, MembershipFactory, UserFactory, client_for

SHARED_EMAIL = "amira.shared@northbridge.example"
# What affects an account in every organisation it works for.
ACCOUNT_WIDE = ["reset-two-factor", "unlock", "deactivate", "set-password-link"]


@pytest.fixture(autouse=True)
def fresh_rate_limits():  # type: ignore[no-untyped-def]
    """The sign-in counters live in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def amira(world) -> User:  # type: ignore[no-untyped-def]
    """A caseworker of B with an authenticator and a signed-in session."""
    user = UserFactory(username="amira-shared", email=SHARED_EMAIL)
    MembershipFactory(user=user, organisation=world.org_b, role=Role.CASEWORKER)
    give_authenticator(user)
    client_for(user)  # a session of hers, which an account-wide action would end
    return user


@pytest.fixture
def shared_amira(world, amira) -> User:  # type: ignore[no-untyped-def]
    """Amira also works for C (she accepted C's invitation earlier)."""
    MembershipFactory(user=amira, organisation=world.org_c, role=Role.CASEWORKER)
    return amira


def _c_admin(world):  # type: ignore[no-untyped-def]
    return world.member(world.org_c, Role.ADMINISTRATOR)


def _b_admin(world):  # type: ignore[no-untyped-def]
    return world.member(world.org_b, Role.ADMINISTRATOR)


def _as_c(world) -> Client:  # type: ignore[no-untyped-def]
    client = client_for(_c_admin(world))
    session = client.session
    session["pathmark_organisation"] = world.org_c.pk
    session.save()
    return client


def _lock_out(user: User) -> None:
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="198.51.100.7",
        user_agent="guesser",
        failures_since_start=50,
        attempt_time=timezone.now(),
    )


# --- Finding 1: an account of several organisations has an owner ---------------------------


def test_adding_an_existing_account_invites_it_instead_of_making_a_membership(world, amira):
    response = _as_c(world).post(
        "/accounts/users/add/", {"email": SHARED_EMAIL.upper(), "name": "", "role": "manager"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=amira, organisation=world.org_c).exists()
    invitation = amira.invitations.get()
    assert (invitation.organisation, invitation.role) == (world.org_c, Role.MANAGER)


def test_inviting_never_reactivates_an_account_its_organisation_switched_off(world, amira):
    services.deactivate_member(
        by=_b_admin(world),
        organisation=world.org_b,
        membership=Membership.objects.get(user=amira, organisation=world.org_b),
    )
    _as_c(world).post(
        "/accounts/users/add/", {"email": SHARED_EMAIL, "name": "", "role": "caseworker"}
    )
    amira.refresh_from_db()
    assert not amira.is_active
    assert not Membership.objects.filter(user=amira, organisation=world.org_c).exists()


def test_the_invited_person_accepts_after_confirming_their_own_second_factor(world, amira):
    _as_c(world).post(
        "/accounts/users/add/", {"email": SHARED_EMAIL, "name": "", "role": "caseworker"}
    )
    invitation = amira.invitations.get()
    client, response = sign_in(amira)
    accept = f"/accounts/invitations/{invitation.pk}/accept/"
    # Signed in with her password alone: accepting waits for her authenticator's code.
    response = client.post(accept)
    assert urlsplit(response["Location"]).path == "/accounts/verify/"
    assert not Membership.objects.filter(user=amira, organisation=world.org_c).exists()
    device = TOTPDevice.objects.get(user=amira)
    client.post("/accounts/verify/", {"code": app_code(device)})
    assert "Community Organisation" in client.get("/accounts/invitations/").content.decode()
    client.post(accept)
    membership = Membership.objects.get(user=amira, organisation=world.org_c)
    assert membership.role == Role.CASEWORKER and membership.is_active


def test_another_organisations_administrator_cannot_accept_or_see_an_invitation(world, amira):
    _as_c(world).post(
        "/accounts/users/add/", {"email": SHARED_EMAIL, "name": "", "role": "caseworker"}
    )
    invitation = amira.invitations.get()
    for outsider in (_c_admin(world), _b_admin(world), world.a_caseworker):
        client = client_for(outsider)
        assert client.post(f"/accounts/invitations/{invitation.pk}/accept/").status_code == 404
    assert not Membership.objects.filter(user=amira, organisation=world.org_c).exists()


@pytest.mark.parametrize("action", ACCOUNT_WIDE)
def test_administrator_of_one_of_her_organisations_cannot_act_on_her_account(
    world, shared_amira, action
):
    _lock_out(shared_amira)
    sessions = UserSession.objects.filter(user=shared_amira).count()
    _as_c(world).post(f"/accounts/users/{shared_amira.pk}/{action}/", {"confirm": "yes"})
    shared_amira.refresh_from_db()
    assert TOTPDevice.objects.filter(user=shared_amira).exists()
    assert StaticDevice.objects.filter(user=shared_amira).exists()
    assert AccessAttempt.objects.filter(username=shared_amira.username).exists()
    assert UserSession.objects.filter(user=shared_amira).count() == sessions
    assert Membership.objects.get(user=shared_amira, organisation=world.org_c).is_active
    assert not AuditEvent.objects.filter(
        action__in=["user.two_factor_reset", "user.unlocked", "user.deactivated"]
    ).exists()


def test_administrator_of_one_of_her_organisations_cannot_reactivate_her_account(
    world, shared_amira
):
    # Switched off everywhere, as an owner of her account would have done it.
    User.objects.filter(pk=shared_amira.pk).update(is_active=False)
    Membership.objects.filter(user=shared_amira).update(is_active=False)
    _as_c(world).post(f"/accounts/users/{shared_amira.pk}/reactivate/")
    shared_amira.refresh_from_db()
    assert not shared_amira.is_active


def test_administrator_of_one_of_her_organisations_does_not_see_her_sign_in_details(
    world, shared_amira
):
    _lock_out(shared_amira)
    page = _as_c(world).get(f"/accounts/users/{shared_amira.pk}/").content.decode()
    assert "Locked out after too many wrong passwords" not in page
    assert "Set up" not in page
    assert "Last sign-in" not in page
    listing = _as_c(world).get("/accounts/users/").content.decode()
    assert "Locked out" not in listing


def test_owner_resets_her_two_factor_and_every_organisation_of_hers_sees_it(world, shared_amira):
    """An administrator of both B and C owns the account; the entry lands in both logs."""
    owner = _b_admin(world)
    MembershipFactory(user=owner, organisation=world.org_c, role=Role.ADMINISTRATOR)
    response = client_for(owner).post(
        f"/accounts/users/{shared_amira.pk}/reset-two-factor/", {"confirm": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=shared_amira).exists()
    logged_in = set(
        AuditEvent.objects.filter(action="user.two_factor_reset").values_list(
            "organisation_id", flat=True
        )
    )
    assert logged_in == {world.org_b.pk, world.org_c.pk}


def test_host_administrator_owns_every_account(world, shared_amira):
    world.org_a.is_partnership_host = True
    world.org_a.save(update_fields=["is_partnership_host"])
    host_admin = world.member(world.org_a, Role.ADMINISTRATOR)
    services.unlock_account(by=host_admin, organisation=world.org_a, user=shared_amira)
    logged_in = set(
        AuditEvent.objects.filter(action="user.unlocked").values_list("organisation_id", flat=True)
    )
    assert logged_in == {world.org_a.pk, world.org_b.pk, world.org_c.pk}


# --- Finding 2: the partnership's immigration statuses belong to the host --------------------


@pytest.fixture
def refugee_status(world) -> ImmigrationStatus:  # type: ignore[no-untyped-def]
    world.org_a.is_partnership_host = True
    world.org_a.save(update_fields=["is_partnership_host"])
    return ImmigrationStatus.objects.create(slug="refugee", label="Refugee status")


def test_administrator_outside_the_host_cannot_rename_or_retire_an_immigration_status(
    world, refugee_status
):
    response = _as_c(world).post(
        f"/people/immigration-statuses/{refugee_status.pk}/", {"label": "Renamed"}
    )
    assert response.status_code == 404
    refugee_status.refresh_from_db()
    assert (refugee_status.label, refugee_status.is_active) == ("Refugee status", True)
    assert _as_c(world).post("/people/immigration-statuses/", {"label": "New"}).status_code == 404
    assert not ImmigrationStatus.objects.filter(label="New").exists()


def test_host_changes_to_the_list_are_versioned_and_in_every_organisations_log(
    world, refugee_status
):
    host_admin = world.member(world.org_a, Role.ADMINISTRATOR)
    response = client_for(host_admin).post(
        f"/people/immigration-statuses/{refugee_status.pk}/",
        {"label": "Refugee status (granted)", "is_active": "yes"},
    )
    assert response.status_code == 302
    versions = list(refugee_status.versions.order_by("number"))
    assert [(v.label, v.changed_by) for v in versions][-1] == (
        "Refugee status (granted)",
        host_admin,
    )
    assert versions[-1].previous_label == "Refugee status"
    logged_in = set(
        AuditEvent.objects.filter(action="reference.immigration_status_saved").values_list(
            "organisation_id", flat=True
        )
    )
    assert logged_in == {world.org_a.pk, world.org_b.pk, world.org_c.pk}


# --- Finding 7: a change of the account's state spends outstanding links ------------------


def _link_works(link: str) -> bool:
    """Django's set-password view moves a good token into the session and redirects; a
    spent one is answered with the "link no longer works" page."""
    return Client().get(urlsplit(link).path).status_code == 302


def test_deactivating_and_reactivating_spends_an_outstanding_link(world):
    admin = world.member(world.org_a, Role.ADMINISTRATOR)
    newcomer = UserFactory(username="newcomer", email="newcomer@example.org")
    membership = MembershipFactory(user=newcomer, organisation=world.org_a)
    link = set_password_url(newcomer)
    assert _link_works(link)
    services.deactivate_member(by=admin, organisation=world.org_a, membership=membership)
    services.reactivate_member(by=admin, organisation=world.org_a, membership=membership)
    assert not _link_works(link)


def test_a_change_of_membership_spends_an_outstanding_link(world):
    admin = world.member(world.org_a, Role.ADMINISTRATOR)
    newcomer = UserFactory(username="newcomer", email="newcomer@example.org")
    membership = MembershipFactory(user=newcomer, organisation=world.org_a)
    link = set_password_url(newcomer)
    services.change_role(
        by=admin, organisation=world.org_a, membership=membership, role=Role.MANAGER
    )
    assert not _link_works(link)


# --- Finding 9: the sign-in rate limit -------------------------------------------------------


def test_one_person_failing_behind_an_office_address_does_not_lock_out_colleagues(world, settings):
    settings.AUTH_RATE_LIMIT = 3
    settings.AXES_FAILURE_LIMIT = 1000
    office = {"REMOTE_ADDR": "203.0.113.60"}
    for _ in range(4):
        sign_in(world.a_manager, password="wrong", **office)
    # Her own attempts are limited …
    assert sign_in(world.a_manager, **office)[1].status_code == 429
    # … but her colleagues behind the same address sign in.
    assert sign_in(world.a_caseworker, **office)[1].status_code == 302


def test_guessing_one_account_from_many_addresses_is_limited(world, settings):
    settings.AUTH_RATE_LIMIT = 3
    settings.AXES_FAILURE_LIMIT = 1000
    for n in range(3):
        sign_in(world.b_manager, password="wrong", REMOTE_ADDR=f"198.51.100.{n + 10}")
    assert sign_in(world.b_manager, REMOTE_ADDR="198.51.100.99")[1].status_code == 429


def test_a_burst_across_the_window_boundary_gets_no_extra_attempts(world, settings, monkeypatch):
    settings.AUTH_RATE_LIMIT = 4
    settings.AUTH_RATE_LIMIT_PER_ADDRESS = 4
    settings.AXES_FAILURE_LIMIT = 1000
    window = settings.AUTH_RATE_LIMIT_WINDOW_SECONDS
    real = time.time
    # Five seconds before the end of a fixed window …
    offset = window - (real() % window) - 5
    monkeypatch.setattr(time, "time", lambda: real() + offset)
    guesser = {"REMOTE_ADDR": "192.0.2.44"}
    statuses = [
        sign_in(User(username=f"guess-{n}"), password="x", **guesser)[1].status_code
        for n in range(4)
    ]
    # … and ten seconds later, in the next one.
    offset += 10
    statuses += [
        sign_in(User(username=f"guess-{n}"), password="x", **guesser)[1].status_code
        for n in range(4, 8)
    ]
    assert statuses == [200] * 4 + [429] * 4


def test_the_database_lock_out_stays_the_firm_limit(world, settings):
    settings.AUTH_RATE_LIMIT = 1000
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(world.a_manager, password="wrong", REMOTE_ADDR="203.0.113.70")
    response = sign_in(world.a_manager, password=PASSWORD, REMOTE_ADDR="203.0.113.70")[1]
    assert response.status_code != 302
