"""Every view that reads or writes personal data leaves an audit entry for every request, and
no entry holds the data itself.

The views are found by walking the URLconf and reading the action each declares with
`@requires(...)`: any action not listed in NON_PERSONAL_ACTIONS (probing.py) counts as
personal, so a new view must audit or be listed there deliberately.
"""

from __future__ import annotations

import json

import pytest

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role

from .probing import (
    PERSONAL_MARK,
    TALLY,
    Principal,
    Target,
    discover_endpoints,
    gets_for,
    posts_for,
    rolled_back,
    send,
    urls_for,
)

PERSONAL_ENDPOINTS = [endpoint for endpoint in discover_endpoints() if endpoint.is_personal]

# The member of B who makes the requests: the first of these roles allowed to use the view.
ROLES_IN_ORDER = (
    Role.CASEWORKER,
    Role.MANAGER,
    Role.ADMINISTRATOR,
    Role.ANALYST,
    Role.SERVICE_PROVIDER,
)

# Requests that read and write no client's data, each with the reason. Keep this short.
READS_NOTHING = {
    ("people:register", "GET"): "a blank registration form",
    ("people:list", "POST"): "stores the search in the session and redirects; the list audits",
    ("accounts:users", "GET"): "staff accounts, not clients' records",
    ("accounts:users", "POST"): "staff accounts, not clients' records",
    ("accounts:user", "GET"): "staff accounts, not clients' records",
    ("accounts:partnership_accounts", "GET"): "staff accounts, not clients' records",
    ("accounts:partnership_accounts", "POST"): "staff accounts, not clients' records",
    ("accounts:partnership_account", "GET"): "staff accounts, not clients' records",
    ("accounts:user", "POST"): "staff accounts, not clients' records",
    ("accounts:add_member", "GET"): "a blank form for a new member of staff",
    ("transfer:index", "GET"): "import jobs by status and counts; no one's record",
    (
        "transfer:job",
        "GET",
    ): "a job's status and problems by row and column; the file preview audits itself",
    ("transfer:export", "GET"): "the export form; the download audits every person exported",
    (
        "transfer:index",
        "POST",
    ): "an upload the form refuses writes nothing; an accepted one is audited",
    ("transfer:job", "POST"): "the job page answers a POST like a GET and changes nothing",
    ("reports:index", "GET"): "a list of the reports, with no figures",
}


def owner_for(endpoint, target: Target) -> Principal:  # type: ignore[no-untyped-def]
    for role in ROLES_IN_ORDER:
        principal = Principal(f"B {role}", target.owners[role], role)
        if principal.may_use(endpoint):
            return principal
    pytest.fail(f"No role of B may use {endpoint.label} ({endpoint.action}); nothing to audit.")


def test_views_of_personal_data_are_found():
    names = {endpoint.name for endpoint in PERSONAL_ENDPOINTS}
    assert {"people:detail", "people:list", "assessments:result"} <= names


@pytest.mark.parametrize(
    "endpoint", PERSONAL_ENDPOINTS, ids=[endpoint.label for endpoint in PERSONAL_ENDPOINTS]
)
def test_every_request_leaves_an_audit_entry_without_personal_data(endpoint, target: Target):  # type: ignore[no-untyped-def]
    from pathmark.testing import client_for

    owner = owner_for(endpoint, target)
    requests = [("GET", data) for data in gets_for(endpoint, target)]
    requests += [("POST", data) for data in posts_for(endpoint, target)]
    unaudited, leaking = [], []
    for url in urls_for(endpoint, target):
        for method, data in requests:
            if (endpoint.name, method) in READS_NOTHING:
                continue
            with rolled_back():
                client = client_for(owner.user)
                last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                response = send(client, method, url, data)
                if response.status_code == 405:
                    continue  # the view does not take this method
                TALLY["audited_requests"] += 1
                events = list(AuditEvent.objects.filter(pk__gt=last))
                if not events:
                    unaudited.append(f"{method} {url} → {response.status_code}, no audit entry")
                for event in events:
                    written = json.dumps(event.extra, default=str) + event.object_id
                    shown = [s for s in (*target.secrets, PERSONAL_MARK) if s in written]
                    if shown:
                        leaking.append(f"{method} {url}: {event.action} holds {shown}")
    TALLY["unaudited"] += len(unaudited)
    assert not unaudited + leaking, "\n".join(unaudited + leaking)
