"""The partnership's reports: needs and outcomes across the city, read through the
aggregate-only scope (counts and non-identifying values; no name, date of birth or answer can
be read) and shown with small numbers suppressed outside the people's own organisation.

Pages, exports and `pathmark reports ... --json` all call these functions, so they cannot
disagree. Each call writes one audit entry saying who looked at which report with which filters.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    Field,
    FloatField,
    Max,
    Q,
    QuerySet,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.assessments.text import in_language
from pathmark.audit.services import actor_or_command_line, record
from pathmark.instruments.definition import Instrument
from pathmark.instruments.registry import get_instrument, instrument_files
from pathmark.journeys.registry import host_norms_for
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import aggregate_scope
from pathmark.people.models import Gender, Person
from pathmark.people.reference import language_name

from .figures import (
    ALL,
    OVERALL,
    AgeGroup,
    ArrivalBand,
    Dimension,
    EstimateRow,
    RowStatus,
    age_group,
    arrival_band,
    estimate_row,
    mean_with_interval,
)
from .suppression import (
    TOTAL,
    CountTable,
    SuppressedTable,
    suppress_counts,
    suppress_together,
)

DEFAULT_INSTRUMENT = "integration-journey"


def minimum_count() -> int:
    """The smallest count shown outside the people's organisation (settings, default 5)."""
    return int(getattr(settings, "PATHMARK_REPORT_MINIMUM", 5))


@dataclass(frozen=True)
class Filters:
    instrument: str = DEFAULT_INSTRUMENT
    organisation_id: int | None = None
    """Only people registered by this organisation; None for the whole partnership."""
    date_from: date | None = None
    date_to: date | None = None
    group_by: Dimension = Dimension.NONE
    domain: str | None = None
    """One domain id (or `overall`); None for every domain."""
    service: str | None = None
    """One directory service id (what works, referrals)."""
    theme: str | None = None
    """One integration theme's slug: the services addressing it (what works, referrals)."""

    @classmethod
    def from_json(cls, saved: dict[str, Any]) -> Filters:
        return cls(
            instrument=saved["instrument"],
            organisation_id=saved["organisation"],
            date_from=date.fromisoformat(saved["date_from"]) if saved["date_from"] else None,
            date_to=date.fromisoformat(saved["date_to"]) if saved["date_to"] else None,
            group_by=Dimension(saved["group_by"]),
            domain=saved["domain"],
            service=saved.get("service"),
            theme=saved.get("theme"),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "organisation": self.organisation_id,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "group_by": self.group_by.value,
            "domain": self.domain,
            "service": self.service,
            "theme": self.theme,
        }


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a member of an organisation (a page) or the operator (command line,
    `user=None`, `organisation=None`: always suppressed, since its output leaves Pathmark)."""

    user: Any
    organisation: Organisation | None

    @property
    def organisation_id(self) -> int | None:
        return self.organisation.pk if self.organisation is not None else None

    def suppresses(self, filters: Filters) -> bool:
        """Figures about people of another organisation (or of several) are suppressed."""
        return self.organisation_id is None or filters.organisation_id != self.organisation_id


@dataclass
class Table:
    """Numbers as a page shows them and an export writes them: every chart has one."""

    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Report:
    kind: str
    title: str
    filters: Filters
    suppressing: bool
    minimum: int
    people: int | None
    tables: list[Table] = field(default_factory=list)
    rows: list[EstimateRow] = field(default_factory=list)
    bars: list[tuple[str, float | None]] = field(default_factory=list)
    """Needs: (domain, share below the norm in %) for the bar chart."""
    intervals: list[tuple[str, float | None, float | None, float | None]] = field(
        default_factory=list
    )
    """Outcomes and what works: (label, estimate, low, high) for the interval chart."""
    notes: list[str] = field(default_factory=list)
    bars_title: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "report": self.kind,
            "filters": self.filters.as_json(),
            "suppressed_below": self.minimum if self.suppressing else None,
            "rows": [row.as_json() for row in self.rows],
        }


# --- Reading the cohort ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One completed assessment with its person's non-identifying facts."""

    person_id: int
    assessed_on: date
    scores: dict[str, float]
    gender: str
    age_band: str
    language: str
    arrived: date | None
    organisation_id: int
    area: str = ""
    """The postcode district of the person ("NB1"), or "" where none is known."""


