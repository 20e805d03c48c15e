"""Importing people and assessments from a spreadsheet: every row is checked before anything
is written, then all of them are written in one transaction, or none.

Each id the file gives (a person's external id, an immigration status, an instrument) is looked
up inside the importing organisation, never trusted. Scores are computed by the scoring module;
a file cannot supply them. Re-running a file changes nothing: people match on their external
id, assessments on person, instrument and date.

Every problem message goes through gettext in the language active when the file is checked:
on the web, the language of the manager who uploaded it.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.assessments.selectors import instrument_of
from pathmark.assessments.services import announce_completed, record_completed_assessments
from pathmark.audit.services import record
from pathmark.instruments.definition import Instrument
from pathmark.instruments.models import InstrumentVersion
from pathmark.instruments.scoring import ResponseError, ScoreResult, score_responses
from pathmark.organisations.models import Organisation
from pathmark.people.models import (
    AgeBand,
    Gender,
    ImmigrationStatus,
    Person,
    QualificationLevel,
    Recognition,
    WorkSector,
    WorkStatus,
)
from pathmark.people.reference import COUNTRY_CODES, LANGUAGE_CODES
from pathmark.people.rules import TOO_LONG, Problem, person_problems, recorded_date_problem
from pathmark.people.rules import fragment as rules_fragment
from pathmark.people.searchkeys import postcode_district
from pathmark.people.services import age_band_for, register_people_in_bulk
from pathmark.privacy.tombstones import erased_among
from pathmark.referrals.services import record_imported_referrals

from .formats import (
    ASSESSMENT_FIXED_COLUMNS,
    PEOPLE_COLUMNS,
    answer_reader,
    answers_as_cells,
    default_language,
)
from .referral_rows import ReferralsPlan, plan_referrals
from .tabular import CellError, Problems, Row, Table, parse_date, parse_yes_no, split_list

Progress = Callable[[int, int], None]
"""Called with (rows done, rows in all) as the work goes on."""

BATCH_SIZE = 1000
PROGRESS_EVERY = 1000
IMPORTED_CONSENT_PURPOSE = (
    "To hold and use their information; recorded in a previous system and imported."
)
# The lengths of Person.name and Person.external_id, checked before the database would.
EXTERNAL_ID_LENGTH = Person._meta.get_field("external_id").max_length or 64


class ImportRefused(Exception):
    """The file had problems, so nothing was written."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result
        total = result.problems.total
        super().__init__(
            ngettext("%(count)s problem", "%(count)s problems", total) % {"count": total}
        )


@dataclass
class ImportResult:
    kind: str
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: Problems = field(default_factory=Problems)
    dry_run: bool = False
    written: bool = False

    @property
    def rejected(self) -> int:
        """Rows not written because of a problem; every row when the columns are wrong."""
        if 1 in self.problems.rows:
            return self.rows
        return len(self.problems.rows)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "file": self.source,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "problems": [
                {"row": p.row, "column": p.column, "message": p.message, "value": p.value}
                for p in self.problems.listed
            ],
            "problems_not_listed": self.problems.not_listed,
        }


def _user_id(by: Any) -> int | None:
    """The user to name on records; None when a command line, not a person, imports."""
    return getattr(by, "pk", None) or None


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)


def check_header(table: Table, known: list[str], required: list[str], problems: Problems) -> None:
    if not set(table.columns) & set(known):
        # Probably a file without a header row: its first row is a person, so naming its
        # "columns" would copy their data into the job's stored problems.
        problems.add(
            1,
            "",
            _(
                "the first row must name the columns (see docs/import-format.md); "
                "none of its cells is a column of this import."
            ),
        )
        return
    seen: set[str] = set()
    for column in table.columns:
        if not column:
            continue
        if column in seen:
            problems.add(1, column, _("this column appears twice; keep one."))
        seen.add(column)
        if column not in known:
            message = _(
                "this is not a column of this import; remove it or correct its name "
                "(see docs/import-format.md)."
            )
            close = difflib.get_close_matches(column, known, n=1)
            if close:
                message += " " + _("Did you mean %(column)s?") % {"column": close[0]}
            problems.add(1, column, message)
    for column in required:
        if column not in seen:
            problems.add(1, column, _("this required column is missing; add it to the first row."))


def _extra_cells(row: Row, problems: Problems) -> None:
    if "" in row.cells:
        problems.add(
            row.number,
            "",
            _("this row has more cells than the first row has column names."),
            row.cells[""],
        )


