"""Keeping the stored journey trends fresh: one function recomputes named people's trends from
their completed assessments, and every change to assessments calls it (completing one,
rescoring, the demo loader, imports through `refresh_trends_later`, erasure through the
privacy registry). A rebuild of every trend (after an instrument or the trend rule changes)
runs the same function over everyone, in chunks, as a job the caseload page can show.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.assessments.selectors import completed_series, series_rows
from pathmark.audit.services import record
from pathmark.core.appending import EncodedList, append_rows
from pathmark.organisations.models import Membership, Organisation
from pathmark.organisations.scoping import active_scope, checks_organisation, system_scope
from pathmark.people.models import Person

from .caseload import JourneyTrends, NormsBySlug, caseload_trends
from .models import (
    CaseloadSummary,
    HostSurvey,
    JourneyTrend,
    LifeEvent,
    LifeEventKind,
    RefreshStatus,
    SurveyNorm,
    TrendGeneration,
    TrendRefresh,
    WorklistReview,
)
from .selectors import (
    groups_with_norms,
    instruments_by_version,
    norms_by_slug,
    norms_digests,
    person_groups,
)
from .survey import NormEstimate
from .trajectory import TREND_RULE, journey_turned_down

# People recomputed per query (and, in a rebuild, per transaction): the ids fit in one
# statement's parameters on every backend, and one chunk's rows in a few megabytes.
REFRESH_CHUNK = 500
# People per transaction in a rebuild, so a long rebuild shows progress and holds SQLite's
# write lock only briefly at a time.
REBUILD_CHUNK = 2_000


@dataclass
class Refreshed:
    people: int = 0
    journeys: int = 0
    series: int = 0
    turned_down: int = 0
    changed: int = 0
    """Journeys added, removed, or recomputed from other assessments or under another rule
    than those stored: how stale the trends were."""
    rows_written: int = 0
    """Rows deleted or written; rows whose figures were already right are left alone."""

    def add(self, other: Refreshed) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


def refresh_trends(*, person_ids: Iterable[int]) -> Refreshed:
    """Recomputes the stored trends of these people from all their completed assessments, in
    the caller's transaction (or one of its own), so the trends commit or roll back with the
    change that made them stale.

    A person's trend is the same whichever organisation looks at it (scoping decides who
    sees it, not what it holds), so it is computed from every organisation's assessments, in
    the system scope. People who were erased, or have no completed assessment, are left
    with no trend."""
    ids = sorted(set(person_ids))
    summary = Refreshed()
    if not ids:
        return summary
    with (
        system_scope("refresh the journey trends of people whose assessments changed"),
        transaction.atomic(),
    ):
        context = _Context.now()
        for start in range(0, len(ids), REFRESH_CHUNK):
            summary.add(_refresh_chunk(ids[start : start + REFRESH_CHUNK], context))
    return summary


@dataclass
class _Context:
    """What every chunk of a refresh is computed against, read once."""

    instruments: dict[int, Any]
    norms: _NormsByGroups
    digests: dict[str, str]

    @classmethod
    def now(cls) -> _Context:
        return cls(instruments_by_version(), _NormsByGroups(groups_with_norms()), norms_digests())


class _NormsByGroups:
    """The norms each person's trends are computed against: the whole population's, or those
    of the groups they belong to that have norms of their own (worked out once per set of
    groups)."""

    def __init__(self, with_norms: set[tuple[str, str]]) -> None:
        self.with_norms = with_norms
        self.found: dict[tuple[tuple[str, str], ...], NormsBySlug] = {}

    def signature(self, age_band: str, gender: str, postcode: str) -> tuple[tuple[str, str], ...]:
        if not self.with_norms:
            return ()
        groups = person_groups(age_band, gender, postcode)
        return tuple(sorted(group for group in groups.items() if group in self.with_norms))

    def __call__(self, signature: tuple[tuple[str, str], ...]) -> NormsBySlug:
        if signature not in self.found:
            self.found[signature] = norms_by_slug(signature)
        return self.found[signature]


Fingerprint = tuple[int, int, int, Any, int, str]


def _fingerprint(journey: JourneyTrends, norms_digest: str) -> Fingerprint:
    return (
        TREND_RULE,
        journey.assessments,
        journey.newest_assessment_id,
        journey.newest_change_at,
        journey.version_id,
        norms_digest,
    )


@dataclass
class _Computed:
    """One chunk's journeys worked out from what was read, and what they were worked out from
    (`_People` and `Source`), so that a chunk computed before its lock was taken can be
    checked, under the lock, to be still current before it is written."""

    people: _People
    source: Source
    rows: list[tuple[Any, ...]]
    fingerprints: dict[tuple[int, str], Fingerprint]
    series: int
    turned_down: int


_People = list[tuple[Any, ...]]
"""The chunk's people as `_people_of` reads them: id, organisation, the groups their norms
depend on, and status."""

Source = tuple[int, int, Any]
"""How many completed assessments of people in the chunk's range, the sum of their ids and
the latest change: any assessment completed, withdrawn, rescored or changed moves it."""


class _Range:
    """The people of one chunk: a rebuild names runs of consecutive ids, which a range of
    each index reads better than a list of hundreds of ids looked up one by one."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.wanted = set(ids)
        self.dense = ids[-1] - ids[0] < 2 * len(ids)

    def of(self, rows: Any, field: str = "person_id") -> Any:
        if self.dense:
            return rows.filter(**{f"{field}__gte": self.ids[0], f"{field}__lte": self.ids[-1]})
        return rows.filter(**{f"{field}__in": self.ids})

    def series(self) -> Any:
        """The chunk's completed assessments (`completed_series`)."""
        if self.dense:
            return completed_series(between=(self.ids[0], self.ids[-1]))
        return completed_series(person_ids=self.ids)


