"""Benchmark: the caseload journeys page at city scale, from stored trends.

Builds a caseload with the demo's synthetic trajectories (by default 100,000 people with 4
completed assessments each; one person in a hundred also shared by consent with a partner
organisation), works out every stored trend the way `pathmark journeys refresh` does (from
empty tables, then again after a change of the worklist rule), then
times what the caseload page does for a manager: the selectors the view calls (distributions,
quartiles, worklist, freshness checks, the worklist's people, the audit entry), and the whole
page through Django's test client. With --compare it also runs the in-memory computation from
every assessment that the page used before, and checks the two give the same caseload.

    .venv/bin/python bench/journeys.py                      # 100,000 people × 4, SQLite
    .venv/bin/python bench/journeys.py --people 250000      # 1,000,000 assessments
    .venv/bin/python bench/journeys.py --people 5000 --compare
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres TEST_DATABASE_NAME=test_bench_j \\
        .venv/bin/python bench/journeys.py

SQLite: the caseload is built once into a file under /tmp and reused by later runs of the same
size. PostgreSQL: it is built in a throw-away database (TEST_DATABASE_NAME, or the configured
name with `test_` in front), dropped at the end; the trend tables are vacuumed before the page
is timed, as autovacuum would soon after a rebuild. The last line gives the figures and their
conditions (rows, database, machine, load).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARTNER_SHARE = 0.01
"""The share of people also shared with the partner organisation by consent."""


def setup_django(database: Path | None) -> None:
    if database is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathmark.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    # DEBUG off, as in production: with it on, Django keeps every query's SQL in memory.
    setup_test_environment(debug=False)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    version = connection.pg_version
    return f"PostgreSQL {version // 10000}.{version % 10000}"


def build(people: int, per_person: int, seed: int) -> None:
    """Bulk-inserts the synthetic caseload unless the database already holds it."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from pathmark.accounts.models import User
    from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
    from pathmark.demo.synthetic import synthetic_trajectory
    from pathmark.instruments.services import instrument_version_for
    from pathmark.organisations.models import Membership, Organisation, OrganisationKind, Role
    from pathmark.organisations.scoping import system_scope
    from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person

    call_command("migrate", verbosity=0)
    with system_scope("benchmark: building a synthetic caseload"):
        organisation, _ = Organisation.objects.get_or_create(
            slug="bench-caseload",
            defaults={
                "name": "Benchmark caseload",
                "kind": OrganisationKind.VOLUNTARY_ORGANISATION,
                "require_two_factor": False,
            },
        )
        partner, _ = Organisation.objects.get_or_create(
            slug="bench-partner",
            defaults={
                "name": "Benchmark partner",
                "kind": OrganisationKind.LOCAL_AUTHORITY,
                "require_two_factor": False,
            },
        )
        for username, where in (("bench-manager", organisation), ("bench-partner", partner)):
            user, _ = User.objects.get_or_create(username=username)
            Membership.objects.get_or_create(
                user=user, organisation=where, defaults={"role": Role.MANAGER}
            )
        have = Person.objects.filter(organisation=organisation).count()
        if have >= people:
            return
        print(f"Building {people:,} people × {per_person} assessments (once) …", flush=True)
        versions = [
            instrument_version_for(slug)
            for slug in ("integration-journey", "indicators-of-integration")
        ]
        rng = random.Random(seed)
        today = date(2026, 6, 30)
        started = time.perf_counter()
        batch = 5000
        for first in range(have, people, batch):
            count = min(batch, people - first)
            with transaction.atomic():
                created = Person.objects.bulk_create(
                    Person(
                        organisation=organisation,
                        name=f"Synthetic {first + n:06d}",
                        external_id=f"bench-{first + n}",
                    )
                    for n in range(count)
                )
                Consent.objects.bulk_create(
                    Consent(
                        person=person,
                        kind=ConsentKind.SHARE,
                        shared_with=partner,
                        purpose="Benchmark",
                        method=ConsentMethod.IN_PERSON,
                        given_on=today,
                    )
                    for person in created
                    if rng.random() < PARTNER_SHARE
                )
                rows = []
                for person in created:
                    version = versions[0] if rng.random() < 0.55 else versions[1]
                    instrument = version.instrument
                    trajectory = synthetic_trajectory(rng, [d.id for d in instrument.domains])
                    start = today - timedelta(days=rng.randint(400, 1400))
                    dates = sorted(
                        start + timedelta(days=rng.randint(0, (today - start).days))
                        for _ in range(per_person - 1)
                    )
                    for assessed_on in [start, *dates]:
                        years = (assessed_on - start).days / 365.25
                        domains = {
                            d.id: round(trajectory.level(d.id, years, rng), 1)
                            for d in instrument.domains
                        }
                        overall = round(sum(domains.values()) / len(domains), 1)
                        stage = instrument.overall_stage_for(overall, domains)
                        rows.append(
                            Assessment(
                                person=person,
                                organisation=organisation,
                                instrument_version=version,
                                status=AssessmentStatus.COMPLETED,
                                mode=AssessmentMode.CASEWORKER_LED,
                                language="en",
                                assessed_on=assessed_on,
                                domain_scores=domains,
                                overall_score=overall,
                                stage=stage.id if stage else "",
                                completed_at=timezone.make_aware(
                                    datetime.combine(assessed_on, datetime.min.time())
                                ),
                            )
                        )
                Assessment.objects.bulk_create(rows, batch_size=2000)
            done = first + count
            print(f"  {done:,} people ({time.perf_counter() - started:.0f} s)", flush=True)


