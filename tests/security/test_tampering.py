"""Mass assignment and tampering: a member of B posts each form of the project with extra
fields naming what no form may set (organisation, owner, status, who registered, scores, stage,
another instrument version, another organisation's person). Each post is compared with the
same post without the extra fields: every protected value must end as before or as the clean
post left it.
"""

from __future__ import annotations

from typing import Any

from pathmark.organisations.models import Role

from .probing import (
    TALLY,
    Principal,
    Target,
    discover_endpoints,
    posts_for,
    protected_state,
    rolled_back,
    send,
    tampering_changes,
    urls_for,
)

ENDPOINTS = [endpoint for endpoint in discover_endpoints() if endpoint.action or endpoint.is_public]

# Fields a form legitimately carries but a tamperer may still rewrite.
OVERRIDDEN = ("instrument_version",)


def forbidden_fields(target: Target) -> dict[str, Any]:
    a_caseworker = target.a_person.registered_by_id or target.owners[Role.CASEWORKER].pk
    return {
        "organisation": target.org_a.pk,
        "organisation_id": target.org_a.pk,
        "owner": target.org_a.pk,
        "status": "erased",
        "registered_by": a_caseworker,
        "recorded_by": a_caseworker,
        "started_by": a_caseworker,
        "completed_by": a_caseworker,
        "created_by": a_caseworker,
        "overall_score": "99.5",
        "domain_scores": '{"money": 100}',
        "item_scores": '{"bills": 100}',
        "stage": "high",
        "person": target.a_person.pk,
        "person_id": target.a_person.pk,
        "instrument_version": target.other_version.pk,
    }


def owner_for(endpoint, target: Target) -> Principal:  # type: ignore[no-untyped-def]
    for role in (Role.CASEWORKER, Role.MANAGER, Role.ADMINISTRATOR, Role.ANALYST):
        principal = Principal(f"B {role}", target.owners[role], role)
        if principal.may_use(endpoint):
            return principal
    return Principal("B caseworker", target.owners[Role.CASEWORKER], Role.CASEWORKER)


def tampering_findings(endpoint, target: Target, *, count: bool = True) -> list[str]:  # type: ignore[no-untyped-def]
    from pathmark.testing import client_for

    owner = owner_for(endpoint, target)
    extra = forbidden_fields(target)
    problems = []
    for url in urls_for(endpoint, target):
        for clean_data in posts_for(endpoint, target):
            tampered_data = {
                **{k: v for k, v in extra.items() if k not in clean_data or k in OVERRIDDEN},
                **{k: v for k, v in clean_data.items() if k not in OVERRIDDEN},
            }
            before = protected_state()
            with rolled_back():
                send(client_for(owner.user), "POST", url, clean_data)
                clean = protected_state()
            with rolled_back():
                send(client_for(owner.user), "POST", url, tampered_data)
                tampered = protected_state()
            changes = tampering_changes(before, clean, tampered)
            if count:
                TALLY["tamper_posts"] += 1
                TALLY["tamper_changes"] += len(changes)
            problems += [f"POST {url}: {change}" for change in changes]
    return problems


def test_extra_fields_change_nothing_the_form_may_not_set(target: Target):
    # One test over every URL rather than one per URL: the world is built once, and each
    # post is undone, so the posts cannot disturb one another.
    problems = [p for endpoint in ENDPOINTS for p in tampering_findings(endpoint, target)]
    assert not problems, "\n".join(problems)


def test_tampering_check_catches_a_view_that_trusts_posted_status(target: Target, settings):  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "tests.security.broken_urls"
    (endpoint,) = [e for e in discover_endpoints() if e.name == "careless_edit"]
    problems = tampering_findings(endpoint, target, count=False)
    assert any("people.person" in problem and "status" in problem for problem in problems)


def test_clean_form_posts_do_what_they_say(target: Target):
    """The comparison means something only if the clean posts succeed: registering a person
    and completing the draft both happen without the extra fields."""
    from django.urls import reverse

    from pathmark.assessments.models import Assessment
    from pathmark.organisations.scoping import system_scope
    from pathmark.people.models import Person
    from pathmark.testing import client_for

    from .probing import POSTS

    client = client_for(target.owners[Role.CASEWORKER])
    response = client.post(reverse("people:register"), POSTS["people:register"](target)[0])
    assert response.status_code == 302
    review = reverse("assessments:review", args=[target.draft.pk])
    assert client.post(review, POSTS["assessments:review"](target)[0]).status_code == 302
    with system_scope("test: read back"):
        assert Person.objects.filter(name__endswith="Probe Registrant").exists()
        assert Assessment.objects.get(pk=target.draft.pk).status == "completed"
