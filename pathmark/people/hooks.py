"""What the people app lets the apps above it do, so it never imports them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pathmark.core.hooks import Hook


@dataclass(frozen=True)
class PersonPageSection:
    """A part of the person page drawn by an app above people: `template` is rendered with
    `summary` set to `context`. Sections appear in `order` (lower first)."""

    template: str
    context: Any
    order: int = 100


person_page_sections = Hook(
    "people.person_page_sections",
    """Asked with `person` (already read and audited in the request's scope) and `request`
    while the person page is drawn. Each receiver returns a `PersonPageSection`, or None to
    show nothing (e.g. for a role that may not see its data).""",
)


def sections_for(*, person: Any, request: Any) -> list[PersonPageSection]:
    found = [s for s in person_page_sections(person=person, request=request) if s is not None]
    return sorted(found, key=lambda section: section.order)


person_merged = Hook(
    "people.person_merged",
    """Called inside the merge transaction (`services.merge_people`), after the people app
    moved its own records (consents, household, duplicate flags) and before the merged
    record becomes a tombstone, with `kept` and `merged` (both rows locked, of the acting
    organisation), `by` and `organisation`. Each app above moves its records about `merged`
    to `kept` (assessments, plans, referrals) and returns `(key, count)` for the merge's
    audit entry, or None.""",
)

consent_withdrawn = Hook(
    "people.consent_withdrawn",
    """Called inside the withdrawal's transaction with `consent` (now withdrawn), `by` and
    `organisation`, for every consent withdrawn (a consent to share ended with the consent to
    hold and use the information included). For what rests on that consent and must end with
    it (a client's link to their own pages). Returns nothing.""",
)

person_restricted = Hook(
    "people.person_restricted",
    """Called inside the transaction that restricts processing of `person` (consent withdrawn,
    or a restriction asked for on the data protection page), with `by` and `organisation`.
    For what must stop while the record is frozen. Returns nothing.""",
)
