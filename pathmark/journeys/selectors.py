"""Reading journeys: one person's (audited like any read of their record), computed from their
assessments, and the whole caseload's, read from the stored trends in a few indexed queries
whatever the caseload's size, with how fresh those trends are.

Everything goes through the scoped managers, so a journey is seen only where its person is.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Collate
from django.utils import timezone

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.assessments.selectors import completed_series, instrument_of, series_rows
from pathmark.audit.services import record_shown
from pathmark.instruments.definition import Instrument
from pathmark.instruments.models import InstrumentVersion
from pathmark.organisations.models import Membership, Role
from pathmark.organisations.scoping import current_scope, prepared
from pathmark.people import access
from pathmark.people.models import Person
from pathmark.people.selectors import person_for

from .caseload import (
    Cohort,
    CohortRow,
    DomainDistribution,
    InstrumentCohort,
    TurnedDown,
    cohort_figures,
    cohort_from_figures,
    newest_instruments,
    quartiles_of,
    worklist_order,
)
from .models import (
    CaseloadSummary,
    HostSurvey,
    JourneyTrend,
    LifeEvent,
    RefreshStatus,
    TrendGeneration,
    TrendRefresh,
    WorklistReview,
)
from .registry import norms_in_force, norms_in_force_for
from .trajectory import OVERALL, TREND_RULE, HostNorm, Journey, ScoredAssessment, journey_of

# The cohort worklist names at most this many people (the steepest drops first); the page
# says how many more there are.
WORKLIST_LIMIT = 200


def norms_by_key(
    slug: str, groups: dict[str, str] | None = None
) -> dict[str, tuple[HostNorm, ...]]:
    """The dated norms per key that a person in `groups` is compared with on this instrument
    (the whole population's where their groups have no norm of their own)."""
    norms = norms_in_force_for(slug)
    if not norms:
        return {}
    return norms.for_groups(groups) if groups else dict(norms.by_key)


def norms_by_slug(
    groups: dict[str, str] | Iterable[tuple[str, str]] | None = None,
) -> dict[str, dict[str, tuple[HostNorm, ...]]]:
    """Every instrument's host norms per series key for a person in `groups` (the whole
    population's without): what stored trends are computed against."""
    groups = dict(groups or {})
    return {
        slug: norms.for_groups(groups) if groups else dict(norms.by_key)
        for slug, (_origin, norms) in norms_in_force().items()
    }


def groups_with_norms() -> set[tuple[str, str]]:
    """The groups of the host population that have a norm of their own on any instrument."""
    return {group for _origin, norms in norms_in_force().values() for group in norms.groups}


def person_norms(slug: str, person: Person) -> dict[str, tuple[HostNorm, ...]]:
    """The dated norms per key this person is compared with on this instrument."""
    return norms_by_key(slug, person_groups(person.age_band, person.gender, person.postcode))


def person_groups(age_band: str, gender: str, postcode: str) -> dict[str, str]:
    """The groups of the host population a person belongs to, for group norms: age band,
    gender and area (the outward part of the postcode, e.g. "NB1")."""
    area = postcode.strip().upper().split(" ")[0] if postcode else ""
    return {
        kind: value
        for kind, value in (("age_band", age_band), ("gender", gender), ("area", area))
        if value
    }


def norms_digests(
    norms: dict[str, dict[str, tuple[HostNorm, ...]]] | None = None,
) -> dict[str, str]:
    """A short fingerprint of each instrument's norms in force (the whole population's and
    every group's), stored with every trend computed against them, so that trends computed
    against other norms show as out of date. (`norms`, when given, is the whole population's
    only, as `norms_by_slug()` gives them: for tests that compute against chosen norms.)"""
    digests = {}
    if norms is None:
        described = {
            slug: [dict(found.by_key), {str(k): dict(v) for k, v in sorted(found.groups.items())}]
            for slug, (_origin, found) in norms_in_force().items()
        }
    else:
        described = {slug: [by_key, {}] for slug, by_key in norms.items()}
    for slug, (by_key, groups) in described.items():
        text = repr(
            [
                sorted(
                    (key, [(n.valid_from.isoformat(), n.value) for n in found])
                    for key, found in by_key.items()
                ),
                sorted(
                    (
                        group,
                        sorted(
                            (key, [(n.valid_from.isoformat(), n.value) for n in found])
                            for key, found in keyed.items()
                        ),
                    )
                    for group, keyed in groups.items()
                ),
            ]
            if groups
            else sorted(
                (key, [(n.valid_from.isoformat(), n.value) for n in found])
                for key, found in by_key.items()
            )
        )
        digests[slug] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return digests


@dataclass(frozen=True)
class PersonJourneys:
    person: Person
    journeys: tuple[Journey, ...]
    as_of: date
    norms: Mapping[str, Mapping[str, tuple[HostNorm, ...]]]
    """The norms each journey was computed against, by instrument slug."""

    def norms_of(self, journey: Journey) -> Mapping[str, tuple[HostNorm, ...]]:
        """The dated norms per key `journey` is compared with (read once per page)."""
        return self.norms[journey.instrument.slug]


def journeys_of(person: Person, *, as_of: date | None = None) -> tuple[Journey, ...]:
    """The person's journey on each instrument they completed, most recently used first."""
    return read_journeys(person, as_of=as_of).journeys


def read_journeys(person: Person, *, as_of: date | None = None) -> PersonJourneys:
    """`journeys_of` with the norms each was computed against, for the pages that draw them
    with those norms. Not audited: the caller has read the person and audited it."""
    as_of = as_of or timezone.localdate()
    by_slug: dict[str, list[Assessment]] = defaultdict(list)
    for assessment in _completed_assessments(person.pk):
        by_slug[assessment.instrument_version.slug].append(assessment)
    journeys = []
    norms = {}
    for slug, assessments in by_slug.items():
        # The latest version's stages and measurement error describe the whole series; a new
        # version of an instrument keeps its domain ids (the instruments README asks for it).
        instrument = instrument_of(assessments[-1].instrument_version)
        norms[slug] = person_norms(slug, person)
        journeys.append(
            journey_of(
                instrument,
                [
                    ScoredAssessment(a.assessed_on, a.domain_scores, a.overall_score)
                    for a in assessments
                ],
                norms=norms[slug],
                as_of=as_of,
            )
        )
    journeys.sort(
        key=lambda journey: (
            journey.overall.points[-1].assessed_on if journey.overall.points else date.min
        ),
        reverse=True,
    )
    return PersonJourneys(person, tuple(journeys), as_of, norms)


@prepared
def _completed_assessments(person_id: int) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(person_id=person_id, status=AssessmentStatus.COMPLETED)
        .select_related("instrument_version")
        .defer("answers", "item_scores", "instrument_version__definition")
        .order_by("assessed_on", "pk")
    )


