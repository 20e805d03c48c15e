"""A large assessments file is read and written a batch at a time in one transaction: nothing
of a refused file is left, good rows are kept with skip_invalid, problems across batches are
found with the right rows, and memory does not grow with the file."""

from __future__ import annotations

import tracemalloc
from datetime import date, timedelta

import pytest

from pathmark.assessments.models import Assessment
from pathmark.assessments.selectors import instrument_of
from pathmark.audit.models import AuditEvent
from pathmark.instruments.services import instrument_version_for
from pathmark.journeys.models import TrendRefresh
from pathmark.organisations.scoping import system_scope
from pathmark.transfer import importing
from pathmark.transfer.importing import ImportRefused

from .conftest import JOURNEY, count, people_csv, person_row, run, write
from .test_import_assessments import assessments_csv, row_for


@pytest.fixture
def version(db):  # type: ignore[no-untyped-def]
    return instrument_version_for(JOURNEY)


@pytest.fixture
def instrument(version):  # type: ignore[no-untyped-def]
    return instrument_of(version)


@pytest.fixture
def small_batches(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(importing, "WRITE_BATCH", 4)


@pytest.fixture
def five_people(world, tmp_path):  # type: ignore[no-untyped-def]
    rows = [person_row(f"X{n}") for n in range(5)]
    run(world.a_manager, world.org_a, write(tmp_path, "people.csv", people_csv(*rows)))


def visits(instrument, people: int, per_person: int, **cells):  # type: ignore[no-untyped-def]
    start = date(2023, 1, 2)
    return [
        row_for(
            instrument,
            f"X{n}",
            (start + timedelta(days=30 * visit)).isoformat(),
            **cells,
        )
        for n in range(people)
        for visit in range(per_person)
    ]


def test_a_problem_on_the_last_row_leaves_nothing_written(
    world, tmp_path, five_people, version, instrument, small_batches
):
    rows = visits(instrument, 5, 3)  # 15 rows: three batches written before the last row
    rows.append(row_for(instrument, "NOBODY"))
    path = write(tmp_path, "a.csv", assessments_csv(instrument, *rows))
    with pytest.raises(ImportRefused) as refused:
        run(world.a_manager, world.org_a, path, "assessments", version)
    assert [problem.row for problem in refused.value.result.problems.listed] == [17]
    assert count(Assessment) == 0
    assert not AuditEvent.objects.filter(action="assessment.imported").exists()
    with system_scope("test"):
        assert not TrendRefresh.objects.exists()


def test_skip_invalid_keeps_the_good_rows_of_every_batch(
    world, tmp_path, five_people, version, instrument, small_batches
):
    rows = visits(instrument, 5, 3)
    rows.insert(2, row_for(instrument, "NOBODY"))
    rows.append(row_for(instrument, "X1", "2023-01-02"))  # the same as row 2
    path = write(tmp_path, "a.csv", assessments_csv(instrument, *rows))
    result = run(world.a_manager, world.org_a, path, "assessments", version, skip_invalid=True)
    assert (result.created, result.rejected) == (15, 2)
    assert count(Assessment) == 15
    assert AuditEvent.objects.filter(action="assessment.imported").count() == 15
    with system_scope("test"):
        # One refresh of the trends for the whole file, not one a batch.
        (refresh,) = TrendRefresh.objects.all()
        assert len(refresh.person_ids) == 5


def test_a_duplicate_far_from_its_first_row_names_that_row(
    world, tmp_path, five_people, version, instrument, small_batches
):
    rows = visits(instrument, 5, 3)
    rows.append(row_for(instrument, "X0", "2023-02-01"))  # X0's second visit, on row 3
    problems = []
    with pytest.raises(ImportRefused) as refused:
        run(
            world.a_manager,
            world.org_a,
            write(tmp_path, "a.csv", assessments_csv(instrument, *rows)),
            "assessments",
            version,
        )
    for problem in refused.value.result.problems.listed:
        problems.append(problem.format("a.csv"))
    assert problems == [
        "a.csv, row 17, column assessed_on: the same person and date are already on row 3; "
        "give each assessment one row."
    ]
    assert count(Assessment) == 0


def test_a_dry_run_of_a_large_file_counts_without_writing(
    world, tmp_path, five_people, version, instrument, small_batches
):
    path = write(tmp_path, "a.csv", assessments_csv(instrument, *visits(instrument, 5, 3)))
    result = run(world.a_manager, world.org_a, path, "assessments", version, dry_run=True)
    assert (result.created, result.dry_run) == (15, True)
    assert count(Assessment) == 0


def _peak_importing(world, tmp_path, instrument, version, people: int) -> int:  # type: ignore[no-untyped-def]
    rows = [person_row(f"X{n}") for n in range(people)]
    run(world.a_manager, world.org_a, write(tmp_path, f"p{people}.csv", people_csv(*rows)))
    path = write(
        tmp_path, f"a{people}.csv", assessments_csv(instrument, *visits(instrument, people, 4))
    )
    tracemalloc.start()
    try:
        result = run(world.a_manager, world.org_a, path, "assessments", version)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.created == people * 4
    return peak


def test_memory_does_not_grow_with_the_file(world, tmp_path, version, instrument, monkeypatch):
    """With the rows held whole (as before), four times the rows took about four times the
    memory; streamed, the peak is a batch's rows plus a few bytes a row."""
    monkeypatch.setattr(importing, "WRITE_BATCH", 200)
    small = _peak_importing(world, tmp_path, instrument, version, 150)  # 600 rows
    with system_scope("test"):
        Assessment.objects.all().delete()
    large = _peak_importing(world, tmp_path, instrument, version, 600)  # 2,400 rows
    assert large < 1.6 * small, (small, large)