# --- People ---------------------------------------------------------------------------------

PERSON_FIELDS = (
    "name",
    "date_of_birth",
    "age_band",
    "gender",
    "preferred_language",
    "languages",
    "country_of_origin",
    "date_of_arrival",
    "immigration_status_id",
    "postcode_district",
    "qualification_level",
    "qualification_subject",
    "profession_sector",
    "profession_recognition",
    "work_status",
    "work_sector",
)


@dataclass
class PersonRow:
    row: int
    external_id: str
    values: dict[str, Any]
    consent_date: dt.date | None
    existing_pk: int | None = None
    changed: list[str] = field(default_factory=list)


@dataclass
class PeoplePlan:
    result: ImportResult
    creates: list[PersonRow] = field(default_factory=list)
    updates: list[PersonRow] = field(default_factory=list)


class _Choices:
    """One of a fixed list of values whatever its case: `Woman` and `woman` are the same
    answer. Built once per import, then asked once per cell."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = list(values)
        self.by_case = {value.casefold(): value for value in self.values}

    def __call__(self, text: str) -> str:
        found = self.by_case.get(text.strip().casefold())
        if found is None:
            raise CellError(_("write one of %(values)s.") % {"values": ", ".join(self.values)})
        return found


class _Dates:
    """`parse_date` remembering what it read: a file's rows share few dates of consent,
    arrival or assessment, and the same date reads the same every time."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.read: dict[str, dt.date] = {}

    def __call__(self, text: str) -> dt.date:
        date = self.read.get(text)
        if date is None:
            date = self.read[text] = parse_date(text, today=self.today)
        return date


@dataclass
class _PersonReaders:
    """What reading a person's row needs, looked up once per import."""

    today: dt.date
    statuses: dict[str, int]
    dates: _Dates = field(init=False)
    age_bands: _Choices = field(init=False)
    genders: _Choices = field(init=False)
    status_names: _Choices = field(init=False)
    qualification_levels: _Choices = field(init=False)
    sectors: _Choices = field(init=False)
    recognitions: _Choices = field(init=False)
    work_statuses: _Choices = field(init=False)

    def __post_init__(self) -> None:
        self.dates = _Dates(self.today)
        self.age_bands = _Choices(AgeBand.values)
        self.genders = _Choices(Gender.values)
        self.qualification_levels = _Choices(QualificationLevel.values)
        self.sectors = _Choices(WorkSector.values)
        self.recognitions = _Choices(Recognition.values)
        self.work_statuses = _Choices(WorkStatus.values)
        self.status_names = _Choices(self.statuses)

    def status(self, text: str) -> int:
        return self.statuses[self.status_names(text)]


def _person_values(
    row: Row, read: _PersonReaders, problems: Problems
) -> tuple[dict[str, Any], dt.date | None, bool | None]:
    cells = row.cells

    def check(name: str, parse: Callable[[str], Any]) -> Any:
        text = cells.get(name, "")
        if not text:
            return None
        try:
            return parse(text)
        except CellError as error:
            problems.add(row.number, name, str(error), text)
            return None

    name = cells.get("name", "")
    # In the order of the columns, so a row's problems are listed as the file reads.
    born = check("date_of_birth", read.dates)
    age_band = check("age_band", read.age_bands) or ""
    if born and not age_band:
        age_band = age_band_for(born, today=read.today)
    gender = check("gender", read.genders) or ""
    preferred_language = check("preferred_language", _language) or ""
    languages = check("languages", _languages) or []
    country = check("country_of_origin", _country) or ""
    arrival = check("date_of_arrival", read.dates)
    values = {
        "name": name,
        "date_of_birth": born,
        "age_band": age_band,
        "gender": gender,
        "preferred_language": preferred_language,
        "languages": languages,
        "country_of_origin": country,
        "date_of_arrival": arrival,
        "immigration_status_id": check("immigration_status", read.status),
        "postcode_district": check("postcode_district", _district) or "",
        "qualification_level": check("qualification_level", read.qualification_levels) or "",
        "qualification_subject": cells.get("qualification_subject", "")[:120],
        "profession_sector": check("profession_sector", read.sectors) or "",
        "profession_recognition": check("profession_recognition", read.recognitions) or "",
        "work_status": check("work_status", read.work_statuses) or "",
        "work_sector": check("work_sector", read.sectors) or "",
    }
    # The rules the registration form checks, from the same functions (`people.rules`).
    for problem in person_problems(values, today=read.today):
        problems.add(row.number, problem.field, rules_fragment(problem))
    consent_given = check("consent_to_share", parse_yes_no)
    consent_date = check("consent_date", read.dates)
    if consent_date is not None:
        problem = recorded_date_problem(
            consent_date, born=born if isinstance(born, dt.date) else None, today=read.today
        )
        if problem is not None:
            problems.add(row.number, "consent_date", rules_fragment(problem), cells["consent_date"])
            consent_date = None
    return values, consent_date, consent_given