def person_journeys(
    *, actor: Any, organisation: Any, person_id: int, action: str = "journey.viewed"
) -> PersonJourneys:
    """The person's journeys if the current scope may see them; `Person.DoesNotExist`
    otherwise (missing and not-yours alike). The read is audited as `action`."""
    person = person_for(actor=actor, organisation=organisation, person_id=person_id, action=action)
    return read_journeys(person)


# --- The caseload ------------------------------------------------------------------------


def cohort_rows() -> Iterator[CohortRow]:
    """Every completed assessment the current scope may see, by person and date, streamed.
    Only the columns the maths needs are read; the JSON of domain scores is decoded once.
    People whose record was erased are left out: their scores stay for aggregate reports, but
    they are no one's caseload."""
    return series_rows(completed_series())


def instruments_by_version() -> dict[int, Instrument]:
    return {version.pk: instrument_of(version) for version in InstrumentVersion.objects.all()}


def _in_code_point_order(name: str) -> Collate:
    """Slugs sorted as Python sorts them, whatever the database's own collation."""
    return Collate(F(name), "C" if connection.vendor == "postgresql" else "BINARY")


# The stored trends are read in two parts, which together are exactly the rows the scope may
# see (see `models.visible_with_their_person`): the organisation's own people, one range of
# an index on the trend tables, counted and ranked in the database; and the people of other
# organisations shared with it, who are few, read whole and added up here.


def _own(rows: QuerySet[Any], organisation_id: int | None) -> QuerySet[Any]:
    return rows.filter(organisation_id=organisation_id)


