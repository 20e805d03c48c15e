"""`pathmark organisations create|list|set-host`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Organisation


def run(*argv: str) -> str:
    out = io.StringIO()
    call_command(*argv, stdout=out)
    return out.getvalue()


def test_create_an_organisation(db):
    out = run(
        "organisations", "create", "--name", "Northbridge City Council",
        "--slug", "city-council", "--kind", "local_authority", "--partnership-host",
    )  # fmt: skip
    council = Organisation.objects.get(slug="city-council")
    assert council.name == "Northbridge City Council"
    assert council.is_partnership_host
    assert council.require_two_factor
    assert council.retention_years == 6
    assert "Created city-council" in out
    assert "pathmark users add --organisation city-council --role administrator" in out
    entry = AuditEvent.objects.get(action="organisation.created")
    assert (entry.organisation, entry.actor_username) == (council, "command line")


def test_create_with_json_and_every_setting(db):
    data = json.loads(
        run(
            "organisations",
            "create",
            "--name",
            "Demo Charity",
            "--slug",
            "demo-charity",
            "--kind",
            "voluntary_organisation",
            "--retention-years",
            "10",
            "--no-two-factor",
            "--json",
        )  # fmt: skip
    )
    assert data == {
        "id": Organisation.objects.get(slug="demo-charity").pk,
        "slug": "demo-charity",
        "name": "Demo Charity",
        "kind": "voluntary_organisation",
        "retention_years": 10,
        "require_two_factor": False,
        "is_partnership_host": False,
        "is_active": True,
    }


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--slug", "taken", "--kind", "college"], "--slug: Another organisation already has"),
        (["--slug", "Not A Slug", "--kind", "college"], "--slug: Use only lower-case letters"),
        (["--slug", "new", "--kind", "castle"], "--kind must be one of: local_authority"),
        (["--slug", "new", "--kind", "college", "--retention-years", "0"],
         "--retention-years: Choose from 1 to 25 years."),
        (["--slug", "new", "--kind", "college", "--partnership-host"],
         "--partnership-host: Another organisation already hosts the partnership"),
    ],
)  # fmt: skip
def test_each_mistake_stops_with_a_one_line_reason(db, argv, reason):
    run("organisations", "create", "--name", "Taken", "--slug", "taken", "--kind", "college",
        "--partnership-host")  # fmt: skip
    with pytest.raises(CommandError) as stopped:
        run("organisations", "create", "--name", "New", *argv)
    assert reason in str(stopped.value)
    assert "\n" not in str(stopped.value)
    assert Organisation.objects.count() == 1


def test_list_as_json_counts_members(world):
    rows = json.loads(run("organisations", "list", "--json"))
    by_slug = {row["slug"]: row for row in rows}
    assert set(by_slug) == {"refugee-charity", "city-council", "community-org"}
    assert by_slug["city-council"]["members"] == 5  # one of each role
    assert by_slug["city-council"]["administrators"] == 1
    assert by_slug["city-council"]["kind"] == "local_authority"


def test_list_in_words(world):
    out = run("organisations", "list")
    assert "city-council  City Council (Local authority): members 5, administrators 1" in out


def test_set_host_moves_the_host(world):
    run("organisations", "set-host", "city-council")
    run("organisations", "set-host", "refugee-charity")
    hosts = list(
        Organisation.objects.filter(is_partnership_host=True).values_list("slug", flat=True)
    )
    assert hosts == ["refugee-charity"]
    assert AuditEvent.objects.filter(action="organisation.partnership_host_set").count() == 2


def test_set_host_of_an_unknown_organisation_is_refused(world):
    with pytest.raises(CommandError, match="There is no organisation 'nowhere'"):
        run("organisations", "set-host", "nowhere")


def test_help_names_every_option(db):
    from pathmark.organisations.management.commands.organisations import Command

    parser = Command().create_parser("pathmark", "organisations")
    assert "create" in parser.format_help() and "set-host" in parser.format_help()
    create_help = parser._subparsers._group_actions[0].choices["create"].format_help()
    for option in ("--name", "--slug", "--kind", "--retention-years", "--no-two-factor",
                   "--partnership-host", "--json", "local_authority"):  # fmt: skip
        assert option in create_help
