"""Exporting an organisation's people and assessments in exactly the import formats, so a
charity can always take its records elsewhere (or back in): export, import into an empty
database and export again gives the same files.

Every cell is neutralised against spreadsheet formulas (see `tabular.neutralise`). Each export
is audited per person, like any other read of personal data.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.assessments.selectors import instrument_of
from pathmark.audit.services import record
from pathmark.instruments.definition import Instrument
from pathmark.instruments.models import InstrumentVersion
from pathmark.organisations.models import Organisation
from pathmark.people.models import Consent, ConsentKind, Person
from pathmark.people.services import age_band_for

from .formats import (
    ASSESSMENT_FIXED_COLUMNS,
    PEOPLE_COLUMNS,
    answers_as_cells,
    assessment_columns,
    item_description,
    item_example,
    people_columns,
)
from .importing import audit_each
from .tabular import write_csv, write_xlsx


@dataclass(frozen=True)
class ExportFile:
    name: str
    rows: int
    content: str


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def _people_rows(organisation: Organisation) -> tuple[list[list[str]], dict[int, str]]:
    consented: dict[int, Any] = {}
    for person_id, given_on in Consent.objects.filter(
        person__organisation=organisation,
        kind=ConsentKind.PROCESSING,
        withdrawn_at__isnull=True,
    ).values_list("person_id", "given_on"):
        if person_id not in consented or given_on > consented[person_id]:
            consented[person_id] = given_on
    rows = []
    external_ids: dict[int, str] = {}
    for values in (
        Person.objects.filter(organisation=organisation)
        .exclude(status=Person.Status.ERASED)
        .values(
            "pk",
            "external_id",
            "name",
            "date_of_birth",
            "age_band",
            "gender",
            "preferred_language",
            "languages",
            "country_of_origin",
            "date_of_arrival",
            "immigration_status__slug",
        )
        .order_by()
    ):
        # People registered in Pathmark have no id from a previous system: their reference
        # becomes it, so a re-import matches them.
        external_id = values["external_id"] or f"P-{values['pk']:06d}"
        external_ids[values["pk"]] = external_id
        consent_date = consented.get(values["pk"])
        rows.append(
            [
                external_id,
                values["name"],
                _iso(values["date_of_birth"]),
                # As on registration, a date of birth gives the age band when none was set.
                values["age_band"]
                or (age_band_for(values["date_of_birth"]) if values["date_of_birth"] else ""),
                values["gender"],
                values["preferred_language"],
                ";".join(values["languages"] or []),
                values["country_of_origin"],
                _iso(values["date_of_arrival"]),
                values["immigration_status__slug"] or "",
                "yes" if consent_date else "no",
                _iso(consent_date),
            ]
        )
    rows.sort(key=lambda row: row[0])
    return rows, external_ids


def latest_version(slug: str) -> InstrumentVersion:
    version = InstrumentVersion.objects.filter(slug=slug).order_by("-version").first()
    assert version is not None
    return version


def _assessment_rows(
    organisation: Organisation, slug: str, external_ids: dict[int, str]
) -> tuple[Instrument, list[list[str]]]:
    """Completed assessments the organisation ran for its own people, with the columns of
    the instrument's latest version (older versions' items that were removed are left out)."""
    instrument = instrument_of(latest_version(slug))
    columns = assessment_columns(instrument)
    rows = []
    for person_id, assessed_on, mode, language, answers in (
        Assessment.objects.filter(
            organisation=organisation,
            person__organisation=organisation,
            person_id__in=external_ids,
            instrument_version__slug=slug,
            status=AssessmentStatus.COMPLETED,
        )
        .order_by()
        .values_list("person_id", "assessed_on", "mode", "language", "answers")
        .iterator(chunk_size=5000)
    ):
        cells = answers_as_cells(instrument, answers)
        fixed = [external_ids[person_id], assessed_on.isoformat(), mode, language]
        rows.append(fixed + [cells.get(column, "") for column in columns[len(fixed) :]])
    rows.sort(key=lambda row: (row[0], row[1]))
    return instrument, rows


@transaction.atomic
def export_organisation(*, by: Any, organisation: Organisation) -> list[ExportFile]:
    """people.csv and one assessments-<instrument>.csv per instrument the organisation used.
    One transaction, so the files agree with each other even while others are writing."""
    people, external_ids = _people_rows(organisation)
    files = [ExportFile("people.csv", len(people), write_csv(people_columns(), people))]
    slugs = (
        Assessment.objects.filter(
            organisation=organisation,
            person__organisation=organisation,
            status=AssessmentStatus.COMPLETED,
        )
        .order_by()
        .values_list("instrument_version__slug", flat=True)
        .distinct()
    )
    for slug in sorted(set(slugs)):
        instrument, rows = _assessment_rows(organisation, slug, external_ids)
        files.append(
            ExportFile(
                f"assessments-{slug}.csv",
                len(rows),
                write_csv(assessment_columns(instrument), rows),
            )
        )
    audit_each(
        by=by,
        organisation=organisation,
        action="person.exported",
        object_type="people.person",
        entries=[(pk, pk, {}) for pk in external_ids],
    )
    record(
        actor=by,
        organisation=organisation,
        action="transfer.exported",
        extra={"files": {f.name: f.rows for f in files}},
    )
    return files


def write_export(files: list[ExportFile], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for export in files:
        (directory / export.name).write_text(export.content, encoding="utf-8", newline="")


def export_zip(files: list[ExportFile]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for export in files:
            archive.writestr(export.name, export.content)
    return buffer.getvalue()


# --- Templates ------------------------------------------------------------------------------


def people_template_rows() -> tuple[list[str], list[str], list[list[str]]]:
    """(columns, an example row, one line per column saying what to write)."""
    columns = people_columns()
    example = [column.example for column in PEOPLE_COLUMNS]
    guide = [
        [column.name, "yes" if column.required else "no", column.description]
        for column in PEOPLE_COLUMNS
    ]
    return columns, example, guide


def assessment_template_rows(
    instrument: Instrument,
) -> tuple[list[str], list[str], list[list[str]]]:
    columns = assessment_columns(instrument)
    example = [column.example for column in ASSESSMENT_FIXED_COLUMNS] + [
        item_example(item) for item in instrument.items
    ]
    guide = [
        [column.name, "yes" if column.required else "no", column.description]
        for column in ASSESSMENT_FIXED_COLUMNS
    ] + [
        [item.id, "no", f"{item_description(item)}. {item.text.get('en', '')}".strip()]
        for item in instrument.items
    ]
    return columns, example, guide


def template_csv(columns: list[str], example: list[str]) -> str:
    return write_csv(columns, [example])


def template_xlsx(columns: list[str], example: list[str], guide: list[list[str]]) -> bytes:
    return write_xlsx(
        [
            ("import", columns, [example]),
            ("columns", ["column", "required", "what to write"], guide),
        ]
    )
