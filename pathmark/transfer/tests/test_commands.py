"""`pathmark import` and `pathmark export` from the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pathmark.audit.models import AuditEvent
from pathmark.people.models import Person

from .conftest import count, people_csv, person_row, write


def call(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_people_reports_what_it_did(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1"), person_row("X2")))
    output = call("import", "people", "--organisation", world.org_a.slug, str(path))
    assert output.strip() == ("Imported 2 rows: 2 created, 0 updated, 0 unchanged, 0 rejected.")
    assert count(Person) == 2
    entry = AuditEvent.objects.filter(action="person.imported").first()
    assert entry.actor_username == "command line"


def test_import_again_says_nothing_changed(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1")))
    call("import", "people", "--organisation", world.org_a.slug, str(path))
    output = call("import", "people", "--organisation", world.org_a.slug, str(path))
    assert output.strip() == "Nothing to change: the 1 row is already in Pathmark."


def test_import_with_problems_lists_them_and_fails(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1", date_of_birth="03/04/1990")))
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "people", "--organisation", world.org_a.slug, str(path), stdout=out)
    assert str(caught.value) == f"1 problem in {path}; nothing was imported."
    assert out.getvalue().splitlines()[0] == (
        f"{path}, row 2, column date_of_birth: ambiguous: the day and the month could be "
        "either way round; write it as YYYY-MM-DD. (found '03/04/1990')"
    )
    assert count(Person) == 0


def test_dry_run_json_is_machine_readable(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1")))
    output = call(
        "import", "people", "--organisation", world.org_a.slug, str(path), "--dry-run", "--json"
    )
    result = json.loads(output)
    assert (result["dry_run"], result["created"], result["problems"]) == (True, 1, [])
    assert count(Person) == 0


def test_import_assessments_needs_a_known_instrument(world, tmp_path):
    path = write(tmp_path, "a.csv", "person_external_id,assessed_on\n")
    with pytest.raises(CommandError, match="There is no instrument 'nope'"):
        call(
            "import",
            "assessments",
            "--organisation",
            world.org_a.slug,
            "--instrument",
            "nope",
            str(path),
        )


def test_unknown_organisation_fails_with_one_line(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1")))
    with pytest.raises(CommandError, match="There is no organisation 'nowhere'"):
        call("import", "people", "--organisation", "nowhere", str(path))


def test_export_writes_the_files_in_the_import_format(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1")))
    call("import", "people", "--organisation", world.org_a.slug, str(path))
    output = call("export", "--organisation", world.org_a.slug, str(tmp_path / "out"), "--json")
    # The referrals file is written even when empty: its header is the import format.
    assert json.loads(output)["files"] == [
        {"name": "people.csv", "rows": 1},
        {"name": "referrals.csv", "rows": 0},
    ]
    exported = (tmp_path / "out" / "people.csv").read_text(encoding="utf-8")
    assert exported.splitlines()[0] == people_csv().splitlines()[0]
    again = call(
        "import", "people", "--organisation", world.org_a.slug, str(tmp_path / "out" / "people.csv")
    )
    assert again.startswith("Nothing to change")
