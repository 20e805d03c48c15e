"""Every form of the project, posted by its rightful user with hostile values: never a server
error, and when the form is refused, nothing written (no row changed, no write audited). Also
every query-string parameter a view reads."""

from __future__ import annotations

import inspect
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathmark.organisations.models import Role

from .conftest import FUZZ
from .fuzzing import HOSTILE, form_body, hostile_form
from .probing import (
    POSTS,
    TALLY,
    Principal,
    Target,
    discover_endpoints,
    last_audit_pk,
    personal_rows,
    posts_for,
    rolled_back,
    urls_for,
    write_events_since,
)

FORMS = [endpoint for endpoint in discover_endpoints() if endpoint.name in POSTS]


def owner_for(endpoint, target: Target) -> Principal:  # type: ignore[no-untyped-def]
    for role in (Role.CASEWORKER, Role.MANAGER, Role.ADMINISTRATOR):
        principal = Principal(f"B {role}", target.owners[role], role)
        if principal.may_use(endpoint):
            return principal
    return Principal("B caseworker", target.owners[Role.CASEWORKER], Role.CASEWORKER)


def test_the_forms_of_the_brief_are_fuzzed():
    names = {endpoint.name for endpoint in FORMS}
    assert {
        "people:register",
        "people:edit",
        "people:add_consent",
        "people:household",
        "assessments:start",
        "assessments:domain",
    } <= names


@pytest.fixture
def memo() -> dict:
    """Shared by the examples of one test: each example is rolled back, so the signed-in
    client and the rows before it are the same for all of them."""
    return {}


@pytest.mark.parametrize("endpoint", FORMS, ids=[endpoint.label for endpoint in FORMS])
@FUZZ
@given(data=st.data())
def test_hostile_form_input_is_refused_cleanly(endpoint, target: Target, memo, data):  # type: ignore[no-untyped-def]
    from pathmark.testing import client_for

    url = data.draw(st.sampled_from(urls_for(endpoint, target)), label="url")
    valid = data.draw(st.sampled_from(posts_for(endpoint, target)), label="valid form")
    form = data.draw(hostile_form(valid), label="form")
    TALLY["fuzz_form_cases"] += 1
    if not memo:
        memo["client"] = client_for(owner_for(endpoint, target).user)
        memo["before"] = personal_rows()
    client, before = memo["client"], memo["before"]
    with rolled_back():
        last = last_audit_pk()
        response = client.post(
            url, form_body(form), content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code < 500
        after, writes = personal_rows(), write_events_since(last)
        if response.status_code in (201, 302):
            # Accepted (redirected, or 201 with what was made, shown once: a client's link):
            # whatever changed was audited as a write.
            assert after == before or writes, "a change was written without an audit entry"
        else:
            assert after == before, f"refused with {response.status_code} but rows changed"
            assert not writes, f"refused with {response.status_code} but audited {writes}"


def _query_names(endpoint) -> list[str]:  # type: ignore[no-untyped-def]
    """The query-string parameters a view reads, from its source."""
    try:
        source = inspect.getsource(inspect.unwrap(endpoint.view))
    except (OSError, TypeError):
        return []
    return sorted(set(re.findall(r"request\.GET(?:\.get\(|\[)\s*[\"'](\w+)[\"']", source)))


QUERY_READERS = [
    pytest.param(endpoint) for endpoint in discover_endpoints() if _query_names(endpoint)
]


@pytest.mark.parametrize(
    "endpoint", QUERY_READERS, ids=[param.values[0].label for param in QUERY_READERS]
)
@FUZZ
@given(data=st.data())
def test_hostile_query_strings_are_refused_cleanly(endpoint, target: Target, memo, data):  # type: ignore[no-untyped-def]
    from pathmark.testing import client_for

    url = data.draw(st.sampled_from(urls_for(endpoint, target)), label="url")
    query = data.draw(
        st.fixed_dictionaries({}, optional={name: HOSTILE for name in _query_names(endpoint)}),
        label="query",
    )
    TALLY["fuzz_form_cases"] += 1
    if not memo:
        memo["client"] = client_for(owner_for(endpoint, target).user)
    response = memo["client"].get(url + "?" + form_body(query).decode())
    assert response.status_code < 500


def test_organisation_id_beyond_64_bits_is_refused(target: Target):
    from django.urls import reverse

    from pathmark.testing import client_for

    client = client_for(target.owners[Role.CASEWORKER])
    response = client.post(reverse("accounts:switch_organisation"), {"organisation": 2**63})
    assert response.status_code == 404


def test_nul_in_audit_filter_is_refused_cleanly(target: Target):
    from django.urls import reverse

    from pathmark.testing import client_for

    client = client_for(target.owners[Role.MANAGER])
    assert client.get(reverse("audit:list"), {"action": "person\x00"}).status_code < 500
