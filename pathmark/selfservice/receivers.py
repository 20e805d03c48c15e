"""How the client's links answer the hooks of the apps below (connected in `ready()`)."""

from __future__ import annotations

from typing import Any

from pathmark.organisations.permissions import role_may
from pathmark.organisations.scoping import system_scope
from pathmark.people.hooks import PersonPageSection
from pathmark.people.models import ConsentKind, Person

from .models import ClientLink, RevokedBecause
from .selectors import recent_links
from .services import revoke_links_of


def revoke_on_withdrawal(*, consent: Any, by: Any, organisation: Any) -> None:
    """Withdrawing the consent to hold and use the information ends every organisation's
    link; withdrawing a consent to share ends the link of the organisation shared with."""
    if consent.kind == ConsentKind.PROCESSING:
        only = None
    elif consent.kind == ConsentKind.SHARE and consent.shared_with_id:
        only = consent.shared_with_id
    else:
        return
    with system_scope("revoking client links: consent withdrawn"):
        revoke_links_of(
            person_id=consent.person_id,
            by=by,
            because=RevokedBecause.CONSENT_WITHDRAWN,
            organisation_id=only,
        )


def revoke_on_restriction(*, person: Any, by: Any, organisation: Any) -> None:
    with system_scope("revoking client links: processing restricted"):
        revoke_links_of(
            person_id=person.pk, by=by, because=RevokedBecause.RESTRICTED, organisation_id=None
        )


def person_page_section(*, person: Person, request: Any) -> PersonPageSection | None:
    """The person page's "client's own assessment" part, for those who may assess."""
    membership = getattr(request, "membership", None)
    if membership is None or not role_may(membership.role, "assessment.run"):
        return None
    from .forms import IssueLinkForm

    links = recent_links(person.pk)
    return PersonPageSection(
        template="selfservice/_person_section.html",
        context={
            "person": person,
            "links": links,
            "live": next((link for link in links if link.is_live), None),
            "form": IssueLinkForm(person=person),
            "active": person.status == Person.Status.ACTIVE,
        },
        order=20,
    )


def links_follow_merge(*, kept: Any, merged: Any, by: Any, organisation: Any) -> Any:
    """For `people.hooks.person_merged`: the merged record's links, in every organisation,
    become the kept record's, so a link already in the client's hand still leads to their
    own (now whole) journey, and its answers to the kept record."""
    with system_scope(f"merge of person {merged.pk} into {kept.pk}"):
        moved = ClientLink.objects.filter(person_id=merged.pk).update(person_id=kept.pk)
    return ("selfservice.links", moved)