def _people_of(chunk: _Range, *, lock: bool) -> _People:
    people = Person.objects.select_for_update() if lock else Person.objects.all()
    return [
        row
        for row in chunk.of(people, "pk")
        .order_by("pk")
        .values_list("pk", "organisation_id", "age_band", "gender", "postcode", "status")
        if row[0] in chunk.wanted
    ]


def _source_in_database(chunk: _Range) -> Source:
    found = (
        chunk.series()
        .order_by()
        .aggregate(count=Count("pk"), ids=Sum("pk"), changed=Max("updated_at"))
    )
    return found["count"], found["ids"] or 0, found["changed"]


def _compute(chunk: _Range, context: _Context, people: _People) -> _Computed:
    """The chunk's journey rows (`JOURNEY_COLUMNS`), from its completed assessments."""
    organisation_of = {}
    by_signature: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for pk, organisation_id, age_band, gender, postcode, _status in people:
        organisation_of[pk] = organisation_id
        signature = context.norms.signature(age_band, gender, postcode)
        by_signature.setdefault(signature, []).append(pk)
    read = [0, 0, None]

    def counted(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        # The source, from the very rows read (one snapshot), for `_source_in_database`.
        for row in rows:
            read[0] += 1
            read[1] += row[5]
            if read[2] is None or row[6] > read[2]:
                read[2] = row[6]
            yield row

    everyone = counted(series_rows(chunk.series()))
    rows_by_person: dict[int, list[tuple[Any, ...]]] = {}
    for row in everyone:
        if row[0] in organisation_of:
            rows_by_person.setdefault(row[0], []).append(row)
    journeys: list[tuple[Any, ...]] = []
    after: dict[tuple[int, str], Fingerprint] = {}
    turned_down = series = 0
    digests = context.digests
    for signature, group in by_signature.items():
        for person_journeys in caseload_trends(
            (row for pk in group for row in rows_by_person.get(pk, ())),
            instruments=context.instruments,
            norms=context.norms(signature),
        ):
            for journey in person_journeys:
                person_id, slug = journey.person_id, journey.instrument
                digest = digests.get(slug, "")
                after[person_id, slug] = _fingerprint(journey, digest)
                trends = journey.trends
                series += len(trends.keys)
                falls = trends.falls
                fell = [k for k, fall in zip(trends.keys, falls, strict=True) if fall is not None]
                down = journey_turned_down(fell)
                turned_down += down
                journeys.append(
                    (
                        person_id,
                        slug,
                        organisation_of[person_id],
                        journey.version_id,
                        TREND_RULE,
                        journey.assessments,
                        journey.newest_assessment_id,
                        journey.newest_change_at,
                        journey.latest_on,
                        down,
                        _float(min(fall for fall in falls if fall is not None)) if fell else None,
                        fell,
                        digest,
                        # Lists, as JSON gives them back, so that an unchanged journey
                        # compares equal (a direction is a str, and written as one); encoded
                        # here, where a rebuild works them out in many processes at once.
                        EncodedList(map(list, zip(*trends, strict=True))),
                    )
                )
    return _Computed(
        people,
        (read[0], read[1], read[2]),  # type: ignore[arg-type]
        journeys,
        after,
        series,
        turned_down,
    )


def _refresh_chunk(
    ids: list[int], context: _Context, computed: _Computed | None = None
) -> Refreshed:
    """Writes the trends of one chunk of people, in the caller's transaction. `computed` is the
    chunk worked out beforehand, without the lock (by a worker of `run_refresh`): it is
    written only if neither the people nor their assessments changed since; otherwise, and
    without it, the chunk is worked out here, under the lock."""
    chunk = _Range(ids)
    # Lock the people first (in id order, so two refreshes cannot deadlock): two refreshes of
    # one person at once would both delete and then both insert. A no-op on SQLite, whose
    # writers already queue.
    people = _people_of(chunk, lock=True)
    if computed is not None and (
        computed.people != people or computed.source != _source_in_database(chunk)
    ):
        computed = None
    if computed is None:
        computed = _compute(chunk, context, people)
    stored = {
        (row[1], row[2]): (row[0], row[1:])
        for row in chunk.of(JourneyTrend.objects.all()).values_list("pk", *JOURNEY_COLUMNS)
        if row[1] in chunk.wanted
    }
    before: dict[tuple[int, str], Fingerprint] = {
        key: tuple(values[index] for index in FINGERPRINT_COLUMNS)  # type: ignore[misc]
        for key, (_pk, values) in stored.items()
    }
    after = computed.fingerprints
    written = _replace(computed.rows, stored, now=timezone.now())
    return Refreshed(
        people=len(ids),
        journeys=len(computed.rows),
        series=computed.series,
        turned_down=computed.turned_down,
        changed=sum(before.get(key) != after.get(key) for key in before.keys() | after.keys()),
        rows_written=written,
    )


def _replace(
    rows: list[tuple[Any, ...]],
    stored: dict[tuple[int, str], tuple[int, tuple[Any, ...]]],
    *,
    now: Any,
) -> int:
    """Makes the stored journeys (`stored`: the pk and `JOURNEY_COLUMNS` values of each,
    by person and instrument) of these people equal `rows` (values in `JOURNEY_COLUMNS`
    order, the person and instrument first), writing only the rows that differ: a refresh
    that finds a journey unchanged leaves its row alone. Returns how many rows were deleted
    or written."""
    new = {row[:2]: row for row in rows}
    stale = [pk for key, (pk, values) in stored.items() if new.get(key) != values]
    fresh = [row for key, row in new.items() if key not in stored or stored[key][1] != row]
    if stale:
        JourneyTrend.objects.filter(pk__in=stale).delete()
    if stale or fresh:
        trends_changed()
    # The fast appender rather than bulk_create: a rebuild writes a row for every journey of
    # the city, and building a model instance for each cost more than the arithmetic.
    append_rows(JourneyTrend, JOURNEY_COLUMNS, fresh, same={"computed_at": now}, return_ids=False)
    return len(stale) + len(fresh)


def _float(value: float | None) -> float | None:
    """Scores stored as whole numbers give whole-number falls; PostgreSQL's bulk insert takes
    one type per column."""
    return None if value is None else float(value)


# The person and instrument first (see `_replace`).
JOURNEY_COLUMNS = [
    "person_id",
    "instrument",
    "organisation_id",
    "instrument_version_id",
    "rule",
    "assessments",
    "newest_assessment_id",
    "newest_change_at",
    "latest_on",
    "turned_down",
    "steepest_drop",
    "fell",
    "norms_digest",
    "series",
]
# Where `_fingerprint`'s values are among `JOURNEY_COLUMNS`.
FINGERPRINT_COLUMNS = [
    JOURNEY_COLUMNS.index(name)
    for name in (
        "rule",
        "assessments",
        "newest_assessment_id",
        "newest_change_at",
        "instrument_version_id",
        "norms_digest",
    )
]


def erase_trends(person: Person, *, by: Any) -> int:
    """The privacy registry's erase step: the person's trends and the worklist notes about
    them go (they are figures and words about them; the scores they came from stay, without
    identity, for aggregate reports)."""
    trends = JourneyTrend.objects.filter(person_id=person.pk)
    # Counted as the subject access copy lists them: one per area of each questionnaire.
    areas = sum(len(series) for series in trends.values_list("series", flat=True))
    journeys, _counts = trends.delete()
    reviews, _counts = WorklistReview.objects.filter(person_id=person.pk).delete()
    if journeys or reviews:
        trends_changed()
    return areas + reviews


# --- The key worker's caseload ---------------------------------------------------------------


@checks_organisation
@transaction.atomic
def assign_key_worker(
    *, by: Any, organisation: Organisation, person: Person, worker: Any | None
) -> Person:
    """Makes `worker` (an active member of the person's organisation, or None for nobody) the
    person's key worker: the member whose "My caseload" lists them. Only the organisation
    that registered the person assigns one; a shared record's key worker is theirs."""
    if person.organisation_id != organisation.pk:
        raise Person.DoesNotExist
    if person.status != Person.Status.ACTIVE:
        raise ValidationError(
            _("Processing of this person's data is restricted, so their record cannot be changed.")
        )
    if (
        worker is not None
        and not Membership.objects.filter(
            user=worker, organisation=organisation, is_active=True, user__is_active=True
        ).exists()
    ):
        raise ValidationError(
            {"key_worker": _("Choose an active member of your organisation as key worker.")}
        )
    before = person.key_worker_id
    worker_id = worker.pk if worker is not None else None
    if before != worker_id:
        Person.objects.filter(pk=person.pk).update(key_worker_id=worker_id)
        person.key_worker = worker
        record(
            actor=by,
            organisation=organisation,
            action="journey.key_worker_assigned",
            target=person,
            person_id=person.pk,
            extra={"key_worker": worker_id, "was": before},
        )
    return person


@checks_organisation
@transaction.atomic
def review_worklist_entry(
    *, by: Any, organisation: Organisation, person_id: int, instrument: str, note: str = ""
) -> WorklistReview:
    """Records that `by` has looked at this journey on the worklist (with an optional note):
    it leaves this organisation's worklist until a later assessment turns it down again.
    Only a journey that is on the worklist now, and that this organisation may see, can be
    marked; anything else answers as if it did not exist."""
    note = note.strip()
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep the note under 2,000 characters.")})
    trend = (
        JourneyTrend.objects.filter(person_id=person_id, instrument=instrument, turned_down=True)
        .values("newest_assessment_id")
        .first()
    )
    if trend is None:
        raise JourneyTrend.DoesNotExist
    review = WorklistReview.objects.create(
        organisation=organisation,
        person_id=person_id,
        instrument=instrument,
        newest_assessment_id=trend["newest_assessment_id"],
        note=note,
        reviewed_by=by,
        reviewed_at=timezone.now(),
    )
    # The caseload summaries hold the worklist: they are worked out again without this entry
    # (moving the generation on, so one being worked out at this moment is not kept).
    trends_changed()
    record(
        actor=by,
        organisation=organisation,
        action="journey.worklist_reviewed",
        target=review,
        person_id=person_id,
        extra={"instrument": instrument, "with_note": bool(note)},
    )
    return review


def trends_changed() -> None:
    """Forgets every caseload summary and moves the trends' generation on, in the caller's
    transaction: a summary is worked out again when next shown, and one being worked out from
    the old trends at this moment is never taken for current (it names the old generation).
    For the whole partnership: a trend is seen by every organisation holding a grant for its
    person, and the write that changed it need not know which those are. Forgetting at once
    also takes an erased person's figures out of every summary with their trends."""
    CaseloadSummary.unscoped.all().delete()
    if not TrendGeneration.objects.filter(pk=1).update(value=F("value") + 1):
        TrendGeneration.objects.get_or_create(pk=1, defaults={"value": 1})


# --- Later, in the background -------------------------------------------------------------


def trends_follow_assessments(
    *, person_ids: Iterable[int], by: Any = None, reason: str = "", many: bool = False
) -> Refreshed | TrendRefresh | None:
    """The receiver of `assessments.hooks.completed_assessments_changed`: one person's trend
    is recomputed in the caller's transaction; many people's are queued for after it."""
    if many:
        return refresh_trends_later(person_ids=person_ids, by=by, reason=reason)
    return refresh_trends(person_ids=person_ids)


def refresh_trends_later(
    *, person_ids: Iterable[int], by: Any = None, reason: str = "assessments changed"
) -> TrendRefresh | None:
    """Queues a refresh of these people's trends, to run once the caller's transaction has
    committed (so it sees what the caller wrote). For work that changes many people's
    assessments at once, such as an import, where recomputing in the request would hold it
    up. The caseload page says the trends are being refreshed until the job ends."""
    ids = sorted(set(person_ids))
    if not ids:
        return None
    scope = active_scope()
    job = TrendRefresh.objects.create(
        organisation_id=scope.organisation_id if scope else None,
        requested_by=by if getattr(by, "pk", None) else None,
        reason=reason[:200],
        person_ids=ids,
        total=len(ids),
    )
    from .tasks import refresh_trends_job

    transaction.on_commit(lambda: refresh_trends_job.enqueue(job.pk))
    return job


Progress = Callable[[int, int], None]


@checks_organisation
def start_rebuild(
    *, by: Any = None, organisation: Organisation | None = None, reason: str = "rebuild"
) -> TrendRefresh:
    """A job to recompute every trend of the organisation's people (or everyone's): after an
    instrument or the trend rule changed, or when the page says trends are stale. A rebuild
    already queued for the same people (the one the migration that created the trend tables
    queues, say) is the job, rather than a second one that would leave it waiting."""
    queued = (
        TrendRefresh.objects.filter(
            rebuild=True, organisation=organisation, status=RefreshStatus.QUEUED
        )
        .order_by("pk")
        .first()
    )
    if queued is not None:
        return queued
    return TrendRefresh.objects.create(
        organisation=organisation,
        requested_by=by if getattr(by, "pk", None) else None,
        reason=reason[:200],
        rebuild=True,
    )


def _people_to_rebuild(organisation: Organisation | None) -> list[int]:
    """Everyone with a completed assessment or a stored trend (which may now be one too
    many), among the people the organisation registered when one is named."""
    with_assessments = Assessment.objects.filter(status=AssessmentStatus.COMPLETED)
    with_trends = JourneyTrend.objects.all()
    if organisation is not None:
        with_assessments = with_assessments.filter(person__organisation=organisation)
        with_trends = with_trends.filter(person__organisation=organisation)
    # Without the models' ordering, which DISTINCT would otherwise add to its columns (one
    # row per assessment, not per person).
    ids = set(with_assessments.order_by().values_list("person_id", flat=True).distinct())
    ids.update(with_trends.values_list("person_id", flat=True))
    return sorted(ids)


def _analyse_trend_tables() -> None:
    """After a rebuild has rewritten the trend tables, let PostgreSQL's planner know their
    new size at once rather than at autovacuum's next pass: with no statistics it sorts a
    whole caseload on disk instead of reading it from an index. (SQLite plans these queries
    from the indexes alone.)"""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(JourneyTrend._meta.db_table)}")


