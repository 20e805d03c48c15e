"""Every URL of the project, found by walking the URLconf, requested by GET and POST by everyone
who should see nothing of organisation B: no response may show B's data or change B's records,
and views closed to them must answer 404 (or 405 for a method the URL never takes) or send them to sign in.

New views are picked up by themselves; one whose URL takes an argument the probe cannot fill
fails here until KWARG_VALUES in probing.py says which of B's records to use.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from pathmark.organisations.models import Role
from pathmark.testing import MembershipFactory, UserFactory, client_for

from .conftest import ANSWER_MARKER, PERSON_NAME, PHONE
from .probing import (
    Target,
    UnfillableURLError,
    discover_endpoints,
    probe_endpoint,
)

ENDPOINTS = discover_endpoints()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.label for e in ENDPOINTS])
def test_outsiders_get_nothing_of_organisation_b(endpoint, target: Target):  # type: ignore[no-untyped-def]
    try:
        findings = probe_endpoint(endpoint, target, target.outsiders)
    except UnfillableURLError as error:
        pytest.fail(str(error))
    assert not findings, f"{len(findings)} problem(s) at {endpoint.label}:\n" + "\n".join(
        str(finding) for finding in findings[:40]
    )


def test_probe_walks_the_pages_of_people_and_assessments():
    names = {endpoint.name for endpoint in ENDPOINTS}
    assert {"people:detail", "people:edit", "assessments:result", "site:home"} <= names


def test_owner_sees_the_secrets_the_probe_looks_for(target: Target):
    """Without this, a probe looking for the wrong strings would pass everything."""
    client = client_for(target.owners[Role.CASEWORKER])
    page = client.get(reverse("people:detail", args=[target.person.pk])).content.decode()
    assert PERSON_NAME in page
    assert PHONE in page
    draft = client.get(reverse("assessments:domain", args=[target.draft.pk, 1])).content.decode()
    assert ANSWER_MARKER in draft


def test_organisation_given_consent_sees_the_person(target: Target):
    """The share consent in the world is real: the probe's silence is the scoping's doing."""
    partner = UserFactory(username="partner-caseworker")
    MembershipFactory(user=partner, organisation=target.org_d, role=Role.CASEWORKER)
    page = client_for(partner).get(reverse("people:detail", args=[target.person.pk]))
    assert PERSON_NAME in page.content.decode()


def test_probe_reports_a_view_that_escapes_its_scope(target: Target, settings):  # type: ignore[no-untyped-def]
    """A view with a proper `@requires` that reads the person inside `system_scope` shows
    B's person to every caseworker and manager of A and C; the probe must say so."""
    settings.ROOT_URLCONF = "tests.security.broken_urls"
    (endpoint,) = [e for e in discover_endpoints() if e.name == "leaky_person"]
    findings = probe_endpoint(endpoint, target, target.outsiders, count=False)
    leaked_to = {finding.who for finding in findings if "showing B's data" in finding.problem}
    assert leaked_to == {
        f"{organisation.slug} {role}"
        for organisation in (target.org_a, target.org_c)
        for role in (Role.CASEWORKER, Role.MANAGER)
    }


def test_probe_refuses_a_url_it_cannot_fill(target: Target, settings):  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "tests.security.broken_urls"
    (endpoint,) = [e for e in discover_endpoints() if e.name == "unfillable"]
    with pytest.raises(UnfillableURLError, match=r"widget_id.*KWARG_VALUES"):
        probe_endpoint(endpoint, target, target.outsiders, count=False)
