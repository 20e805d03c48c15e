"""The one way a view finds the person a URL names: read through the scope and audited, or
404 whether the record is missing, erased or another organisation's."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from . import selectors
from .models import Person


def person_or_404(
    request: HttpRequest, person_id: int, *, action: str = "person.viewed", own: bool = False
) -> Person:
    """`own=True` for pages only the registering organisation may use (editing, rights):
    an organisation the record is shared with gets the same 404 as a stranger."""
    try:
        person = selectors.person_for(
            actor=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            person_id=person_id,
            action=action,
        )
    except Person.DoesNotExist:
        raise Http404 from None
    if own and person.organisation_id != request.organisation.pk:  # type: ignore[attr-defined]
        raise Http404
    return person
