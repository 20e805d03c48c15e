"""Reading assessments. Queries go through the scoped manager, so an assessment is seen only
where its person is; reads of one assessment are audited here, so no view can show one
without leaving a trace."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import get_language

from pathmark.audit.services import record
from pathmark.instruments.definition import Instrument
from pathmark.instruments.models import InstrumentVersion
from pathmark.organisations.permissions import role_may
from pathmark.organisations.scoping import active_scope, current_scope, prepared
from pathmark.people import access
from pathmark.people.models import Person

from .charts import BarChart, domain_bar_chart
from .models import Assessment, AssessmentStatus
from .text import direction, in_language, is_rtl, language_of

# A person page shows at most this many past assessments; journeys show the full trajectory.
HISTORY_LIMIT = 50

# Parsed instruments by stored row and fingerprint. Stored versions never change (a changed
# file gets a new version), so a parse can be reused for the life of the process.
_instruments: dict[tuple[int, str], Instrument] = {}


def instrument_of(version: InstrumentVersion) -> Instrument:
    key = (version.pk, version.sha256)
    if key not in _instruments:
        _instruments[key] = version.instrument
    return _instruments[key]


def assessments_of(person: Person) -> QuerySet[Assessment]:
    """The person's assessments the current scope may see, newest first."""
    return _assessments_by_person_id(person.pk)


def _assessments_by_person_id(person_id: int) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(person_id=person_id)
        .select_related("instrument_version", "organisation")
        # Each row would otherwise carry its version's whole definition; `instrument_of`
        # loads it once per version when its cache misses.
        .defer("instrument_version__definition")
        .order_by("-assessed_on", "-pk")
    )


@prepared
def _newest_assessments(person_id: int) -> QuerySet[Assessment]:
    """`assessments_of` without the answers, one more than the person page shows."""
    return _assessments_by_person_id(person_id).defer("answers", "item_scores")[: HISTORY_LIMIT + 1]


def assessment_for(
    *,
    actor: Any,
    organisation: Any,
    assessment_id: int,
    action: str = "assessment.viewed",
    for_writing: bool = False,
) -> Assessment:
    """The assessment if the current scope may see it (and, `for_writing`, change it);
    `Assessment.DoesNotExist` otherwise, whether it is missing or belongs elsewhere."""
    # The page shows the person too: their record, not only their assessments, must be
    # visible (`access.visible_related`), as `select_related` alone would not ask.
    assessment = (
        access.visible_related(
            Assessment.objects.exclude(person__status=Person.Status.ERASED), "person"
        )
        .select_related("person", "person__organisation", "instrument_version", "organisation")
        .get(pk=assessment_id)
    )
    if for_writing and assessment.organisation_id != organisation.pk:
        raise Assessment.DoesNotExist
    record(actor=actor, organisation=organisation, action=action, target=assessment)
    return assessment


# --- Presenting results ------------------------------------------------------------------


@dataclass(frozen=True)
class DomainScore:
    id: str
    title: str
    language: str
    score: float | None


@dataclass(frozen=True)
class AssessmentResult:
    """A completed assessment ready to show: titles in the reader's language, with English
    where a translation is missing."""

    assessment: Assessment
    instrument_title: str
    domains: tuple[DomainScore, ...]
    overall: float | None
    stage_label: str
    stage_description: str
    chart: BarChart


def stage_label(assessment: Assessment, language: str | None = None) -> str:
    if not assessment.stage:
        return ""
    instrument = instrument_of(assessment.instrument_version)
    for stage in instrument.stages:
        if stage.id == assessment.stage:
            return in_language(stage.label, language)
    return assessment.stage