# People from which a refresh is worked out in several processes (unless asked otherwise):
# below this, starting them costs more than they save.
PARALLEL_FROM = 20_000

# What the worker processes compute against: set before they are forked, so they inherit it.
_shared_context: _Context | None = None


def _processes_for(people: int, asked: int | None) -> int:
    wanted = settings.PATHMARK_REFRESH_PROCESSES if asked is None else asked
    if wanted <= 1 or (asked is None and people < PARALLEL_FROM):
        return 1
    if connection.in_atomic_block:
        return 1  # other processes could not see this transaction's rows
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return 1  # nor another process's memory
    return wanted if _may_fork() else 1


def _may_fork() -> bool:
    """Whether this process can safely start workers by forking: not where fork is missing,
    nor from a thread other than the main one (a job run inside a threaded server's request,
    as tasks are in a demo), where the children could wait forever on a lock another thread
    held at the fork."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.current_thread() is threading.main_thread()
    )


def _refreshed_elsewhere(
    chunks: list[list[int]], context: _Context, processes: int
) -> Iterator[tuple[list[int], Refreshed | None]]:
    """Each chunk with what refreshing it wrote, by a pool of `processes` forked processes
    that each read, work out and write whole chunks: reading, decoding and the maths are most
    of a refresh, and a chunk's rows are written where they were worked out rather than sent
    to one writer (sending them cost about as much again in pickling as writing them). A
    worker works a chunk out first, without locks, and writes it in one transaction that
    first locks the chunk's people and checks that neither they nor their assessments changed
    since (`_refresh_chunk`); if anything did, the chunk is worked out again under the lock.
    SQLite queues the workers' write transactions (one at a time, a chunk's write taking a
    fraction of its working out); PostgreSQL writes them side by side. With one process,
    nothing is refreshed elsewhere (None: the caller refreshes the chunk itself)."""
    if processes <= 1:
        for chunk in chunks:
            yield chunk, None
        return
    global _shared_context
    _shared_context = context
    # Forked processes must not share this one's connection: they open their own.
    connections.close_all()
    try:
        with multiprocessing.get_context("fork").Pool(processes, _start_worker) as pool:
            yield from zip(chunks, pool.imap(_refresh_in_worker, chunks), strict=True)
    finally:
        _shared_context = None


def _start_worker() -> None:
    # What the worker inherited (Django, the context) lives as long as it does: kept out of
    # the cycle collector's passes, which otherwise walk it again and again while a chunk's
    # hundreds of thousands of short-lived tuples are made (a third of a worker's time on
    # SQLite, measured), and collected less often for the same reason.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _refresh_in_worker(ids: list[int]) -> Refreshed:
    assert _shared_context is not None
    with system_scope("journey trend refresh: a chunk worked out and written by a worker"):
        chunk = _Range(ids)
        computed = _compute(chunk, _shared_context, _people_of(chunk, lock=False))
        with transaction.atomic():
            return _refresh_chunk(ids, _shared_context, computed)


def run_refresh(
    job_id: int, *, progress: Progress | None = None, processes: int | None = None
) -> Refreshed:
    """Runs a queued refresh, one transaction per chunk of people, keeping the job row's
    progress current, and returns what it wrote. A failure marks the job failed (the page
    says so) and is raised. A job that is not queued (already run) is left alone.

    A large job's chunks are worked out and written by `processes`
    (`PATHMARK_REFRESH_PROCESSES`) side by side, each chunk in its own transaction, while
    this process keeps the job's progress: see `_refreshed_elsewhere`."""
    summary = Refreshed()
    with system_scope(f"journey trend refresh {job_id}"):
        job = TrendRefresh.objects.get(pk=job_id)
        if job.status != RefreshStatus.QUEUED:
            return summary
        try:
            ids = _people_to_rebuild(job.organisation) if job.rebuild else list(job.person_ids)
            processes = _processes_for(len(ids), processes)
            job.status, job.total, job.started_at = RefreshStatus.RUNNING, len(ids), timezone.now()
            job.done = 0
            job.save(update_fields=["status", "total", "started_at", "done"])
            chunks = [
                ids[start : start + REBUILD_CHUNK] for start in range(0, len(ids), REBUILD_CHUNK)
            ]
            context = _Context.now()
            for chunk, refreshed in _refreshed_elsewhere(chunks, context, processes):
                with transaction.atomic():
                    summary.add(refreshed or _refresh_chunk(chunk, context))
                    job.done += len(chunk)
                    job.journeys, job.changed = summary.journeys, summary.changed
                    job.save(update_fields=["done", "journeys", "changed"])
                if progress is not None:
                    progress(job.done, job.total)
            if job.rebuild:
                _analyse_trend_tables()
            with transaction.atomic():
                job.status, job.finished_at = RefreshStatus.COMPLETE, timezone.now()
                job.person_ids = []
                job.save(update_fields=["status", "finished_at", "person_ids"])
                record(
                    actor=job.requested_by,
                    organisation=job.organisation,
                    action="journey.trends_refreshed",
                    target=job,
                    extra={
                        "rebuild": job.rebuild,
                        "people": summary.people,
                        "journeys": summary.journeys,
                        "changed": summary.changed,
                        "turned_down": summary.turned_down,
                    },
                )
        except Exception as error:
            job.status, job.finished_at = RefreshStatus.FAILED, timezone.now()
            job.person_ids = []
            job.failure = f"{type(error).__name__}: {error}"[:300]
            job.save(update_fields=["status", "finished_at", "person_ids", "failure"])
            raise
    return summary


