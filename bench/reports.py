"""Benchmark: the outcomes report over a city's assessments, beside the raw SQL aggregate of the
same figures (the limit).

Builds (once, with bench/journeys.py's synthetic caseload) people with 4 completed assessments
each, about 55 % of them on the integration journey, then times `outcomes_report` (the
selector the page, its exports and `pathmark reports outcomes --json` call) for the whole
partnership, against one SQL statement that works out the same change per domain between each
person's first and latest assessment, its mean, spread and count, and the progress a year. The
report also works out integratedness against the dated host norms, which the SQL leaves out.

    .venv/bin/python bench/reports.py                           # 100,000 assessments, SQLite
    .venv/bin/python bench/reports.py --assessments 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TEST_DATABASE_NAME=test_bench_r \\
        .venv/bin/python bench/reports.py

The last line gives the figures and their conditions (rows, database, machine, load).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.journeys import build, database_version, machine, setup_django  # noqa: E402

PER_PERSON = 4
INSTRUMENT = "integration-journey"


def raw_sql(domains: list[str]) -> tuple[str, list[object]]:
    """One statement: first and latest assessment of each person, their change per domain,
    and per domain the count, mean, mean square (for the interval) and mean progress a year."""
    from django.db import connection

    def score(column: str, domain: str) -> str:
        if connection.vendor == "sqlite":
            return f"json_extract({column}, '$.\"{domain}\"')"
        return f"(({column} ->> '{domain}')::float)"

    if connection.vendor == "sqlite":
        years = "((julianday(last_on) - julianday(assessed_on)) / 365.25)"
    else:
        years = "((last_on - assessed_on) / 365.25)"
    columns = []
    for domain in ["overall", *domains]:
        after = "last_overall" if domain == "overall" else score("last_scores", domain)
        before = "overall_score" if domain == "overall" else score("domain_scores", domain)
        change = f"({after} - {before})"
        columns += [
            f"COUNT({change})",
            f"AVG({change})",
            f"AVG({change} * {change})",
            f"AVG({change} / {years})",
        ]
    # One pass in person and date order: each person's first row, carrying the latest
    # row's scores (LAST_VALUE over the whole partition). The columns are built from the
    # instrument's own domain ids (slugs), never from input.
    sql = f"""
        WITH ordered AS (
            SELECT a.assessed_on, a.domain_scores, a.overall_score,
                   ROW_NUMBER() OVER by_date AS from_first,
                   LAST_VALUE(a.domain_scores) OVER whole AS last_scores,
                   LAST_VALUE(a.overall_score) OVER whole AS last_overall,
                   LAST_VALUE(a.assessed_on) OVER whole AS last_on
            FROM assessments_assessment a
            JOIN instruments_instrumentversion v ON v.id = a.instrument_version_id
            JOIN people_person p ON p.id = a.person_id
            WHERE a.status = %s AND v.slug = %s AND p.status <> %s
            WINDOW by_date AS (PARTITION BY a.person_id ORDER BY a.assessed_on, a.id),
                   whole AS (PARTITION BY a.person_id ORDER BY a.assessed_on, a.id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        )
        SELECT {", ".join(columns)}
        FROM ordered
        WHERE from_first = 1 AND last_on > assessed_on
    """  # noqa: S608
    return sql, ["completed", INSTRUMENT, "restricted"]


def time_raw(domains: list[str], repeats: int) -> tuple[list[float], list[object]]:
    from django.db import connection

    sql, parameters = raw_sql(domains)
    times, row = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            row = list(cursor.fetchone())
        times.append(time.perf_counter() - started)
    return times, row


def time_report(repeats: int) -> tuple[list[float], object]:
    from pathmark.reports.selectors import Filters, Viewer, outcomes_report

    times, report = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        report = outcomes_report(viewer=Viewer(None, None), filters=Filters(), audit=False)
        times.append(time.perf_counter() - started)
    return times, report


def check_same(report: object, row: list[object], domains: list[str]) -> None:
    """The report's change per domain equals the SQL's (to rounding)."""
    rows = {
        r.domain: r  # type: ignore[attr-defined]
        for r in report.rows  # type: ignore[attr-defined]
        if r.measure == "change"
    }
    for index, domain in enumerate(["overall", *domains]):
        count, mean = row[index * 4], row[index * 4 + 1]
        mine = rows[domain]
        assert mine.count == count, (domain, mine.count, count)
        assert abs(mine.estimate - float(mean)) < 1e-6, (domain, mine.estimate, mean)  # type: ignore[arg-type]


def run(options: argparse.Namespace, where: str) -> None:
    from django.db import connection

    from pathmark.assessments.models import Assessment
    from pathmark.instruments.registry import get_instrument
    from pathmark.organisations.scoping import system_scope

    people = options.assessments // PER_PERSON
    build(people, PER_PERSON, options.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with system_scope("benchmark: counting"):
        total = Assessment.objects.count()
        on_instrument = Assessment.objects.filter(instrument_version__slug=INSTRUMENT).count()
    domains = [d.id for d in get_instrument(INSTRUMENT).domains]
    load_before = os.getloadavg()[0]
    raw_times, row = time_raw(domains, options.repeats)
    report_times, report = time_report(options.repeats)
    check_same(report, row, domains)
    load_after = os.getloadavg()[0]
    raw, mine = statistics.median(raw_times), statistics.median(report_times)
    print(
        f"outcomes report {mine:.2f} s, raw SQL aggregate {raw:.2f} s, ratio {mine / raw:.1f}x "
        f"(median of {options.repeats}; same change per domain: yes) — {total:,} completed "
        f"assessments ({on_instrument:,} on {INSTRUMENT}, {people:,} people), "
        f"{database_version()} ({where}), {machine()}, load average {load_before:.1f} before "
        f"and {load_after:.1f} after"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--assessments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database", type=Path, default=None, help="SQLite file")
    options = parser.parse_args()
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        setup_django(None)
        from django.db import connection

        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            run(options, connection.settings_dict["NAME"])
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        return
    people = options.assessments // PER_PERSON
    name = f"pathmark-bench-journeys-{people}x{PER_PERSON}.sqlite3"
    database = options.database or Path(tempfile.gettempdir()) / name
    setup_django(database)
    run(options, str(database))


if __name__ == "__main__":
    main()
