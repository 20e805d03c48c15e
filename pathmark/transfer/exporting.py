"""Exporting an organisation's people and assessments in exactly the import formats, so a
charity can always take its records elsewhere (or back in): export, import into an empty
database and export again gives the same files.

The files are streamed: rows come from the database a chunk at a time and go straight into
the file (a folder for `pathmark export`, a zip for the managers' download), so memory stays
flat whether the organisation has a hundred people or a hundred thousand. Every cell is
neutralised against spreadsheet formulas (see `core.spreadsheets`), and every exported person
is audited as read, in bulk.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.db.models import Count, F, OuterRef, Subquery

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.assessments.selectors import instrument_of
from pathmark.audit.services import record, record_many
from pathmark.core.references import person_reference as core_person_reference
from pathmark.core.spreadsheets import SafeCsvWriter
from pathmark.instruments.definition import Instrument
from pathmark.instruments.models import InstrumentVersion
from pathmark.organisations.models import Organisation
from pathmark.people.models import Consent, ConsentKind, Person
from pathmark.people.services import age_band_for
from pathmark.referrals import states
from pathmark.referrals.models import Referral

from .formats import (
    ASSESSMENT_FIXED_COLUMNS,
    PEOPLE_COLUMNS,
    answers_as_cells,
    assessment_columns,
    item_description,
    item_example,
    people_columns,
    referral_columns,
)
from .tabular import write_csv, write_xlsx

CHUNK_ROWS = 2000
"""Rows fetched from the database, audited and reported as progress at a time."""

PEOPLE_FILE = "people.csv"
REFERRALS_FILE = "referrals.csv"

Progress = Callable[[int, int], None]
OpenFile = Callable[[str], AbstractContextManager[TextIO]]


class ExportCancelled(Exception):
    """Raised by a progress callback to stop an export someone discarded while it ran."""


@dataclass(frozen=True)
class ExportedFile:
    name: str
    rows: int


# The people columns after immigration_status, in the order of formats.PEOPLE_COLUMNS: the
# district (never the postcode) and the skills the person brings and uses now.
SKILL_COLUMNS = (
    "postcode_district",
    "qualification_level",
    "qualification_subject",
    "profession_sector",
    "profession_recognition",
    "work_status",
    "work_sector",
)


@dataclass
class ExportPlan:
    """What an export will hold, fixed before the first row is written. People registered
    after `last_person_id` wait for the next export, so every assessment exported belongs to
    someone in people.csv even while caseworkers keep working."""

    organisation: Organisation
    last_person_id: int
    people: int
    assessments: dict[str, int] = field(default_factory=dict)  # instrument slug → rows
    referrals: int = 0

    @property
    def total_rows(self) -> int:
        return self.people + sum(self.assessments.values()) + self.referrals


def assessment_file_name(slug: str) -> str:
    return f"assessments-{slug}.csv"


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


# People registered in Pathmark have no id from a previous system: their reference becomes
# it, so a re-import matches them.
person_reference = core_person_reference


def _exported_people(plan: ExportPlan):  # type: ignore[no-untyped-def]
    return (
        Person.objects.filter(organisation=plan.organisation, pk__lte=plan.last_person_id)
        .exclude(status=Person.Status.ERASED)
        .order_by()
    )


def _exported_assessments(plan: ExportPlan):  # type: ignore[no-untyped-def]
    """Completed assessments the organisation ran for the people exported (for counting;
    `_assessment_rows` reads the same rows a chunk of people at a time)."""
    return (
        Assessment.objects.filter(
            organisation=plan.organisation,
            person__organisation=plan.organisation,
            person_id__lte=plan.last_person_id,
            status=AssessmentStatus.COMPLETED,
        )
        .exclude(person__status=Person.Status.ERASED)
        .order_by()
    )


def plan_export(organisation: Organisation) -> ExportPlan:
    """Counts the rows of each file (for the progress bar) and fixes who is included."""
    last = (
        Person.objects.filter(organisation=organisation)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    plan = ExportPlan(organisation=organisation, last_person_id=last or 0, people=0)
    plan.people = _exported_people(plan).count()
    counts = dict(
        _exported_assessments(plan)
        .values("instrument_version__slug")
        .annotate(rows=Count("pk"))
        .values_list("instrument_version__slug", "rows")
    )
    plan.assessments = {slug: counts[slug] for slug in sorted(counts)}
    plan.referrals = _exported_referrals(plan).count()
    return plan


def _exported_referrals(plan: ExportPlan):  # type: ignore[no-untyped-def]
    """Referrals the organisation made of the people exported (drafts were never made)."""
    return (
        Referral.objects.filter(
            organisation=plan.organisation,
            person__organisation=plan.organisation,
            person_id__lte=plan.last_person_id,
            referred_on__isnull=False,
        )
        .exclude(status=states.DRAFT)
        .exclude(person__status=Person.Status.ERASED)
    )


def _referral_rows(plan: ExportPlan) -> Iterator[list[str]]:
    rows = (
        _exported_referrals(plan)
        .order_by("person_id", "referred_on", "pk")
        .values_list(
            "person_id", "person__external_id", "service_id", "referred_on", "status", "status_on"
        )
    )
    for person_id, external_id, service_id, referred_on, status, status_on in rows.iterator(
        chunk_size=CHUNK_ROWS
    ):
        yield [
            external_id or person_reference(person_id),
            service_id,
            _iso(referred_on),
            status,
            _iso(status_on or referred_on),
        ]


def _people_rows(plan: ExportPlan) -> Iterator[tuple[int, list[str]]]:
    """(person id, row) for each person, in the order they were registered or imported:
    the order of the primary key, which needs no sort, so neither Python nor the database
    holds more than a chunk. An import creates people in file order, so export → import →
    export keeps it."""
    consent_date = Subquery(
        Consent.objects.filter(
            person=OuterRef("pk"), kind=ConsentKind.PROCESSING, withdrawn_at__isnull=True
        )
        .order_by("-given_on")
        .values("given_on")[:1]
    )
    rows = (
        _exported_people(plan)
        .annotate(consent_date=consent_date)
        .order_by("pk")
        .values_list(
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
            *SKILL_COLUMNS,
            "consent_date",
        )
    )
    for (
        pk,
        external_id,
        name,
        date_of_birth,
        age_band,
        gender,
        preferred_language,
        languages,
        country_of_origin,
        date_of_arrival,
        immigration_status,
        *skills,
        consented_on,
    ) in rows.iterator(chunk_size=CHUNK_ROWS):
        yield (
            pk,
            [
                external_id or person_reference(pk),
                name,
                _iso(date_of_birth),
                # As on registration, a date of birth gives the age band when none was set.
                age_band or (age_band_for(date_of_birth) if date_of_birth else ""),
                gender,
                preferred_language,
                ";".join(languages or []),
                country_of_origin,
                _iso(date_of_arrival),
                immigration_status or "",
                *skills,
                "yes" if consented_on else "no",
                _iso(consented_on),
            ],
        )


def _person_id_ranges(plan: ExportPlan) -> Iterator[tuple[int, int]]:
    """(first, last) person id of each chunk of exported people, in id order."""
    chunk: list[int] = []
    for pk in (
        _exported_people(plan).order_by("pk").values_list("pk", flat=True).iterator(CHUNK_ROWS)
    ):
        chunk.append(pk)
        if len(chunk) == CHUNK_ROWS:
            yield chunk[0], chunk[-1]
            chunk = []
    if chunk:
        yield chunk[0], chunk[-1]


def latest_version(slug: str) -> InstrumentVersion:
    version = InstrumentVersion.objects.filter(slug=slug).order_by("-version").first()
    assert version is not None
    return version


def _assessment_rows(plan: ExportPlan, instrument: Instrument) -> Iterator[list[str]]:
    """One row per assessment with the columns of the instrument's latest version (items of
    older versions that were removed are left out), by person (in the order of people.csv)
    then date. Fetched for a chunk of people at a time, so the database sorts only that
    chunk's assessments."""
    columns = assessment_columns(instrument)[len(ASSESSMENT_FIXED_COLUMNS) :]
    assessments = (
        Assessment.objects
        # `+ 0` keeps SQLite from answering `organisation_id = ?` through the index on
        # (organisation, status, date), which would read every assessment of the organisation
        # for each chunk; the query then starts from the chunk's people instead.
        .alias(run_by=F("organisation_id") + 0)
        .filter(
            run_by=plan.organisation.pk,
            person__organisation=plan.organisation,
            instrument_version__slug=instrument.slug,
            status=AssessmentStatus.COMPLETED,
        )
        .exclude(person__status=Person.Status.ERASED)
    )
    for first, last in _person_id_ranges(plan):
        rows = (
            assessments.filter(person__pk__gte=first, person__pk__lte=last)
            .order_by("person_id", "assessed_on", "pk")
            .values_list(
                "person_id", "person__external_id", "assessed_on", "mode", "language", "answers"
            )
        )
        for person_id, external_id, assessed_on, mode, language, answers in rows.iterator(
            chunk_size=CHUNK_ROWS
        ):
            cells = answers_as_cells(instrument, answers)
            yield [
                external_id or person_reference(person_id),
                assessed_on.isoformat(),
                mode,
                language,
                *(cells.get(column, "") for column in columns),
            ]