# --- Host norms from a survey of the host population ---------------------------------------


@checks_organisation
@transaction.atomic
def publish_host_survey(
    *,
    by: Any,
    organisation: Organisation,
    instrument: str,
    valid_from: Any,
    source: str,
    label: str = "",
    respondents: int,
    min_group: int,
    estimates: Iterable[NormEstimate],
    is_synthetic: bool = False,
) -> HostSurvey:
    """Stores a survey's norms as a dated version of the instrument's host norms, in force
    from `valid_from` for everyone in the partnership, and queues a rebuild of every stored
    trend against them. Only the partnership's host organisation publishes norms (they are
    the partnership's shared reference); a version of the same date is refused rather than
    silently replaced, so each upload stays in the record."""
    if not organisation.is_partnership_host:
        raise ValidationError(_("Only the partnership's host organisation publishes host norms."))
    estimates = list(estimates)
    if not any(estimate.is_whole_population for estimate in estimates):
        raise ValidationError(
            _("The survey gives no norm: each area needs at least two respondents with a score.")
        )
    if HostSurvey.objects.filter(instrument=instrument, valid_from=valid_from).exists():
        raise ValidationError(
            {
                "valid_from": _(
                    "There is already a survey of this questionnaire in force from that date; "
                    "choose another date."
                )
            }
        )
    survey = HostSurvey.objects.create(
        instrument=instrument,
        valid_from=valid_from,
        label=label[:200],
        source=source[:300],
        respondents=respondents,
        min_group=min_group,
        is_synthetic=is_synthetic,
        organisation=organisation,
        uploaded_by=by if getattr(by, "pk", None) else None,
    )
    SurveyNorm.objects.bulk_create(
        SurveyNorm(
            survey=survey,
            key=estimate.key,
            group_kind=estimate.group_kind,
            group_value=estimate.group_value,
            n=estimate.n,
            value=round(estimate.value, 2),
            ci_low=round(estimate.ci_low, 2),
            ci_high=round(estimate.ci_high, 2),
            low=round(estimate.low, 2),
            high=round(estimate.high, 2),
        )
        for estimate in estimates
    )
    record(
        actor=by,
        organisation=organisation,
        action="journey.norms_published",
        target=survey,
        extra={
            "instrument": instrument,
            "valid_from": str(valid_from),
            "respondents": respondents,
            "groups": sorted(
                {f"{e.group_kind}={e.group_value}" for e in estimates if e.group_kind}
            ),
        },
    )
    # Integratedness is relative to the norms: every trend is worked out again.
    job = start_rebuild(by=by, reason=f"host norms of {instrument} from {valid_from} published")
    from .tasks import refresh_trends_job

    transaction.on_commit(lambda: refresh_trends_job.enqueue(job.pk))
    return survey