Progress = Callable[[int, int], None]
"""Called with (assessments read, assessments in the report) as a report is worked out."""

PROGRESS_EVERY = 5000


def _cohort_rows(filters: Filters) -> QuerySet[Assessment]:
    rows = Assessment.objects.filter(
        status=AssessmentStatus.COMPLETED, instrument_version__slug=filters.instrument
    ).exclude(person__status=Person.Status.RESTRICTED)
    if filters.organisation_id is not None:
        rows = rows.filter(person__organisation_id=filters.organisation_id)
    if filters.date_from is not None:
        rows = rows.filter(assessed_on__gte=filters.date_from)
    if filters.date_to is not None:
        rows = rows.filter(assessed_on__lte=filters.date_to)
    return rows


def cohort_size(filters: Filters) -> int:
    """How many assessments a report with these filters reads (whether to run it in the
    background)."""
    with aggregate_scope(f"size of a report on {filters.instrument}"):
        return _cohort_rows(filters).count()


def data_fingerprint() -> str:
    """Changes whenever an assessment or a person changes (completed, imported, rescored,
    restricted, erased): a stored report made under another fingerprint is not reused."""
    with aggregate_scope("whether stored reports are still current"):
        assessments = Assessment.objects.aggregate(n=Count("id"), last=Max("updated_at"))
        people = Person.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return f"{assessments['n']}:{assessments['last']}:{people['n']}:{people['last']}"


def readings(
    filters: Filters, *, progress: Progress | None = None, ends_only: bool = False
) -> Iterator[Reading]:
    """Completed assessments on the instrument in the period, by person and date, in the
    aggregate-only scope. People whose processing is restricted are left out."""
    # Each domain's score is taken out of the stored JSON by the database, as a number, so
    # no row's JSON is decoded in Python (most of a report's time at city scale otherwise).
    domains = domain_ids(filters.instrument)
    # The database returns them as floats already: a plain Field output skips Django's
    # per-value converter (7 domains × a million rows of float(float)).
    columns = {
        f"score_{index}": ExpressionWrapper(
            Cast(KeyTextTransform(domain, "domain_scores"), FloatField()), output_field=Field()
        )
        for index, domain in enumerate(domains)
    }
    with aggregate_scope(f"reports on {filters.instrument}"):
        rows = _cohort_rows(filters)
        total = rows.count() if progress is not None else 0
        read = 0
        if ends_only:
            # Only each person's first and latest assessment (what a change between them
            # needs), chosen by the database: half the rows or fewer reach Python.
            person = [F("person_id")]
            rows = rows.annotate(
                from_first=Window(
                    RowNumber(), partition_by=person, order_by=[F("assessed_on"), F("id")]
                ),
                from_last=Window(
                    RowNumber(),
                    partition_by=person,
                    order_by=[F("assessed_on").desc(), F("id").desc()],
                ),
            ).filter(Q(from_first=1) | Q(from_last=1))
            if progress is not None:
                total = rows.count()
        values = (
            rows.annotate(**columns)
            .order_by("person_id", "assessed_on", "id")
            .values_list(
                "person_id",
                "assessed_on",
                "overall_score",
                "person__gender",
                "person__age_band",
                "person__preferred_language",
                "person__date_of_arrival",
                "person__organisation_id",
                "person__postcode_district",
                *columns,
            )
        )
        for row in values.iterator(chunk_size=5000):
            read += 1
            if progress is not None and read % PROGRESS_EVERY == 0:
                progress(read, total)
            person_id, on, overall, gender, band, language, arrived, owner, area = row[:9]
            scores = {
                domain: value
                for domain, value in zip(domains, row[9:], strict=True)
                if value is not None
            }
            if overall is not None:
                scores[OVERALL] = float(overall)
            yield Reading(person_id, on, scores, gender, band, language, arrived, owner, area)
        if progress is not None:
            progress(read, total)


