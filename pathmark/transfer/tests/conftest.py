"""Fixtures for import and export tests: files on disk, a private folder per test, and the
managers' permission to import and export."""

from __future__ import annotations

from pathlib import Path

import pytest

from pathmark.organisations.models import Organisation, Role
from pathmark.organisations.permissions import ACTIONS_BY_ROLE
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.transfer.importing import ImportResult, import_table
from pathmark.transfer.tabular import read_table

JOURNEY = "integration-journey"

PEOPLE_HEADER = (
    "external_id,name,date_of_birth,age_band,gender,preferred_language,languages,"
    "country_of_origin,date_of_arrival,immigration_status,postcode_district,"
    "qualification_level,qualification_subject,profession_sector,profession_recognition,"
    "work_status,work_sector,consent_to_share,consent_date"
)


@pytest.fixture(autouse=True)
def managers_transfer_data(monkeypatch):  # type: ignore[no-untyped-def]
    """Managers import and export. Until permissions.py lists `data.import` and `data.export`
    for them, the tests grant those two actions here (and only to managers)."""
    actions = ACTIONS_BY_ROLE[Role.MANAGER] | {"data.import", "data.export"}
    monkeypatch.setitem(ACTIONS_BY_ROLE, Role.MANAGER, actions)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PATHMARK_PRIVATE_MEDIA = str(tmp_path / "private")
    return Path(settings.PATHMARK_PRIVATE_MEDIA)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def people_csv(*rows: str) -> str:
    return "\n".join([PEOPLE_HEADER, *rows]) + "\n"


def person_row(external_id: str = "X1", name: str = "Amal Example", **overrides: str) -> str:
    values = {
        "external_id": external_id,
        "name": name,
        "date_of_birth": "1990-04-03",
        "age_band": "",
        "gender": "woman",
        "preferred_language": "ar",
        "languages": "ar;en",
        "country_of_origin": "SY",
        "date_of_arrival": "2022-09-15",
        "immigration_status": "refugee-status",
        "postcode_district": "NB1",
        "qualification_level": "degree",
        "qualification_subject": "Nursing",
        "profession_sector": "health",
        "profession_recognition": "in_progress",
        "work_status": "part_time",
        "work_sector": "care",
        "consent_to_share": "yes",
        "consent_date": "2022-10-01",
    }
    values.update(overrides)
    return ",".join(values[column] for column in PEOPLE_HEADER.split(","))


def run(
    user, organisation: Organisation, path: Path, kind: str = "people", version=None, **options
) -> ImportResult:  # type: ignore[no-untyped-def]
    """Imports a file as `user` would, inside their organisation's scope."""
    with organisation_scope(organisation_id=organisation.pk, user_id=user.pk):
        return import_table(
            by=user,
            organisation=organisation,
            table=read_table(path),
            kind=kind,
            instrument_version=version,
            **options,
        )


def count(model) -> int:  # type: ignore[no-untyped-def]
    with system_scope("test: count rows"):
        return model.objects.count()