def _language(text: str) -> str:
    code = text.strip().lower()
    if code not in LANGUAGE_CODES:
        raise CellError(
            _("not an ISO 639-1 language code; write a two-letter code such as ar or uk.")
        )
    return code


def _languages(text: str) -> list[str]:
    return [_language(code) for code in split_list(text)]


def _district(text: str) -> str:
    """A postcode district ("NB1"), or a whole postcode of which only the district is kept."""
    district = postcode_district(text)
    if not district:
        raise CellError(
            _("not a UK postcode district; write the first part of a postcode, such as NB1.")
        )
    return district


def _country(text: str) -> str:
    code = text.strip().upper()
    if code not in COUNTRY_CODES:
        raise CellError(_("not an ISO 3166-1 country code; write a two-letter code such as SY."))
    return code


def plan_people(
    table: Table, *, organisation: Organisation, progress: Progress | None = None
) -> PeoplePlan:
    """Check every row and decide what each would do, without writing anything."""
    result = ImportResult(kind="people", source=table.source, rows=len(table.rows))
    plan = PeoplePlan(result=result)
    problems = result.problems
    known = [column.name for column in PEOPLE_COLUMNS]
    check_header(table, known, [c.name for c in PEOPLE_COLUMNS if c.required], problems)
    if problems:
        return plan
    read = _PersonReaders(
        timezone.localdate(), dict(ImmigrationStatus.objects.values_list("slug", "pk"))
    )
    existing = {
        external_id: (pk, status, values)
        for external_id, pk, status, *values in Person.objects.filter(organisation=organisation)
        .exclude(external_id="")
        .values_list("external_id", "pk", "status", *PERSON_FIELDS)
    }
    first_row: dict[str, int] = {}
    erased = erased_among(organisation.pk, [row.cells.get("external_id", "") for row in table.rows])
    for done, row in enumerate(table.rows, start=1):
        _tick(progress, done, len(table.rows))
        before = problems.total
        _extra_cells(row, problems)
        external_id = row.cells.get("external_id", "")
        if external_id in erased:
            problems.add(
                row.number,
                "external_id",
                _(
                    "this person's record was erased at their request; they cannot be "
                    "imported again. Remove the row."
                ),
            )
        elif not external_id:
            problems.add(
                row.number,
                "external_id",
                _("required; give the person's id in your previous system."),
            )
        elif len(external_id) > EXTERNAL_ID_LENGTH:
            problems.add(
                row.number,
                "external_id",
                rules_fragment(Problem("external_id", TOO_LONG, EXTERNAL_ID_LENGTH)),
            )
        elif external_id in first_row:
            problems.add(
                row.number,
                "external_id",
                _("the same external_id is already on row %(row)s; give each person one row.")
                % {"row": first_row[external_id]},
            )
        else:
            first_row[external_id] = row.number
        values, consent_date, consent_given = _person_values(row, read, problems)
        match = existing.get(external_id)
        if match is None:
            if consent_given is False:
                problems.add(
                    row.number,
                    "consent_to_share",
                    _(
                        "Pathmark holds a person's record only with their consent, and this "
                        "row says no; leave the person out or record their consent first."
                    ),
                )
            elif consent_given is None and not row.cells.get("consent_to_share"):
                problems.add(
                    row.number,
                    "consent_to_share",
                    _("required for a new person; write yes or no."),
                )
            if consent_date is None and not row.cells.get("consent_date"):
                problems.add(
                    row.number,
                    "consent_date",
                    _("required for a new person; write the date they gave consent as YYYY-MM-DD."),
                )
        elif match[1] != Person.Status.ACTIVE:
            problems.add(
                row.number,
                "external_id",
                _("this person's record is restricted or erased; an import cannot change it."),
            )
        if problems.total > before:
            continue
        planned = PersonRow(row.number, external_id, values, consent_date)
        if match is None:
            plan.creates.append(planned)
            continue
        planned.existing_pk = match[0]
        stored = dict(zip(PERSON_FIELDS, match[2], strict=True))
        planned.changed = [name for name in PERSON_FIELDS if stored[name] != values[name]]
        if planned.changed:
            plan.updates.append(planned)
        else:
            result.unchanged += 1
    result.created = len(plan.creates)
    result.updated = len(plan.updates)
    return plan


