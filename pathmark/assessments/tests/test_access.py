"""Who may not: every assessment URL answers 404 to anyone outside the person's circle, and
never shows the person's name."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from pathmark.assessments.models import AssessmentStatus
from pathmark.organisations.models import Role
from pathmark.testing import assert_disallowed, client_for

from .conftest import AssessmentFactory, reload, share


def outsiders(world):  # type: ignore[no-untyped-def]
    """Anonymous, everyone in the other organisations, and the roles of org B that may not
    see individual people."""
    inside_b = [
        world.member(world.org_b, role)
        for role in (Role.SERVICE_PROVIDER, Role.ANALYST, Role.ADMINISTRATOR)
    ]
    return [None, *world.everyone_outside(world.org_b), *inside_b]


@pytest.fixture
def b_assessments(world, person_b, journey):  # type: ignore[no-untyped-def]
    draft = AssessmentFactory(person=person_b, answers={"money-for-bills": "agree"})
    completed = AssessmentFactory(
        person=person_b,
        status=AssessmentStatus.COMPLETED,
        completed_at=timezone.now(),
        domain_scores={"economic-stability": 50.0},
        overall_score=50.0,
        stage="building-skills",
    )
    return draft, completed


def test_other_organisations_get_404_for_every_assessment_url(world, person_b, b_assessments):
    draft, completed = b_assessments
    users = outsiders(world)
    for assessment in (draft, completed):
        for url in (
            reverse("assessments:result", args=[assessment.pk]),
            reverse("assessments:domain", args=[assessment.pk, 1]),
            reverse("assessments:review", args=[assessment.pk]),
        ):
            assert_disallowed(url, users, secret=person_b.name)
            assert_disallowed(
                url,
                users,
                method="post",
                data={"go": "next", "instrument_version": "1"},
                secret=person_b.name,
            )
        assert_disallowed(
            reverse("assessments:discard", args=[assessment.pk]),
            users,
            method="post",
            secret=person_b.name,
        )
    start = reverse("assessments:start", args=[person_b.pk])
    assert_disallowed(start, users, secret=person_b.name)
    assert_disallowed(
        start,
        users,
        method="post",
        data={"instrument": "integration-journey"},
        secret=person_b.name,
    )


def test_missing_assessment_and_other_organisations_assessment_look_the_same(world, b_assessments):
    _, completed = b_assessments
    client = client_for(world.a_caseworker)
    theirs_url = reverse("assessments:result", args=[completed.pk])
    missing_url = reverse("assessments:result", args=[completed.pk + 1000])
    theirs, missing = client.get(theirs_url), client.get(missing_url)
    assert theirs.status_code == missing.status_code == 404
    # Identical apart from the page's own address and the per-response CSRF token.
    assert comparable(theirs.content, theirs_url) == comparable(missing.content, missing_url)


def comparable(content: bytes, url: str) -> bytes:
    content = content.replace(url.encode(), b"URL")
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def test_nothing_is_changed_by_a_refused_request(world, b_assessments):
    draft, _ = b_assessments
    client_for(world.a_caseworker).post(
        reverse("assessments:domain", args=[draft.pk, 1]),
        {"money-for-bills": "disagree", "go": "next"},
    )
    client_for(world.a_caseworker).post(
        reverse("assessments:discard", args=[draft.pk]), {"reason": "duplicate"}
    )
    assert reload(draft).answers == {"money-for-bills": "agree"}


def test_shared_organisation_reads_results_but_cannot_change_the_owners_draft(
    world, person_b, b_assessments
):
    draft, completed = b_assessments
    share(person_b, world.org_a)
    client = client_for(world.a_caseworker)
    assert client.get(reverse("assessments:result", args=[completed.pk])).status_code == 200
    for url in (
        reverse("assessments:result", args=[draft.pk]),
        reverse("assessments:domain", args=[draft.pk, 1]),
        reverse("assessments:review", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.get(reverse("assessments:discard", args=[draft.pk])).status_code == 404
    discard = reverse("assessments:discard", args=[draft.pk])
    assert client.post(discard, {"reason": "duplicate"}).status_code == 404


def test_every_assessment_view_declares_the_action_it_needs():
    resolver = get_resolver()
    patterns = [
        pattern
        for include in resolver.url_patterns
        if getattr(include, "namespace", None) == "assessments"
        for pattern in include.url_patterns
        if isinstance(pattern, URLPattern)
    ]
    assert patterns
    for pattern in patterns:
        assert getattr(pattern.callback, "pathmark_action", None) in {
            "person.view",
            "assessment.run",
        }, pattern.name