# Ids per query when reading other organisations' people by id: well inside every backend's
# limit on parameters.
OTHERS_CHUNK = 5_000


def _others(rows: QuerySet[Any], organisation_id: int | None, *fields: str) -> list[Any]:
    """`fields` of the rows about people of other organisations the scope may see. Their ids
    are read first and then named, so the database looks their rows up by person rather than
    scanning the organisation's own rows (PostgreSQL cannot tell how few they are from the
    visibility rule alone)."""
    people = _other_people(organisation_id)
    found: list[Any] = []
    for start in range(0, len(people), OTHERS_CHUNK):
        chunk = rows.filter(person_id__in=people[start : start + OTHERS_CHUNK])
        found.extend(chunk.values_list(*fields, flat=len(fields) == 1))
    return found


def _other_people(organisation_id: int | None) -> list[int]:
    """The ids of other organisations' people the scope may see. For one organisation they are
    found from the grants' own tables (the consent index), so this does not pass over the
    organisation's own people; the scope's own condition still applies on top."""
    people = Person.objects.exclude(organisation_id=organisation_id)
    if organisation_id is not None:
        people = people.filter(
            access.other_organisations_q(
                organisation_id=organisation_id, person="", part=access.PERSON
            )
        )
    return list(people.values_list("pk", flat=True))


def stored_cohort(
    *, instruments: dict[int, Instrument], as_of: date, limit: int = WORKLIST_LIMIT
) -> Cohort:
    """The caseload of the current scope from the stored trends: exactly what
    `caseload.compute_cohort` gives from the assessments, in a handful of queries whatever the
    size of the caseload.

    Direction counts and quartiles come from one pass over the journeys' stored series (one
    range of an index starting with the organisation, read in chunks); the worklist is an
    ORDER BY with a LIMIT. The page shows it through `summarised_cohort`, which keeps it until
    a trend changes, so this pass runs once per change, not once per view."""
    organisation_id = current_scope().organisation_id
    cohorts = _Cohorts(newest_instruments(instruments))
    journeys = JourneyTrend.objects.all()
    own_journeys = _own(journeys, organisation_id)
    other_journeys = _others(
        journeys,
        organisation_id,
        "person_id",
        "instrument",
        "turned_down",
        "fell",
        "steepest_drop",
        "latest_on",
        "newest_assessment_id",
        "series",
    )
    for slug, count in own_journeys.values_list("instrument").annotate(n=Count("*")).order_by():
        cohorts.of(slug).people += count
    for _person_id, slug, *_rest in other_journeys:
        cohorts.of(slug).people += 1
    people = own_journeys.aggregate(people=Count("person", distinct=True))["people"] + len(
        {row[0] for row in other_journeys}
    )
    _add_series(
        cohorts,
        chain(
            own_journeys.values_list("instrument", "series").iterator(chunk_size=10_000),
            ((row[1], row[-1]) for row in other_journeys),
        ),
    )

    # The worklist: journeys that turned down and that this organisation has not marked
    # reviewed since their newest assessment.
    turned_down = own_journeys.filter(turned_down=True)
    reviewed: set[tuple[int, str, int]] = set()
    if organisation_id is not None:
        turned_down = turned_down.exclude(
            Exists(
                WorklistReview.objects.filter(
                    organisation_id=organisation_id,
                    person_id=OuterRef("person_id"),
                    instrument=OuterRef("instrument"),
                    newest_assessment_id=OuterRef("newest_assessment_id"),
                )
            )
        )
        down_elsewhere = [row[0] for row in other_journeys if row[2]]
        reviewed = set(
            WorklistReview.objects.filter(
                organisation_id=organisation_id, person_id__in=down_elsewhere
            ).values_list("person_id", "instrument", "newest_assessment_id")
        )
    worklist = [
        TurnedDown(person_id, slug, tuple(fell), steepest_drop, latest_on)
        for person_id, slug, fell, steepest_drop, latest_on in turned_down.order_by(
            "steepest_drop", "person_id", _in_code_point_order("instrument")
        ).values_list("person_id", "instrument", "fell", "steepest_drop", "latest_on")[:limit]
    ]
    others_down = [
        TurnedDown(person_id, slug, tuple(fell), steepest_drop, latest_on)
        for person_id, slug, down, fell, steepest_drop, latest_on, newest, _series in other_journeys
        if down and (person_id, slug, newest) not in reviewed
    ]
    return Cohort(
        cohorts.by_slug,
        sorted(worklist + others_down, key=worklist_order)[:limit],
        turned_down.count() + len(others_down),
        people,
        as_of,
        _outdated(organisation_id),
    )


