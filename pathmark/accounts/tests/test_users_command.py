"""`pathmark users add|link`: the first administrator from the command line."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from pathmark.accounts.models import User
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Membership, Organisation, Role
from pathmark.testing import UserFactory

PASSWORD = "a long and unusual passphrase 4 me"


@pytest.fixture
def council(db) -> Organisation:  # type: ignore[no-untyped-def]
    return Organisation.objects.create(
        slug="city-council", name="City Council", kind="local_authority"
    )


def run(*argv: str) -> str:
    out = io.StringIO()
    call_command(*argv, stdout=out)
    return out.getvalue()


def test_first_administrator_gets_an_account_and_a_link_that_works(council):
    out = run(
        "users", "add", "--organisation", "city-council", "--role", "administrator",
        "--email", "ada@council.example", "--name", "Ada Admin",
    )  # fmt: skip
    user = User.objects.get(email="ada@council.example")
    assert "Added ada (new account) to city-council as administrator." in out
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, organisation=council).role == Role.ADMINISTRATOR
    link = next(line for line in out.splitlines() if "/accounts/set-password/" in line)
    client = Client()
    form_url = client.get(urlsplit(link).path)["Location"]
    client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    entry = AuditEvent.objects.get(action="user.added")
    assert entry.actor_username == "command line"
    assert entry.organisation == council


def test_json_output_for_a_machine(council):
    out = run(
        "users", "add", "--organisation", "city-council", "--role", "caseworker",
        "--email", "sam@council.example", "--json",
    )  # fmt: skip
    data = json.loads(out)
    user = User.objects.get(email="sam@council.example")
    assert data["user_id"] == user.pk
    assert data["username"] == "sam"
    assert data["organisation"] == "city-council"
    assert data["role"] == "caseworker"
    assert data["new_account"] is True
    assert "/accounts/set-password/" in data["set_password_link"]
    assert data["link_expires_at"]


def test_existing_account_gets_a_membership_and_no_link(council):
    UserFactory(username="kim", email="kim@charity.example")
    data = json.loads(
        run(
            "users",
            "add",
            "--organisation",
            "city-council",
            "--role",
            "analyst",
            "--email",
            "KIM@charity.example",
            "--json",
        )  # fmt: skip
    )
    assert data["new_account"] is False
    assert data["set_password_link"] is None
    assert User.objects.filter(email__iexact="kim@charity.example").count() == 1


def test_password_from_a_prompt(council, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    out = run(
        "users", "add", "--organisation", "city-council", "--role", "administrator",
        "--email", "ada@council.example", "--password-prompt",
    )  # fmt: skip
    assert "/accounts/set-password/" not in out
    assert User.objects.get(email="ada@council.example").check_password(PASSWORD)


def test_a_weak_password_from_the_prompt_is_refused_and_nothing_is_written(council, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "short")
    with pytest.raises(CommandError, match="password: This password is too short"):
        run(
            "users", "add", "--organisation", "city-council", "--role", "administrator",
            "--email", "ada@council.example", "--password-prompt",
        )  # fmt: skip
    assert not User.objects.filter(email="ada@council.example").exists()


def test_passwords_that_differ_are_refused(council, monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        run(
            "users", "add", "--organisation", "city-council", "--role", "manager",
            "--email", "ada@council.example", "--password-prompt",
        )  # fmt: skip
    assert not User.objects.filter(email="ada@council.example").exists()


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--organisation", "nowhere", "--role", "manager", "--email", "a@b.example"],
         "There is no organisation 'nowhere'. Known: city-council."),
        (["--organisation", "city-council", "--role", "boss", "--email", "a@b.example"],
         "--role must be one of: caseworker, manager, service_provider, analyst, administrator"),
        (["--organisation", "city-council", "--role", "manager", "--email", "not-an-address"],
         "--email: Enter a valid email address."),
        (["--organisation", "city-council", "--role", "manager", "--email", "taken@b.example"],
         "--email: They are already a member of City Council."),
    ],
)  # fmt: skip
def test_each_mistake_stops_with_a_one_line_reason(council, argv, reason):
    if "taken@b.example" in argv:
        run("users", "add", "--organisation", "city-council", "--role", "manager",
            "--email", "taken@b.example")  # fmt: skip
    users_before = User.objects.count()
    with pytest.raises(CommandError) as stopped:
        run("users", "add", *argv)
    assert reason in str(stopped.value)
    assert "\n" not in str(stopped.value)
    assert User.objects.count() == users_before


def test_two_accounts_with_one_address_are_refused(council):
    UserFactory(username="one", email="twin@example.org")
    UserFactory(username="two", email="TWIN@example.org")
    with pytest.raises(CommandError, match="More than one account"):
        run("users", "add", "--organisation", "city-council", "--role", "manager",
            "--email", "twin@example.org")  # fmt: skip


def test_help_says_what_it_does(council):
    from pathmark.accounts.management.commands.users import Command

    parser = Command().create_parser("pathmark", "users")
    text = parser.format_help()
    assert "set-password" in text or "choose a password" in text
    add_help = parser._subparsers._group_actions[0].choices["add"].format_help()
    for option in ("--organisation", "--role", "--email", "--name", "--password-prompt", "--json"):
        assert option in add_help
    assert "administrator" in add_help


def test_link_makes_a_new_link_for_an_existing_account(council):
    user = UserFactory(username="forgetful", email="forgetful@example.org")
    data = json.loads(run("users", "link", "forgetful@example.org", "--json"))
    assert data["user_id"] == user.pk
    assert "/accounts/set-password/" in data["set_password_link"]
    assert AuditEvent.objects.get(action="user.set_password_link_issued").extra == {
        "had_password": True
    }


def test_link_for_an_unknown_address_is_refused(council):
    with pytest.raises(CommandError, match="No account has the address"):
        run("users", "link", "nobody@example.org")
