"""Benchmark: journeys for a whole caseload at city scale.

Builds (once) an SQLite database under /tmp with the demo's synthetic trajectories scaled to
100,000 people with 4 completed assessments each, then computes every journey the way the
cohort page does (one streamed query ordered by person and date, no query per person) and
prints people per second. The last line gives the figure and its conditions.

    .venv/bin/python bench/journeys.py                 # 100,000 people × 4 assessments
    .venv/bin/python bench/journeys.py --people 5000   # a quick run
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathmark.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


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


def build(people: int, per_person: int, seed: int) -> None:
    """Bulk-inserts the synthetic caseload unless the database already holds it."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
    from pathmark.demo.synthetic import synthetic_trajectory
    from pathmark.instruments.services import instrument_version_for
    from pathmark.organisations.models import Organisation, OrganisationKind
    from pathmark.organisations.scoping import system_scope
    from pathmark.people.models import Person

    call_command("migrate", verbosity=0)
    with system_scope("benchmark: building a synthetic caseload"):
        organisation, _ = Organisation.objects.get_or_create(
            slug="bench-caseload",
            defaults={
                "name": "Benchmark caseload",
                "kind": OrganisationKind.VOLUNTARY_ORGANISATION,
            },
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


def measure() -> tuple[int, int, float, float]:
    """(people, rows, seconds end to end, seconds computing from rows already in memory)."""
    from django.utils import timezone

    from pathmark.journeys.selectors import cohort_rows, compute_cohort, instruments_by_version
    from pathmark.organisations.models import Organisation
    from pathmark.organisations.scoping import organisation_scope

    organisation = Organisation.objects.get(slug="bench-caseload")
    with organisation_scope(organisation_id=organisation.pk):
        instruments = instruments_by_version()
        as_of = timezone.localdate()

        started = time.perf_counter()
        cohort = compute_cohort(cohort_rows(), instruments=instruments, as_of=as_of)
        end_to_end = time.perf_counter() - started

        started = time.perf_counter()
        rows = list(cohort_rows())
        reading = time.perf_counter() - started
        started = time.perf_counter()
        again = compute_cohort(rows, instruments=instruments, as_of=as_of)
        in_memory = time.perf_counter() - started
    assert again.people == cohort.people
    print(
        f"{cohort.people:,} journeys, {len(cohort.turned_down):,} turned down; "
        f"end to end {end_to_end:.1f} s; reading rows alone {reading:.1f} s, "
        f"maths alone {in_memory:.1f} s ({cohort.people / in_memory:,.0f} people/s)"
    )
    return cohort.people, len(rows), end_to_end, in_memory


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
    options = parser.parse_args()
    name = f"pathmark-bench-journeys-{options.people}x{options.assessments}.sqlite3"
    database = options.database or Path(tempfile.gettempdir()) / name
    setup_django(database)
    build(options.people, options.assessments, options.seed)
    people, rows, seconds, _ = measure()
    print(
        f"journeys: {people / seconds:,.0f} people/s end to end (streamed query + maths) — "
        f"{people:,} people, {rows:,} completed assessments, SQLite {database}, {machine()}"
    )


if __name__ == "__main__":
    main()
