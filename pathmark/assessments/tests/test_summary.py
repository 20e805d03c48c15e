"""What the person page shows about assessments."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from pathmark.assessments.models import AssessmentStatus
from pathmark.assessments.selectors import person_assessment_summary
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Person
from pathmark.testing import client_for

from .conftest import AssessmentFactory, share


def completed(person, on, overall, **values):  # type: ignore[no-untyped-def]
    return AssessmentFactory(
        person=person,
        assessed_on=on,
        status=AssessmentStatus.COMPLETED,
        completed_at=timezone.now(),
        domain_scores={"economic-stability": overall, "social-networks": None},
        overall_score=overall,
        stage="building-skills",
        **values,
    )


def test_summary_gives_the_latest_result_history_and_drafts(world, person_a, journey, in_scope):
    older = completed(person_a, date(2024, 1, 1), 30.0)
    newer = completed(person_a, date(2025, 1, 1), 55.0)
    draft = AssessmentFactory(person=person_a, assessed_on=date(2025, 2, 1))
    with in_scope(world.a_caseworker):
        summary = person_assessment_summary(person=person_a)
    assert [result.assessment for result in summary["latest"]] == [newer]
    latest = summary["latest"][0]
    assert latest.overall == 55.0
    assert latest.stage_label == "Building skills"
    assert latest.domains[0].title == "Economic stability"
    assert latest.domains[1].score is None
    assert [row["assessment"] for row in summary["history"]] == [draft, newer, older]
    assert [row["assessment"] for row in summary["drafts"]] == [draft]
    assert summary["can_start"]


def test_summary_titles_follow_the_reader_language(world, person_a, journey, in_scope):
    completed(person_a, date(2025, 1, 1), 55.0)
    with in_scope(world.a_caseworker), override("ar"):
        latest = person_assessment_summary(person=person_a)["latest"][0]
    assert latest.domains[0].title == "الاستقرار الاقتصادي"
    assert latest.domains[0].language == "ar"
    assert latest.chart.rtl


def test_other_organisations_drafts_are_not_offered(world, person_a, journey, in_scope):
    share(person_a, world.org_b)
    AssessmentFactory(person=person_a)
    with in_scope(world.b_caseworker):
        summary = person_assessment_summary(person=person_a)
    assert summary["drafts"] == []
    assert summary["history"] == []


def test_a_restricted_person_is_not_offered_a_new_assessment(world, person_a, journey, in_scope):
    with system_scope("test: restrict"):
        Person.objects.filter(pk=person_a.pk).update(status=Person.Status.RESTRICTED)
    person_a.status = Person.Status.RESTRICTED
    with in_scope(world.a_caseworker):
        summary = person_assessment_summary(person=person_a)
    assert not summary["can_start"]
    assert summary["start_url"] == ""


def test_person_page_in_arabic_keeps_chart_coordinates_machine_readable(world, person_a, journey):
    completed(person_a, date(2025, 1, 1), 62.5)
    client = client_for(world.a_caseworker)
    client.cookies["django_language"] = "ar"
    page = client.get(
        reverse("people:detail", args=[person_a.pk]), HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert 'dir="rtl"' in page
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'width="250.0"' in svg
    assert "," not in svg.split("<title", 1)[0]


def test_summary_queries_do_not_grow_with_the_history(world, person_a, journey, in_scope):
    def count_queries() -> int:
        with in_scope(world.a_caseworker), CaptureQueriesContext(connection) as queries:
            person_assessment_summary(person=person_a)
        return len(queries)

    completed(person_a, date(2024, 1, 1), 30.0)
    few = count_queries()
    for month in range(1, 10):
        completed(person_a, date(2023, month, 1), 40.0)
    assert count_queries() <= few
