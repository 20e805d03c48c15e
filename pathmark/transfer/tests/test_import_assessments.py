"""Importing assessments: answers checked against the instrument, people looked up in the
importing organisation only, scores computed by the scoring module."""

from __future__ import annotations

from datetime import date

import pytest

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.assessments.selectors import instrument_of
from pathmark.audit.models import AuditEvent
from pathmark.instruments.scoring import score_responses
from pathmark.instruments.services import instrument_version_for
from pathmark.organisations.scoping import system_scope
from pathmark.transfer.formats import assessment_columns
from pathmark.transfer.importing import ImportRefused

from .conftest import JOURNEY, count, people_csv, person_row, run, write


@pytest.fixture
def version(db):  # type: ignore[no-untyped-def]
    return instrument_version_for(JOURNEY)


@pytest.fixture
def instrument(version):  # type: ignore[no-untyped-def]
    return instrument_of(version)


@pytest.fixture
def people(world, tmp_path):  # type: ignore[no-untyped-def]
    path = write(tmp_path, "people.csv", people_csv(person_row("X1"), person_row("X2")))
    run(world.a_manager, world.org_a, path)


def assessments_csv(instrument, *rows: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    columns = assessment_columns(instrument)
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(row.get(column, "") for column in columns))
    return "\n".join(lines) + "\n"


def row_for(instrument, external_id="X1", assessed_on="2023-01-20", value="agree", **cells):  # type: ignore[no-untyped-def]
    row = {"person_external_id": external_id, "assessed_on": assessed_on}
    row.update({item.id: value for item in instrument.items})
    row.update(cells)
    return row


def refused(world, path, version) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused) as caught:
        run(world.a_manager, world.org_a, path, kind="assessments", version=version)
    result = caught.value.result
    return [problem.format(result.source) for problem in result.problems.listed]


def test_assessments_are_stored_completed_with_scores_from_the_scoring_module(
    world, tmp_path, people, version, instrument
):
    text = assessments_csv(
        instrument, row_for(instrument), row_for(instrument, "X2", value="disagree")
    )
    result = run(
        world.a_manager, world.org_a, write(tmp_path, "a.csv", text), "assessments", version
    )
    assert result.created == 2
    with system_scope("test"):
        stored = Assessment.objects.get(person__external_id="X1")
    expected = score_responses(instrument, {item.id: "agree" for item in instrument.items})
    assert stored.status == AssessmentStatus.COMPLETED
    assert stored.instrument_version == version
    assert stored.assessed_on == date(2023, 1, 20)
    assert (stored.mode, stored.language) == ("caseworker_led", "en")
    assert stored.overall_score == expected.overall
    assert stored.domain_scores == expected.domains
    assert stored.stage == expected.stage
    assert AuditEvent.objects.filter(
        action="assessment.imported", person_id=stored.person_id
    ).exists()


def test_a_file_cannot_supply_scores(world, tmp_path, people, version, instrument):
    text = assessments_csv(instrument, row_for(instrument)).replace(
        "person_external_id", "overall_score,person_external_id", 1
    )
    problems = refused(world, write(tmp_path, "a.csv", text), version)
    assert problems[0].startswith("a.csv, row 1, column overall_score: this is not a column")


def test_running_the_same_assessments_again_changes_nothing(
    world, tmp_path, people, version, instrument
):
    path = write(tmp_path, "a.csv", assessments_csv(instrument, row_for(instrument)))
    run(world.a_manager, world.org_a, path, "assessments", version)
    again = run(world.a_manager, world.org_a, path, "assessments", version)
    assert (again.created, again.unchanged) == (0, 1)
    assert count(Assessment) == 1


def test_different_answers_on_the_same_date_are_refused(
    world, tmp_path, people, version, instrument
):
    run(
        world.a_manager,
        world.org_a,
        write(tmp_path, "a.csv", assessments_csv(instrument, row_for(instrument))),
        "assessments",
        version,
    )
    changed = write(
        tmp_path, "b.csv", assessments_csv(instrument, row_for(instrument, value="disagree"))
    )
    assert refused(world, changed, version) == [
        "b.csv, row 2, column assessed_on: this person already has a completed "
        "integration-journey assessment on this date with different answers, and an import "
        "does not change completed assessments; correct the date or remove the row."
    ]


def test_unknown_option_value_is_refused(world, tmp_path, people, version, instrument):
    first = instrument.items[0]
    path = write(
        tmp_path, "a.csv", assessments_csv(instrument, row_for(instrument, **{first.id: "agre"}))
    )
    assert refused(world, path, version) == [
        f"a.csv, row 2, column {first.id}: not one of the options of {first.id}; write one of "
        "strongly-disagree, disagree, neither, agree, strongly-agree, prefer-not-to-say."
    ]
    assert count(Assessment) == 0


def test_option_values_match_whatever_their_case(world, tmp_path, people, version, instrument):
    path = write(
        tmp_path, "a.csv", assessments_csv(instrument, row_for(instrument, value=" Agree "))
    )
    run(world.a_manager, world.org_a, path, "assessments", version)
    with system_scope("test"):
        assert set(Assessment.objects.get().answers.values()) == {"agree"}


def test_an_assessment_for_an_unknown_person_is_refused(
    world, tmp_path, people, version, instrument
):
    path = write(tmp_path, "a.csv", assessments_csv(instrument, row_for(instrument, "NOBODY")))
    assert refused(world, path, version) == [
        "a.csv, row 2, column person_external_id: no person with this external_id in your "
        "organisation; import them first."
    ]
    assert count(Assessment) == 0


def test_another_organisations_person_is_unknown_here(world, tmp_path, people, version, instrument):
    run(world.b_manager, world.org_b, write(tmp_path, "p.csv", people_csv(person_row("B1"))))
    path = write(tmp_path, "a.csv", assessments_csv(instrument, row_for(instrument, "B1")))
    (problem,) = refused(world, path, version)
    assert "no person with this external_id in your organisation" in problem


def test_future_assessment_date_is_refused(world, tmp_path, people, version, instrument):
    path = write(
        tmp_path,
        "a.csv",
        assessments_csv(instrument, row_for(instrument, assessed_on="2999-01-01")),
    )
    assert refused(world, path, version) == [
        "a.csv, row 2, column assessed_on: in the future; check the date."
    ]


def test_too_few_answers_to_score_are_refused(world, tmp_path, people, version, instrument):
    path = write(
        tmp_path,
        "a.csv",
        assessments_csv(instrument, {"person_external_id": "X1", "assessed_on": "2023-01-20"}),
    )
    (problem,) = refused(world, path, version)
    assert problem.startswith("a.csv, row 2: too few answers to give a score")


def test_the_same_person_and_date_twice_is_refused(world, tmp_path, people, version, instrument):
    path = write(
        tmp_path, "a.csv", assessments_csv(instrument, row_for(instrument), row_for(instrument))
    )
    assert refused(world, path, version) == [
        "a.csv, row 3, column assessed_on: the same person and date are already on row 2; "
        "give each assessment one row."
    ]
