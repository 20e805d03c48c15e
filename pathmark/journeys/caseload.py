"""The caseload's figures and how they are folded from assessments: the shapes the caseload
page shows (distributions by domain, the worklist of journeys that turned down), the per-person
trends that are stored for it, and the in-memory computation from every completed assessment
that the stored figures must equal (`compute_cohort`, the reference the tests hold them to).

No queries here: the rows come in, the figures go out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from pathmark.instruments.definition import Instrument

from .batched import trends_of_many
from .trajectory import (
    OVERALL,
    Direction,
    HostNorm,
    Trends,
    TrendShape,
    journey_turned_down,
)

NormsBySlug = Mapping[str, Mapping[str, Sequence[HostNorm]]]
"""Each instrument's dated host norms per series key (`OVERALL` or a domain id)."""

# --- What the page shows -------------------------------------------------------------------


@dataclass
class DomainDistribution:
    """How integratedness is spread across the caseload for one domain (or the overall)."""

    key: str
    directions: dict[str, int] = field(
        default_factory=lambda: {direction.value: 0 for direction in Direction}
    )
    quartiles: tuple[float, float, float] | None = None
    """Lower quarter, median and upper quarter of the rates, points a year; None without any."""

    @property
    def people(self) -> int:
        return sum(self.directions.values())

    @property
    def with_rate(self) -> int:
        """People with a rate: everyone but those with one date only (the rate needs two)."""
        return self.people - self.directions[Direction.NOT_ENOUGH_DATA.value]

    def share(self, direction: str) -> float:
        return self.directions[direction] / self.people if self.people else 0.0


QUARTILES = (0.25, 0.5, 0.75)


def quantile_ranks(count: int, fraction: float) -> tuple[int, int, float]:
    """Where the `fraction` quantile of `count` sorted values lies: the 0-based ranks of the two
    values either side and the weight of the upper one (numpy's default, linear interpolation
    between closest ranks)."""
    position = (count - 1) * fraction
    below = int(position)
    return below, min(below + 1, count - 1), position - below


def interpolate(lower: float, upper: float, weight: float) -> float:
    return lower + (upper - lower) * weight


def quartiles_of(ordered: list[float]) -> tuple[float, float, float] | None:
    if not ordered:
        return None
    found = []
    for fraction in QUARTILES:
        below, above, weight = quantile_ranks(len(ordered), fraction)
        found.append(interpolate(ordered[below], ordered[above], weight))
    return found[0], found[1], found[2]


@dataclass(frozen=True)
class TurnedDown:
    """One journey on the worklist."""

    person_id: int
    instrument: str
    domains: tuple[str, ...]
    """Every series that fell by at least the measurement error, in the instrument's order."""
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
    worklist: list[TurnedDown]
    """The first journeys that turned down, steepest fall first (at most the limit asked)."""
    turned_down: int
    """How many journeys turned down in all."""
    people: int
    as_of: date
    outdated: int = 0
    """Journeys worked out under an older trend rule or other host norms than those in force
    now (the stored trends only; the in-memory reference is always current)."""


def worklist_order(entry: TurnedDown) -> tuple[float, int, str]:
    return entry.steepest_drop, entry.person_id, entry.instrument


def newest_instruments(instruments: dict[int, Instrument]) -> dict[str, Instrument]:
    """The newest version of each instrument: its titles and domain order name the page."""
    newest: dict[str, Instrument] = {}
    for instrument in instruments.values():
        if instrument.slug not in newest or instrument.version > newest[instrument.slug].version:
            newest[instrument.slug] = instrument
    return newest


# --- Per person: the trends that are stored ------------------------------------------------

CohortRow = tuple[int, int, date, float | None, dict[str, float | None], int, datetime]
"""One completed assessment as streamed for the caseload: (person id, instrument version id,
assessed on, overall score, domain scores, assessment id, last changed). No answers, no names."""


