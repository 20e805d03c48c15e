"""The audit log page for managers and administrators of an organisation."""

import re

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from pathmark.organisations.permissions import requires

from .selectors import audit_events_for

ACTION_PATTERN = re.compile(r"[a-z_.]*")


@requires("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    # Action codes are dotted lower-case words; anything else (a NUL byte, say) filters nothing.
    action = request.GET.get("action", "")[:60]
    if not ACTION_PATTERN.fullmatch(action):
        action = ""
    try:
        person_id = int(request.GET["person"]) if request.GET.get("person") else None
    except ValueError:
        person_id = None
    if person_id is not None and not 0 < person_id < 2**63:
        person_id = None
    events = audit_events_for(organisation=request.organisation, action=action, person_id=person_id)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query_string = urlencode({k: v for k, v in (("action", action), ("person", person_id)) if v})
    return render(
        request,
        "audit/list.html",
        {
            "page_obj": page,
            "action": action,
            "person_id": person_id,
            "query_string": query_string + "&" if query_string else "",
        },
    )
