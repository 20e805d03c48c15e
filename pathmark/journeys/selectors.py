"""Reading journeys: one person's (audited like any read of their record) and the whole
caseload's, computed from one streamed query with no query per person.

Everything goes through the scoped managers, so a journey is seen only where its person is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.utils import timezone

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.assessments.selectors import instrument_of
from pathmark.audit.services import record
from pathmark.instruments.definition import Instrument
from pathmark.instruments.models import InstrumentVersion
from pathmark.people.models import Person
from pathmark.people.selectors import person_for

from .registry import host_norms_for
from .trajectory import (
    OVERALL,
    Direction,
    HostNorm,
    Journey,
    ScoredAssessment,
    TrendShape,
    journey_of,
    trends_of,
)

# The cohort worklist names at most this many people (the steepest drops first); the page
# says how many more there are.
WORKLIST_LIMIT = 200


def norms_by_key(slug: str) -> dict[str, tuple[HostNorm, ...]]:
    norms = host_norms_for(slug)
    return dict(norms.by_key) if norms else {}


@dataclass(frozen=True)
class PersonJourneys:
    person: Person
    journeys: tuple[Journey, ...]
    as_of: date


def journeys_of(person: Person, *, as_of: date | None = None) -> tuple[Journey, ...]:
    """The person's journey on each instrument they completed, most recently used first."""
    as_of = as_of or timezone.localdate()
    rows = (
        Assessment.objects.filter(person=person, status=AssessmentStatus.COMPLETED)
        .select_related("instrument_version")
        .defer("answers", "item_scores", "instrument_version__definition")
        .order_by("assessed_on", "pk")
    )
    by_slug: dict[str, list[Assessment]] = defaultdict(list)
    for assessment in rows:
        by_slug[assessment.instrument_version.slug].append(assessment)
    journeys = []
    for slug, assessments in by_slug.items():
        # The latest version's stages and measurement error describe the whole series; a new
        # version of an instrument keeps its domain ids (the instruments README asks for it).
        instrument = instrument_of(assessments[-1].instrument_version)
        journeys.append(
            journey_of(
                instrument,
                [
                    ScoredAssessment(a.assessed_on, a.domain_scores, a.overall_score)
                    for a in assessments
                ],
                norms=norms_by_key(slug),
                as_of=as_of,
            )
        )
    journeys.sort(
        key=lambda journey: (
            journey.overall.points[-1].assessed_on if journey.overall.points else date.min
        ),
        reverse=True,
    )
    return tuple(journeys)


def person_journeys(
    *, actor: Any, organisation: Any, person_id: int, action: str = "journey.viewed"
) -> PersonJourneys:
    """The person's journeys if the current scope may see them; `Person.DoesNotExist`
    otherwise (missing and not-yours alike). The read is audited as `action`."""
    person = person_for(actor=actor, organisation=organisation, person_id=person_id, action=action)
    as_of = timezone.localdate()
    return PersonJourneys(person, journeys_of(person, as_of=as_of), as_of)


# --- The caseload ------------------------------------------------------------------------


@dataclass
class DomainDistribution:
    """How integratedness is spread across the caseload for one domain (or the overall)."""

    key: str
    rates: list[float] = field(default_factory=list)
    directions: dict[str, int] = field(
        default_factory=lambda: {direction.value: 0 for direction in Direction}
    )

    @property
    def people(self) -> int:
        return sum(self.directions.values())

    def quartiles(self) -> tuple[float, float, float] | None:
        if not self.rates:
            return None
        ordered = sorted(self.rates)
        return (_quantile(ordered, 0.25), _quantile(ordered, 0.5), _quantile(ordered, 0.75))

    def share(self, direction: str) -> float:
        return self.directions[direction] / self.people if self.people else 0.0