def domain_ids(slug: str) -> list[str]:
    """Every domain id any version of the instrument scores, in the order first seen."""
    found: dict[str, None] = {}
    for entry in instrument_files():
        if entry.instrument.slug == slug:
            for domain in entry.instrument.domains:
                found.setdefault(domain.id, None)
    return list(found)


def by_person(rows: Iterator[Reading]) -> Iterator[list[Reading]]:
    current: list[Reading] = []
    for row in rows:
        if current and row.person_id != current[0].person_id:
            yield current
            current = []
        current.append(row)
    if current:
        yield current


class GroupLabels:
    """The words for a group key of each dimension, in the active language."""

    def __init__(self) -> None:
        self._organisations: dict[int, str] | None = None

    def label(self, dimension: Dimension, key: str) -> str:
        if dimension is Dimension.NONE:
            return _("Everyone")
        if key == "unknown" or key == "":
            return _("Not recorded")
        if dimension is Dimension.ORGANISATION:
            if self._organisations is None:
                self._organisations = dict(Organisation.objects.values_list("pk", "name"))
            return self._organisations.get(int(key), key)
        if dimension is Dimension.GENDER:
            return str(dict(Gender.choices).get(key, key))
        if dimension is Dimension.AGE_GROUP:
            return str(AGE_GROUP_LABELS.get(AgeGroup(key), key))
        if dimension is Dimension.LANGUAGE:
            return language_name(key)
        if dimension is Dimension.AREA:
            return _("Postcode district %(district)s") % {"district": key}
        return str(ARRIVAL_LABELS.get(ArrivalBand(key), key))


AGE_GROUP_LABELS = {
    AgeGroup.CHILDREN: gettext_lazy("Children (under 18)"),
    AgeGroup.YOUNG_ADULTS: gettext_lazy("18 to 30"),
    AgeGroup.ADULTS: gettext_lazy("Adults (31 to 64)"),
    AgeGroup.OLDER: gettext_lazy("Older people (65 or over)"),
}
ARRIVAL_LABELS = {
    ArrivalBand.UNDER_1: gettext_lazy("Arrived under a year before"),
    ArrivalBand.FROM_1_TO_3: gettext_lazy("1 to 3 years since arrival"),
    ArrivalBand.FROM_3_TO_5: gettext_lazy("3 to 5 years since arrival"),
    ArrivalBand.OVER_5: gettext_lazy("5 years or more since arrival"),
}
DIMENSION_LABELS = {
    Dimension.NONE: gettext_lazy("No split"),
    Dimension.ORGANISATION: gettext_lazy("Organisation"),
    Dimension.GENDER: gettext_lazy("Gender"),
    Dimension.AGE_GROUP: gettext_lazy("Age group"),
    Dimension.LANGUAGE: gettext_lazy("Preferred language"),
    Dimension.TIME_SINCE_ARRIVAL: gettext_lazy("Time since arrival"),
    Dimension.AREA: gettext_lazy("Area (postcode district)"),
}


def group_of(reading: Reading, dimension: Dimension) -> str:
    if dimension is Dimension.NONE:
        return ALL
    if dimension is Dimension.ORGANISATION:
        return str(reading.organisation_id)
    if dimension is Dimension.GENDER:
        return reading.gender or "unknown"
    if dimension is Dimension.AGE_GROUP:
        return age_group(reading.age_band).value
    if dimension is Dimension.LANGUAGE:
        return reading.language or "unknown"
    if dimension is Dimension.AREA:
        return reading.area or "unknown"
    return arrival_band(reading.arrived, reading.assessed_on).value


def series_keys(instrument: Instrument, filters: Filters) -> list[tuple[str, str]]:
    keys = [(OVERALL, _("Overall"))] + [
        (domain.id, in_language(domain.title)) for domain in instrument.domains
    ]
    if filters.domain:
        keys = [key for key in keys if key[0] == filters.domain]
    return keys