@dataclass(frozen=True)
class JourneyTrends:
    """One person's journey on one instrument as the caseload sees it, and the fingerprint of
    the assessments it came from."""

    person_id: int
    instrument: str
    version_id: int
    """The latest assessment's version, whose domains and error describe the whole series."""
    trends: Trends
    latest_on: date
    assessments: int
    newest_assessment_id: int
    newest_change_at: datetime

    @property
    def fell(self) -> tuple[str, ...]:
        return tuple(
            key
            for key, fall in zip(self.trends.keys, self.trends.falls, strict=True)
            if fall is not None
        )

    @property
    def steepest_drop(self) -> float | None:
        falls = [fall for fall in self.trends.falls if fall is not None]
        return min(falls) if falls else None

    @property
    def turned_down(self) -> bool:
        return journey_turned_down(self.fell)

    def worklist_entry(self) -> TurnedDown | None:
        steepest = self.steepest_drop
        if not self.turned_down or steepest is None:
            return None
        return TurnedDown(self.person_id, self.instrument, self.fell, steepest, self.latest_on)


BATCH_PEOPLE = 2_000
"""People whose journeys are worked out together in one set of arrays (`batched`): enough to
spread each array operation's cost, few enough that their rows are a few megabytes."""


def caseload_trends(
    rows: Iterable[CohortRow],
    *,
    instruments: dict[int, Instrument],
    norms: NormsBySlug | None = None,
) -> Iterator[list[JourneyTrends]]:
    """For each person in `rows` (ordered by person, date and id), their journeys, one per
    instrument, in the order the instruments first appear in their rows.

    Gives exactly the rate, direction and fall of `journey_of` (through `trajectory.trends_of`,
    run over `BATCH_PEOPLE` people at a time by `batched.trends_of_many`) without building the
    person page's points, stages and projections."""
    norms = norms or {}
    shapes = {
        pk: TrendShape.of(instrument, norms.get(instrument.slug))
        for pk, instrument in instruments.items()
    }
    slug_of = {pk: instrument.slug for pk, instrument in instruments.items()}
    people: list[tuple[int, list[tuple[str, list[CohortRow]]]]] = []
    for person_id, person_rows in groupby(rows, key=itemgetter(0)):
        by_slug: dict[str, list[CohortRow]] = {}
        for row in person_rows:
            by_slug.setdefault(slug_of[row[1]], []).append(row)
        people.append((person_id, list(by_slug.items())))
        if len(people) >= BATCH_PEOPLE:
            yield from _journeys_of(people, shapes)
            people = []
    if people:
        yield from _journeys_of(people, shapes)


def _journeys_of(
    people: list[tuple[int, list[tuple[str, list[CohortRow]]]]], shapes: dict[int, TrendShape]
) -> Iterator[list[JourneyTrends]]:
    """The journeys of a batch of people (each with their rows per instrument), computed one
    instrument version at a time: the latest assessment's version, whose domains and
    measurement error describe the whole series, as on the person page."""
    by_version: dict[int, list[list[CohortRow]]] = {}
    for _person_id, groups in people:
        for _slug, group in groups:
            by_version.setdefault(group[-1][1], []).append(group)
    trends: dict[int, Trends] = {}
    for version_id, same_version in by_version.items():
        found = trends_of_many(
            shapes[version_id],
            [
                (
                    [row[2].toordinal() for row in group],
                    [row[3] for row in group],
                    [row[4] for row in group],
                )
                for group in same_version
            ],
        )
        trends.update(zip(map(id, same_version), found, strict=True))
    for person_id, groups in people:
        yield [
            JourneyTrends(
                person_id=person_id,
                instrument=slug,
                version_id=group[-1][1],
                trends=trends[id(group)],
                latest_on=group[-1][2],
                assessments=len(group),
                newest_assessment_id=max(row[5] for row in group),
                newest_change_at=max(row[6] for row in group),
            )
            for slug, group in groups
        ]


# --- The reference: the whole caseload folded in memory ------------------------------------


@dataclass
class _Tally:
    """Running totals of one instrument's series for people with the same series (nearly
    everyone), kept so that each person is added with a few bulk operations."""

    keys: tuple[str, ...]
    rates: list[tuple[float | None, ...]] = field(default_factory=list)
    """One list per person, in `keys` order; None where the rate needs more dates."""
    directions: Counter[tuple[str, Direction]] = field(default_factory=Counter)