def _quantile(ordered: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass(frozen=True)
class TurnedDown:
    person_id: int
    instrument: str
    domains: tuple[str, ...]
    steepest_drop: float
    latest_on: date


@dataclass
class InstrumentCohort:
    instrument: Instrument
    people: int = 0
    distributions: dict[str, DomainDistribution] = field(default_factory=dict)

    def ordered(self) -> list[DomainDistribution]:
        keys = [OVERALL] + [domain.id for domain in self.instrument.domains]
        return [self.distributions[key] for key in keys if key in self.distributions]


@dataclass
class Cohort:
    instruments: dict[str, InstrumentCohort]
    turned_down: list[TurnedDown]
    people: int
    as_of: date


CohortRow = tuple[int, int, date, float | None, dict[str, float | None]]
"""One completed assessment as streamed for the cohort: (person id, instrument version id,
assessed on, overall score, domain scores). No answers, no names."""

# Rows fetched from the database at a time: big enough that round trips do not matter, small
# enough that memory stays flat at any caseload size.
COHORT_CHUNK = 10_000


def cohort_rows() -> Iterator[CohortRow]:
    """Every completed assessment the current scope may see, by person and date, streamed.
    Only the columns the maths needs are read; the JSON of domain scores is decoded once."""
    rows = (
        Assessment.objects.filter(status=AssessmentStatus.COMPLETED)
        .exclude(person__status=Person.Status.ERASED)
        .order_by("person_id", "assessed_on", "pk")
        .values_list(
            "person_id", "instrument_version_id", "assessed_on", "overall_score", "domain_scores"
        )
    )
    return rows.iterator(chunk_size=COHORT_CHUNK)


@dataclass
class _Tally:
    """Running totals of one instrument's series for people with the same series (nearly
    everyone), kept so that each person is added with a few bulk operations."""

    keys: tuple[str, ...]
    rates: list[list[float | None]] = field(default_factory=list)
    """One list per person, in `keys` order; None where the rate needs more dates."""
    directions: Counter[tuple[str, Direction]] = field(default_factory=Counter)


def compute_cohort(
    rows: Iterable[CohortRow], *, instruments: dict[int, Instrument], as_of: date
) -> Cohort:
    """Fold person-ordered rows into distributions and the worklist, one person at a time, so
    memory holds one person's rows plus the rates (a few floats per person and domain).

    Uses `trajectory.trends_of`, which gives exactly the rate, direction and turned-down test
    of `journey_of` without building the person page's points, stages and projections."""
    shapes = {pk: TrendShape.of(instrument) for pk, instrument in instruments.items()}
    slug_of = {pk: instrument.slug for pk, instrument in instruments.items()}
    newest: dict[str, Instrument] = {}
    for instrument in instruments.values():
        if instrument.slug not in newest or instrument.version > newest[instrument.slug].version:
            newest[instrument.slug] = instrument
    cohorts: dict[str, InstrumentCohort] = {}
    tallies: dict[tuple[str, tuple[str, ...]], _Tally] = {}
    turned_down: list[TurnedDown] = []
    people = 0

    for person_id, person_rows in groupby(rows, key=itemgetter(0)):
        people += 1
        by_slug: dict[str, list[CohortRow]] = {}
        for row in person_rows:
            by_slug.setdefault(slug_of[row[1]], []).append(row)
        for slug, group in by_slug.items():
            # The latest version's domains and measurement error describe the whole series,
            # as on the person page.
            trends = trends_of(
                shapes[group[-1][1]],
                [row[2].toordinal() for row in group],
                [row[3] for row in group],
                [row[4] for row in group],
            )
            cohort = cohorts.get(slug)
            if cohort is None:
                cohort = cohorts[slug] = InstrumentCohort(newest[slug])
            cohort.people += 1
            tally = tallies.get((slug, trends.keys))
            if tally is None:
                tally = tallies[slug, trends.keys] = _Tally(trends.keys)
            tally.rates.append(trends.integratedness_per_year)
            tally.directions.update(zip(trends.keys, trends.directions, strict=True))
            falls = trends.falls
            if falls.count(None) < len(falls):
                down = [(key, fall) for key, fall in zip(trends.keys, falls, strict=True) if fall]
                turned_down.append(
                    TurnedDown(
                        person_id,
                        slug,
                        tuple(key for key, _ in down),
                        min(fall for _, fall in down),
                        group[-1][2],
                    )
                )

    for (slug, keys), tally in tallies.items():
        distributions = cohorts[slug].distributions
        for key, column in zip(keys, zip(*tally.rates, strict=True), strict=True):
            distribution = distributions.get(key)
            if distribution is None:
                distribution = distributions[key] = DomainDistribution(key)
            distribution.rates.extend(rate for rate in column if rate is not None)
        for (key, direction), count in tally.directions.items():
            # A StrEnum member is an equal key to its value.
            distributions[key].directions[direction] += count
    turned_down.sort(key=lambda entry: (entry.steepest_drop, entry.person_id, entry.instrument))
    return Cohort(cohorts, turned_down, people, as_of)


def instruments_by_version() -> dict[int, Instrument]:
    return {version.pk: instrument_of(version) for version in InstrumentVersion.objects.all()}


def cohort_journeys(*, actor: Any, organisation: Any) -> Cohort:
    """The caseload's journeys for the organisation in scope, audited as one read."""
    cohort = compute_cohort(
        cohort_rows(), instruments=instruments_by_version(), as_of=timezone.localdate()
    )
    record(
        actor=actor,
        organisation=organisation,
        action="journey.cohort_viewed",
        extra={"people": cohort.people, "turned_down": len(cohort.turned_down)},
    )
    return cohort


def worklist_people(cohort: Cohort, limit: int = WORKLIST_LIMIT) -> list[tuple[TurnedDown, Person]]:
    """The first `limit` people of the worklist with their records, in one query."""
    wanted = cohort.turned_down[:limit]
    people = Person.objects.in_bulk([entry.person_id for entry in wanted])
    return [(entry, people[entry.person_id]) for entry in wanted if entry.person_id in people]