def audit_view(viewer: Viewer, kind: str, filters: Filters) -> None:
    _audit(viewer, kind, filters)


def _audit(viewer: Viewer, kind: str, filters: Filters, *, action: str = "report.viewed") -> None:
    record(
        actor=actor_or_command_line(viewer.user),
        organisation=viewer.organisation,
        action=action,
        extra={"report": kind, **filters.as_json()},
    )


def _hidden_text() -> str:
    return _("hidden")


# --- Needs ------------------------------------------------------------------------------------


def needs_report(
    *, viewer: Viewer, filters: Filters, audit: bool = True, progress: Progress | None = None
) -> Report:
    """People below the host norm per domain, by group: each person's latest assessment in the
    period against the norm in force on its date."""
    instrument = get_instrument(filters.instrument)
    norms = host_norms_for(filters.instrument)
    keys = series_keys(instrument, filters)
    minimum = minimum_count()
    suppressing = viewer.suppresses(filters)
    people: dict[str, int] = defaultdict(int)
    below: dict[tuple[str, str], int] = defaultdict(int)
    in_force: dict[date, dict[str, float]] = {}
    for series in by_person(readings(filters, progress=progress)):
        latest = series[-1]
        group = group_of(latest, filters.group_by)
        people[group] += 1
        if latest.assessed_on not in in_force:
            in_force[latest.assessed_on] = (
                {k: n.value for k, n in norms.in_force(latest.assessed_on).items()} if norms else {}
            )
        norm = in_force[latest.assessed_on]
        for key, _title in keys:
            score = latest.scores.get(key)
            if score is not None and key in norm and score < norm[key]:
                below[(group, key)] += 1
    groups = sorted(people)
    tables = [
        CountTable.of(
            {
                **{(g, "below"): below[(g, key)] for g in groups},
                **{(g, "not below"): people[g] - below[(g, key)] for g in groups},
            },
            rows=groups,
            columns=["below", "not below"],
        )
        for key, _title in keys
    ]
    if suppressing and groups:
        results = suppress_together(tables, minimum=minimum)
    else:
        results = [SuppressedTable(table, minimum, frozenset()) for table in tables]
    labels = GroupLabels()
    columns = [str(DIMENSION_LABELS[filters.group_by]), _("People assessed")]
    for _key, title in keys:
        columns += [
            _("%(domain)s: below the host norm") % {"domain": title},
            _("%(domain)s: share below") % {"domain": title},
        ]
    rows = []
    for group in [*groups, TOTAL]:
        label = _("Total") if group == TOTAL else labels.label(filters.group_by, group)
        group_people = results[0].shown(group, TOTAL) if results else people.get(group, 0)
        line = [label, _shown_or_hidden(group_people)]
        for result in results:
            count = result.shown(group, "below")
            line += [_shown_or_hidden(count), _share(count, group_people)]
        rows.append(line)
    everyone = results[0].shown(TOTAL, TOTAL) if results else sum(people.values())
    chart_rows = []
    for result, (_key, title) in zip(results, keys, strict=True):
        count = result.shown(TOTAL, "below")
        share = None
        if count is not None and everyone:
            share = round(100 * count / everyone, 1)
        chart_rows.append((title, share))
    report = Report(
        kind="needs",
        title=_("Needs: people below the host norm"),
        filters=filters,
        suppressing=suppressing,
        minimum=minimum,
        people=everyone,
        tables=[
            Table(_("People below the host norm, by domain"), columns, rows),
            Table(
                _("Everyone, by domain"),
                [_("Domain"), _("People below the host norm"), _("Share below")],
                [
                    [
                        title,
                        _shown_or_hidden(result.shown(TOTAL, "below")),
                        _share(result.shown(TOTAL, "below"), everyone),
                    ]
                    for result, (_key, title) in zip(results, keys, strict=True)
                ],
            ),
        ],
        bars=chart_rows,
    )
    if norms is None:
        report.notes.append(_("This instrument has no host norms, so nobody counts as below."))
    report.tables.append(
        demand_table(
            organisation_id=filters.organisation_id, minimum=minimum, suppressing=suppressing
        )
    )
    if audit:
        _audit(viewer, "needs", filters)
    return report


