"""Importing people: every row checked before anything is written, all or nothing, and the
same file twice changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from pathmark.audit.models import AuditEvent
from pathmark.organisations.scoping import system_scope
from pathmark.people import services as people_services
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person
from pathmark.transfer.importing import ImportRefused

from .conftest import count, people_csv, person_row, run, write


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [problem.format(result.source) for problem in result.problems.listed]


def refused(user, organisation, path) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused) as caught:
        run(user, organisation, path)
    return messages(caught.value.result)


def nothing_written() -> None:
    assert count(Person) == 0
    assert count(Consent) == 0
    assert AuditEvent.objects.filter(action="person.imported").count() == 0


def test_people_are_created_with_their_consent(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1"), person_row("X2", "Bea")))
    result = run(world.a_manager, world.org_a, path)
    assert (result.created, result.updated, result.unchanged, result.rejected) == (2, 0, 0, 0)
    with system_scope("test"):
        person = Person.objects.get(external_id="X1")
        consent = person.consents.get()
    assert person.organisation == world.org_a
    assert person.date_of_birth == date(1990, 4, 3)
    assert person.age_band == "31-45"
    assert person.languages == ["ar", "en"]
    assert person.immigration_status.slug == "refugee-status"
    assert person.registered_by == world.a_manager
    assert (consent.kind, consent.method, consent.given_on) == (
        ConsentKind.PROCESSING,
        ConsentMethod.WRITTEN,
        date(2022, 10, 1),
    )


def test_every_imported_person_is_audited_as_an_import_by_the_user(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1"), person_row("X2")))
    run(world.a_manager, world.org_a, path)
    entries = AuditEvent.objects.filter(action="person.imported")
    assert entries.count() == 2
    with system_scope("test"):
        ids = set(Person.objects.values_list("pk", flat=True))
    assert {entry.person_id for entry in entries} == ids
    assert {entry.actor for entry in entries} == {world.a_manager}
    assert AuditEvent.objects.get(action="transfer.imported").extra["created"] == 2


def test_audit_entries_hold_no_personal_data(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1", "Amal Example")))
    run(world.a_manager, world.org_a, path)
    for entry in AuditEvent.objects.all():
        assert "Amal" not in str(entry.extra)
        assert "1990" not in str(entry.extra)


def test_running_the_same_file_again_changes_nothing(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1"), person_row("X2")))
    run(world.a_manager, world.org_a, path)
    entries = AuditEvent.objects.count()
    again = run(world.a_manager, world.org_a, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert count(Person) == 2
    assert count(Consent) == 2
    # Only the run itself is logged; no record was touched.
    assert AuditEvent.objects.count() == entries + 1


def test_a_changed_row_updates_the_person_it_matches(world, tmp_path):
    run(world.a_manager, world.org_a, write(tmp_path, "a.csv", people_csv(person_row("X1"))))
    changed = write(tmp_path, "b.csv", people_csv(person_row("X1", gender="not_said")))
    result = run(world.a_manager, world.org_a, changed)
    assert (result.created, result.updated) == (0, 1)
    with system_scope("test"):
        assert Person.objects.get(external_id="X1").gender == "not_said"
    entry = AuditEvent.objects.filter(action="person.imported").latest("pk")
    assert entry.extra["fields"] == ["gender"]


def test_the_same_external_id_in_another_organisation_is_another_person(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1")))
    run(world.a_manager, world.org_a, path)
    result = run(world.b_manager, world.org_b, path)
    assert result.created == 1
    assert count(Person) == 2


def test_dry_run_reports_and_writes_nothing(world, tmp_path):
    path = write(tmp_path, "people.csv", people_csv(person_row("X1")))
    result = run(world.a_manager, world.org_a, path, dry_run=True)
    assert result.created == 1
    assert not result.written
    nothing_written()


def test_mixed_case_values_and_stray_whitespace_are_accepted(world, tmp_path):
    row = person_row(
        " X1 ",
        "  Amal  ",
        gender="WOMAN",
        preferred_language="AR",
        country_of_origin="sy",
        immigration_status="Refugee-Status",
        consent_to_share="Yes",
    )
    run(world.a_manager, world.org_a, write(tmp_path, "people.csv", people_csv(row)))
    with system_scope("test"):
        person = Person.objects.get()
    assert (person.external_id, person.name, person.gender) == ("X1", "Amal", "woman")
    assert (person.preferred_language, person.country_of_origin) == ("ar", "SY")


def test_semicolon_file_with_byte_order_mark_is_read(world, tmp_path):
    text = people_csv(person_row("X1")).replace(",", ";").replace("ar;en", "ar")
    run(world.a_manager, world.org_a, write(tmp_path, "p.csv", b"\xef\xbb\xbf" + text.encode()))
    assert count(Person) == 1


def test_excel_serial_dates_are_read(world, tmp_path):
    row = person_row("X1", date_of_birth="32966")
    run(world.a_manager, world.org_a, write(tmp_path, "people.csv", people_csv(row)))
    with system_scope("test"):
        assert Person.objects.get().date_of_birth == date(1990, 4, 3)


def test_missing_required_column_is_refused(world, tmp_path):
    text = "external_id,name,consent_to_share\nX1,Amal,yes\n"
    assert refused(world.a_manager, world.org_a, write(tmp_path, "p.csv", text)) == [
        "p.csv, row 1, column consent_date: this required column is missing; add it to the "
        "first row."
    ]
    nothing_written()


def test_unknown_column_is_refused(world, tmp_path):
    text = people_csv(person_row("X1")).replace("date_of_birth", "birthday", 1)
    assert refused(world.a_manager, world.org_a, write(tmp_path, "p.csv", text)) == [
        "p.csv, row 1, column birthday: this is not a column of this import; remove it or "
        "correct its name (see docs/import-format.md)."
    ]
    nothing_written()


def test_misspelt_column_suggests_the_right_name(world, tmp_path):
    text = people_csv(person_row("X1")).replace("date_of_birth", "date_of_brith", 1)
    (message,) = refused(world.a_manager, world.org_a, write(tmp_path, "p.csv", text))
    assert message.endswith("Did you mean date_of_birth?")


def test_duplicate_external_id_is_refused(world, tmp_path):
    path = write(tmp_path, "p.csv", people_csv(person_row("X1"), person_row("X1", "Bea")))
    assert refused(world.a_manager, world.org_a, path) == [
        "p.csv, row 3, column external_id: the same external_id is already on row 2; give "
        "each person one row."
    ]
    nothing_written()


def test_future_date_is_refused(world, tmp_path):
    path = write(tmp_path, "p.csv", people_csv(person_row("X1", date_of_arrival="2999-01-01")))
    assert refused(world.a_manager, world.org_a, path) == [
        "p.csv, row 2, column date_of_arrival: in the future; check the date."
    ]
    nothing_written()


def test_ambiguous_date_is_refused_not_guessed(world, tmp_path):
    path = write(tmp_path, "p.csv", people_csv(person_row("X1", date_of_birth="03/04/1990")))
    assert refused(world.a_manager, world.org_a, path) == [
        "p.csv, row 2, column date_of_birth: ambiguous: the day and the month could be either "
        "way round; write it as YYYY-MM-DD."
    ]
    nothing_written()


def test_unknown_option_value_is_refused(world, tmp_path):
    path = write(tmp_path, "p.csv", people_csv(person_row("X1", gender="female")))
    assert refused(world.a_manager, world.org_a, path) == [
        "p.csv, row 2, column gender: write one of woman, man, non_binary, self_described, "
        "not_said."
    ]
    nothing_written()


def test_unknown_immigration_status_and_codes_are_refused(world, tmp_path):
    row = person_row(
        "X1", immigration_status="asylum", preferred_language="arabic", country_of_origin="SYR"
    )
    problems = refused(world.a_manager, world.org_a, write(tmp_path, "p.csv", people_csv(row)))
    assert [message.split(":")[0] for message in problems] == [
        "p.csv, row 2, column preferred_language",
        "p.csv, row 2, column country_of_origin",
        "p.csv, row 2, column immigration_status",
    ]
    assert problems[0].endswith(
        "not an ISO 639-1 language code; write a two-letter code such as ar or uk."
    )


def test_a_new_person_without_consent_is_refused(world, tmp_path):
    path = write(tmp_path, "p.csv", people_csv(person_row("X1", consent_to_share="no")))
    assert refused(world.a_manager, world.org_a, path) == [
        "p.csv, row 2, column consent_to_share: Pathmark holds a person's record only with "
        "their consent, and this row says no; leave the person out or record their consent "
        "first."
    ]


def test_every_problem_is_reported_not_just_the_first(world, tmp_path):
    rows = [person_row(f"X{n}", gender="female") for n in range(300)]
    with pytest.raises(ImportRefused) as caught:
        run(world.a_manager, world.org_a, write(tmp_path, "p.csv", people_csv(*rows)))
    problems = caught.value.result.problems
    assert problems.total == 300
    assert len(problems.listed) == 200
    assert problems.not_listed == 100
    assert caught.value.result.rejected == 300


def test_skip_invalid_imports_the_good_rows_and_rejects_the_others(world, tmp_path):
    path = write(tmp_path, "p.csv", people_csv(person_row("X1"), person_row("X2", gender="?")))
    result = run(world.a_manager, world.org_a, path, skip_invalid=True)
    assert (result.created, result.rejected) == (1, 1)
    assert count(Person) == 1


def test_a_killed_import_leaves_the_database_as_it_was(world, tmp_path, monkeypatch):
    run(world.a_manager, world.org_a, write(tmp_path, "a.csv", people_csv(person_row("X0"))))
    before = (count(Person), count(Consent), AuditEvent.objects.count())

    def killed(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    # Dies after people and consents are inserted, while writing the audit entries.
    monkeypatch.setattr(people_services, "record_many", killed)
    rows = [person_row(f"X{n}") for n in range(1, 50)]
    with pytest.raises(KeyboardInterrupt):
        run(world.a_manager, world.org_a, write(tmp_path, "b.csv", people_csv(*rows)))
    assert (count(Person), count(Consent), AuditEvent.objects.count()) == before


def test_a_file_without_a_header_row_stores_none_of_its_cells(db, world):  # type: ignore[no-untyped-def]
    from pathmark.transfer.importing import check_header
    from pathmark.transfer.tabular import Problems, Table

    problems = Problems()
    table = Table(source="x.csv", columns=["x1", "amira secretname", "1990-04-03"], rows=[])
    check_header(table, ["external_id", "name"], ["external_id", "name"], problems)
    stored = str(problems.listed)
    assert "secretname" not in stored and "1990-04-03" not in stored
    assert problems.total == 1


def test_reimporting_an_erased_person_is_refused(world, tmp_path):  # type: ignore[no-untyped-def]
    from pathmark.organisations.scoping import organisation_scope
    from pathmark.privacy.services import erase_person

    path = write(tmp_path, "people.csv", people_csv(person_row("GONE-1", "Erased Person")))
    run(world.a_manager, world.org_a, path)
    with organisation_scope(organisation_id=world.org_a.pk):
        person = Person.objects.get(external_id="GONE-1")
        erase_person(by=world.a_manager, organisation=world.org_a, person=person)
    with pytest.raises(ImportRefused) as refused:
        run(world.a_manager, world.org_a, path)
    messages = [problem.message for problem in refused.value.result.problems.listed]
    assert any("erased at their request" in message for message in messages)
    with system_scope("test"):
        assert not Person.objects.filter(name="Erased Person").exists()