def rebuild() -> tuple[float, float, object]:
    """Every stored trend worked out as `pathmark journeys refresh` does: from empty tables
    (the first time, or after the tables were cleared), and again after the worklist rule
    changed, when only each journey's own row differs. Returns both times in seconds and the
    first build's counts."""
    from django.db import connection

    from pathmark.journeys.models import JourneyTrend
    from pathmark.journeys.services import run_refresh, start_rebuild
    from pathmark.journeys.trajectory import TREND_RULE
    from pathmark.organisations.scoping import system_scope

    with system_scope("benchmark: clearing the stored trends"):
        JourneyTrend.objects.all().delete()
    started = time.perf_counter()
    summary = run_refresh(start_rebuild(reason="benchmark: first build").pk)
    first = time.perf_counter() - started
    with system_scope("benchmark: trends from an older rule"):
        JourneyTrend.objects.update(rule=TREND_RULE - 1)
    started = time.perf_counter()
    run_refresh(start_rebuild(reason="benchmark: new rule").pk)
    after_rule = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a large write: the visibility map lets the page's
        # queries read the indexes alone. (The rebuild itself has refreshed the statistics.)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {JourneyTrend._meta.db_table}")
    return first, after_rule, summary


def time_page(slug: str, username: str, repeats: int) -> tuple[list[float], list[float], object]:
    """The caseload page for a manager of `slug`: the selectors the view calls (seconds per
    run), the whole page through the test client (seconds per run), and the caseload."""
    from django.test import Client

    from pathmark.accounts.models import User
    from pathmark.journeys import selectors
    from pathmark.organisations.models import Organisation
    from pathmark.organisations.scoping import organisation_scope

    organisation = Organisation.objects.get(slug=slug)
    user = User.objects.get(username=username)
    selector_times = []
    cohort = None
    for _ in range(repeats):
        with organisation_scope(organisation_id=organisation.pk, user_id=user.pk):
            started = time.perf_counter()
            cohort = selectors.cohort_journeys(actor=user, organisation=organisation)
            selectors.trend_freshness(organisation=organisation, cohort=cohort)
            selectors.worklist_people(cohort)
            selector_times.append(time.perf_counter() - started)
    client = Client()
    client.force_login(user)
    page_times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get("/journeys/cohort/")
        page_times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return selector_times, page_times, cohort


