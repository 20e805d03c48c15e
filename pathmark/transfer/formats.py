"""The columns of each import and export file, and how an instrument's answers become cells.

The same definitions drive the importer, the exporter, the templates and the documentation, so
an exported file is always a valid import file. Pure Python over the instrument definition,
with problem messages through Django's gettext.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from django.utils.translation import gettext as _

from pathmark.instruments.definition import DEFAULT_LANGUAGE, Instrument, Item

from .tabular import CellError, format_number, parse_number, split_list


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str
    example: str = ""


PEOPLE_COLUMNS: tuple[Column, ...] = (
    Column(
        "external_id",
        True,
        "The person's id in your previous system; unique in your organisation. "
        "Re-importing matches people on it.",
        "CRM-00042",
    ),
    Column("name", True, "Name or pseudonym.", "Amal Example"),
    Column("date_of_birth", False, "YYYY-MM-DD.", "1990-04-03"),
    Column("age_band", False, "One of 0-17, 18-30, 31-45, 46-64, 65+ (if no date of birth).", ""),
    Column("gender", False, "One of woman, man, non_binary, self_described, not_said.", "woman"),
    Column("preferred_language", False, "ISO 639-1 code, such as ar or uk.", "ar"),
    Column("languages", False, "ISO 639-1 codes separated by ;", "ar;en"),
    Column("country_of_origin", False, "ISO 3166-1 alpha-2 code, such as SY.", "SY"),
    Column("date_of_arrival", False, "Date of arrival in the UK, YYYY-MM-DD.", "2022-09-15"),
    Column(
        "immigration_status",
        False,
        "The short name of one of the immigration status categories, such as refugee-status.",
        "refugee-status",
    ),
    Column(
        "postcode_district",
        False,
        "The first part of the person's postcode (its district), such as NB1; a whole postcode "
        "is cut to its district. Reports split by it; the full postcode is never imported.",
        "NB1",
    ),
    Column(
        "qualification_level",
        False,
        "Highest qualification: none, school, vocational, degree or postgraduate.",
        "degree",
    ),
    Column("qualification_subject", False, "Its subject, in a few words.", "Nursing"),
    Column(
        "profession_sector",
        False,
        "Their profession before arriving: health, education, engineering, business, legal, "
        "it, trades, care, hospitality, agriculture, transport or other.",
        "health",
    ),
    Column(
        "profession_recognition",
        False,
        "Whether that profession is recognised in the UK: not_needed, not_started, "
        "in_progress, recognised or not_recognised.",
        "in_progress",
    ),
    Column(
        "work_status",
        False,
        "Their work now: not_working, part_time, full_time or studying.",
        "part_time",
    ),
    Column("work_sector", False, "The sector of their work now (as profession_sector).", "care"),
    Column(
        "consent_to_share",
        True,
        "yes if the person agreed to you holding and using their information (recorded as "
        "their consent, in writing, on consent_date).",
        "yes",
    ),
    Column("consent_date", True, "The date they gave that consent, YYYY-MM-DD.", "2022-10-01"),
)

ASSESSMENT_FIXED_COLUMNS: tuple[Column, ...] = (
    Column(
        "person_external_id", True, "The external_id of a person already imported.", "CRM-00042"
    ),
    Column("assessed_on", True, "Date of the assessment, YYYY-MM-DD.", "2023-01-20"),
    Column(
        "mode",
        False,
        "caseworker_led (the default), self_completed or with_interpreter.",
        "caseworker_led",
    ),
    Column("language", False, "The language it was done in (default en).", "en"),
)

REFERRAL_COLUMNS: tuple[Column, ...] = (
    Column(
        "person_external_id", True, "The external_id of a person already imported.", "CRM-00042"
    ),
    Column(
        "service_id",
        True,
        "The id of a service in the directory, as in its HSDS package (a UUID).",
        "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
    ),
    Column("referred_on", True, "The date of the referral, YYYY-MM-DD.", "2023-02-01"),
    Column(
        "status",
        True,
        "Where it stands: sent, accepted, declined, started, completed, did_not_attend or "
        "withdrawn.",
        "completed",
    ),
    Column(
        "status_on",
        False,
        "The date it reached that status, YYYY-MM-DD (default: referred_on).",
        "2023-04-30",
    ),
)


def people_columns() -> list[str]:
    return [column.name for column in PEOPLE_COLUMNS]


def referral_columns() -> list[str]:
    return [column.name for column in REFERRAL_COLUMNS]


def assessment_columns(instrument: Instrument) -> list[str]:
    return [column.name for column in ASSESSMENT_FIXED_COLUMNS] + [
        item.id for item in instrument.items
    ]


def item_description(item: Item) -> str:
    """What a cell for this item may hold, in the words of the documentation."""
    if item.type == "number":
        return f"a number from {item.number_min:g} to {item.number_max:g}"
    if item.type == "free_text":
        return "text"
    values = ", ".join(option.value for option in item.options)
    if item.type == "multiple_choice":
        return f"one or more of {values}, separated by ;"
    return f"one of {values}"


def item_example(item: Item) -> str:
    if item.type == "number":
        return format_number(item.number_min if item.number_min is not None else 0)
    if item.type == "free_text":
        return ""
    scored = [option for option in item.options if option.score is not None]
    return (scored or list(item.options))[len(scored or item.options) // 2].value


# --- Answers as cells -----------------------------------------------------------------------


def parse_answer(item: Item, text: str) -> object:
    """The stored answer for a cell (None when empty). Option values match whatever their
    case; a cell that is not an option names the options, for the person fixing the file."""
    return answer_reader(item)(text)


def answer_reader(item: Item) -> Callable[[str], object]:
    """`parse_answer` for one item, with its options looked up once: an import reads each
    item's cell once per row, hundreds of thousands of times."""
    if item.type == "free_text":
        return _read_free_text
    if item.type == "number":
        return partial(_read_number, item)
    by_case = {option.value.casefold(): option.value for option in item.options}
    if item.type == "multiple_choice":
        return partial(_read_choices, item, by_case)
    return partial(_read_choice, item, by_case)