def result_of(assessment: Assessment) -> AssessmentResult:
    language = get_language() or "en"
    instrument = instrument_of(assessment.instrument_version)
    domains = tuple(
        DomainScore(
            id=domain.id,
            title=in_language(domain.title, language),
            language=language_of(domain.title, language),
            score=assessment.domain_scores.get(domain.id),
        )
        for domain in instrument.domains
    )
    stage = next((s for s in instrument.stages if s.id == assessment.stage), None)
    return AssessmentResult(
        assessment=assessment,
        instrument_title=in_language(instrument.title, language),
        domains=domains,
        overall=assessment.overall_score,
        stage_label=in_language(stage.label, language) if stage else assessment.stage,
        stage_description=in_language(stage.description, language) if stage else "",
        chart=domain_bar_chart([(d.title, d.score) for d in domains], rtl=is_rtl(language)),
    )


@dataclass(frozen=True)
class Step:
    number: int
    domain_id: str
    title: str
    language: str
    direction: str
    answered: int
    total: int


def steps_of(assessment: Assessment) -> list[Step]:
    """One step per domain, numbered from 1 as in the page addresses, titled in the
    assessment's language like the questions themselves."""
    instrument = instrument_of(assessment.instrument_version)
    return [
        Step(
            number=number,
            domain_id=domain.id,
            title=in_language(domain.title, assessment.language),
            language=language_of(domain.title, assessment.language),
            direction=direction(language_of(domain.title, assessment.language)),
            answered=sum(1 for item in domain.items if item.id in assessment.answers),
            total=len(domain.items),
        )
        for number, domain in enumerate(instrument.domains, start=1)
    ]


def resume_url(assessment: Assessment) -> str:
    """The first domain with an unanswered item, or the review page when all are answered."""
    for step in steps_of(assessment):
        if step.answered < step.total:
            return reverse("assessments:domain", args=[assessment.pk, step.number])
    return reverse("assessments:review", args=[assessment.pk])


