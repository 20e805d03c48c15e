"""How the assessments app answers the hooks of the apps below it (connected in
`AssessmentsConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef

from pathmark.organisations.scoping import system_scope
from pathmark.people.hooks import PersonPageSection
from pathmark.people.models import Person

from .hooks import completed_assessments_changed
from .models import Assessment
from .selectors import person_assessment_summary


def assessed_since(*, cutoff: Any) -> Any:
    """For the retention sweep (`privacy.hooks.recent_contact`): an assessment done on or
    after the cutoff is contact."""
    return Assessment.objects.filter(person=OuterRef("pk"), assessed_on__gte=cutoff)


def person_page_section(*, person: Person, request: Any) -> Any:
    """The assessments part of the person page (`people.hooks.person_page_sections`)."""
    return PersonPageSection(
        template="assessments/_person_section.html",
        context=person_assessment_summary(person=person),
        order=10,
    )


def assessments_follow_merge(*, kept: Person, merged: Person, by: Any, organisation: Any) -> Any:
    """For `people.hooks.person_merged`: the merged record's assessments, in every
    organisation, become the kept record's, and the trends of both are recomputed in the
    merge's transaction, so the journey shown on the kept record is whole at once."""
    with system_scope(f"merge of person {merged.pk} into {kept.pk}"):
        moved = Assessment.objects.filter(person_id=merged.pk).update(person_id=kept.pk)
    if moved:
        completed_assessments_changed(
            person_ids=[kept.pk, merged.pk], by=by, reason="records merged"
        )
    return ("assessments", moved)