def _write_people(
    plan: PeoplePlan, *, by: Any, organisation: Organisation, job_id: int | None
) -> None:
    register_people_in_bulk(
        by=by,
        organisation=organisation,
        creates=plan.creates,
        updates=plan.updates,
        consent_purpose=IMPORTED_CONSENT_PURPOSE,
        extra={"import": job_id},
    )


# --- Assessments ----------------------------------------------------------------------------


@dataclass
class AssessmentRow:
    row: int
    person_id: int
    assessed_on: dt.date
    mode: str
    language: str
    answers: dict[str, object]
    scores: ScoreResult


@dataclass
class AssessmentsPlan:
    result: ImportResult
    version: InstrumentVersion
    creates: list[AssessmentRow] = field(default_factory=list)
    """The checked rows not yet handed to `write` (all of them, without a `write`)."""
    people: set[int] = field(default_factory=set)
    """Everyone with an assessment to create, for one announcement at the end."""


WRITE_BATCH = 5_000
"""Checked assessment rows written at a time while the rest of the file is still being read:
an import never holds more than this many rows' answers and scores."""


def plan_assessments(
    table: Table,
    *,
    organisation: Organisation,
    version: InstrumentVersion,
    progress: Progress | None = None,
    write: Callable[[list[AssessmentRow]], None] | None = None,
    skip_invalid: bool = False,
) -> AssessmentsPlan:
    """Check every row against the instrument and the organisation's people. Without `write`,
    the rows to create are kept in the plan; with it, they are handed to `write` a batch at a
    time as the file is read (in the caller's transaction), while no row has had a problem or
    with `skip_invalid`; once a row has a problem, the rest are only checked (the caller
    refuses the file and its transaction takes back what was written)."""
    instrument = instrument_of(version)
    total = len(table.rows)
    result = ImportResult(kind=f"assessments:{version.slug}", source=table.source, rows=total)
    plan = AssessmentsPlan(result=result, version=version)
    problems = result.problems
    fixed = [column.name for column in ASSESSMENT_FIXED_COLUMNS]
    items = {item.id: item for item in instrument.items}
    check_header(
        table,
        fixed + list(items),
        [c.name for c in ASSESSMENT_FIXED_COLUMNS if c.required],
        problems,
    )
    if problems:
        return plan
    item_columns = [column for column in table.columns if column in items]
    readers = [(item_id, answer_reader(items[item_id])) for item_id in item_columns]
    # Only the organisation's own people: a record shared with it by consent belongs to
    # the organisation that registered it, and its id in the file would be theirs.
    people = {
        external_id: (pk, status, born)
        for external_id, pk, status, born in Person.objects.filter(organisation=organisation)
        .exclude(external_id="")
        .exclude(status=Person.Status.ERASED)
        .values_list("external_id", "pk", "status", "date_of_birth")
    }
    stored = {
        (person_id, assessed_on): pk
        for person_id, assessed_on, pk in Assessment.objects.filter(
            person__organisation=organisation,
            instrument_version__slug=version.slug,
            status=AssessmentStatus.COMPLETED,
        ).values_list("person_id", "assessed_on", "pk")
    }
    matched: dict[int, tuple[int, dict[str, str]]] = {}
    today = timezone.localdate()
    languages = instrument.languages
    usual_language = default_language(instrument)
    modes = _Choices(AssessmentMode.values)
    # The first row of each person and date: one int key and row number per row, the only
    # thing an import keeps of every row it has read.
    first_row: dict[int, int] = {}
    dates = _Dates(today)
    created = 0

    def hand_over() -> None:
        if write is not None and plan.creates:
            if not problems or skip_invalid:
                write(plan.creates)
            plan.creates = []

    for done, row in enumerate(table.rows, start=1):
        _tick(progress, done, total)
        before = problems.total
        cells = row.cells
        if "" in cells:
            _extra_cells(row, problems)
        person = None
        external_id = cells.get("person_external_id", "")
        if not external_id:
            problems.add(
                row.number, "person_external_id", _("required; give the person's external_id.")
            )
        else:
            person = people.get(external_id)
            if person is None:
                problems.add(
                    row.number,
                    "person_external_id",
                    _("no person with this external_id in your organisation; import them first."),
                    external_id,
                )
            elif person[1] == Person.Status.RESTRICTED:
                problems.add(
                    row.number,
                    "person_external_id",
                    _(
                        "processing of this person's data is restricted, so no assessment can "
                        "be imported for them."
                    ),
                )
        assessed_on = None
        date_text = cells.get("assessed_on", "")
        if not date_text:
            problems.add(row.number, "assessed_on", _("required; write the date as YYYY-MM-DD."))
        else:
            try:
                assessed_on = dates(date_text)
            except CellError as error:
                problems.add(row.number, "assessed_on", str(error), date_text)
        if assessed_on is not None:
            # The rule the start form and the services keep (`people.rules`).
            problem = recorded_date_problem(
                assessed_on, born=person[2] if person else None, today=today
            )
            if problem is not None:
                problems.add(row.number, "assessed_on", rules_fragment(problem), date_text)
        mode = AssessmentMode.CASEWORKER_LED.value
        if cells.get("mode"):
            try:
                mode = modes(cells["mode"])
            except CellError as error:
                problems.add(row.number, "mode", str(error), cells["mode"])
        language = usual_language
        if cells.get("language"):
            language = cells["language"].lower()
            if language not in languages:
                problems.add(
                    row.number,
                    "language",
                    _(
                        "this instrument is not available in that language; write one of "
                        "%(languages)s."
                    )
                    % {"languages": ", ".join(languages)},
                    cells["language"],
                )
        answers = _answers(row, readers, problems)
        if problems.total > before or person is None or assessed_on is None:
            continue
        key = person[0] << 22 | assessed_on.toordinal()
        if key in first_row:
            problems.add(
                row.number,
                "assessed_on",
                _(
                    "the same person and date are already on row %(row)s; give each "
                    "assessment one row."
                )
                % {"row": first_row[key]},
            )
            continue
        first_row[key] = row.number
        pk = stored.get((person[0], assessed_on))
        if pk is not None:
            matched[pk] = (row.number, answers_as_cells(instrument, answers))
            if len(matched) >= BATCH_SIZE:
                _compare_stored(matched, instrument, plan)
                matched.clear()
            continue
        try:
            scores = score_responses(instrument, answers)
        except ResponseError as error:
            # A safety net: parse_answer already refuses anything the scoring would.
            for item_id, message in error.problems:
                problems.add(row.number, item_id, message)
            continue
        if scores.overall is None:
            problems.add(
                row.number,
                "",
                _(
                    "too few answers to give a score; each domain needs its minimum number of "
                    "answers (see `pathmark instruments show %(instrument)s`)."
                )
                % {"instrument": instrument.slug},
            )
            continue
        created += 1
        plan.people.add(person[0])
        if write is not None and problems and not skip_invalid:
            continue  # the file will be refused: only count the rest
        plan.creates.append(
            AssessmentRow(row.number, person[0], assessed_on, mode, language, answers, scores)
        )
        if len(plan.creates) >= WRITE_BATCH:
            hand_over()
    _compare_stored(matched, instrument, plan)
    hand_over()
    result.created = created
    return plan