class _Counter:
    """Rows written so far across all files, reported every CHUNK_ROWS rows."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.done = 0
        self.total = total
        self.progress = progress

    def add(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(self.done, self.total)


def _csv_writer(stream: TextIO) -> SafeCsvWriter:
    # The same writer as `tabular.write_csv`: every cell quoted and neutralised.
    return SafeCsvWriter(stream)


def write_export(
    open_file: OpenFile,
    *,
    by: Any,
    organisation: Organisation,
    plan: ExportPlan | None = None,
    progress: Progress | None = None,
    audit_details: dict[str, Any] | None = None,
) -> list[ExportedFile]:
    """Writes people.csv and one assessments-<instrument>.csv per instrument the organisation
    used, each through `open_file(name)`, a text stream. Each exported person gets a
    `person.exported` audit entry (with `audit_details`), written a chunk at a time as their
    rows are read. Run inside the organisation's scope."""
    plan = plan or plan_export(organisation)
    counter = _Counter(plan.total_rows, progress)
    details = audit_details or {}

    def audit(person_ids: list[int]) -> None:
        record_many(
            actor=by,
            action="person.exported",
            object_type="people.person",
            entries=[(organisation.pk, pk, pk, details) for pk in person_ids],
        )
        counter.add(len(person_ids))

    people = 0
    with open_file(PEOPLE_FILE) as stream:
        writer = _csv_writer(stream)
        writer.writerow(people_columns())
        chunk: list[int] = []
        for person_id, row in _people_rows(plan):
            writer.writerow(row)
            chunk.append(person_id)
            if len(chunk) >= CHUNK_ROWS:
                audit(chunk)
                people += len(chunk)
                chunk = []
        if chunk:
            audit(chunk)
            people += len(chunk)
    written = [ExportedFile(PEOPLE_FILE, people)]

    for slug in plan.assessments:
        instrument = instrument_of(latest_version(slug))
        name = assessment_file_name(slug)
        rows = 0
        with open_file(name) as stream:
            writer = _csv_writer(stream)
            writer.writerow(assessment_columns(instrument))
            for row in _assessment_rows(plan, instrument):
                writer.writerow(row)
                rows += 1
                if rows % CHUNK_ROWS == 0:
                    counter.add(CHUNK_ROWS)
            counter.add(rows % CHUNK_ROWS)
        written.append(ExportedFile(name, rows))

    rows = 0
    with open_file(REFERRALS_FILE) as stream:
        writer = _csv_writer(stream)
        writer.writerow(referral_columns())
        for row in _referral_rows(plan):
            writer.writerow(row)
            rows += 1
        counter.add(rows)
    written.append(ExportedFile(REFERRALS_FILE, rows))
    return written


