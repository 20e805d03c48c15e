"""How fast `pathmark import` brings in people and assessments, beside the physical limit.

Writes a people file and an assessments file (four assessments per person), imports both the
way `pathmark import` does (read, check every row, score, write with consent and audit
entries, one transaction), runs the refresh of journey trends the import queues (as the task
worker would; its time counts in the assessments import), then inserts the very same rows
again into the same tables with a plain `executemany`. The ratio is the importer's overhead
over the bare insert, beside its limit (5x); each import runs in a process of its own, whose
peak resident memory is printed beside its limit (500 MB). On SQLite,
where the database works inside this process, the ratio of CPU time is printed too: on a
machine shared with other work it moves far less than the wall-clock one.

    .venv/bin/python bench/import.py                      # 100,000 people, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import.py

It runs in a throw-away test database (named after the configured one with `test_` in
front, or TEST_DATABASE_NAME), never in the configured database itself, and with DEBUG off
as in production.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathmark.settings")
os.environ.setdefault("DEBUG", "true")
# Tasks queued as in production (the trend refresh an import queues is then run below, as the
# task worker would, and timed).
os.environ.setdefault("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

INSTRUMENT = "integration-journey"
ASSESSMENTS_PER_PERSON = 4
RATIO_LIMIT = 5.0
MEMORY_LIMIT_MB = 500


def write_files(directory: Path, people: int, instrument) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """The two files, written a row at a time (so this process stays small: the imports run
    in processes forked from it, whose memory is measured)."""
    from pathmark.transfer.formats import assessment_columns, people_columns
    from pathmark.transfer.tabular import iter_csv_chunks

    rng = random.Random(2026)
    statuses = ["refugee-status", "asylum-seeker", "humanitarian-protection", ""]

    columns = people_columns()

    def people_rows():  # type: ignore[no-untyped-def]
        for n in range(people):
            born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(16000))
            cells = {
                "external_id": f"EXT-{n:07d}",
                "name": f"Person {n}",
                "date_of_birth": born.isoformat(),
                "gender": rng.choice(["woman", "man", "not_said"]),
                "preferred_language": rng.choice(["ar", "uk", "fa", "ti"]),
                "languages": "ar;en",
                "country_of_origin": rng.choice(["SY", "UA", "AF", "ER"]),
                "date_of_arrival": "2022-09-15",
                "immigration_status": rng.choice(statuses),
                "consent_to_share": "yes",
                "consent_date": "2022-10-01",
            }
            yield [cells.get(column, "") for column in columns]

    people_path = directory / "people.csv"
    with people_path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(iter_csv_chunks(columns, people_rows()))

    values = ["strongly-disagree", "disagree", "neither", "agree", "strongly-agree"]
    items = [item for item in instrument.items]

    def assessment_rows():  # type: ignore[no-untyped-def]
        for n in range(people):
            for visit in range(ASSESSMENTS_PER_PERSON):
                day = dt.date(2023, 1, 2) + dt.timedelta(days=91 * visit)
                answers = [
                    rng.choice(values) if item.option("agree") else item.options[0].value
                    for item in items
                ]
                yield [f"EXT-{n:07d}", day.isoformat(), "caseworker_led", "en", *answers]

    assessments_path = directory / f"assessments-{INSTRUMENT}.csv"
    with assessments_path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(iter_csv_chunks(assessment_columns(instrument), assessment_rows()))
    return people_path, assessments_path


def in_child(work):  # type: ignore[no-untyped-def]
    """Runs `work()` in a process forked from this one and returns what it returned, its
    seconds (wall and CPU) and its peak resident memory in MB: the memory an import needs,
    apart from the parent's (which stays small)."""
    from django.db import connections

    connections.close_all()  # the child opens its own
    receiving, sending = multiprocessing.Pipe(duplex=False)

    def child() -> None:
        try:
            with Stopwatch() as clock:
                value = work()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            sending.send((value, clock.wall, clock.cpu, peak, None))
        except BaseException as error:  # noqa: BLE001 - reported by the parent
            problems = getattr(getattr(error, "result", None), "problems", None)
            listed = [p.format("file") for p in problems.listed[:3]] if problems else []
            sending.send((None, 0.0, 0.0, 0.0, f"{error!r} {listed}"))

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    value, wall, cpu, peak, failure = receiving.recv()
    process.join()
    if failure:
        raise RuntimeError(f"the child process failed: {failure}")
    return value, wall, cpu, peak


class Stopwatch:
    """Wall-clock seconds, the figure a user waits for, and this process's CPU seconds. On
    SQLite the database works inside this process, so on a machine shared with other work
    the CPU seconds still say how much work each side did when the wall clock does not."""

    def __enter__(self) -> Stopwatch:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    @classmethod
    def of(cls, wall: float, cpu: float) -> Stopwatch:
        clock = cls()
        clock.wall, clock.cpu = wall, cpu
        return clock


