"""Reading client links: by their secret (for the client's own pages) and by person (for the
caseworker's record page)."""

from __future__ import annotations

from django.db.models import QuerySet

from pathmark.organisations.scoping import prepared, system_scope

from .models import ClientLink
from .services import hash_of

# token_urlsafe(32) is 43 characters; anything much longer is not one of ours.
LONGEST_SECRET = 64


def link_for_secret(secret: str) -> ClientLink | None:
    """The link a secret opens, whatever its state, or None. The request has no organisation
    yet (the client has no account): the unique hash is the only key, read in the system
    scope, and the caller then acts in the scope of the link's organisation."""
    if not secret or len(secret) > LONGEST_SECRET:
        return None
    with system_scope("opening a client's link by its secret"):
        return (
            ClientLink.objects.select_related("organisation", "instrument_version")
            .filter(token_hash=hash_of(secret))
            .first()
        )


@prepared
def recent_links(person_id: int) -> QuerySet[ClientLink]:
    """This organisation's five newest links for the person (the person page's part)."""
    return links_of(person_id=person_id)[:5]


def links_of(*, person_id: int) -> QuerySet[ClientLink]:
    """This organisation's links for the person, newest first (in the request's scope)."""
    return ClientLink.objects.filter(person_id=person_id).select_related(
        "instrument_version", "created_by"
    )
