"""How long `pathmark directory import-hsds` takes for 5,000 generated services.

Generates a partnership directory (organisations, services with themes, Pathmark facts,
staff languages, a place with an address each), exports it as an HSDS 3.0 CSV package with
`export-hsds`, empties the directory, then times importing the package into the empty
directory (every row checked against the official schemas, then written in one transaction)
and importing it a second time (nothing to change).

    .venv/bin/python bench/directory_import.py                 # 5,000 services, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/directory_import.py

It runs in a throw-away test database (`test_` before the configured name, or
TEST_DATABASE_NAME), never in the configured database, with DEBUG off as in production.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathmark.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=5_000, help="services (default 5,000)")
    options = parser.parse_args()
    setup_test_environment(debug=False)
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        test = connection.settings_dict.setdefault("TEST", {})
        test["NAME"] = str(Path(tempfile.gettempdir()) / "pathmark-bench-directory.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(options.services)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def generate(count: int) -> None:
    """`count` services over 50 organisations, written straight into the tables."""
    from pathmark.directory.catalogue import themes
    from pathmark.directory.models import (
        Address,
        DirectoryOrganisation,
        Language,
        Location,
        Service,
        ServiceAtLocation,
    )
    from pathmark.directory.packages import ensure_pathmark_taxonomies
    from pathmark.directory.themes import theme_term_id

    rng = random.Random(2026)
    ensure_pathmark_taxonomies()
    slugs = list(themes().slugs())
    organisations = [
        DirectoryOrganisation(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            name=f"Organisation {n}",
            description=f"Synthetic organisation {n}",
        )
        for n in range(50)
    ]
    DirectoryOrganisation.objects.bulk_create(organisations)
    services, locations, addresses, links, languages, themed = [], [], [], [], [], []
    through = Service.themes.through
    for n in range(count):
        service_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        services.append(
            Service(
                id=service_id,
                organization=organisations[n % 50],
                name=f"Service {n}",
                description="Synthetic service for the benchmark.",
                eligible_languages=rng.sample(["ar", "ti", "fa", "ps"], rng.randint(0, 2)),
                eligible_postcode_areas=rng.sample(["NB1", "NB2", "NB3"], rng.randint(0, 1)),
                places_per_month=rng.randint(0, 40),
                usual_wait_days=rng.randint(0, 60),
                interpreting_offered=rng.random() < 0.5,
                is_synthetic=True,
            )
        )
        location_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        locations.append(
            Location(
                id=location_id,
                organization=organisations[n % 50],
                name=f"Place {n}",
                is_confidential=rng.random() < 0.02,
            )
        )
        addresses.append(
            Address(
                location_id=location_id,
                address_1=f"{n} High Street",
                city="Northbridge",
                state_province="Northbridge",
                postal_code=f"NB{1 + n % 4} {n % 9}AB",
                country="GB",
            )
        )
        links.append(ServiceAtLocation(service_id=service_id, location_id=location_id))
        for code in rng.sample(["en", "ar", "ti", "fa", "ur"], 2):
            languages.append(Language(service_id=service_id, code=code, name=code))
        for slug in rng.sample(slugs, 2):
            themed.append(through(service_id=service_id, taxonomyterm_id=theme_term_id(slug)))
    for model, rows in (
        (Service, services),
        (Location, locations),
        (Address, addresses),
        (ServiceAtLocation, links),
        (Language, languages),
        (through, themed),
    ):
        model._base_manager.bulk_create(rows, batch_size=1000)


def run(count: int) -> None:
    from pathmark.directory.packages import MODELS
    from pathmark.directory.services import export_package, import_package
    from pathmark.organisations.scoping import system_scope

    load_before = os.getloadavg()[0]
    with system_scope("benchmark"), transaction.atomic():
        generate(count)
    with tempfile.TemporaryDirectory() as folder:
        package = Path(folder) / "package"
        export_package(by=None, organisation=None, folder=package)
        size = sum(path.stat().st_size for path in package.iterdir())
        with system_scope("benchmark"), transaction.atomic():
            for model in reversed(list(MODELS.values())):
                model._base_manager.all().delete()
        started = time.perf_counter()
        first = import_package(by=None, organisation=None, path=package)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = import_package(by=None, organisation=None, path=package)
        second_seconds = time.perf_counter() - started
    assert len(first.services) == count and second.created == second.updated == 0
    database = connection.vendor
    version = connection.Database.sqlite_version if database == "sqlite" else connection.pg_version
    print(
        f"import of {count:,} services into an empty directory: {first_seconds:.1f} s "
        f"({first.rows:,} rows, {first.rows / first_seconds:,.0f} rows/s); "
        f"again, nothing to change: {second_seconds:.1f} s"
    )
    print(
        f"conditions: HSDS 3.0 CSV package of {size / 1e6:.1f} MB ({first.rows:,} rows: "
        f"services, places, addresses, languages, themes and facts as attributes), every row "
        f"checked with jsonschema; {database} {version}; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPU, {platform.machine()} {platform.system()}, load average "
        f"{load_before:.1f} before and {os.getloadavg()[0]:.1f} after"
    )


if __name__ == "__main__":
    main()