def _answers(
    row: Row, readers: list[tuple[str, Callable[[str], object]]], problems: Problems
) -> dict[str, object]:
    """The row's answers, item by item; a cell that is not an answer is a problem."""
    cells = row.cells
    try:
        # The usual row has no problem: read it in one pass, the slow way only if not.
        return {
            item_id: answer
            for item_id, read in readers
            if (answer := read(cells.get(item_id, ""))) is not None
        }
    except CellError:
        pass
    answers: dict[str, object] = {}
    for item_id, read in readers:
        try:
            answer = read(cells.get(item_id, ""))
        except CellError as error:
            problems.add(row.number, item_id, str(error), cells[item_id])
            continue
        if answer is not None:
            answers[item_id] = answer
    return answers


def _compare_stored(
    matched: dict[int, tuple[int, dict[str, str]]], instrument: Instrument, plan: AssessmentsPlan
) -> None:
    """A row for an assessment already stored is unchanged if its answers are the same; an
    import never rewrites a completed assessment, so different answers are a problem."""
    ids = list(matched)
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        for pk, answers in Assessment.objects.filter(pk__in=batch).values_list("pk", "answers"):
            row, cells = matched[pk]
            if answers_as_cells(instrument, answers) == cells:
                plan.result.unchanged += 1
            else:
                plan.result.problems.add(
                    row,
                    "assessed_on",
                    _(
                        "this person already has a completed %(instrument)s assessment on this "
                        "date with different answers, and an import does not change completed "
                        "assessments; correct the date or remove the row."
                    )
                    % {"instrument": instrument.slug},
                )


