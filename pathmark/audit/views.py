"""The audit log page for managers and administrators of an organisation."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from pathmark.organisations.permissions import requires

from .selectors import audit_events_for


@requires("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")[:60]
    try:
        person_id = int(request.GET["person"]) if request.GET.get("person") else None
    except ValueError:
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