def _outdated(organisation_id: int | None) -> int:
    """How many of the scope's journeys were worked out under an older trend rule, or against
    other host norms than those in force now. A pass over the organisation's trends: part of
    the caseload's kept summary (`summarised_cohort`), whose key names the rule and norms."""
    journeys = JourneyTrend.objects.all()
    digests = norms_digests()
    outdated = ~Q(rule=TREND_RULE) | ~Q(instrument__in=list(digests)) & ~Q(norms_digest="")
    for slug, digest in digests.items():
        outdated |= Q(instrument=slug) & ~Q(norms_digest=digest)
    return _own(journeys, organisation_id).filter(outdated).count() + sum(
        rule != TREND_RULE or digests.get(slug, "") != digest
        for rule, slug, digest in _others(
            journeys, organisation_id, "rule", "instrument", "norms_digest"
        )
    )


@dataclass
class _Cohorts:
    """Each instrument's cohort and distributions, made when first needed."""

    newest: dict[str, Instrument]
    by_slug: dict[str, InstrumentCohort] = field(default_factory=dict)

    def of(self, slug: str) -> InstrumentCohort:
        if slug not in self.by_slug:
            self.by_slug[slug] = InstrumentCohort(self.newest[slug])
        return self.by_slug[slug]

    def distribution(self, slug: str, key: str) -> DomainDistribution:
        distributions = self.of(slug).distributions
        if key not in distributions:
            distributions[key] = DomainDistribution(key)
        return distributions[key]


def _add_series(cohorts: _Cohorts, journeys: Iterable[tuple[str, list[list[Any]]]]) -> None:
    """Direction counts and quartiles of every domain and the overall, from each journey's
    instrument and stored series (`JourneyTrend.series`)."""
    rates: dict[tuple[str, str], list[float]] = {}
    directions: Counter[tuple[str, str, str]] = Counter()
    for slug, series in journeys:
        for key, rate, direction, *_rest in series:
            directions[slug, key, direction] += 1
            if rate is not None:
                rates.setdefault((slug, key), []).append(rate)
    for (slug, key, direction), count in directions.items():
        cohorts.distribution(slug, key).directions[direction] += count
    for (slug, key), found in rates.items():
        cohorts.distribution(slug, key).quartiles = quartiles_of(sorted(found))


def cohort_journeys(*, actor: Any, organisation: Any) -> Cohort:
    """The caseload's journeys for the organisation in scope, audited as one read: the figures
    name nobody, the worklist names its people, and the entry says which (`record_shown`)."""
    cohort = summarised_cohort(instruments=instruments_by_version(), as_of=timezone.localdate())
    record_shown(
        actor=actor,
        organisation=organisation,
        action="journey.cohort_viewed",
        people=[entry.person_id for entry in cohort.worklist],
        extra={"people": cohort.people, "turned_down": cohort.turned_down},
    )
    return cohort


def summarised_cohort(*, instruments: dict[int, Instrument], as_of: date) -> Cohort:
    """`stored_cohort`, worked out once and kept (`CaseloadSummary`) until something it
    depends on changes: a stored trend (any write moves `TrendGeneration` on), the people of
    other organisations the scope may see, the trend rule, the host norms in force, the
    instrument versions or the day. Reading it back costs four small queries, however large
    the caseload."""
    organisation_id = current_scope().organisation_id
    if organisation_id is None:
        return stored_cohort(instruments=instruments, as_of=as_of)
    others = sorted(_other_people(organisation_id))
    generation = TrendGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    described = json.dumps(
        [
            generation,
            TREND_RULE,
            sorted(instruments),
            as_of.isoformat(),
            WORKLIST_LIMIT,
            others,
            sorted(norms_digests().items()),
        ]
    )
    key = hashlib.sha256(described.encode()).hexdigest()
    summary = CaseloadSummary.objects.filter(organisation_id=organisation_id).first()
    if summary is not None and summary.key == key:
        kept = cohort_from_figures(summary.figures, newest_instruments(instruments))
        if kept is not None:
            return kept
    cohort = stored_cohort(instruments=instruments, as_of=as_of)
    try:
        # Its own savepoint: two views working it out at once both write, and one may lose.
        with transaction.atomic():
            CaseloadSummary.objects.update_or_create(
                organisation_id=organisation_id,
                defaults={"key": key, "figures": cohort_figures(cohort)},
            )
    except IntegrityError:
        pass
    return cohort