def demand_table(*, organisation_id: int | None, minimum: int, suppressing: bool) -> Table:
    """Demand (open plan goals) against the directory's capacity, theme by theme."""
    from .demand import gap_in_words, theme_demand

    rows = theme_demand(organisation_id=organisation_id, minimum=minimum, suppressing=suppressing)
    return Table(
        _("Demand for services against their capacity, by theme"),
        [
            _("Theme"),
            _("Open plan goals"),
            _("Services taking referrals"),
            _("Places a month"),
            _("The gap"),
        ],
        [
            [
                row.title,
                _shown_or_hidden(row.goals),
                str(row.services),
                "—" if row.places is None else str(row.places),
                gap_in_words(row),
            ]
            for row in rows
        ],
    )


def _share(count: int | None, people: int | None) -> str:
    if count is None or people is None:
        return _hidden_text()
    return f"{100 * count / people:.0f}%" if people else ""


def audit_export(viewer: Viewer, report: Report, file_format: str) -> None:
    record(
        actor=actor_or_command_line(viewer.user),
        organisation=viewer.organisation,
        action="report.exported",
        extra={"report": report.kind, "format": file_format, **report.filters.as_json()},
    )


def _shown_or_hidden(value: int | None) -> str:
    return _hidden_text() if value is None else str(value)


# --- Outcomes ---------------------------------------------------------------------------------

MEASURES = (
    ("change", gettext_lazy("Change from first to latest assessment"), "points"),
    (
        "integratedness_per_year",
        gettext_lazy("Integratedness (relative to the host norm)"),
        "points a year",
    ),
    ("progress_per_year", gettext_lazy("Progress"), "points a year"),
)


UNIT_LABELS = {
    "points": gettext_lazy("points"),
    "points a year": gettext_lazy("points a year"),
}


def outcomes_report(
    *, viewer: Viewer, filters: Filters, audit: bool = True, progress: Progress | None = None
) -> Report:
    """Change per domain between each person's first and latest assessment in the period, and
    the same change as a rate a year, on its own (progress) and relative to the host norm in
    force at each date (integratedness), with 95 % intervals."""
    instrument = get_instrument(filters.instrument)
    norms = host_norms_for(filters.instrument)
    keys = series_keys(instrument, filters)
    minimum = minimum_count()
    suppressing = viewer.suppresses(filters)
    values: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    people: dict[str, int] = defaultdict(int)
    in_force: dict[date, dict[str, float]] = {}

    def norm_on(on: date) -> dict[str, float]:
        if on not in in_force:
            in_force[on] = {k: n.value for k, n in norms.in_force(on).items()} if norms else {}
        return in_force[on]

    for series in by_person(readings(filters, progress=progress, ends_only=True)):
        first, latest = series[0], series[-1]
        if latest.assessed_on <= first.assessed_on:
            continue
        group = group_of(first, filters.group_by)
        people[group] += 1
        years = (latest.assessed_on - first.assessed_on).days / 365.25
        start_norm, end_norm = norm_on(first.assessed_on), norm_on(latest.assessed_on)
        for key, _title in keys:
            before, after = first.scores.get(key), latest.scores.get(key)
            if before is None or after is None:
                continue
            change = after - before
            values[(group, key, "change")].append(change)
            values[(group, key, "progress_per_year")].append(change / years)
            if key in start_norm and key in end_norm:
                gap_change = (after - end_norm[key]) - (before - start_norm[key])
                values[(group, key, "integratedness_per_year")].append(gap_change / years)
    groups = sorted(people)
    labels = GroupLabels()
    rows: list[EstimateRow] = []
    for key, title in keys:
        counts = {group: len(values[(group, key, "change")]) for group in groups}
        shown, _total = suppress_counts(counts, minimum=minimum) if suppressing else (counts, None)
        for measure, _label, unit in MEASURES:
            for group in groups:
                summary = mean_with_interval(values[(group, key, measure)])
                rows.append(
                    estimate_row(
                        group=group,
                        group_label=labels.label(filters.group_by, group),
                        domain=key,
                        domain_label=title,
                        measure=measure,
                        unit=unit,
                        summary=summary,
                        shown_count=shown[group],
                        suppressing=suppressing,
                    )
                )
    report = Report(
        kind="outcomes",
        title=_("Outcomes: change between first and latest assessment"),
        filters=filters,
        suppressing=suppressing,
        minimum=minimum,
        people=sum(people.values()),
        rows=rows,
    )
    if suppressing and report.people is not None and 0 < report.people < minimum:
        report.people = None
    for measure, label, unit in MEASURES:
        report.tables.append(
            _estimate_table(str(label), unit, [r for r in rows if r.measure == measure], filters)
        )
    report.intervals = [
        (
            row.domain_label
            if filters.group_by is Dimension.NONE
            else f"{row.domain_label} · {row.group_label}",
            row.estimate,
            row.low,
            row.high,
        )
        for row in rows
        if row.measure == "change"
    ]
    if audit:
        _audit(viewer, "outcomes", filters)
    return report


