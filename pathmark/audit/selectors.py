"""Reading the audit log: managers and administrators see their own organisation's entries."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEvent


def audit_events_for(
    *, organisation, action: str = "", person_id: int | None = None
) -> QuerySet[AuditEvent]:  # type: ignore[no-untyped-def]
    events = AuditEvent.objects.filter(organisation=organisation).select_related("actor")
    if action:
        events = events.filter(action__startswith=action)
    if person_id is not None:
        events = events.filter(person_id=person_id)
    return events
