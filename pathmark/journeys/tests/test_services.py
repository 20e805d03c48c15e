"""Stored trends are kept fresh wherever assessments change: completing one, rescoring, the
demo loader, a refresh in the background, a rebuild from the command line; and erasure and
subject access reach them."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pathmark.assessments import services as assessment_services
from pathmark.assessments.models import Assessment
from pathmark.audit.models import AuditEvent
from pathmark.demo.services import load_demo_partnership
from pathmark.journeys.models import JourneyTrend, RefreshStatus, TrendRefresh
from pathmark.journeys.services import (
    refresh_trends,
    refresh_trends_later,
    run_refresh,
    start_rebuild,
)
from pathmark.journeys.trajectory import OVERALL, TREND_RULE
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import Person
from pathmark.privacy import services as privacy_services
from pathmark.testing import PersonFactory, run_assessment

from .conftest import completed


def trends_of(person: Person) -> dict[str, tuple[object, ...]]:
    with system_scope("test: read trends"):
        return {
            key: (rate, direction, fall)
            for series in JourneyTrend.objects.filter(person_id=person.pk).values_list(
                "series", flat=True
            )
            for key, rate, direction, fall, *_rest in series
        }


def journey_trend(person: Person, slug: str = "integration-journey") -> JourneyTrend:
    with system_scope("test: read trend"):
        return JourneyTrend.objects.get(person_id=person.pk, instrument=slug)


def test_completing_an_assessment_stores_the_persons_trend(world):
    person = PersonFactory(organisation=world.org_a)
    run_assessment(
        world.a_caseworker, world.org_a, person, answer="agree", assessed_on=date(2024, 3, 1)
    )
    assert trends_of(person)[OVERALL][1] == "not_enough_data"
    second = run_assessment(
        world.a_caseworker, world.org_a, person, answer="disagree", assessed_on=date(2025, 3, 1)
    )
    stored = journey_trend(person)
    assert trends_of(person)[OVERALL][1] == "declining"
    assert stored.turned_down and OVERALL in stored.fell
    assert (stored.assessments, stored.newest_assessment_id) == (2, second.pk)
    assert stored.latest_on == date(2025, 3, 1) and stored.rule == TREND_RULE


def test_a_draft_does_not_change_the_trend(world):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 40)
    before = trends_of(person)
    with organisation_scope(organisation_id=world.org_a.pk):
        assessment_services.start_assessment(
            by=world.a_caseworker,
            organisation=world.org_a,
            person=person,
            instrument_slug="integration-journey",
            mode="caseworker_led",
            language="en",
            assessed_on=date(2025, 1, 10),
        )
    refresh_trends(person_ids=[person.pk])
    assert trends_of(person) == before


def test_refresh_removes_the_trend_of_someone_without_completed_assessments(world):
    person = PersonFactory(organisation=world.org_a)
    assessment = completed(person, date(2024, 1, 10), 40)
    with system_scope("test"):
        Assessment.objects.filter(pk=assessment.pk).update(status="draft", completed_at=None)
    refreshed = refresh_trends(person_ids=[person.pk])
    assert trends_of(person) == {}
    assert (refreshed.journeys, refreshed.changed) == (0, 1)


def test_refresh_counts_only_journeys_that_had_changed(world):
    people = [PersonFactory(organisation=world.org_a) for _ in range(3)]
    for person in people:
        completed(person, date(2024, 1, 10), 40)
    completed(people[0], date(2025, 1, 10), 50, refresh=False)
    refreshed = refresh_trends(person_ids=[person.pk for person in people])
    assert (refreshed.people, refreshed.journeys, refreshed.changed) == (3, 3, 1)


def test_refreshing_unchanged_trends_writes_nothing(world):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 40)
    with system_scope("test"):
        before = list(JourneyTrend.objects.values_list("pk", "series"))
    refreshed = refresh_trends(person_ids=[person.pk])
    assert (refreshed.series, refreshed.rows_written, refreshed.changed) == (8, 0, 0)
    with system_scope("test"):
        assert list(JourneyTrend.objects.values_list("pk", "series")) == before
    completed(person, date(2025, 6, 10), 45, domains={"social-networks": 40}, refresh=False)
    refreshed = refresh_trends(person_ids=[person.pk])
    with system_scope("test"):
        after = list(JourneyTrend.objects.values_list("pk", "series"))
    assert refreshed.changed == 1 and refreshed.rows_written > 0
    assert len(after) == 1 and len(after[0][1]) == 8 and after != before


def test_rescoring_refreshes_the_trends_of_people_whose_scores_changed(world, capsys):
    person = PersonFactory(organisation=world.org_a)
    first = run_assessment(
        world.a_caseworker, world.org_a, person, answer="agree", assessed_on=date(2024, 3, 1)
    )
    run_assessment(
        world.a_caseworker, world.org_a, person, answer="agree", assessed_on=date(2025, 3, 1)
    )
    assert not journey_trend(person).turned_down
    with system_scope("test: a stored score gone wrong"):
        Assessment.objects.filter(pk=first.pk).update(overall_score=99.0)
    refresh_trends(person_ids=[person.pk])
    assert journey_trend(person).turned_down
    call_command("rescore", "--json")
    counts = json.loads(capsys.readouterr().out)
    assert counts["changed"] == 1 and counts["trends_refreshed"] == 1
    assert not journey_trend(person).turned_down


def test_the_demo_loader_stores_every_demo_persons_trends(db):
    load_demo_partnership(people=12, seed=7)
    with system_scope("test"):
        with_assessments = set(
            Assessment.objects.filter(status="completed").values_list("person_id", flat=True)
        )
        with_trends = set(JourneyTrend.objects.values_list("person_id", flat=True))
    assert with_assessments and with_trends == with_assessments


def test_the_demo_loader_fills_in_trends_missing_from_an_older_demo(db):
    load_demo_partnership(people=6, seed=8)
    with system_scope("test: a demo loaded before trends were stored"):
        JourneyTrend.objects.all().delete()
    load_demo_partnership(people=6, seed=8)
    with system_scope("test"):
        assert JourneyTrend.objects.count() == Person.objects.count() > 0


def test_erasure_removes_the_trends_and_audits_the_count(world):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 40)
    series = len(trends_of(person))
    with organisation_scope(organisation_id=world.org_a.pk):
        counts = privacy_services.erase_person(
            by=world.a_manager, organisation=world.org_a, person=person
        )
    assert counts["journeys.trends"] == series
    assert trends_of(person) == {}
    refresh_trends(person_ids=[person.pk])  # an erased person never gets them back
    assert trends_of(person) == {}


def test_subject_access_copy_holds_the_trends(world):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 40)
    with organisation_scope(organisation_id=world.org_a.pk):
        export = privacy_services.export_personal_data(
            by=world.a_manager, organisation=world.org_a, person=person, format="json"
        )
    rows = {provider.key: found for provider, found in export.sections}["journeys.trends"]
    overall = next(row for row in rows if row["area"] == OVERALL)
    assert overall["direction"] == "declining" and overall["fall"] == -20


def test_refresh_later_runs_after_commit_and_records_the_job(
    world, django_capture_on_commit_callbacks
):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60, refresh=False)
    completed(person, date(2025, 1, 10), 40, refresh=False)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        organisation_scope(organisation_id=world.org_a.pk),
    ):
        job = refresh_trends_later(person_ids=[person.pk, person.pk], by=world.a_manager)
    assert trends_of(person) == {}  # nothing before the caller's transaction commits
    assert (job.status, job.total, job.organisation_id) == ("queued", 1, world.org_a.pk)
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert (job.status, job.done, job.journeys, job.person_ids) == ("complete", 1, 1, [])
    assert journey_trend(person).turned_down
    event = AuditEvent.objects.get(action="journey.trends_refreshed")
    assert event.extra["people"] == 1 and event.organisation_id == world.org_a.pk


def test_refresh_later_of_nobody_queues_nothing(world):
    assert refresh_trends_later(person_ids=[]) is None
    assert not TrendRefresh.objects.exists()


def test_a_failed_refresh_is_marked_failed(world, monkeypatch):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60)
    job = start_rebuild(reason="test")

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr("pathmark.journeys.services._refresh_chunk", broken)
    with pytest.raises(RuntimeError):
        run_refresh(job.pk)
    job.refresh_from_db()
    assert job.status == RefreshStatus.FAILED and "disk full" in job.failure


def run(*args: str) -> str:
    out = StringIO()
    call_command("journeys", *args, stdout=out)
    return out.getvalue()


def test_refresh_command_rebuilds_every_trend(world):
    people = [PersonFactory(organisation=org) for org in (world.org_a, world.org_b)]
    for person in people:
        completed(person, date(2024, 1, 10), 60)
        completed(person, date(2025, 1, 10), 40)
    with system_scope("test: trends from an older release"):
        JourneyTrend.objects.update(rule=TREND_RULE - 1, turned_down=False)
    summary = json.loads(run("refresh", "--json"))
    assert summary == {
        "organisation": None,
        "people": 2,
        "journeys": 2,
        "series": 16,
        "turned_down": 2,
        "changed": 2,
        "rows_written": 4,  # each journey's row out and in again; its series were right
    }
    assert all(journey_trend(person).rule == TREND_RULE for person in people)
    assert TrendRefresh.objects.get().status == RefreshStatus.COMPLETE


def test_refresh_command_for_one_organisation(world):
    people = [PersonFactory(organisation=org) for org in (world.org_a, world.org_b)]
    for person in people:
        completed(person, date(2024, 1, 10), 60)
    summary = json.loads(run("refresh", "--organisation", world.org_b.slug, "--json"))
    assert (summary["people"], summary["changed"]) == (1, 0)
    assert "Journey trends refreshed for 1 people" in run(
        "refresh", "--organisation", world.org_b.slug
    )


def test_refresh_command_refuses_an_unknown_organisation(db):
    with pytest.raises(CommandError, match="There is no organisation 'nowhere'"):
        run("refresh", "--organisation", "nowhere")
    assert not TrendRefresh.objects.exists()


def test_refresh_command_runs_a_rebuild_already_queued(world):
    """The migration that created the trend tables queues a rebuild on a database with
    assessments; the command runs that job rather than leaving it waiting."""
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60, refresh=False)
    queued = TrendRefresh.objects.create(reason="stored trends are new", rebuild=True)
    elsewhere = TrendRefresh.objects.create(
        organisation=world.org_b, reason="another organisation's", rebuild=True
    )
    assert json.loads(run("refresh", "--json"))["journeys"] == 1
    queued.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (queued.status, elsewhere.status) == (RefreshStatus.COMPLETE, RefreshStatus.QUEUED)
    assert TrendRefresh.objects.count() == 2


# --- A large refresh worked out in other processes ------------------------------------------


def _chunk_worked_out(person_ids: list[int]):  # type: ignore[no-untyped-def]
    """What a worker process gives for these people, worked out here."""
    from pathmark.journeys import services

    with system_scope("test: work out a chunk as a worker does"):
        chunk = services._Range(sorted(person_ids))
        return services._compute(
            chunk, services._Context.now(), services._people_of(chunk, lock=False)
        )


def test_a_chunk_worked_out_ahead_is_written_when_nothing_changed(world):
    from pathmark.journeys import services

    people = [PersonFactory(organisation=world.org_a) for _ in range(3)]
    for person in people:
        completed(person, date(2024, 1, 10), 60, refresh=False)
        completed(person, date(2025, 1, 10), 40, refresh=False)
    ids = sorted(person.pk for person in people)
    ahead = _chunk_worked_out(ids)
    with system_scope("test"):
        written = services._refresh_chunk(ids, services._Context.now(), ahead)
    assert (written.journeys, written.changed) == (3, 3)
    assert trends_of(people[0])[OVERALL][1] == "declining"


def test_a_chunk_worked_out_before_an_assessment_changed_is_worked_out_again(world):
    """A worker read the assessments; then one more was completed (and, say, its refresh is
    still queued). The writer must not store the older figure."""
    from pathmark.journeys import services

    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60, refresh=False)
    completed(person, date(2025, 1, 10), 40, refresh=False)
    ahead = _chunk_worked_out([person.pk])
    completed(person, date(2025, 6, 10), 80, refresh=False)
    with system_scope("test"):
        services._refresh_chunk([person.pk], services._Context.now(), ahead)
        stored = JourneyTrend.objects.get(person_id=person.pk)
    assert stored.assessments == 3
    assert trends_of(person)[OVERALL][1] == "improving"


def test_a_chunk_worked_out_before_the_person_changed_is_worked_out_again(world):
    from pathmark.journeys import services

    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60, refresh=False)
    completed(person, date(2025, 1, 10), 40, refresh=False)
    ahead = _chunk_worked_out([person.pk])
    with system_scope("test"):
        Person.objects.filter(pk=person.pk).update(status=Person.Status.ERASED)
        services._refresh_chunk([person.pk], services._Context.now(), ahead)
        assert not JourneyTrend.objects.filter(person_id=person.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_in_several_processes_stores_what_one_process_does(world):
    """On a database other processes can reach (PostgreSQL here; SQLite's test database lives
    in memory, where the rebuild works in its own process), the chunks worked out by a pool of
    processes are the trends one process works out."""
    from django.db import connection

    from pathmark.journeys import services

    people = [PersonFactory(organisation=world.org_a) for _ in range(7)]
    for n, person in enumerate(people):
        completed(person, date(2024, 1, 10), 50 + n, refresh=False)
        completed(person, date(2024, 9, 10), 45 + 2 * n, refresh=False)
        completed(person, date(2025, 5, 10), 40 + 3 * n, refresh=False)
    services.REBUILD_CHUNK, chunk = 3, services.REBUILD_CHUNK
    try:
        processes = services._processes_for(len(people), 2)
        expected = 1 if connection.vendor == "sqlite" else 2
        assert processes == expected
        with system_scope("test"):
            summary = run_refresh(start_rebuild(reason="test").pk, processes=2)
    finally:
        services.REBUILD_CHUNK = chunk
    assert (summary.people, summary.journeys) == (7, 7)
    with system_scope("test"):
        parallel = sorted(JourneyTrend.objects.values_list("person_id", "series", "fell"))
        JourneyTrend.objects.all().delete()
    refresh_trends(person_ids=[person.pk for person in people])
    with system_scope("test"):
        serial = sorted(JourneyTrend.objects.values_list("person_id", "series", "fell"))
    assert parallel == serial


def test_a_refresh_run_in_a_request_thread_never_forks():
    """Tasks run at once in a demo, inside the server's request threads: no fork there."""
    import threading

    from pathmark.journeys import services

    found = []
    thread = threading.Thread(target=lambda: found.append(services._may_fork()))
    thread.start()
    thread.join()
    assert (services._may_fork(), found) == (True, [False])
