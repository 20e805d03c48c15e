"""One way in for every fact: a person, their consent and their completed assessments arrive
through the form's services, an import, the demo or a rescoring, and every path leaves the same
stored journey trends and the same kinds of audit rows, because every path goes through the
owning app's services (people, assessments) and their hooks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pathmark.assessments import services as assessment_services
from pathmark.assessments.models import Assessment
from pathmark.assessments.selectors import instrument_of
from pathmark.audit.models import AuditEvent
from pathmark.demo.services import load_demo_partnership
from pathmark.instruments.services import instrument_version_for
from pathmark.journeys.models import JourneyTrend
from pathmark.journeys.services import refresh_trends
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people import services as people_services
from pathmark.people.models import Consent, ConsentKind, Person
from pathmark.testing import run_assessment
from pathmark.transfer.formats import assessment_columns
from pathmark.transfer.importing import import_table
from pathmark.transfer.tabular import read_table

JOURNEY = "integration-journey"
# The same person answering the same way on the same dates, whichever path brings them in.
VISITS = [(date(2025, 1, 10), "disagree"), (date(2025, 7, 10), "agree")]


def trends_of(person_id: int) -> list[tuple]:
    """Everything a stored trend says, without ids and times of computation."""
    with system_scope("test: read trends"):
        return list(
            JourneyTrend.objects.filter(person_id=person_id).values_list(
                "instrument", "assessments", "turned_down", "series"
            )
        )


def actions_about(person_id: int) -> list[str]:
    with system_scope("test: read audit"):
        return sorted(
            AuditEvent.objects.filter(person_id=person_id).values_list("action", flat=True)
        )


def through_the_forms(world) -> int:  # type: ignore[no-untyped-def]
    user, organisation = world.a_caseworker, world.org_a
    with organisation_scope(organisation_id=organisation.pk, user_id=user.pk, role="caseworker"):
        person = people_services.register_person(
            by=user,
            organisation=organisation,
            values={"name": "Amal Example", "date_of_birth": date(1990, 4, 3), "gender": "woman"},
            consent=people_services.ConsentGiven(
                purpose="Support", method="written", given_on=date(2024, 12, 1)
            ),
        ).person
    for assessed_on, answer in VISITS:
        run_assessment(user, organisation, person, answer=answer, assessed_on=assessed_on)
    return person.pk


def through_an_import(world, tmp_path: Path) -> int:  # type: ignore[no-untyped-def]
    user, organisation = world.a_manager, world.org_a
    version = instrument_version_for(JOURNEY)
    instrument = instrument_of(version)
    people = tmp_path / "people.csv"
    people.write_text(
        "external_id,name,date_of_birth,gender,consent_to_share,consent_date\n"
        "X1,Amal Example,1990-04-03,woman,yes,2024-12-01\n",
        encoding="utf-8",
    )
    columns = assessment_columns(instrument)
    lines = [",".join(columns)]
    for assessed_on, answer in VISITS:
        cells = {"person_external_id": "X1", "assessed_on": assessed_on.isoformat()}
        cells.update({item.id: answer for item in instrument.items if item.option(answer)})
        lines.append(",".join(cells.get(column, "") for column in columns))
    assessments = tmp_path / "assessments.csv"
    assessments.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with organisation_scope(organisation_id=organisation.pk, user_id=user.pk, role="manager"):
        import_table(by=user, organisation=organisation, table=read_table(people), kind="people")
        import_table(
            by=user,
            organisation=organisation,
            table=read_table(assessments),
            kind="assessments",
            instrument_version=version,
        )
        return Person.objects.get(external_id="X1").pk


def test_forms_and_import_leave_the_same_trends_and_the_same_kinds_of_audit(
    world, tmp_path, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    by_form = through_the_forms(world)
    # An import refreshes the trends once it has committed (a background task).
    with django_capture_on_commit_callbacks(execute=True):
        by_import = through_an_import(world, tmp_path)
    assert trends_of(by_form), "completing assessments stores the journey trend"
    assert trends_of(by_form) == trends_of(by_import)
    # Each path audits the person's arrival and each assessment, in its own words.
    assert actions_about(by_form).count("assessment.completed") == len(VISITS)
    assert actions_about(by_import).count("assessment.imported") == len(VISITS)
    assert "person.registered" in actions_about(by_form)
    assert "person.imported" in actions_about(by_import)
    with system_scope("test"):
        for person_id in (by_form, by_import):
            assert Consent.objects.filter(
                person_id=person_id, kind=ConsentKind.PROCESSING, withdrawn_at__isnull=True
            ).exists()


def test_rescoring_goes_through_the_same_hook_and_restores_the_trends(world, tmp_path):  # type: ignore[no-untyped-def]
    person_id = through_the_forms(world)
    before = trends_of(person_id)
    with system_scope("test: a scoring bug stored wrong scores"):
        Assessment.objects.filter(person_id=person_id).update(overall_score=1.0, domain_scores={})
        refresh_trends(person_ids=[person_id])
    assert trends_of(person_id) != before
    summary = assessment_services.rescore_completed()
    assert summary.changed == len(VISITS)
    assert trends_of(person_id) == before
    assert actions_about(person_id).count("assessment.rescored") == len(VISITS)


@pytest.mark.django_db
def test_the_demo_registers_and_assesses_through_the_services(world):  # type: ignore[no-untyped-def]
    summary = load_demo_partnership(people=12, seed=7, today=date(2026, 6, 1))
    assert summary.people_created == 12
    with system_scope("test"):
        demo_people = list(
            Person.objects.filter(external_id__startswith="demo-").values_list("pk", flat=True)
        )
        assert len(demo_people) == 12
        for person_id in demo_people:
            assert Consent.objects.filter(person_id=person_id, kind=ConsentKind.PROCESSING).exists()
            stored = trends_of(person_id)
            assessed = Assessment.objects.filter(person_id=person_id).count()
            actions = actions_about(person_id)
            assert "person.registered" in actions
            assert actions.count("assessment.imported") == assessed
            # The trend the demo left is the one a fresh computation gives.
            refresh_trends(person_ids=[person_id])
            assert stored and trends_of(person_id) == stored
