"""The rules a person's record keeps, whichever way it arrives: the registration and edit
forms and the import check these same functions, so a rule cannot hold in one and not the
other, and each says what is wrong in the words of its page (a sentence on a form, a fragment
after "row 3, date_of_arrival:" in an import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

EARLIEST_DATE = date(1900, 1, 1)
NAME_LENGTH = 200

REQUIRED = "required"
TOO_LONG = "too_long"
FUTURE = "future"
TOO_EARLY = "too_early"
ARRIVAL_BEFORE_BIRTH = "arrival_before_birth"
BEFORE_BIRTH = "before_birth"
BEFORE_EARLIEST_YEAR = "before_earliest_year"
DESCRIPTION_MISSING = "description_missing"


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    limit: int = 0


def date_problem(value: date | None, *, today: date | None = None) -> str | None:
    """A date in a person's record (birth, arrival, consent): not in the future, not before
    1900 (a slip of the keyboard, not a person)."""
    if value is None:
        return None
    if value > (today or timezone.localdate()):
        return FUTURE
    if value < EARLIEST_DATE:
        return TOO_EARLY
    return None


def earliest_year() -> int:
    """The first year anything can have been recorded about a person in this partnership
    (`PATHMARK_EARLIEST_YEAR`): older than any case file a partner could migrate, recent
    enough that a mistyped century (0202, 1922 for 2022) is caught."""
    return int(getattr(settings, "PATHMARK_EARLIEST_YEAR", 1990))


def recorded_date_problem(
    value: date | None, *, born: date | None = None, today: date | None = None
) -> Problem | None:
    """A dated fact recorded about a person (an assessment, a consent): never in the future,
    never before the person was born, never before the earliest year. The forms, the services
    and the import all ask this; `Problem.limit` carries the earliest year for the message."""
    if value is None:
        return None
    if value > (today or timezone.localdate()):
        return Problem("", FUTURE)
    if born is not None and value < born:
        return Problem("", BEFORE_BIRTH)
    year = earliest_year()
    if value.year < year:
        return Problem("", BEFORE_EARLIEST_YEAR, year)
    return None


def person_problems(values: Mapping[str, Any], *, today: date | None = None) -> list[Problem]:
    """Everything wrong with a person's values, in the order of the fields. Only the fields
    present are checked (an import has no gender description column)."""
    problems: list[Problem] = []
    if "name" in values:
        name = (values.get("name") or "").strip()
        if not name:
            problems.append(Problem("name", REQUIRED))
        elif len(name) > NAME_LENGTH:
            problems.append(Problem("name", TOO_LONG, NAME_LENGTH))
    for name in ("date_of_birth", "date_of_arrival"):
        code = date_problem(values.get(name), today=today)
        if code is not None:
            problems.append(Problem(name, code))
    born, arrived = values.get("date_of_birth"), values.get("date_of_arrival")
    if (
        born
        and arrived
        and arrived < born
        and date_problem(born, today=today) is None
        and date_problem(arrived, today=today) is None
    ):
        problems.append(Problem("date_of_arrival", ARRIVAL_BEFORE_BIRTH))
    if (
        "gender_description" in values
        and values.get("gender") == "self_described"
        and not (values.get("gender_description") or "").strip()
    ):
        problems.append(Problem("gender_description", DESCRIPTION_MISSING))
    return problems


def sentence(problem: Problem, label: str) -> str:
    """The problem as a form says it, next to the field called `label`."""
    if problem.code == REQUIRED:
        return _("%(label)s is required.") % {"label": label}
    if problem.code == TOO_LONG:
        return ngettext(
            "%(label)s must be at most %(limit)d character.",
            "%(label)s must be at most %(limit)d characters.",
            problem.limit,
        ) % {"label": label, "limit": problem.limit}
    if problem.code == FUTURE:
        return _("%(label)s cannot be in the future.") % {"label": label}
    if problem.code == TOO_EARLY:
        return _("%(label)s must be after 1900.") % {"label": label}
    if problem.code == ARRIVAL_BEFORE_BIRTH:
        return _("Date of arrival cannot be before the date of birth.")
    if problem.code == BEFORE_BIRTH:
        return _("%(label)s cannot be before the person's date of birth.") % {"label": label}
    if problem.code == BEFORE_EARLIEST_YEAR:
        return _("%(label)s cannot be before %(year)s.") % {"label": label, "year": problem.limit}
    return _("Write how the person describes their gender.")


def fragment(problem: Problem) -> str:
    """The problem as an import says it, after the row and the column."""
    if problem.code == REQUIRED:
        return _("a name or pseudonym is required; fill it in.")
    if problem.code == TOO_LONG:
        return ngettext(
            "longer than %(limit)s character; shorten it.",
            "longer than %(limit)s characters; shorten it.",
            problem.limit,
        ) % {"limit": problem.limit}
    if problem.code == FUTURE:
        return _("in the future; check the date.")
    if problem.code == TOO_EARLY:
        return _("before 1900; check the year.")
    if problem.code == ARRIVAL_BEFORE_BIRTH:
        return _("before the date of birth; check the dates.")
    if problem.code == BEFORE_BIRTH:
        return _("before the person's date of birth; check the date.")
    if problem.code == BEFORE_EARLIEST_YEAR:
        return _("before %(year)s, the earliest year records are kept from; check the year.") % {
            "year": problem.limit
        }
    return _("describe the gender in words.")