def latest_completed_id(person: Person) -> int | None:
    """The id of the person's latest completed assessment the scope may see, or None. On the
    person page the assessments part has just read the newest assessments in the same scope
    (`person_assessment_summary`, kept on the person object for the request): the answer is
    among them, unless they were all drafts and there were more."""
    newest = getattr(person, "_newest_assessments", None)
    if newest is not None:
        rows, more = newest
        found = next((row.pk for row in rows if row.is_completed), None)
        if found is not None or not more:
            return found  # type: ignore[no-any-return]
    return (
        Assessment.objects.filter(person=person, status=AssessmentStatus.COMPLETED)
        .order_by("-assessed_on", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


def person_assessment_summary(*, person: Person) -> dict[str, object]:
    """What the person page shows about assessments, for the organisation in scope: the latest
    completed result of each instrument, the history, its own drafts to resume, and whether
    it may start one. The person page's own read is already audited by `person_for`."""
    scope = current_scope()
    language = get_language() or "en"
    rows = _newest_assessments(person.pk)
    more = len(rows) > HISTORY_LIMIT
    rows = rows[:HISTORY_LIMIT]
    # Kept on this request's person for the page's other parts (`latest_completed_id`).
    person._newest_assessments = (rows, more)  # type: ignore[attr-defined]
    latest: dict[str, Assessment] = {}
    history = []
    drafts = []
    for assessment in rows:
        own = assessment.organisation_id == scope.organisation_id
        if assessment.is_draft and not own:
            # Another organisation's unfinished draft is neither a result nor resumable here.
            continue
        instrument = instrument_of(assessment.instrument_version)
        if assessment.is_completed:
            latest.setdefault(instrument.slug, assessment)
        elif own:
            drafts.append(
                {
                    "assessment": assessment,
                    "instrument_title": in_language(instrument.title, language),
                    # The answers are deferred here (not shown), so resume at the review
                    # page, which lists what is left to answer.
                    "url": reverse("assessments:review", args=[assessment.pk]),
                }
            )
        history.append(
            {
                "assessment": assessment,
                "instrument_title": in_language(instrument.title, language),
                "version": instrument.version,
                "stage_label": stage_label(assessment, language),
                "is_own": own,
            }
        )
    can_start = role_may(scope.role, "assessment.run") and person.status == Person.Status.ACTIVE
    return {
        "person": person,
        "latest": [result_of(assessment) for assessment in latest.values()],
        "history": history,
        "more_history": more,
        "drafts": drafts,
        # A restricted record's drafts are frozen: offering "Resume" would only bounce.
        "frozen": person.status != Person.Status.ACTIVE,
        "can_start": can_start,
        "start_url": reverse("assessments:start", args=[person.pk]) if can_start else "",
    }


def drafts_of_organisation(*, organisation: Any, limit: int = 10) -> list[Assessment]:
    """Unfinished assessments this organisation started, oldest first, for the start page."""
    drafts = Assessment.objects.filter(organisation=organisation, status="draft")
    # Each draft names its person: only those whose record this scope may see.
    return list(
        access.visible_related(drafts, "person")
        .select_related("person", "instrument_version")
        .defer("instrument_version__definition")
        .order_by("created_at")[:limit]
    )


# The columns of a completed assessment that journeys' maths reads, in this order.
SERIES_COLUMNS = (
    "person_id",
    "instrument_version_id",
    "assessed_on",
    "overall_score",
    "domain_scores",
    "pk",
    "updated_at",
)


def completed_series(
    *, person_ids: Iterable[int] | None = None, between: tuple[int, int] | None = None
) -> QuerySet:
    """The completed assessments a journey is computed from, as `SERIES_COLUMNS` tuples in
    person, date order: every one the current scope may see, or only these people's (named,
    or the person ids `between` two, both included: one range of the index for a rebuild's
    dense run of ids). People whose record was erased are left out: their scores stay for
    aggregate reports, but they are no one's journey. The stored trends and the reference
    computation both read this, so they can never be computed from different rows; read it
    with `series_rows` when there are many."""
    rows = Assessment.objects.filter(status=AssessmentStatus.COMPLETED)
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    if between is None:
        rows = rows.exclude(person__status=Person.Status.ERASED)
    else:
        first, last = between
        rows = rows.filter(person_id__gte=first, person_id__lte=last)
        # The range's erased people through the range of the people's primary key (unscoped:
        # it only names whom to leave out; the assessments stay scoped): PostgreSQL joins the
        # whole people table for the join's condition, a scan of the caseload per chunk.
        erased = QuerySet(Person).filter(pk__gte=first, pk__lte=last, status=Person.Status.ERASED)
        rows = rows.exclude(person_id__in=erased.values("pk"))
    return rows.order_by("person_id", "assessed_on", "pk").values_list(*SERIES_COLUMNS)


def series_rows(rows: QuerySet) -> Iterator[tuple[Any, ...]]:
    """The tuples of a `completed_series` queryset, streamed from the database cursor with
    only the conversions these columns need (the domain scores' JSON decoded once, SQLite's
    times made aware), rather than through Django's converters for every value: a city's rebuild of stored trends reads 400,000 of them, and the converters cost
    more than the query. The queryset's own SQL runs, with its scope's conditions in it."""
    scope = active_scope()
    if scope is not None and scope.is_aggregate:
        rows._check_aggregate_only()  # the check the queryset makes before fetching
    connection = connections[rows.db]
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # no ids named
        return
    # SQLite's driver gives dates and times already parsed (Django registers converters by
    # declared type) but times naive, in the connection's zone; PostgreSQL's gives them aware.
    naive = connection.vendor == "sqlite" and settings.USE_TZ
    zone = connection.timezone
    loads = orjson.loads  # the same values as json.loads, several times faster
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's own loader (compiled, in psycopg's binary package) rather than
            # Django's subclass of its pure-Python one, for this cursor only: the same
            # instants, aware, in the connection's zone, at a fraction of the cost.
            from psycopg.types.datetime import TimestamptzLoader

            cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(SERIES_FETCH):
            for person, version, on, overall, domains, pk, changed in batch:
                if naive and changed is not None and changed.tzinfo is None:
                    changed = changed.replace(tzinfo=zone)
                yield person, version, on, overall, loads(domains), pk, changed


SERIES_FETCH = 5_000
"""Rows fetched from the cursor at a time by `series_rows`."""
