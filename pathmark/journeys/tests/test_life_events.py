"""Life events on the journey: recorded by a caseworker, drawn on every chart, listed beside
the readings they may explain, scoped and erased like the rest of the journey."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from pathmark.audit.models import AuditEvent
from pathmark.journeys.charts import line_chart
from pathmark.journeys.models import LifeEvent
from pathmark.journeys.services import erase_life_events
from pathmark.journeys.trajectory import Point
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Consent, ConsentKind, ConsentMethod
from pathmark.testing import PersonFactory, client_for

from .conftest import completed


def a_journey(world, name="Event Person"):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a, name=name, date_of_birth=date(1990, 1, 1))
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2024, 7, 10), 45)
    completed(person, date(2025, 1, 10), 50)
    return person


def events(person):  # type: ignore[no-untyped-def]
    with system_scope("test"):
        return list(LifeEvent.objects.filter(person=person))


def test_a_caseworker_records_an_event_and_every_chart_draws_it(world):
    person = a_journey(world)
    client = client_for(world.a_caseworker)
    response = client.post(
        f"/journeys/person/{person.pk}/events/",
        {"occurred_on": "2024-05-02", "kind": "lost_job", "note": "Factory closed"},
    )
    assert response.status_code == 302
    [event] = events(person)
    assert event.organisation == world.org_a and event.recorded_by == world.a_caseworker
    page = client.get(f"/journeys/person/{person.pk}/").content.decode()
    assert "Lost a job" in page and "Factory closed" in page
    charts = page.count('class="journey-chart"')
    assert charts > 1 and page.count('class="life-event-marker"') == charts
    # Beside the reading it may explain: the fall of July 2024, not the readings around it.
    assert "Life events since the previous assessment" in page
    assert AuditEvent.objects.filter(action="journey.event_recorded", person_id=person.pk).exists()


def test_a_chart_marks_the_events_in_its_time_range_numbered_as_listed():
    chart = line_chart(
        [Point(date(2024, 1, 1), 50.0, None, None), Point(date(2025, 1, 1), 40.0, None, None)],
        events=[(date(2024, 6, 1), "Lost a job"), (date(2010, 1, 1), "Long before")],
    )
    assert [(mark.number, mark.label) for mark in chart.events] == [(2, "Lost a job")]
    assert chart.plot_left < chart.events[0].x < chart.plot_right


def test_dates_in_the_future_or_before_birth_are_refused(world):
    person = a_journey(world)
    client = client_for(world.a_caseworker)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for day in (tomorrow, "1980-01-01"):
        client.post(f"/journeys/person/{person.pk}/events/", {"occurred_on": day, "kind": "other"})
    client.post(
        f"/journeys/person/{person.pk}/events/", {"occurred_on": "2024-01-01", "kind": "nonsense"}
    )
    assert events(person) == []


def test_only_the_recording_organisation_removes_an_event(world):
    person = a_journey(world)
    with system_scope("test: consent to share"):
        Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=world.org_b,
            purpose="Share",
            method=ConsentMethod.IN_PERSON,
            given_on=date(2024, 1, 1),
        )
    client_for(world.b_caseworker).post(
        f"/journeys/person/{person.pk}/events/", {"occurred_on": "2024-03-01", "kind": "moved_home"}
    )
    [event] = events(person)
    assert event.organisation == world.org_b
    owner = client_for(world.a_caseworker)
    assert "Moved home" in owner.get(f"/journeys/person/{person.pk}/").content.decode()
    url = f"/journeys/person/{person.pk}/events/{event.pk}/remove/"
    assert owner.post(url).status_code == 404
    assert client_for(world.b_caseworker).post(url).status_code == 302
    assert events(person) == []


def test_strangers_and_other_roles_may_not_record_or_see_events(world):
    person = a_journey(world)
    client_for(world.a_caseworker).post(
        f"/journeys/person/{person.pk}/events/", {"occurred_on": "2024-03-01", "kind": "moved_home"}
    )
    [event] = events(person)
    for user in (world.b_caseworker, world.member(world.org_a, Role.ANALYST)):
        client = client_for(user)
        assert (
            client.post(
                f"/journeys/person/{person.pk}/events/",
                {"occurred_on": "2024-03-01", "kind": "other"},
            ).status_code
            == 404
        )
        assert (
            client.post(f"/journeys/person/{person.pk}/events/{event.pk}/remove/").status_code
            == 404
        )
    assert len(events(person)) == 1


def test_erasure_removes_the_events(world):
    person = a_journey(world)
    client_for(world.a_caseworker).post(
        f"/journeys/person/{person.pk}/events/",
        {"occurred_on": "2024-03-01", "kind": "health_crisis", "note": "private"},
    )
    with system_scope("test"):
        assert erase_life_events(person, by=None) == 1
    assert events(person) == []