def _assessment_writer(
    version: InstrumentVersion, *, by: Any, organisation: Organisation, job_id: int | None
) -> Callable[[list[AssessmentRow]], None]:
    """Writes a batch of checked rows, with their audit entries; the people's trends are
    announced once, for the whole file (`_announce`)."""

    def write(rows: list[AssessmentRow]) -> None:
        record_completed_assessments(
            by=by,
            organisation=organisation,
            version=version,
            assessments=rows,
            extra={"import": job_id},
            reason=f"import {job_id}",
            announce=False,
        )

    return write


def _announce(plan: AssessmentsPlan, *, by: Any, job_id: int | None) -> None:
    # The caseload reads stored trends: one refresh of everyone's, queued for after the commit.
    announce_completed(person_ids=plan.people, by=by, reason=f"import {job_id}")


# --- Running an import ----------------------------------------------------------------------


def import_table(
    *,
    by: Any,
    organisation: Organisation,
    table: Table,
    kind: str,
    instrument_version: InstrumentVersion | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    job_id: int | None = None,
) -> ImportResult:
    """Check the whole table and, unless it is a dry run or has problems, write it all in one
    transaction. With `skip_invalid` the good rows are written and the others rejected.

    The rows are checked again inside the transaction that writes them, so nothing another
    user changed since a preview can slip past the checks.
    """
    if dry_run:
        if kind not in ("people", "referrals") and instrument_version is not None:
            # Checked and counted, never kept: a preview of a large file holds one batch.
            result = plan_assessments(
                table,
                organisation=organisation,
                version=instrument_version,
                progress=progress,
                write=lambda rows: None,
                skip_invalid=True,
            ).result
        else:
            result = _plan(table, kind, organisation, instrument_version, progress).result
        result.dry_run = True
        return result
    with transaction.atomic():
        if kind not in ("people", "referrals") and instrument_version is not None:
            # Written a batch at a time as the file is read; a problem anywhere refuses the
            # file, and this transaction takes back every batch written before it.
            plan = plan_assessments(
                table,
                organisation=organisation,
                version=instrument_version,
                progress=progress,
                write=_assessment_writer(
                    instrument_version, by=by, organisation=organisation, job_id=job_id
                ),
                skip_invalid=skip_invalid,
            )
        else:
            plan = _plan(table, kind, organisation, instrument_version, progress)
        result = plan.result
        if result.problems and not skip_invalid:
            raise ImportRefused(result)
        if isinstance(plan, PeoplePlan):
            _write_people(plan, by=by, organisation=organisation, job_id=job_id)
        elif isinstance(plan, ReferralsPlan):
            record_imported_referrals(
                by=by,
                organisation=organisation,
                creates=plan.creates,
                updates=plan.updates,
                job_id=job_id,
            )
        else:
            _announce(plan, by=by, job_id=job_id)
        record(
            actor=by,
            organisation=organisation,
            action="transfer.imported",
            extra={
                "import": job_id,
                "kind": result.kind,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": result.rejected,
            },
        )
        result.written = True
    return result


def _plan(
    table: Table,
    kind: str,
    organisation: Organisation,
    version: InstrumentVersion | None,
    progress: Progress | None,
) -> PeoplePlan | AssessmentsPlan | ReferralsPlan:
    if kind == "people":
        return plan_people(table, organisation=organisation, progress=progress)
    if kind == "referrals":
        result = ImportResult(kind="referrals", source=table.source, rows=len(table.rows))
        return plan_referrals(table, organisation=organisation, result=result)
    if version is None:
        raise ValueError("an assessments import needs an instrument version")
    return plan_assessments(table, organisation=organisation, version=version, progress=progress)
