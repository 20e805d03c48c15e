"""Checking a referrals file before anything is written: each row names one of the
organisation's people, a service of the directory by its HSDS id, and where the referral
stood on a date. Ids are looked up, never trusted; an unknown one is a problem with its row
and column. The writing is the referrals app's (`record_imported_referrals`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from pathmark.core.references import parse_person_reference
from pathmark.directory.models import Service
from pathmark.organisations.models import Organisation
from pathmark.people.models import Person
from pathmark.referrals import states
from pathmark.referrals.models import Referral
from pathmark.referrals.services import ImportedReferral

from .formats import REFERRAL_COLUMNS
from .tabular import CellError, Problems, Row, Table, parse_date

# A referral made is sent or beyond: a draft was never made, so a file cannot hold one.
IMPORTABLE_STATES = tuple(state for state in states.STATES if state != states.DRAFT)


@dataclass
class ReferralsPlan:
    result: object  # importing.ImportResult (not imported here: importing imports this module)
    creates: list[ImportedReferral] = field(default_factory=list)
    updates: list[ImportedReferral] = field(default_factory=list)


def _people(organisation: Organisation) -> tuple[dict[str, tuple[int, str]], dict[int, str]]:
    """The organisation's own people by external id, and every one's status by id (for a
    reference such as P-000123, which the export writes for people with no external id)."""
    by_external_id: dict[str, tuple[int, str]] = {}
    status_of: dict[int, str] = {}
    for pk, external_id, status in (
        Person.objects.filter(organisation=organisation)
        .exclude(status=Person.Status.ERASED)
        .values_list("pk", "external_id", "status")
    ):
        status_of[pk] = status
        if external_id:
            by_external_id[external_id] = (pk, status)
    return by_external_id, status_of


def _person(
    row: Row,
    problems: Problems,
    by_external_id: dict[str, tuple[int, str]],
    status_of: dict[int, str],
) -> int | None:
    text = row.cells.get("person_external_id", "")
    if not text:
        problems.add(
            row.number, "person_external_id", _("required; give the person's external_id.")
        )
        return None
    found = by_external_id.get(text)
    if found is None:
        pk = parse_person_reference(text)
        if pk in status_of:
            found = (pk, status_of[pk])
    if found is None:
        problems.add(
            row.number,
            "person_external_id",
            _("no person with this external_id in your organisation; import them first."),
            text,
        )
        return None
    if found[1] == Person.Status.RESTRICTED:
        problems.add(
            row.number,
            "person_external_id",
            _("processing of this person's data is restricted, so no referral can be imported."),
        )
        return None
    return found[0]


def _date(row: Row, column: str, problems: Problems, today: dt.date) -> dt.date | None:
    text = row.cells.get(column, "")
    if not text:
        return None
    try:
        return parse_date(text, today=today)
    except CellError as error:
        problems.add(row.number, column, str(error), text)
        return None


def plan_referrals(table: Table, *, organisation: Organisation, result: object) -> ReferralsPlan:
    """Check every row without writing. A referral matches a stored one of the organisation
    on person, service and `referred_on`: the same status and date leave it unchanged,
    another status updates it."""
    from .importing import check_header

    plan = ReferralsPlan(result=result)
    problems: Problems = result.problems  # type: ignore[attr-defined]
    check_header(
        table,
        [column.name for column in REFERRAL_COLUMNS],
        [column.name for column in REFERRAL_COLUMNS if column.required],
        problems,
    )
    if problems:
        return plan
    by_external_id, status_of = _people(organisation)
    wanted = {row.cells.get("service_id", "") for row in table.rows} - {""}
    services = {
        service.pk: service
        for service in Service.objects.filter(pk__in=wanted).select_related("organization")
    }
    stored = {
        (person_id, service_id, referred_on): (pk, status, status_on)
        for person_id, service_id, referred_on, pk, status, status_on in Referral.objects.filter(
            organisation=organisation, referred_on__isnull=False
        ).values_list("person_id", "service_id", "referred_on", "pk", "status", "status_on")
    }
    today = timezone.localdate()
    first_row: dict[tuple[int, str, dt.date], int] = {}
    for row in table.rows:
        before = problems.total
        if "" in row.cells:
            problems.add(
                row.number, "", _("this row has more cells than the first row has column names.")
            )
        person_id = _person(row, problems, by_external_id, status_of)
        service_id = row.cells.get("service_id", "")
        service = services.get(service_id)
        if not service_id:
            problems.add(row.number, "service_id", _("required; give the service's id."))
        elif service is None:
            problems.add(
                row.number,
                "service_id",
                _("no service with this id in the directory; import the directory first."),
                service_id,
            )
        referred_on = _date(row, "referred_on", problems, today)
        if referred_on is None and not row.cells.get("referred_on"):
            problems.add(row.number, "referred_on", _("required; write the date as YYYY-MM-DD."))
        status = row.cells.get("status", "").strip().lower().replace(" ", "_")
        if status not in IMPORTABLE_STATES:
            problems.add(
                row.number,
                "status",
                _("write one of %(states)s.") % {"states": ", ".join(IMPORTABLE_STATES)},
                row.cells.get("status", ""),
            )
        status_on = _date(row, "status_on", problems, today) or referred_on
        if referred_on and status_on and status_on < referred_on:
            problems.add(row.number, "status_on", _("before referred_on; check the dates."))
        if problems.total > before or person_id is None or service is None:
            continue
        assert referred_on is not None and status_on is not None
        key = (person_id, service.pk, referred_on)
        if key in first_row:
            problems.add(
                row.number,
                "referred_on",
                _(
                    "the same person, service and date are already on row %(row)s; give each "
                    "referral one row."
                )
                % {"row": first_row[key]},
            )
            continue
        first_row[key] = row.number
        imported = ImportedReferral(
            row=row.number,
            person_id=person_id,
            service=service,
            referred_on=referred_on,
            status=status,
            status_on=status_on,
        )
        if key not in stored:
            plan.creates.append(imported)
        elif stored[key][1:] == (status, status_on):
            result.unchanged += 1  # type: ignore[attr-defined]
        else:
            imported.existing_pk = stored[key][0]
            plan.updates.append(imported)
    result.created = len(plan.creates)  # type: ignore[attr-defined]
    result.updated = len(plan.updates)  # type: ignore[attr-defined]
    return plan