def worklist_people(cohort: Cohort) -> list[tuple[TurnedDown, Person]]:
    """The people of the worklist with their records, in one query."""
    people = Person.objects.in_bulk([entry.person_id for entry in cohort.worklist])
    return [
        (entry, people[entry.person_id]) for entry in cohort.worklist if entry.person_id in people
    ]


# --- How fresh the stored trends are -------------------------------------------------------


@dataclass(frozen=True)
class Freshness:
    """What the caseload page says about its own figures, so old figures are never shown as
    if they were current."""

    refreshing: tuple[TrendRefresh, ...]
    """Refreshes queued or running for this caseload (or the whole partnership)."""
    failed: TrendRefresh | None
    """The latest refresh that ended, when it failed."""
    older_rule: int
    """Journeys computed under an older trend rule than this version of Pathmark's, or against
    host norms other than those in force now."""
    untracked: bool
    """There are completed assessments but no stored trends at all (assessments loaded
    without a refresh)."""

    @property
    def stale(self) -> bool:
        return bool(self.failed or self.older_rule or self.untracked)


def trend_freshness(*, organisation: Any, cohort: Cohort | None = None) -> Freshness:
    """Cheap checks, each an indexed query whatever the caseload's size: refresh jobs, trends
    under an older rule (counted with the caseload's kept figures when `cohort` is given,
    else here), and completed assessments with no trends at all.

    Every service that changes completed assessments refreshes their people's trends (or
    queues a refresh, which shows here until it has run), so these are the ways trends can be
    out of date: a refresh queued, running or failed; a new trend rule; or assessments
    written around the services (a database restored from an older Pathmark, a bulk load),
    which `pathmark journeys refresh` repairs."""
    organisation_id = current_scope().organisation_id
    jobs = TrendRefresh.objects.filter(Q(organisation=organisation) | Q(organisation=None))
    refreshing = tuple(
        jobs.filter(status__in=[RefreshStatus.QUEUED, RefreshStatus.RUNNING]).order_by("pk")
    )
    last_ended = (
        jobs.filter(status__in=[RefreshStatus.COMPLETE, RefreshStatus.FAILED])
        .order_by("-finished_at", "-pk")
        .first()
    )
    journeys = JourneyTrend.objects.all()
    older_rule = cohort.outdated if cohort is not None else _outdated(organisation_id)
    untracked = (
        not journeys.exists()
        and Assessment.objects.filter(status=AssessmentStatus.COMPLETED)
        .exclude(person__status=Person.Status.ERASED)
        .exists()
    )
    return Freshness(
        refreshing=refreshing,
        failed=last_ended if last_ended and last_ended.status == RefreshStatus.FAILED else None,
        older_rule=older_rule,
        untracked=untracked,
    )


# --- A key worker's caseload -----------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(day.day, last))


class Due:
    """Where a person stands against the reassessment interval."""

    NEVER = "never"
    OVERDUE = "overdue"
    SOON = "soon"
    LATER = "later"


# "Due soon" when the reassessment falls within this many days.
DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class CaseloadJourney:
    instrument: str
    latest_on: date
    stage: str
    integratedness_per_year: float | None
    direction: str
    turned_down: bool


@dataclass(frozen=True)
class CaseloadEntry:
    person: Person
    last_assessed_on: date | None
    next_due_on: date | None
    due: str
    journeys: tuple[CaseloadJourney, ...]


