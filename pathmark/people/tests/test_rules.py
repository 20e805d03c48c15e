"""The registration form and the import check a person's record with the same rules."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from pathmark.organisations.scoping import organisation_scope
from pathmark.people import rules
from pathmark.people.forms import PersonForm
from pathmark.people.models import Person
from pathmark.transfer.importing import ImportRefused, import_table
from pathmark.transfer.tabular import read_table

TOMORROW = (timezone.localdate() + timedelta(days=1)).isoformat()
CASES = [
    ("name", {"name": ""}, rules.REQUIRED),
    ("date_of_birth", {"date_of_birth": TOMORROW}, rules.FUTURE),
    ("date_of_birth", {"date_of_birth": "1850-02-01"}, rules.TOO_EARLY),
    ("date_of_arrival", {"date_of_arrival": "1850-02-01"}, rules.TOO_EARLY),
    (
        "date_of_arrival",
        {"date_of_birth": "1990-04-03", "date_of_arrival": "1985-01-01"},
        rules.ARRIVAL_BEFORE_BIRTH,
    ),
]
VALID = {"name": "Amal Example", "date_of_birth": "", "date_of_arrival": ""}


def test_name_length_is_the_models() -> None:
    assert Person._meta.get_field("name").max_length == rules.NAME_LENGTH


@pytest.mark.parametrize(("field", "cells", "code"), CASES)
def test_form_and_import_refuse_the_same_values_for_the_same_reason(
    world, tmp_path: Path, field: str, cells: dict[str, str], code: str
) -> None:  # type: ignore[no-untyped-def]
    values = {**VALID, **cells}
    form = PersonForm(data={**values, "gender": "", "preferred_language": ""})
    assert not form.is_valid()
    label = str(form.fields[field].label)
    expected_sentence = rules.sentence(rules.Problem(field, code), label)
    assert expected_sentence in form.errors[field]

    path = tmp_path / "people.csv"
    header = [
        "external_id",
        "name",
        "date_of_birth",
        "date_of_arrival",
        "consent_to_share",
        "consent_date",
    ]
    row = [
        "X1",
        values["name"],
        values["date_of_birth"],
        values["date_of_arrival"],
        "yes",
        "2024-01-01",
    ]
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    with (
        organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_manager.pk),
        pytest.raises(ImportRefused) as refused,
    ):
        import_table(
            by=world.a_manager, organisation=world.org_a, table=read_table(path), kind="people"
        )
    listed = [(p.column, p.message) for p in refused.value.result.problems.listed]
    fragment = rules.fragment(rules.Problem(field, code))
    # A date in the future is refused while reading the cell, with the same words.
    assert (field, fragment) in listed, listed


def test_a_valid_person_has_no_problems() -> None:
    assert rules.person_problems({"name": "Amal", "date_of_birth": date(1990, 1, 1)}) == []