def export_to_directory(
    directory: Path, *, by: Any, organisation: Organisation, progress: Progress | None = None
) -> list[ExportedFile]:
    """`pathmark export`: the files in a folder. Each is written under a temporary name and
    renamed only once all are complete, so a failed export leaves no half file behind.

    The files hold every client's personal data, so they are created readable by their owner
    only (0600) whatever the umask, in a folder created 0700, like a subject access copy."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial: dict[str, Path] = {}

    @contextmanager
    def open_file(name: str) -> Iterator[TextIO]:
        path = directory / f".{name}.part"
        partial[name] = path
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # an existing .part file keeps its old mode otherwise
        with open(descriptor, "w", encoding="utf-8", newline="") as stream:
            yield stream

    try:
        files = write_export(open_file, by=by, organisation=organisation, progress=progress)
        for name, path in partial.items():
            path.replace(directory / name)
    finally:
        for path in partial.values():
            path.unlink(missing_ok=True)
    record(
        actor=by,
        organisation=organisation,
        action="transfer.exported",
        extra={"files": {f.name: f.rows for f in files}},
    )
    return files


def export_to_zip(
    path: Path,
    *,
    by: Any,
    organisation: Organisation,
    plan: ExportPlan | None = None,
    progress: Progress | None = None,
    audit_details: dict[str, Any] | None = None,
) -> list[ExportedFile]:
    """The same files in one zip at `path`, each streamed into its entry. On failure the
    zip is deleted."""

    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:

            @contextmanager
            def open_file(name: str) -> Iterator[TextIO]:
                # ZIP64 from the start: the entry's size is not known until it is written,
                # and a national export can pass the 4 GB of plain zip entries.
                entry = archive.open(name, "w", force_zip64=True)
                with io.TextIOWrapper(entry, encoding="utf-8", newline="") as stream:
                    yield stream

            return write_export(
                open_file,
                by=by,
                organisation=organisation,
                plan=plan,
                progress=progress,
                audit_details=audit_details,
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


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
