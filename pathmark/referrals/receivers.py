"""How the referrals app answers the hooks of the apps below it (connected in
`ReferralsConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from pathmark.people.hooks import PersonPageSection
from pathmark.people.models import Person

from .selectors import referrals_of


def person_page_section(*, person: Person, request: Any) -> Any:
    """The person's referrals on the person page, with where each stands."""
    return PersonPageSection(
        template="referrals/_person_section.html",
        context={"person": person, "referrals": referrals_of(person)},
        order=30,
    )