def plain_executemany(
    table: str, where: str, params: list[object], rename: dict[str, object]
) -> tuple[int, Stopwatch]:
    """Copy rows already in `table` back into it with one executemany: the bare insert cost."""
    with connection.cursor() as cursor:
        columns = [
            column.name
            for column in connection.introspection.get_table_description(cursor, table)
            if column.name != "id"
        ]
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        cursor.execute(f"SELECT {quoted} FROM {table} WHERE {where}", params)  # noqa: S608
        rows = [list(row) for row in cursor.fetchall()]
    for column, value in rename.items():
        index = columns.index(column)
        for row in rows:
            row[index] = value(row[index]) if callable(value) else value
    placeholders = ", ".join(["%s"] * len(columns))
    insert = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
    with Stopwatch() as clock, transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(insert, rows)
    return len(rows), clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--people", type=int, default=100_000, help="people to import (default 100,000)"
    )
    options = parser.parse_args()

    # DEBUG off, as in production: with it on, Django keeps every query's SQL in memory,
    # which costs the importer's thousands of statements far more than the one executemany.
    setup_test_environment(debug=False)
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        # A file, as in production: an in-memory database would flatter both figures.
        test = connection.settings_dict.setdefault("TEST", {})
        test["NAME"] = str(Path(tempfile.gettempdir()) / "pathmark-bench-import.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(options.people)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(people: int) -> None:
    from pathmark.accounts.models import User
    from pathmark.assessments.selectors import instrument_of
    from pathmark.instruments.services import instrument_version_for
    from pathmark.journeys.models import RefreshStatus, TrendRefresh
    from pathmark.journeys.services import run_refresh
    from pathmark.organisations.models import Organisation
    from pathmark.organisations.scoping import organisation_scope, system_scope
    from pathmark.transfer.importing import import_table
    from pathmark.transfer.tabular import read_table

    load_before = os.getloadavg()[0]
    organisation = Organisation.objects.create(
        slug="bench", name="Bench", kind="voluntary_organisation"
    )
    other = Organisation.objects.create(
        slug="bench-copy", name="Copy", kind="voluntary_organisation"
    )
    user = User.objects.create(username="bench")
    version = instrument_version_for(INSTRUMENT)
    instrument = instrument_of(version)
    with tempfile.TemporaryDirectory() as folder:
        people_path, assessments_path = write_files(Path(folder), people, instrument)

        def import_people() -> int:
            with organisation_scope(organisation_id=organisation.pk, user_id=user.pk):
                result = import_table(
                    by=user, organisation=organisation, table=read_table(people_path), kind="people"
                )
            assert result.created == people, result.problems.listed[:3]
            return result.created

        def import_assessments() -> int:
            with organisation_scope(organisation_id=organisation.pk, user_id=user.pk):
                result = import_table(
                    by=user,
                    organisation=organisation,
                    table=read_table(assessments_path),
                    kind="assessments",
                    instrument_version=version,
                )
            assert result.created == people * ASSESSMENTS_PER_PERSON, result.problems.listed[:3]
            return result.created

        def refresh_trends() -> int:
            # What the task worker does next: the refresh the import queued, for everyone.
            with system_scope("benchmark: the queued trend refresh"):
                (job,) = TrendRefresh.objects.filter(status=RefreshStatus.QUEUED)
                return run_refresh(job.pk).journeys

        _count, people_wall, people_cpu, people_peak = in_child(import_people)
        _count, assessments_wall, assessments_cpu, assessments_peak = in_child(import_assessments)
        journeys, refresh_wall, refresh_cpu, refresh_peak = in_child(refresh_trends)
    assert journeys == people, journeys
    people_import = Stopwatch.of(people_wall, people_cpu)
    assessment_import = Stopwatch.of(assessments_wall + refresh_wall, assessments_cpu + refresh_cpu)

    people_rows, people_plain = plain_executemany(
        "people_person", "organisation_id = %s", [organisation.pk], {"organisation_id": other.pk}
    )
    assessment_rows, assessment_plain = plain_executemany(
        "assessments_assessment", "organisation_id = %s", [organisation.pk], {}
    )
    database = connection.vendor
    in_process = database == "sqlite"
    print(
        f"trend refresh the import queued: {refresh_wall:.1f} s for {journeys:,} journeys "
        f"(counted in the assessments import below), peak {refresh_peak:,.0f} MB",
        flush=True,
    )
    for label, rows, ours, plain, peak in (
        ("people", people_rows, people_import, people_plain, people_peak),
        (
            "assessments",
            assessment_rows,
            assessment_import,
            assessment_plain,
            max(assessments_peak, refresh_peak),
        ),
    ):
        cpu = f"   CPU-time ratio {ours.cpu / plain.cpu:4.1f}x" if in_process else ""
        print(
            f"{label:<12} import {rows / ours.wall:>9,.0f} rows/s ({ours.wall:6.1f} s)   "
            f"plain executemany {rows / plain.wall:>9,.0f} rows/s ({plain.wall:6.1f} s)   "
            f"ratio {ours.wall / plain.wall:4.1f}x (limit {RATIO_LIMIT:.0f}x)   "
            f"peak memory {peak:,.0f} MB (limit {MEMORY_LIMIT_MB:,} MB){cpu}"
        )
    # The machine may be shared: the load beside the figure says whether to trust it.
    load_after = os.getloadavg()[0]
    total = people_import.wall + assessment_import.wall
    plain_total = people_plain.wall + assessment_plain.wall
    if in_process:
        cpu_total = people_import.cpu + assessment_import.cpu
        overall_cpu = f" (CPU time {cpu_total / (people_plain.cpu + assessment_plain.cpu):.1f}x)"
    else:
        overall_cpu = ""
    print(
        f"conditions: {people:,} people + {people * ASSESSMENTS_PER_PERSON:,} assessments "
        f"({INSTRUMENT}, {len(instrument.items)} items) on {database} "
        f"{connection.Database.sqlite_version if database == 'sqlite' else connection.pg_version}; "
        f"import includes reading, checking, scoring, consents, per-record audit entries and "
        f"the trend refresh it queues (worked out in {settings.PATHMARK_REFRESH_PROCESSES} "
        f"processes); overall ratio {total / plain_total:.1f}x{overall_cpu}; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPU, {platform.machine()} "
        f"{platform.system()}, load average {load_before:.1f} before and {load_after:.1f} after"
    )


if __name__ == "__main__":
    main()
