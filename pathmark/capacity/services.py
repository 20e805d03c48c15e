"""Organisations assessing their own capacity: each function is one transaction with its audit
entry. Only the organisation itself writes its assessments; the partnership host reads them
(selectors.py) but never changes them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pathmark.audit.services import record
from pathmark.instruments.definition import ORGANISATION
from pathmark.instruments.models import InstrumentVersion
from pathmark.instruments.registry import UnknownInstrument, definition_sha256
from pathmark.instruments.scoring import ResponseError, score_responses
from pathmark.instruments.services import answers_with_domain, instrument_version_for
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import checks_organisation

from .models import CapacityAssessment, CapacityStatus

# The built-in capacity instrument; a partnership may load its own with `subject: organisation`.
DEFAULT_INSTRUMENT = "organisational-capacity"


def _check_date(assessed_on: date) -> None:
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("The date of assessment cannot be in the future.")})
    if assessed_on.year < 2000:
        raise ValidationError(
            {"assessed_on": _("The date of assessment must be in 2000 or later.")}
        )


def _locked_draft(assessment: CapacityAssessment, organisation: Organisation) -> CapacityAssessment:
    """The draft re-read under a write lock; another organisation's, or a missing one, is
    `DoesNotExist` (the same 404), and a completed one cannot change."""
    locked = (
        CapacityAssessment.objects.select_for_update(of=("self",))
        .select_related("instrument_version")
        .get(pk=assessment.pk, organisation=organisation)
    )
    if not locked.is_draft:
        raise ValidationError(_("This self-assessment is completed and can no longer be changed."))
    return locked


@checks_organisation
@transaction.atomic
def start_capacity_assessment(
    *,
    by: Any,
    organisation: Organisation,
    language: str,
    assessed_on: date,
    instrument_slug: str = DEFAULT_INSTRUMENT,
) -> CapacityAssessment:
    """Starts a draft of the organisation's self-assessment on the latest instrument version."""
    _check_date(assessed_on)
    try:
        version = instrument_version_for(instrument_slug, subject=ORGANISATION)
    except UnknownInstrument as error:
        raise ValidationError({"instrument": str(error)}) from None
    if language not in version.instrument.languages:
        raise ValidationError(
            {"language": _("This instrument is not available in the language chosen.")}
        )
    assessment = CapacityAssessment.objects.create(
        organisation=organisation,
        instrument_version=version,
        language=language,
        assessed_on=assessed_on,
        started_by=by,
    )
    record(
        actor=by,
        organisation=organisation,
        action="capacity.started",
        target=assessment,
        extra={"instrument": version.slug, "version": version.version, "language": language},
    )
    return assessment


@checks_organisation
@transaction.atomic
def save_capacity_answers(
    *,
    by: Any,
    organisation: Organisation,
    assessment: CapacityAssessment,
    domain_id: str,
    answers: dict[str, object],
) -> CapacityAssessment:
    """Stores the answers to one area of a draft; None clears an answer. Every answer is
    checked against the stored instrument version before anything is written."""
    assessment = _locked_draft(assessment, organisation)
    instrument = assessment.instrument_version.instrument
    stored, in_domain = answers_with_domain(
        instrument, domain_id, dict(assessment.answers), answers
    )
    assessment.answers = stored
    assessment.save(update_fields=["answers", "updated_at"])
    record(
        actor=by,
        organisation=organisation,
        action="capacity.saved",
        target=assessment,
        extra={
            "domain": domain_id,
            "answered_in_domain": sum(1 for item_id in in_domain if item_id in stored),
        },
    )
    return assessment


@checks_organisation
@transaction.atomic
def complete_capacity_assessment(
    *,
    by: Any,
    organisation: Organisation,
    assessment: CapacityAssessment,
    instrument_version: InstrumentVersion | None = None,
) -> CapacityAssessment:
    """Scores a draft with the instruments' own scoring (instruments.scoring) and marks it
    completed, with the stage (the support needed) of each area and overall."""
    assessment = _locked_draft(assessment, organisation)
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
        raise ValidationError(
            _("The stored copy of %(version)s has changed since it was loaded; it cannot be used.")
            % {"version": version}
        )
    instrument = version.instrument
    try:
        result = score_responses(instrument, assessment.answers)
    except ResponseError as error:
        raise ValidationError(
            {
                item_id: _("Item %(item)s: %(problem)s.") % {"item": item_id, "problem": message}
                for item_id, message in error.problems
            }
        ) from None
    if result.overall is None:
        raise ValidationError(
            _("There are not enough answers to give a score. Answer more questions first.")
        )
    stages = {}
    for domain_id, score in result.domains.items():
        stage = instrument.stage_for(score)
        if stage is not None:
            stages[domain_id] = stage.id
    assessment.item_scores = result.items
    assessment.domain_scores = result.domains
    assessment.domain_stages = stages
    assessment.overall_score = result.overall
    assessment.stage = result.stage or ""
    assessment.status = CapacityStatus.COMPLETED
    assessment.completed_by = by
    assessment.completed_at = timezone.now()
    assessment.save()
    record(
        actor=by,
        organisation=organisation,
        action="capacity.completed",
        target=assessment,
        extra={"instrument": version.slug, "version": version.version},
    )
    return assessment


@checks_organisation
@transaction.atomic
def discard_capacity_draft(
    *, by: Any, organisation: Organisation, assessment: CapacityAssessment
) -> None:
    """Deletes a draft and its answers; a completed self-assessment is kept as history."""
    assessment = _locked_draft(assessment, organisation)
    record(
        actor=by,
        organisation=organisation,
        action="capacity.discarded",
        target=assessment,
        extra={"instrument": assessment.instrument_version.slug},
    )
    assessment.delete()