def _read_free_text(text: str) -> object:
    return text.strip() or None


def _read_number(item: Item, text: str) -> object:
    text = text.strip()
    if not text:
        return None
    assert item.number_min is not None and item.number_max is not None
    bounds = {"min": f"{item.number_min:g}", "max": f"{item.number_max:g}"}
    try:
        number = parse_number(text)
    except CellError:
        raise CellError(_("write a number from %(min)s to %(max)s.") % bounds) from None
    if not item.number_min <= number <= item.number_max:
        raise CellError(_("the number must be from %(min)s to %(max)s.") % bounds)
    return number


def _read_choices(item: Item, by_case: dict[str, str], text: str) -> object:
    if not text.strip():
        return None
    chosen = []
    for part in split_list(text):
        value = by_case.get(part.casefold())
        if value is None:
            raise CellError(_options_message(item))
        if value in chosen:
            raise CellError(_("the same option is given twice."))
        chosen.append(value)
    return chosen


def _read_choice(item: Item, by_case: dict[str, str], text: str) -> object:
    text = text.strip()
    if not text:
        return None
    value = by_case.get(text.casefold())
    if value is None:
        raise CellError(_options_message(item))
    return value


def _options_message(item: Item) -> str:
    names = {"item": item.id, "values": ", ".join(option.value for option in item.options)}
    if item.type == "multiple_choice":
        return (
            _("not one of the options of %(item)s; write one or more of %(values)s, separated by ;")
            % names
        )
    return _("not one of the options of %(item)s; write one of %(values)s.") % names


def format_answer(item: Item, answer: object) -> str:
    if answer is None:
        return ""
    if (
        item.type == "multiple_choice"
        and isinstance(answer, Sequence)
        and not isinstance(answer, str)
    ):
        return ";".join(str(value) for value in answer)
    if item.type == "number" and isinstance(answer, int | float) and not isinstance(answer, bool):
        return format_number(answer)
    return str(answer)


def answers_as_cells(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, str]:
    """Answers as the cells an export writes; comparing these tells whether a re-imported
    assessment is the one already stored."""
    cells = {}
    for item in instrument.items:
        cell = format_answer(item, answers.get(item.id))
        if cell:
            cells[item.id] = cell
    return cells


def default_language(instrument: Instrument) -> str:
    return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in instrument.languages else instrument.languages[0]