# --- Life events ------------------------------------------------------------------------------


def life_event_kinds() -> list[tuple[str, str]]:
    """The kinds of life event this partnership records (`PATHMARK_LIFE_EVENTS`, or all)."""
    wanted = set(getattr(settings, "PATHMARK_LIFE_EVENTS", None) or LifeEventKind.values)
    return [(value, str(label)) for value, label in LifeEventKind.choices if value in wanted]


@checks_organisation
@transaction.atomic
def record_life_event(
    *,
    by: Any,
    organisation: Organisation,
    person: Person,
    occurred_on: Any,
    kind: str,
    note: str = "",
) -> LifeEvent:
    """Records a dated event in the person's life on their journey. Any organisation that may
    see the person's assessments may record one (the event says who did); the date is neither
    in the future nor before the person's birth."""
    if person.status != Person.Status.ACTIVE:
        raise ValidationError(
            _("Processing of this person's data is restricted, so their record cannot be changed.")
        )
    errors: dict[str, str] = {}
    if kind not in dict(life_event_kinds()):
        errors["kind"] = _("Choose what happened from the list.")
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date cannot be in the future.")
    elif person.date_of_birth and occurred_on < person.date_of_birth:
        errors["occurred_on"] = _("The date is before the person's date of birth.")
    note = note.strip()
    if len(note) > 200:
        errors["note"] = _("Keep it under 200 characters.")
    if errors:
        raise ValidationError(errors)
    event = LifeEvent.objects.create(
        person=person,
        organisation=organisation,
        occurred_on=occurred_on,
        kind=kind,
        note=note,
        recorded_by=by if getattr(by, "pk", None) else None,
    )
    record(
        actor=by,
        organisation=organisation,
        action="journey.event_recorded",
        target=event,
        person_id=person.pk,
        extra={"kind": kind, "occurred_on": str(occurred_on)},
    )
    return event


@checks_organisation
@transaction.atomic
def remove_life_event(*, by: Any, organisation: Organisation, event: LifeEvent) -> None:
    """Removes an event recorded by mistake; only the organisation that recorded it may."""
    if event.organisation_id != organisation.pk:
        raise LifeEvent.DoesNotExist
    record(
        actor=by,
        organisation=organisation,
        action="journey.event_removed",
        target=event,
        person_id=event.person_id,
        extra={"kind": event.kind, "occurred_on": str(event.occurred_on)},
    )
    event.delete()


def erase_life_events(person: Person, *, by: Any) -> int:
    """The privacy registry's erase step for life events."""
    removed, _counts = LifeEvent.objects.filter(person_id=person.pk).delete()
    return removed
