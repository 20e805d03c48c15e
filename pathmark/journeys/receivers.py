"""How the journeys app answers the hooks of the apps below it (connected in
`JourneysConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from pathmark.organisations.permissions import role_may
from pathmark.people.hooks import PersonPageSection
from pathmark.people.models import Person

from .selectors import key_worker_choices


def person_page_section(*, person: Person, request: Any) -> PersonPageSection:
    """The key worker on the person page, with a choice of another for the organisation that
    registered the person (`people.hooks.person_page_sections`)."""
    membership = getattr(request, "membership", None)
    organisation = getattr(request, "organisation", None)
    may_change = (
        membership is not None
        and role_may(membership.role, "person.edit")
        and organisation is not None
        and person.organisation_id == organisation.pk
        and person.status == Person.Status.ACTIVE
    )
    return PersonPageSection(
        template="journeys/_key_worker_section.html",
        context={
            "person": person,
            "key_worker": person.key_worker if person.key_worker_id else None,
            "choices": key_worker_choices(organisation=organisation) if may_change else [],
            "may_change": may_change,
        },
        order=5,
    )