def key_worker_people(*, worker: Any) -> QuerySet[Person]:
    """The people of the scope's organisation whose key worker is `worker`, whose record is
    open (not restricted or erased), with the date of their latest completed assessment, those
    to reassess first: never assessed, then the longest since their last assessment."""
    return (
        Person.objects.filter(
            organisation_id=current_scope().organisation_id,
            key_worker=worker,
            status=Person.Status.ACTIVE,
        )
        .annotate(
            last_assessed_on=Max(
                "assessments__assessed_on",
                filter=Q(assessments__status=AssessmentStatus.COMPLETED),
            )
        )
        .order_by(F("last_assessed_on").asc(nulls_first=True), "pk")
    )


def due_state(last: date | None, *, today: date, months: int) -> tuple[date | None, str]:
    if last is None:
        return None, Due.NEVER
    due_on = add_months(last, months)
    if due_on < today:
        return due_on, Due.OVERDUE
    if (due_on - today).days <= DUE_SOON_DAYS:
        return due_on, Due.SOON
    return due_on, Due.LATER


def caseload_entries(people: list[Person], *, today: date, months: int) -> list[CaseloadEntry]:
    """Each person's reassessment date and, per questionnaire, the stage of their latest
    assessment and their integratedness from the stored trends: three queries for the page."""
    ids = [person.pk for person in people]
    trends: dict[tuple[int, str], tuple[float | None, str]] = {}
    turned = set()
    for person_id, slug, down, series in JourneyTrend.objects.filter(person_id__in=ids).values_list(
        "person_id", "instrument", "turned_down", "series"
    ):
        for key, rate, direction, *_rest in series:
            if key == OVERALL:
                trends[person_id, slug] = (rate, direction)
        if down:
            turned.add((person_id, slug))
    latest: dict[tuple[int, str], tuple[date, str]] = {}
    for person_id, slug, assessed_on, stage in (
        Assessment.objects.filter(person_id__in=ids, status=AssessmentStatus.COMPLETED)
        .order_by("person_id", "-assessed_on", "-pk")
        .values_list("person_id", "instrument_version__slug", "assessed_on", "stage")
    ):
        latest.setdefault((person_id, slug), (assessed_on, stage))
    entries = []
    for person in people:
        last = getattr(person, "last_assessed_on", None)
        due_on, due = due_state(last, today=today, months=months)
        journeys = tuple(
            CaseloadJourney(
                instrument=slug,
                latest_on=on,
                stage=stage,
                integratedness_per_year=trends.get((person.pk, slug), (None, ""))[0],
                direction=trends.get((person.pk, slug), (None, "not_enough_data"))[1],
                turned_down=(person.pk, slug) in turned,
            )
            for (person_id, slug), (on, stage) in sorted(latest.items())
            if person_id == person.pk
        )
        entries.append(CaseloadEntry(person, last, due_on, due, journeys))
    return entries


def key_worker_choices(*, organisation: Any) -> list[Any]:
    """The members who may be a key worker: active caseworkers and managers of the
    organisation, by name."""
    return [membership.user for membership in _key_workers(organisation.pk)]


@prepared
def _key_workers(organisation_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            organisation_id=organisation_id,
            is_active=True,
            user__is_active=True,
            role__in=[Role.CASEWORKER, Role.MANAGER],
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )


def survey_min_groups() -> dict[str, int]:
    """Each surveyed instrument's smallest group with its own norm, in its latest survey."""
    return dict(
        HostSurvey.objects.order_by("instrument", "valid_from").values_list(
            "instrument", "min_group"
        )
    )


def life_events_of(person: Person) -> list[LifeEvent]:
    """The person's life events the scope may see, oldest first (read with the journey, whose
    read is audited)."""
    return _life_events_of(person.pk)


@prepared
def _life_events_of(person_id: int) -> QuerySet[LifeEvent]:
    return LifeEvent.objects.filter(person_id=person_id).order_by("occurred_on", "pk")


def event_marks(events: list[LifeEvent]) -> list[tuple[date, str]]:
    """(date, words) of each event for the charts and tables, in the active language."""
    return [
        (
            event.occurred_on,
            f"{event.get_kind_display()}: {event.note}"
            if event.note
            else str(event.get_kind_display()),
        )
        for event in events
    ]
