"""The audit log page for managers and administrators of an organisation.

It lives here, not in `pathmark.audit`: the audit app is a leaf layer (it imports nothing of
Pathmark but core, so every app may write to it), while the page needs what sits above it,
the organisation's permissions and its members (to name them and to filter by them). Accounts
is the lowest layer that has both."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pathmark.audit import actions
from pathmark.audit.models import AuditEvent
from pathmark.audit.selectors import audit_events_for
from pathmark.audit.services import COMMAND_LINE_USERNAME
from pathmark.core.references import parse_person_reference, person_reference
from pathmark.organisations.permissions import requires

from .hooks import still_seen
from .selectors import memberships_of


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label=_("Person reference"),
        required=False,
        max_length=20,
        help_text=_("For example P-000123."),
    )
    actor = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = memberships_of(organisation)
        self.fields["actor"].choices = [("", _("Anyone"))] + [
            (m.user_id, m.user.get_full_name() or m.user.username) for m in members
        ]
        self.fields["action"].choices = [("", _("Anything"))] + [
            (code, action.describe(gettext("Someone"), {}))
            for code, action in actions.declared().items()
        ]

    def clean_person(self) -> int | None:
        text = self.cleaned_data["person"].strip()
        if not text:
            return None
        person_id = parse_person_reference(text)
        if person_id is None:
            raise forms.ValidationError(_("Enter a reference like P-000123."))
        return person_id


def actor_name(event: AuditEvent) -> str:
    """Who did it, in words: the member's name, the command line, or the name kept when the
    account has gone."""
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.username
    if event.actor_username == COMMAND_LINE_USERNAME:
        return gettext("The server's operator (command line)")
    return event.actor_username or gettext("Pathmark")


def _start_of(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@requires("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, organisation=request.organisation)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "action": data["action"] or "",
            "person_id": data["person"],
            "actor_id": data["actor"],
            "since": _start_of(data["since"]) if data["since"] else None,
            "before": _start_of(data["until"] + timedelta(days=1)) if data["until"] else None,
        }
    events = audit_events_for(organisation=request.organisation, **filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    # Entries about someone the organisation no longer sees (a referral closed, a consent
    # withdrawn) stay in its log, without their reference.
    seen = still_seen({event.person_id for event in page if event.person_id})
    rows = [
        {
            "event": event,
            "sentence": actions.describe(event.action, actor_name(event), event.extra),
            "person": person_reference(event.person_id)
            if event.person_id in seen
            else (gettext("no longer shared") if event.person_id else ""),
        }
        for event in page
    ]
    kept = {
        key: request.GET[key]
        for key in ("person", "actor", "action", "since", "until")
        if request.GET.get(key) and form.is_bound and key not in form.errors
    }
    query_string = urlencode(kept)
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "time_zone": timezone.get_current_timezone_name(),
            "query_string": query_string + "&" if query_string else "",
        },
    )
