"""`{% privacy_link_allowed as allowed %}`: whether the person page shows the link to the
data-protection page (the member's role may export and the record is their organisation's)."""

from __future__ import annotations

from django import template

from pathmark.organisations.permissions import role_may

register = template.Library()


@register.simple_tag(takes_context=True)
def privacy_link_allowed(context: template.Context) -> bool:
    request = context.get("request")
    membership = getattr(request, "membership", None)
    person = context.get("person")
    if membership is None or person is None:
        return False
    return role_may(membership.role, "person.export") and (
        person.organisation_id == membership.organisation_id
    )
