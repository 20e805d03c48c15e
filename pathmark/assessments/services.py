"""Running assessments: each function is one transaction with its audit entry.

Answers are special-category data: audit entries here say which domain was saved and how many
items were answered, never what the answers were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pathmark.audit.services import record, record_many
from pathmark.core.appending import append_rows
from pathmark.instruments.models import InstrumentVersion
from pathmark.instruments.registry import UnknownInstrument, definition_sha256
from pathmark.instruments.scoring import (
    ResponseError,
    ScoreResult,
    score_responses,
)
from pathmark.instruments.services import answers_with_domain, instrument_version_for
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import check_organisation, checks_organisation, system_scope
from pathmark.people import rules
from pathmark.people.models import Person

from .hooks import completed_assessments_changed
from .models import (
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    DiscardReason,
    SetAsideReason,
)
from .selectors import instrument_of


def _check_date(person: Person, assessed_on: date) -> None:
    """The date rule every recorded fact keeps (`people.rules.recorded_date_problem`)."""
    problem = rules.recorded_date_problem(assessed_on, born=person.date_of_birth)
    if problem is not None:
        raise ValidationError({"assessed_on": rules.sentence(problem, _("The date of assessment"))})


def _check_dates(assessments: Sequence[CompletedAnswers]) -> None:
    """`_check_date` for many at once: the callers (imports, the demo) checked their rows, but
    this is the one way in, so a caller that did not cannot store a date out of range."""
    people = {a.person_id for a in assessments}
    born = dict(Person.objects.filter(pk__in=list(people)).values_list("pk", "date_of_birth"))
    today = timezone.localdate()
    for assessment in assessments:
        problem = rules.recorded_date_problem(
            assessment.assessed_on, born=born.get(assessment.person_id), today=today
        )
        if problem is not None:
            raise ValidationError(
                {
                    "assessed_on": _("Person %(person)s, %(date)s: %(problem)s")
                    % {
                        "person": assessment.person_id,
                        "date": assessment.assessed_on.isoformat(),
                        "problem": rules.fragment(problem),
                    }
                }
            )


def _require_writer(assessment: Assessment, organisation: Organisation) -> None:
    if assessment.organisation_id != organisation.pk:
        # Another organisation's assessment is read-only here; answer as if it did not exist.
        raise Assessment.DoesNotExist
    if not assessment.is_draft:
        raise ValidationError(_("This assessment is completed and can no longer be changed."))
    if assessment.person.status != Person.Status.ACTIVE:
        # A draft started before restriction must not be finished while processing is frozen.
        raise ValidationError(
            _("Processing of this person's data is restricted, so they cannot be assessed.")
        )


def _lock_people(person_ids: list[int]) -> None:
    """Locks the people's rows, in id order, for the rest of the transaction."""
    list(
        Person.objects.select_for_update()
        .filter(pk__in=person_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _locked(assessment: Assessment) -> Assessment:
    """Re-read the row under a write lock, so two tabs saving or completing at once cannot
    both succeed on stale data (a no-op lock on SQLite, whose writers already queue)."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("instrument_version", "person")
        .get(pk=assessment.pk)
    )


@checks_organisation
@transaction.atomic
def start_assessment(
    *,
    by: Any,
    organisation: Organisation,
    person: Person,
    instrument_slug: str,
    mode: str,
    language: str,
    assessed_on: date,
) -> Assessment:
    """Starts a draft on the latest version of an instrument. A person shared with another
    organisation by consent may be assessed there; the assessment then belongs to it."""
    # Re-check the person against the current scope: the id may come from a form.
    person = Person.objects.exclude(status=Person.Status.ERASED).get(pk=person.pk)
    if person.status == Person.Status.RESTRICTED:
        raise ValidationError(
            _("Processing of this person's data is restricted, so they cannot be assessed.")
        )
    if mode not in AssessmentMode.values:
        raise ValidationError({"mode": _("Choose how the assessment is done.")})
    _check_date(person, assessed_on)
    try:
        version = instrument_version_for(instrument_slug)
    except UnknownInstrument:
        raise ValidationError({"instrument": _("Choose one of the instruments listed.")}) from None
    instrument = instrument_of(version)
    if language not in instrument.languages:
        raise ValidationError(
            {"language": _("This instrument is not available in the language chosen.")}
        )
    assessment = Assessment(
        person=person,
        organisation=organisation,
        instrument_version=version,
        status=AssessmentStatus.DRAFT,
        mode=mode,
        language=language,
        assessed_on=assessed_on,
        started_by=by,
    )
    # No one starts a client's own assessment from their link: `started_by` is then empty.
    assessment.full_clean(exclude=["started_by"])
    assessment.save()
    record(
        actor=by,
        organisation=organisation,
        action="assessment.started",
        target=assessment,
        extra={
            "instrument": version.slug,
            "version": version.version,
            "mode": mode,
            "language": language,
        },
    )
    return assessment


@checks_organisation
@transaction.atomic
def save_answers(
    *,
    by: Any,
    organisation: Organisation,
    assessment: Assessment,
    domain_id: str,
    answers: dict[str, object],
) -> Assessment:
    """Stores the answers to one domain of a draft. An answer of None clears that item.
    Every answer is checked against the stored instrument version before anything is written."""
    assessment = _locked(assessment)
    _require_writer(assessment, organisation)
    instrument = instrument_of(assessment.instrument_version)
    stored, in_domain = answers_with_domain(
        instrument, domain_id, dict(assessment.answers), answers
    )
    assessment.answers = stored
    assessment.save(update_fields=["answers", "updated_at"])
    record(
        actor=by,
        organisation=organisation,
        action="assessment.saved",
        target=assessment,
        extra={
            "domain": domain_id,
            "answered_in_domain": sum(1 for item_id in in_domain if item_id in stored),
        },
    )
    return assessment


@checks_organisation
@transaction.atomic
def complete_assessment(
    *,
    by: Any,
    organisation: Organisation,
    assessment: Assessment,
    instrument_version: InstrumentVersion | None = None,
) -> Assessment:
    """Scores a draft on the instrument version it was answered on and marks it completed.

    `instrument_version` is the version the person completing it reviewed; a page left open
    on another version is refused rather than scored against text nobody saw.
    """
    # The person's row first, then the assessment: the order erasure takes them in, so that
    # completing and erasing at once queue rather than deadlock (the person's journey trend
    # is recomputed below, under that lock).
    _lock_people([assessment.person_id])
    assessment = _locked(assessment)
    _require_writer(assessment, organisation)
    version = assessment.instrument_version
    if instrument_version is not None and instrument_version.pk != version.pk:
        raise ValidationError(
            _(
                "This assessment was answered on %(answered)s, not %(given)s; it can only be "
                "completed on the version it was answered on."
            )
            % {"answered": version, "given": instrument_version}
        )
    if definition_sha256(version.definition) != version.sha256:
        # The stored definition no longer matches its fingerprint: scoring it would give
        # numbers that cannot be explained from the file the answers were given against.
        raise ValidationError(
            _("The stored copy of %(version)s has changed since it was loaded; it cannot be used.")
            % {"version": version}
        )
    instrument = instrument_of(version)
    try:
        result = score_responses(instrument, assessment.answers)
    except ResponseError as error:
        raise ValidationError(
            {
                item_id: _("Item %(item)s: %(problem)s.") % {"item": item_id, "problem": message}
                for item_id, message in error.problems
            }
        ) from None
    if (result.instrument, result.version) != (version.slug, version.version):
        # The stored definition names another instrument or version than its row does.
        raise ValidationError(
            _("The stored copy of %(version)s describes another instrument version.")
            % {"version": version}
        )
    if result.overall is None:
        raise ValidationError(
            _("There are not enough answers to give a score. Answer more questions first.")
        )
    assessment.item_scores = result.items
    assessment.domain_scores = result.domains
    assessment.overall_score = result.overall
    assessment.stage = result.stage or ""
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_by = by
    assessment.completed_at = timezone.now()
    assessment.save()
    # One person's trend takes milliseconds: the apps above (journeys) recompute it now, in
    # this transaction, so the caseload page is never behind a completed assessment.
    completed_assessments_changed(
        person_ids=[assessment.person_id], by=by, reason="completed", many=False
    )
    record(
        actor=by,
        organisation=organisation,
        action="assessment.completed",
        target=assessment,
        extra={"instrument": version.slug, "version": version.version},
    )
    return assessment


@checks_organisation
@transaction.atomic
def discard_draft(
    *, by: Any, organisation: Organisation, assessment: Assessment, reason: str = ""
) -> None:
    """Deletes a draft and its answers; completed assessments are never discarded here.
    `reason` is one of `DiscardReason` (a code, never free text: the audit entry outlives
    the draft and must hold nothing about the person)."""
    if reason and reason not in DiscardReason.values:
        raise ValidationError({"reason": _("Choose why the draft is discarded.")})
    assessment = _locked(assessment)
    _require_writer(assessment, organisation)
    record(
        actor=by,
        organisation=organisation,
        action="assessment.discarded",
        target=assessment,
        extra={"instrument": assessment.instrument_version.slug, "reason": reason},
    )
    assessment.delete()


@checks_organisation
@transaction.atomic
def set_aside_assessment(
    *, by: Any, organisation: Organisation, assessment: Assessment, reason: str
) -> Assessment:
    """Takes a completed assessment out of the person's journey, keeping it (and who did it,
    when and why) on the record. Who may, and what it is called:

    - the organisation that recorded it *withdraws* it: its own record, its own mistake;
    - the person's own organisation, when another organisation recorded it (a record shared
      by consent), *disputes* it. It cannot delete or change another organisation's record,
      which is that organisation's account of what it did, but it is responsible for the
      person's record, and a wrong date or score must not distort the journey it works from.
      The recording organisation sees the dispute in its own log and may still withdraw it.

    Either way the assessment leaves the journey, the trends and the reports everywhere
    (they read completed assessments only). Anyone else gets "does not exist"."""
    if reason not in SetAsideReason.values:
        raise ValidationError({"reason": _("Choose why the assessment is set aside.")})
    _lock_people([assessment.person_id])
    assessment = _locked(assessment)
    recorder = assessment.organisation_id == organisation.pk
    owner = assessment.person.organisation_id == organisation.pk
    if not (recorder or owner):
        raise Assessment.DoesNotExist
    if assessment.is_draft:
        raise ValidationError(_("A draft is not part of any journey; discard it instead."))
    if recorder and assessment.status in (AssessmentStatus.COMPLETED, AssessmentStatus.DISPUTED):
        status, action = AssessmentStatus.WITHDRAWN, "assessment.withdrawn"
    elif owner and not recorder and assessment.status == AssessmentStatus.COMPLETED:
        status, action = AssessmentStatus.DISPUTED, "assessment.disputed"
    else:
        raise ValidationError(_("This assessment is already set aside."))
    assessment.status = status
    assessment.set_aside_at = timezone.now()
    assessment.set_aside_by = by
    assessment.set_aside_reason = reason
    assessment.save(update_fields=["status", "set_aside_at", "set_aside_by", "set_aside_reason"])
    completed_assessments_changed(
        person_ids=[assessment.person_id], by=by, reason="set aside", many=False
    )
    # In the acting organisation's log and, for a dispute, in the recorder's, so the
    # organisation whose record it is learns of it.
    for logged_in in {organisation.pk, assessment.organisation_id}:
        record(
            actor=by,
            organisation=organisation if logged_in == organisation.pk else assessment.organisation,
            action=action,
            target=assessment,
            extra={"reason": reason},
        )
    return assessment


@checks_organisation
@transaction.atomic
def lift_dispute(*, by: Any, organisation: Organisation, assessment: Assessment) -> Assessment:
    """The person's organisation takes back its dispute of another organisation's assessment
    (it was disputed by mistake, or the question was settled): the assessment counts in the
    journey again. Only the organisation that disputed it (the person's); the recorder
    withdraws instead. Logged in both organisations, as the dispute was."""
    _lock_people([assessment.person_id])
    assessment = _locked(assessment)
    owner = assessment.person.organisation_id == organisation.pk
    recorder = assessment.organisation_id == organisation.pk
    if not owner or recorder:
        raise Assessment.DoesNotExist
    if assessment.status != AssessmentStatus.DISPUTED:
        raise ValidationError(_("This assessment is not disputed."))
    if assessment.person.status != Person.Status.ACTIVE:
        raise ValidationError(
            _("Processing of this person's data is restricted, so their journey cannot change.")
        )
    reason = assessment.set_aside_reason
    assessment.status = AssessmentStatus.COMPLETED
    assessment.set_aside_at = None
    assessment.set_aside_by = None
    assessment.set_aside_reason = ""
    assessment.save(update_fields=["status", "set_aside_at", "set_aside_by", "set_aside_reason"])
    completed_assessments_changed(
        person_ids=[assessment.person_id], by=by, reason="dispute lifted", many=False
    )
    for logged_in in (organisation, assessment.organisation):
        record(
            actor=by,
            organisation=logged_in,
            action="assessment.dispute_lifted",
            target=assessment,
            extra={"reason": reason},
        )
    return assessment


@dataclass
class Rescoring:
    checked: int = 0
    changed: int = 0
    without_answers: int = 0
    restricted: int = 0
    trends_refreshed: int = 0
    """People whose journey trends were recomputed because their scores changed."""


def rescore_completed(*, dry_run: bool = False, batch_size: int = 500) -> Rescoring:
    """Recomputes the stored scores of completed assessments from their answers and the exact
    instrument version they used. Needed when the scoring rules change (a fix, or a new rule
    such as the capped overall stage); the answers and the version are the source of truth.

    Runs in the system scope (partnership-wide maintenance), one transaction per batch so a
    long run can be interrupted and resumed; each batch writes an audit entry per changed
    assessment in its own transaction. Erased assessments keep their scores: their answers
    are gone, so there is nothing to recompute from. Restricted people's records are frozen
    and are left as they are (counted as `restricted`). The journey trends of the people
    whose scores changed are recomputed in the same transaction as the change."""
    summary = Rescoring()
    with system_scope("rescoring completed assessments"):
        completed = Assessment.objects.filter(status=AssessmentStatus.COMPLETED)
        summary.restricted = completed.exclude(person__status=Person.Status.ACTIVE).count()
        ids = list(
            completed.filter(person__status=Person.Status.ACTIVE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ids), batch_size):
            batch_ids = ids[start : start + batch_size]
            with transaction.atomic():
                # People before their assessments, as erasure and completion lock them.
                _lock_people(
                    list(
                        Assessment.objects.filter(pk__in=batch_ids).values_list(
                            "person_id", flat=True
                        )
                    )
                )
                batch = (
                    Assessment.objects.filter(pk__in=batch_ids)
                    .select_related("instrument_version")
                    .select_for_update(of=("self",))
                )
                changed = []
                for assessment in batch:
                    summary.checked += 1
                    if not assessment.answers:
                        summary.without_answers += 1
                        continue
                    result = score_responses(
                        assessment.instrument_version.instrument, assessment.answers
                    )
                    new = (result.items, result.domains, result.overall, result.stage or "")
                    old = (
                        assessment.item_scores,
                        assessment.domain_scores,
                        assessment.overall_score,
                        assessment.stage,
                    )
                    if new != old:
                        # bulk_update leaves `auto_now` alone; the trends' fingerprint reads it.
                        assessment.updated_at = timezone.now()
                        assessment.item_scores, assessment.domain_scores = (
                            result.items,
                            result.domains,
                        )
                        assessment.overall_score, assessment.stage = (
                            result.overall,
                            result.stage or "",
                        )
                        changed.append(assessment)
                summary.changed += len(changed)
                if changed and not dry_run:
                    Assessment.objects.bulk_update(
                        changed,
                        ["item_scores", "domain_scores", "overall_score", "stage", "updated_at"],
                    )
                    refreshed = completed_assessments_changed(
                        person_ids={a.person_id for a in changed},
                        by=None,
                        reason="rescored",
                        many=False,
                    )
                    summary.trends_refreshed += sum(getattr(r, "people", 0) for r in refreshed)
                    record_many(
                        actor=None,
                        action="assessment.rescored",
                        object_type="assessments.assessment",
                        entries=[
                            (
                                a.organisation_id,
                                a.pk,
                                a.person_id,
                                {
                                    "instrument": a.instrument_version.slug,
                                    "version": a.instrument_version.version,
                                },
                            )
                            for a in changed
                        ],
                    )
    return summary


# --- Many completed assessments at once (imports, the demo) ---------------------------------


class CompletedAnswers(Protocol):
    """One completed assessment to record in bulk, already checked and scored by the caller
    with `instruments.scoring` (the same rules as `complete_assessment`)."""

    person_id: int
    assessed_on: date
    mode: str
    language: str
    answers: dict[str, object]
    scores: ScoreResult


@dataclass
class CompletedElsewhere:
    """A plain `CompletedAnswers` for callers without a row type of their own (the demo); a
    `completed_at` in the past records when it was done."""

    person_id: int
    assessed_on: date
    mode: str
    language: str
    answers: dict[str, object]
    scores: ScoreResult
    completed_at: Any = None


@checks_organisation
def record_completed_assessments(
    *,
    by: Any,
    organisation: Organisation,
    version: InstrumentVersion,
    assessments: Sequence[CompletedAnswers],
    action: str = "assessment.imported",
    extra: dict[str, Any] | None = None,
    reason: str = "imported",
    defer: bool = True,
    announce: bool = True,
) -> tuple[list[int], list[Any]]:
    """Stores completed assessments in one transaction with one audit entry each, and lets the
    apps above know (journeys refresh their trends, after the commit unless `defer` is
    False): the fast path of `complete_assessment` for imports and the demo. Returns the new
    ids, in order, and what the apps above answered.

    A caller that stores one file in many batches passes `announce=False` and announces all
    of them at the end, once (`announce_completed`), rather than once a batch."""
    check_organisation(organisation)
    _check_dates(assessments)
    now = timezone.now()
    user_id = getattr(by, "pk", None)
    with transaction.atomic():
        created = append_rows(
            Assessment,
            [
                "person_id",
                "completed_at",
                "assessed_on",
                "mode",
                "language",
                "answers",
                "item_scores",
                "domain_scores",
                "overall_score",
                "stage",
            ],
            [
                (
                    a.person_id,
                    getattr(a, "completed_at", None) or now,
                    a.assessed_on,
                    a.mode,
                    a.language,
                    a.answers,
                    a.scores.items,
                    a.scores.domains,
                    a.scores.overall,
                    a.scores.stage or "",
                )
                for a in assessments
            ],
            same={
                "organisation_id": organisation.pk,
                "instrument_version_id": version.pk,
                "status": AssessmentStatus.COMPLETED,
                "started_by_id": user_id,
                "completed_by_id": user_id,
                "created_at": now,
                "updated_at": now,
            },
        )
        details = {**(extra or {}), "instrument": version.slug, "version": version.version}
        record_many(
            actor=by,
            action=action,
            object_type="assessments.assessment",
            entries=[
                (organisation.pk, pk, a.person_id, details)
                for pk, a in zip(created, assessments, strict=True)
            ],
        )
        answered = (
            completed_assessments_changed(
                person_ids={a.person_id for a in assessments}, by=by, reason=reason, many=defer
            )
            if announce
            else []
        )
    return created, answered


def announce_completed(*, person_ids: set[int], by: Any, reason: str) -> list[Any]:
    """Lets the apps above know that these people's completed assessments changed, after the
    commit (journeys queue one refresh of their trends): for what `record_completed_assessments`
    stored with `announce=False`."""
    if not person_ids:
        return []
    return completed_assessments_changed(person_ids=person_ids, by=by, reason=reason, many=True)