def compare(slug: str) -> float:
    """The in-memory computation from every assessment (the page before trends were stored),
    checked against the stored path; returns its seconds."""
    from django.utils import timezone

    from pathmark.journeys.caseload import compute_cohort
    from pathmark.journeys.selectors import (
        WORKLIST_LIMIT,
        cohort_rows,
        instruments_by_version,
        norms_by_slug,
        stored_cohort,
    )
    from pathmark.organisations.models import Organisation
    from pathmark.organisations.scoping import organisation_scope

    organisation = Organisation.objects.get(slug=slug)
    with organisation_scope(organisation_id=organisation.pk):
        instruments = instruments_by_version()
        as_of = timezone.localdate()
        started = time.perf_counter()
        reference = compute_cohort(
            cohort_rows(),
            instruments=instruments,
            as_of=as_of,
            limit=WORKLIST_LIMIT,
            norms=norms_by_slug(),
        )
        seconds = time.perf_counter() - started
        stored = stored_cohort(instruments=instruments, as_of=as_of)
    assert stored == reference, "the stored caseload differs from the computed one"
    return seconds


def describe(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:,.0f} ms (best {min(times) * 1000:,.0f})"


def run(options: argparse.Namespace, where: str) -> None:
    from pathmark.assessments.models import Assessment
    from pathmark.organisations.scoping import system_scope

    build(options.people, options.assessments, options.seed)
    with system_scope("benchmark: counting"):
        assessments = Assessment.objects.count()
    load_before = os.getloadavg()[0]
    seconds, after_rule, summary = rebuild()
    print(
        f"every trend worked out from empty tables: {seconds:.1f} s for {summary.people:,} "  # type: ignore[attr-defined]
        f"people ({summary.people / seconds:,.0f} people/s; {summary.journeys:,} journeys, "  # type: ignore[attr-defined]
        f"{summary.series:,} series, {summary.turned_down:,} turned down); rebuilt after a "  # type: ignore[attr-defined]
        f"rule change: {after_rule:.1f} s",
        flush=True,
    )
    figures = {}
    for slug, username in (("bench-caseload", "bench-manager"), ("bench-partner", "bench-partner")):
        selector_times, page_times, cohort = time_page(slug, username, options.repeats)
        figures[slug] = (selector_times, page_times)
        print(
            f"caseload page of {slug} ({cohort.people:,} people, "  # type: ignore[attr-defined]
            f"{cohort.turned_down:,} turned down): selectors {describe(selector_times)}; "  # type: ignore[attr-defined]
            f"whole page {describe(page_times)}",
            flush=True,
        )
    if options.compare:
        seconds_before = compare("bench-caseload")
        print(
            f"in-memory computation from every assessment (the page before): "
            f"{seconds_before:.1f} s; same caseload as the stored trends: yes",
            flush=True,
        )
    load_after = os.getloadavg()[0]
    selector_times, page_times = figures["bench-caseload"]
    print(
        f"caseload page: selectors {statistics.median(selector_times) * 1000:,.0f} ms, whole "
        f"page {statistics.median(page_times) * 1000:,.0f} ms (median of {options.repeats}); "
        f"first build {seconds:.0f} s, rebuild after a rule change {after_rule:.0f} s — "
        f"{options.people:,} people, {assessments:,} completed "
        f"assessments, {database_version()} ({where}), {machine()}, load average "
        f"{load_before:.1f} before and {load_after:.1f} after"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument(
        "--assessments", type=int, default=4, help="completed assessments per person"
    )
    parser.add_argument(
        "--database", type=Path, default=None, help="SQLite file (default under /tmp)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=5, help="page views timed (default 5)")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also run the in-memory computation and check it gives the same caseload",
    )
    options = parser.parse_args()
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    if on_postgres:
        setup_django(None)
        from django.db import connection

        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            run(options, connection.settings_dict["NAME"])
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        return
    name = f"pathmark-bench-journeys-{options.people}x{options.assessments}.sqlite3"
    database = options.database or Path(tempfile.gettempdir()) / name
    setup_django(database)
    run(options, str(database))


if __name__ == "__main__":
    main()