def status_text(status: RowStatus) -> str:
    if status is RowStatus.SUPPRESSED:
        return _hidden_text()
    if status is RowStatus.TOO_FEW:
        return _("too few people to tell")
    return ""


def _estimate_table(title: str, unit: str, rows: list[EstimateRow], filters: Filters) -> Table:
    columns = [
        _("Domain"),
        str(DIMENSION_LABELS[filters.group_by]),
        _("People"),
        _("Estimate (%(unit)s)") % {"unit": UNIT_LABELS.get(unit, unit)},
        _("Lower end of the 95 percent interval"),
        _("Upper end"),
        _("Note"),
    ]
    lines = [
        [
            row.domain_label,
            row.group_label,
            _shown_or_hidden(row.count),
            _number(row.estimate),
            _number(row.low),
            _number(row.high),
            status_text(row.status),
        ]
        for row in rows
    ]
    return Table(title, columns, lines)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


# --- Stored reports (large cohorts run in the background) -------------------------------------


def report_key(kind: str, filters: Filters, viewer: Viewer, language: str) -> str:
    """The question a stored report answers: the same report, filters, language and data,
    for members of the same organisation (suppression depends on whose members look)."""
    parts = [
        kind,
        json.dumps(filters.as_json(), sort_keys=True),
        str(viewer.organisation_id),
        language,
        data_fingerprint(),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def stored_form(report: Report) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "title": report.title,
        "filters": report.filters.as_json(),
        "suppressing": report.suppressing,
        "minimum": report.minimum,
        "people": report.people,
        "tables": [[t.title, t.columns, t.rows] for t in report.tables],
        "rows": [row.as_json() for row in report.rows],
        "bars": report.bars,
        "intervals": report.intervals,
        "notes": report.notes,
        "bars_title": report.bars_title,
    }


def from_stored_form(data: dict[str, Any]) -> Report:
    filters = Filters.from_json(data["filters"])
    rows = [EstimateRow(**{**row, "status": RowStatus(row["status"])}) for row in data["rows"]]
    return Report(
        kind=data["kind"],
        title=data["title"],
        filters=filters,
        suppressing=data["suppressing"],
        minimum=data["minimum"],
        people=data["people"],
        tables=[Table(title, columns, lines) for title, columns, lines in data["tables"]],
        rows=rows,
        bars=[tuple(bar) for bar in data["bars"]],  # type: ignore[misc]
        intervals=[tuple(mark) for mark in data["intervals"]],  # type: ignore[misc]
        notes=data["notes"],
        bars_title=data.get("bars_title", ""),
    )