def compute_cohort(
    rows: Iterable[CohortRow],
    *,
    instruments: dict[int, Instrument],
    as_of: date,
    limit: int | None = None,
    norms: NormsBySlug | None = None,
) -> Cohort:
    """The caseload from every completed assessment, one person at a time, so memory holds one
    person's rows plus the rates (a few floats per person and domain). The page reads stored
    trends instead (`selectors.stored_cohort`); this is what they must equal."""
    newest = newest_instruments(instruments)
    cohorts: dict[str, InstrumentCohort] = {}
    tallies: dict[tuple[str, tuple[str, ...]], _Tally] = {}
    worklist: list[TurnedDown] = []
    people = 0
    for journeys in caseload_trends(rows, instruments=instruments, norms=norms):
        people += 1
        for journey in journeys:
            slug, trends = journey.instrument, journey.trends
            cohort = cohorts.get(slug)
            if cohort is None:
                cohort = cohorts[slug] = InstrumentCohort(newest[slug])
            cohort.people += 1
            tally = tallies.get((slug, trends.keys))
            if tally is None:
                tally = tallies[slug, trends.keys] = _Tally(trends.keys)
            tally.rates.append(trends.integratedness_per_year)
            tally.directions.update(zip(trends.keys, trends.directions, strict=True))
            entry = journey.worklist_entry()
            if entry is not None:
                worklist.append(entry)

    rates: dict[tuple[str, str], list[float]] = {}
    for (slug, keys), tally in tallies.items():
        distributions = cohorts[slug].distributions
        for key, column in zip(keys, zip(*tally.rates, strict=True), strict=True):
            if key not in distributions:
                distributions[key] = DomainDistribution(key)
            rates.setdefault((slug, key), []).extend(rate for rate in column if rate is not None)
        for (key, direction), count in tally.directions.items():
            # A StrEnum member is an equal key to its value.
            distributions[key].directions[direction] += count
    for (slug, key), found in rates.items():
        cohorts[slug].distributions[key].quartiles = quartiles_of(sorted(found))
    worklist.sort(key=worklist_order)
    return Cohort(
        cohorts,
        worklist if limit is None else worklist[:limit],
        len(worklist),
        people,
        as_of,
    )


# --- Kept between views (`models.CaseloadSummary`) ------------------------------------------


def cohort_figures(cohort: Cohort) -> dict[str, Any]:
    """The caseload as JSON-ready figures (instruments by slug), for `cohort_from_figures`."""
    return {
        "instruments": {
            slug: {
                "people": found.people,
                "distributions": [
                    [d.key, d.directions, list(d.quartiles) if d.quartiles else None]
                    for d in found.distributions.values()
                ],
            }
            for slug, found in cohort.instruments.items()
        },
        "worklist": [
            [e.person_id, e.instrument, list(e.domains), e.steepest_drop, e.latest_on.isoformat()]
            for e in cohort.worklist
        ],
        "turned_down": cohort.turned_down,
        "people": cohort.people,
        "as_of": cohort.as_of.isoformat(),
        "outdated": cohort.outdated,
    }


def cohort_from_figures(figures: dict[str, Any], newest: dict[str, Instrument]) -> Cohort | None:
    """The caseload `cohort_figures` described, or None when it names an instrument that is
    no longer among `newest` (then the figures are worked out again)."""
    if not set(figures["instruments"]) <= set(newest):
        return None
    instruments = {}
    for slug, found in figures["instruments"].items():
        cohort = InstrumentCohort(newest[slug], people=found["people"])
        for key, directions, quartiles in found["distributions"]:
            cohort.distributions[key] = DomainDistribution(
                key,
                dict(directions),
                (quartiles[0], quartiles[1], quartiles[2]) if quartiles else None,
            )
        instruments[slug] = cohort
    return Cohort(
        instruments,
        [
            TurnedDown(person_id, slug, tuple(domains), drop, date.fromisoformat(latest_on))
            for person_id, slug, domains, drop, latest_on in figures["worklist"]
        ],
        figures["turned_down"],
        figures["people"],
        date.fromisoformat(figures["as_of"]),
        figures.get("outdated", 0),
    )
