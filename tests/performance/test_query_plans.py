"""Query plans at any caseload size: the record pages, the lists and the caseload read
personal data through indexes, never a full scan of a personal-data table.

Every query a page sends is explained (SQLite `EXPLAIN QUERY PLAN`; PostgreSQL `EXPLAIN` with
sequential scans priced out, so a scan shows only where no index can answer): a full scan of a
table that holds personal data means the page's cost grows with the caseload. The test world
is small, so this checks the shape of the SQL, not its speed; bench/load.py measures that.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pathmark.assessments.models import Assessment, AssessmentMode
from pathmark.instruments.services import instrument_version_for
from pathmark.journeys.tests.conftest import completed
from pathmark.organisations.scoping import ScopedManager, system_scope
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person
from pathmark.testing import PersonFactory, client_for


def personal_tables() -> set[str]:
    """The tables of every model whose default manager is scoped: the personal data."""
    return {
        model._meta.db_table
        for model in apps.get_models()
        if isinstance(model._default_manager, ScopedManager)
    }


TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?(?:\s+(?:AS\s+)?"?(U\d+|T\d+|V\d+)"?)?', re.I)


def full_scans(sql: str, params: tuple[object, ...] | list[object]) -> list[str]:
    """The personal-data tables the database would read whole to answer `sql`."""
    personal = personal_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            names = {}
            for table, alias in TABLE.findall(sql):
                names[table] = table
                if alias:
                    names[alias] = table
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            found = []
            for *_ids, detail in cursor.fetchall():
                match = re.match(r"SCAN (\w+)", detail)
                if match and names.get(match.group(1), match.group(1)) in personal:
                    found.append(detail)
            return found
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        found = []

        def walk(node: dict[str, object]) -> None:
            if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in personal:
                found.append(f"Seq Scan on {node['Relation Name']} ({node.get('Filter', '')})")
            for child in node.get("Plans", []):  # type: ignore[attr-defined]
                walk(child)

        walk(plan[0]["Plan"])
        return found


def scans_of_page(client, url: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Every full scan of personal data among the queries a page sends, by query."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return scans_of(queries.captured_queries)


def scans_of(captured: list[dict[str, str]]) -> dict[str, list[str]]:
    # The captured SQL has its parameters filled in: it is explained as it stands.
    found = {}
    for query in captured:
        sql = query["sql"]
        if sql.lstrip().upper().startswith("SELECT"):
            scans = full_scans(sql, ())
            if scans:
                found[sql[:400]] = scans
    return found


@pytest.fixture
def caseload(world):  # type: ignore[no-untyped-def]
    """People of organisation A with assessments, trends and a draft; one of B's shared with A."""
    with system_scope("test: a small caseload"):
        people = [PersonFactory(organisation=world.org_a) for _ in range(PEOPLE)]
        shared = PersonFactory(organisation=world.org_b)
        Consent.objects.create(
            person=shared,
            kind=ConsentKind.SHARE,
            shared_with=world.org_a,
            purpose="Share",
            method=ConsentMethod.IN_PERSON,
            given_on=date(2024, 1, 1),
        )
    for person in [people[0], people[1], shared]:
        completed(person, date(2024, 1, 10), 50)
        completed(person, date(2025, 1, 10), 35)
    with system_scope("test: a draft"):
        Assessment.objects.create(
            person=people[2],
            organisation=world.org_a,
            instrument_version=instrument_version_for("integration-journey"),
            mode=AssessmentMode.CASEWORKER_LED,
            language="en",
            assessed_on=date(2025, 2, 1),
        )
    return people, shared


# More than a page of the people list (25), so that the second page exists.
PEOPLE = 30


def test_the_person_page_reads_by_index(world, caseload):
    people, _ = caseload
    client = client_for(world.a_caseworker)
    assert scans_of_page(client, f"/people/{people[0].pk}/") == {}


def test_a_shared_person_page_reads_by_index(world, caseload):
    _, shared = caseload
    client = client_for(world.a_caseworker)
    assert scans_of_page(client, f"/people/{shared.pk}/") == {}


def test_the_journey_page_reads_by_index(world, caseload):
    people, _ = caseload
    client = client_for(world.a_caseworker)
    assert scans_of_page(client, f"/journeys/person/{people[0].pk}/") == {}


def test_the_start_page_reads_recent_people_and_drafts_by_index(world, caseload):
    client = client_for(world.a_caseworker)
    assert scans_of_page(client, "/") == {}


def test_the_people_list_and_its_count_read_by_index(world, caseload):
    client = client_for(world.a_caseworker)
    assert scans_of_page(client, "/people/") == {}


def test_the_second_page_of_the_people_list_reads_by_index(world, caseload):
    client = client_for(world.a_caseworker)
    assert scans_of_page(client, "/people/?page=2") == {}


def test_searching_by_reference_reads_by_index(world, caseload):
    people, _ = caseload
    client = client_for(world.a_caseworker)
    assert scans_of_page(client, f"/people/?q={people[3].reference}") == {}


def test_the_caseload_page_reads_by_index(world, caseload):
    client = client_for(world.a_caseworker)
    client.get("/journeys/cohort/")  # works out the figures once
    assert scans_of_page(client, "/journeys/cohort/") == {}


def test_the_check_finds_a_full_scan(world, caseload):
    """The check itself: a query no index can answer is reported."""
    with system_scope("test: every person"), CaptureQueriesContext(connection) as queries:
        list(Person.objects.filter(household_role="Parent").values_list("pk", flat=True))
    assert scans_of(queries.captured_queries)


def writes_of_page(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [
        query["sql"].split("(", 1)[0].strip()
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_reading_a_record_writes_only_its_audit_entry(world, caseload):
    """A read costs one insert, the audit entry: the session is not saved again (its idle
    clock moves at most once a minute) and nothing else is written."""
    people, _ = caseload
    client = client_for(world.a_caseworker)
    client.get("/")  # the session's first request starts its idle clock
    for url in (f"/people/{people[0].pk}/", f"/journeys/person/{people[0].pk}/"):
        assert writes_of_page(client, url) == ['INSERT INTO "audit_auditevent"']


def test_the_plan_page_and_its_history_read_by_index(world, caseload):
    from pathmark.organisations.scoping import organisation_scope
    from pathmark.plans import services as plan_services
    from pathmark.plans.models import Plan

    people, _ = caseload
    with system_scope("test: the latest assessment"):
        assessment = Assessment.objects.filter(person=people[0]).order_by("-assessed_on").first()
    with organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_caseworker.pk):
        plan = plan_services.draft_plan(
            by=world.a_caseworker, organisation=world.org_a, assessment=assessment
        )
    assert isinstance(plan, Plan)
    client = client_for(world.a_caseworker)
    for url in (f"/plans/{plan.pk}/", f"/plans/{plan.pk}/history/", f"/plans/{plan.pk}/print/"):
        assert scans_of_page(client, url) == {}, url
