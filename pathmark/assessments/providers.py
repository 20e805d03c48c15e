"""What the assessments app holds about a person, for subject access and erasure (see
`privacy.registry`). Registered in `AssessmentsConfig.ready()`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pathmark.people.models import Person
from pathmark.people.reference import language_name
from pathmark.privacy.registry import Provider, Row, iso, register

from .models import Assessment, AssessmentMode, AssessmentStatus
from .selectors import instrument_of
from .text import answer_labels, in_language


def _stage_label(instrument: Any, stage_id: str | None, language: str) -> str:
    """The stage in the person's words; the code alone ("building-skills") means nothing to
    them."""
    for stage in instrument.stages:
        if stage.id == stage_id:
            return in_language(stage.label, language)
    return ""


def export_assessments(person: Person) -> list[Row]:
    assessments = (
        Assessment.objects.filter(person_id=person.pk)
        .select_related("instrument_version", "organisation")
        .order_by("assessed_on", "pk")
    )
    rows = []
    for assessment in assessments:
        instrument = instrument_of(assessment.instrument_version)
        language = assessment.language
        answers = []
        for item_id, value in assessment.answers.items():
            item = instrument.item(item_id)
            answers.append(
                {
                    "item": item_id,
                    "question": in_language(item.text, language) if item else "",
                    "answer": value,
                    "answer_label": ", ".join(answer_labels(item, value, language)),
                }
            )
        rows.append(
            {
                "reference": assessment.reference,
                "instrument": in_language(instrument.title, language),
                "instrument_slug": instrument.slug,
                "instrument_version": instrument.version,
                "organisation": assessment.organisation.name,
                "status": assessment.status,
                "mode": assessment.mode,
                "language": language,
                "assessed_on": iso(assessment.assessed_on),
                "completed_at": iso(assessment.completed_at),
                "overall_score": assessment.overall_score,
                "stage": assessment.stage,
                "stage_label": _stage_label(instrument, assessment.stage, language),
                "domain_scores": [
                    {
                        "domain": in_language(domain.title, language),
                        "score": assessment.domain_scores.get(domain.id),
                    }
                    for domain in instrument.domains
                    if domain.id in assessment.domain_scores
                ],
                "answers": answers,
            }
        )
    return rows


def erase_assessments(person: Person, *, by: Any) -> int:
    """Removes the answers and keeps the scores for aggregates.

    Item scores go with the answers: each is a fixed function of one answer, so keeping them
    would keep the answers. Domain and overall scores, the stage, the instrument version and the
    date stay, pointing at an erased row. Drafts have no scores, so they are deleted.
    """
    assessments = Assessment.objects.filter(person_id=person.pk)
    deleted, _by_model = assessments.filter(status=AssessmentStatus.DRAFT).delete()
    anonymised = assessments.exclude(status=AssessmentStatus.DRAFT).update(
        answers={}, item_scores={}
    )
    return deleted + anonymised


def register_assessments() -> None:
    register(
        Provider(
            key="assessments.assessments",
            export_order=50,
            title=_("Assessments"),
            export=export_assessments,
            erase=erase_assessments,
            labels={
                "reference": _("Reference"),
                "instrument": _("Questionnaire"),
                "instrument_slug": _("Questionnaire code"),
                "instrument_version": _("Version"),
                "organisation": _("Organisation"),
                "status": _("Status"),
                "mode": _("How it was done"),
                "language": _("Language"),
                "assessed_on": _("Date of assessment"),
                "completed_at": _("Completed"),
                "overall_score": _("Overall score (0-100)"),
                "stage": _("Stage code"),
                "stage_label": _("Stage"),
                "domain_scores": _("Scores by domain"),
                "domain": _("Domain"),
                "score": _("Score (0-100)"),
                "answers": _("Answers"),
                "item": _("Question code"),
                "question": _("Question"),
                "answer": _("Answer code"),
                "answer_label": _("Answer"),
            },
            choices={
                "status": dict(AssessmentStatus.choices),
                "mode": dict(AssessmentMode.choices),
                "language": language_name,
            },
        )
    )
