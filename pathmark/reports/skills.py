"""Wasted skills (issue 17; seed 003's "thousands of unemployed migrant health
professionals"): the professions people bring beside the work they do now, and whether their
profession is recognised in the UK. Counts of people, read in the aggregate-only scope;
suppressed outside the organisation that registered them like every other report."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from pathmark.organisations.scoping import aggregate_scope
from pathmark.people.models import Person, Recognition, WorkSector

from .selectors import (
    Filters,
    Report,
    Table,
    Viewer,
    _audit,
    _shown_or_hidden,
    minimum_count,
)
from .suppression import TOTAL, CountTable, SuppressedTable, suppress_together

SAME = "same"
OTHER = "other"
NOT_WORKING = "not_working"
STUDYING = "studying"
UNKNOWN = "unknown"
WORK_COLUMNS = (SAME, OTHER, NOT_WORKING, STUDYING, UNKNOWN)
RECOGNITION_COLUMNS = (*Recognition.values, UNKNOWN)


def _work_now(sector: str, status: str, work_sector: str) -> str:
    if status in ("part_time", "full_time"):
        if not work_sector:
            return UNKNOWN
        return SAME if work_sector == sector else OTHER
    if status == "not_working":
        return NOT_WORKING
    if status == "studying":
        return STUDYING
    return UNKNOWN


def skills_report(
    *, viewer: Viewer, filters: Filters, audit: bool = True, progress: object = None
) -> Report:
    """People by the profession they brought: the work they do now (in it, in another
    sector, not working, studying) and whether it is recognised in the UK."""
    minimum = minimum_count()
    suppressing = viewer.suppresses(filters)
    with aggregate_scope("reports: wasted skills"):
        people = Person.objects.filter(status=Person.Status.ACTIVE).exclude(profession_sector="")
        if filters.organisation_id is not None:
            people = people.filter(organisation_id=filters.organisation_id)
        rows = list(
            people.values_list(
                "profession_sector", "work_status", "work_sector", "profession_recognition"
            )
        )
    work: Counter[tuple[str, str]] = Counter()
    recognition: Counter[tuple[str, str]] = Counter()
    for sector, status, work_sector, recognised in rows:
        work[(sector, _work_now(sector, status, work_sector))] += 1
        recognition[(sector, recognised or UNKNOWN)] += 1
    sectors = [value for value in WorkSector.values if any(k[0] == value for k in work)]
    tables = [
        CountTable.of(dict(work), rows=sectors, columns=WORK_COLUMNS),
        CountTable.of(dict(recognition), rows=sectors, columns=RECOGNITION_COLUMNS),
    ]
    if suppressing and sectors:
        results = suppress_together(tables, minimum=minimum)
    else:
        results = [SuppressedTable(table, minimum, frozenset()) for table in tables]
    labels = dict(WorkSector.choices)
    work_result, recognition_result = results
    work_rows, recognition_rows, bars = [], [], []
    for sector in [*sectors, TOTAL]:
        label = _("Everyone") if sector == TOTAL else str(labels[sector])
        brought = work_result.shown(sector, TOTAL)
        work_rows.append(
            [label, _shown_or_hidden(brought)]
            + [_shown_or_hidden(work_result.shown(sector, column)) for column in WORK_COLUMNS]
        )
        recognition_rows.append(
            [label]
            + [
                _shown_or_hidden(recognition_result.shown(sector, column))
                for column in RECOGNITION_COLUMNS
            ]
        )
        if sector != TOTAL:
            in_use = work_result.shown(sector, SAME)
            share = None
            if in_use is not None and brought:
                share = round(100 * (brought - in_use) / brought, 1)
            bars.append((label, share))
    people_counted = work_result.shown(TOTAL, TOTAL) if sectors else 0
    report = Report(
        kind="skills",
        title=_("Wasted skills: the professions people bring and the work they do now"),
        filters=filters,
        suppressing=suppressing,
        minimum=minimum,
        people=people_counted,
        tables=[
            Table(
                _("Profession brought, by work now"),
                [
                    _("Profession before arriving"),
                    _("People"),
                    _("Working in it"),
                    _("Working in another sector"),
                    _("Not working"),
                    _("Studying"),
                    _("Work not recorded"),
                ],
                work_rows,
            ),
            Table(
                _("Recognition of the profession in the UK"),
                [
                    _("Profession before arriving"),
                    *[str(label) for label in Recognition.labels],
                    _("Not recorded"),
                ],
                recognition_rows,
            ),
        ],
        bars=bars,
        bars_title=_(
            "Share of the people of each profession who do not work in it now (not working, "
            "studying, in another sector or not recorded), in percent. The same numbers are in "
            "the table that follows."
        ),
    )
    if audit:
        _audit(viewer, "skills", filters)
    return report
