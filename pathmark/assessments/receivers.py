"""How the assessments app answers the hooks of the apps below it (connected in
`AssessmentsConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef

from pathmark.people.hooks import PersonPageSection
from pathmark.people.models import Person

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
