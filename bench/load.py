"""Load test: record pages at city scale with 20 signed-in users, beside the sign-in page.

Builds (once, then reuses) a database in which the demo's caseworker `amira` has 100,000
people with 4 completed assessments each in her organisation, and their stored trends; starts
gunicorn on the loopback (3 workers, production settings: DEBUG off, its own SECRET_KEY, only
127.0.0.1 allowed; secure cookies off because this is plain http on the loopback); then, for
the person page, the journey page and the caseload page in turn, sends 20 signed-in users at
that page (locust, a second or so between pages) while 4 anonymous users ask for the sign-in
page in the same run, and prints each page's 95th percentile beside its limits:

    person and journey pages: p95 < 150 ms and within 3x of the sign-in page's p95
    caseload page:            p95 < 1 s

    .venv/bin/python bench/load.py                     # SQLite, /tmp/pathmark-bench-load-…
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load.py

On PostgreSQL it builds its own database (`--database`, default pathmark_bench_load) on that
server and keeps it for the next run; `--fresh` starts again. Every phase is bounded
(`--seconds`), the server listens on 127.0.0.1 only and is stopped at the end. The last line
gives the conditions: rows, database, machine and its load average (as `uptime` says it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ORGANISATION = "northbridge-refugee-support"
USERNAME = "amira"
PARTNER_SHARE = 0.01
LIMITS = {
    # page: (p95 limit in ms, limit as a multiple of the sign-in page's p95, or None)
    "person": (150, 3.0),
    "journey": (150, 3.0),
    "cohort": (1000, None),
}
LABELS = {
    "person": "/people/<id>/",
    "journey": "/journeys/person/<id>/",
    "cohort": "/journeys/cohort/",
}


def database_url(options: argparse.Namespace) -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith("postgres"):
        parts = urllib.parse.urlsplit(configured)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{options.database}"))
    name = f"pathmark-bench-load-{options.people}x{options.assessments}.sqlite3"
    return f"sqlite:///{Path(tempfile.gettempdir()) / name}"


def prepare_postgres(url: str, fresh: bool) -> None:
    """Creates the benchmark's own database on the server, unless it is there already."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def server_environment(url: str, static_root: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PATHMARK_", "SECURE_", "DJANGO_"))
    }
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain http on the loopback: a secure cookie would never come back.
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="WARNING",
        PATHMARK_ENV_FILE="/dev/null",
    )
    return env


def build(env: dict[str, str], options: argparse.Namespace) -> dict[str, object]:
    """Runs in a child process with the server's settings: migrates, loads the demo
    partnership's organisations and staff, and adds synthetic people to amira's organisation
    until it has `--people`, then works out every stored trend. Prints what it did as JSON."""
    command = [
        sys.executable,
        __file__,
        "--build-only",
        f"--people={options.people}",
        f"--assessments={options.assessments}",
        f"--seed={options.seed}",
    ]
    done = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def build_here(options: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathmark.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
    from pathmark.demo.services import DEMO_PASSWORD, HOST, load_demo_partnership
    from pathmark.demo.synthetic import synthetic_person, synthetic_trajectory
    from pathmark.instruments.services import instrument_version_for
    from pathmark.journeys.services import run_refresh, start_rebuild
    from pathmark.organisations.models import Organisation
    from pathmark.organisations.scoping import system_scope
    from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    call_command("migrate", verbosity=0)
    load_demo_partnership(people=0)
    built = 0
    trends_seconds = None
    with system_scope("benchmark: building a city-sized caseload"):
        organisation = Organisation.objects.get(slug=ORGANISATION)
        partner = Organisation.objects.get(slug=HOST)
        have = Person.objects.filter(organisation=organisation).count()
        versions = [
            instrument_version_for(slug)
            for slug in ("integration-journey", "indicators-of-integration")
        ]
        rng = random.Random(options.seed + have)
        today = timezone.localdate()
        started = time.perf_counter()
        batch = 5000
        # Bulk inserts straight into the tables: the benchmark times the pages, not the
        # import (bench/import.py times that through the services).
        for first in range(have, options.people, batch):
            count = min(batch, options.people - first)
            with transaction.atomic():
                synthetic = [synthetic_person(rng, first + n, today=today) for n in range(count)]
                created = Person.objects.bulk_create(
                    Person(
                        organisation=organisation,
                        external_id=f"load-{first + n:06d}",
                        name=person.name,
                        gender=person.gender,
                        date_of_birth=person.date_of_birth,
                        age_band=person.age_band,
                        country_of_origin=person.country_of_origin,
                        languages=person.languages,
                        preferred_language=person.preferred_language,
                        date_of_arrival=person.date_of_arrival,
                        phone=person.phone,
                    )
                    for n, person in enumerate(synthetic)
                )
                consents = [
                    Consent(
                        person=person,
                        kind=ConsentKind.PROCESSING,
                        purpose="Hold and use my information",
                        method=ConsentMethod.IN_PERSON,
                        given_on=today - timedelta(days=400),
                    )
                    for person in created
                ]
                consents += [
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
                ]
                Consent.objects.bulk_create(consents, batch_size=2000)
                rows = []
                for person in created:
                    version = versions[0] if rng.random() < 0.55 else versions[1]
                    instrument = version.instrument
                    trajectory = synthetic_trajectory(rng, [d.id for d in instrument.domains])
                    start = today - timedelta(days=rng.randint(400, 1400))
                    dates = sorted(
                        start + timedelta(days=rng.randint(0, (today - start).days))
                        for _ in range(options.assessments - 1)
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
            built += count
            say(f"  {first + count:,} people ({time.perf_counter() - started:.0f} s)")
        if built:
            say("Working out every stored trend …")
            started = time.perf_counter()
            run_refresh(start_rebuild(reason="benchmark: a city-sized caseload").pk)
            trends_seconds = time.perf_counter() - started
        if built and connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load: without statistics the planner
            # takes 100,000 rows for a handful and picks plans no running server would.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        people = Person.objects.filter(organisation=organisation).count()
        assessments = Assessment.objects.filter(organisation=organisation).count()
        sample = list(
            Person.objects.filter(organisation=organisation, external_id__startswith="load-")
            .order_by("?")
            .values_list("pk", flat=True)[:2000]
        )
    print(
        json.dumps(
            {
                "built": built,
                "people": people,
                "assessments": assessments,
                "trends_seconds": trends_seconds,
                "sample": sample,
                "password": DEMO_PASSWORD,
            }
        )
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def sign_in(host: str, password: str, count: int) -> list[dict[str, str]]:
    """`count` sessions of amira's, each signed in through the sign-in page: their cookies."""
    import requests

    sessions = []
    for _ in range(count):
        session = requests.Session()
        page = session.get(f"{host}/accounts/login/", timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        response = session.post(
            f"{host}/accounts/login/",
            data={
                "username": USERNAME,
                "password": password,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": page.url},
            timeout=60,
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise SystemExit(f"Signing in as {USERNAME} failed: HTTP {response.status_code}.")
        sessions.append(session.cookies.get_dict())
    return sessions


def run_locust(
    page: str,
    host: str,
    sample: list[int],
    seconds: int,
    folder: Path,
    sessions: list[dict[str, str]],
) -> dict[str, dict[str, str]]:
    """One bounded locust run against `page`; returns locust's statistics by request name."""
    prefix = folder / page
    env = dict(
        os.environ,
        PATHMARK_LOAD_PAGE=page,
        PATHMARK_LOAD_PEOPLE=json.dumps(sample),
        PATHMARK_LOAD_SESSIONS=json.dumps(sessions),
    )
    command = [
        str(BIN / "locust"),
        "--locustfile",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        host,
        "--users",
        "24",
        "--spawn-rate",
        "24",
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    done = subprocess.run(  # noqa: S603
        command, env=env, check=False, timeout=seconds + 120, capture_output=True, text=True
    )
    if done.returncode not in (0, 1):  # 1: some requests failed, which the table shows
        raise SystemExit(f"locust stopped with exit code {done.returncode}:\n{done.stderr}")
    with open(f"{prefix}_stats.csv", newline="") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


def children_cpu() -> float:
    """CPU seconds used so far by this process's finished children (the locust runs)."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by gunicorn's master and workers (Linux's /proc; 0 elsewhere),
    to show how much of the machine the server had against the load generator."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the name: state, ppid, ... utime and stime are the 12th and 13th.
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def home_page(host: str, cookies: dict[str, str], repeats: int = 7) -> float:
    """Median milliseconds of the home page for one signed-in user on an idle server."""
    import requests

    session = requests.Session()
    session.cookies.update(cookies)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = session.get(f"{host}/", timeout=300)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return statistics.median(times)


def worker_times(access_log: Path, start: int) -> dict[str, tuple[float, float]]:
    """The median and the 95th percentile (ms) of the time the workers spent on each page from
    byte `start` of gunicorn's access log on, by page name. A median near the time of one
    request alone and a 95th percentile far above it is time spent sharing the CPUs."""
    patterns = {
        "person": re.compile(r"^/people/\d+/$"),
        "journey": re.compile(r"^/journeys/person/\d+/$"),
        "cohort": re.compile(r"^/journeys/cohort/$"),
        "login": re.compile(r"^/accounts/login/$"),
    }
    times: dict[str, list[float]] = {}
    with access_log.open() as log:
        log.seek(start)
        for line in log:
            path, status, microseconds = line.split()
            name = next((n for n, p in patterns.items() if p.match(path)), None)
            if name and status == "200":
                times.setdefault(name, []).append(int(microseconds) / 1000)
    return {
        name: (
            (statistics.median(found), statistics.quantiles(found, n=20)[-1])
            if len(found) > 1
            else (found[0], found[0])
        )
        for name, found in times.items()
    }


def machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def uptime() -> str:
    try:
        return subprocess.run(  # noqa: S603
            ["uptime"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--assessments", type=int, default=4, help="per person (default 4)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--seconds",
        type=int,
        default=60,
        # About 1,200 record pages and 240 sign-in pages a run: the sign-in page's 95th
        # percentile from the 120 of a 30-second run moved by half from one run to the next.
        help="measured seconds per page (default 60)",
    )
    parser.add_argument(
        "--pages", default="person,journey,cohort", help="which pages (default: all three)"
    )
    parser.add_argument(
        "--database",
        default="pathmark_bench_load",
        help="PostgreSQL: the benchmark's own database on the DATABASE_URL server",
    )
    parser.add_argument("--fresh", action="store_true", help="build the database again")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.build_only:
        build_here(options)
        return

    url = database_url(options)
    vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    if vendor == "PostgreSQL":
        prepare_postgres(url, options.fresh)
    elif options.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    static_root = Path(tempfile.gettempdir()) / "pathmark-bench-static"
    env = server_environment(url, static_root)
    print(f"Database: {url} (built once, then reused) …", flush=True)
    started = time.perf_counter()
    built = build(env, options)
    if built["built"]:
        print(
            f"built {built['built']:,} people in {time.perf_counter() - started:.0f} s "
            f"(stored trends: {built['trends_seconds']:.0f} s)",
            flush=True,
        )
    subprocess.run(  # noqa: S603
        [str(BIN / "pathmark"), "collectstatic", "--no-input", "-v", "0"], env=env, check=True
    )
    password = str(built["password"])
    access_log = Path(tempfile.gettempdir()) / f"pathmark-bench-load-access-{os.getpid()}.log"
    access_log.unlink(missing_ok=True)
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [
            str(BIN / "gunicorn"),
            "pathmark.wsgi",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            # Each request's path, status and microseconds in the worker: the time the page
            # itself took, without the wait for a free worker that the client's figure holds.
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(U)s %(s)s %(D)s",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    load_before = uptime()
    results = {}
    in_worker: dict[str, dict[str, tuple[float, float]]] = {}
    home = None
    try:
        wait_for(f"{host}/accounts/login/", 60)
        sessions = sign_in(host, password, 20)
        sample: list[int] = built["sample"]  # type: ignore[assignment]
        pages = [page for page in options.pages.split(",") if page]
        with tempfile.TemporaryDirectory() as folder:
            for page in pages:
                # A short run first, so each worker has compiled its templates and opened
                # its database connection before the measured run.
                run_locust(page, host, sample, 8, Path(folder), sessions)
                start = access_log.stat().st_size if access_log.exists() else 0
                cpu_before = (server_cpu(server.pid), children_cpu())
                stats = run_locust(page, host, sample, options.seconds, Path(folder), sessions)
                server_seconds = server_cpu(server.pid) - cpu_before[0]
                locust_seconds = children_cpu() - cpu_before[1]
                # A page that no request finished within the run has no row: 0 requests.
                empty = {"95%": "nan", "Request Count": "0", "Failure Count": "0"}
                results[page] = (stats.get(page, empty), stats.get("login", empty))
                in_worker[page] = worker_times(access_log, start)
                row, login = results[page]
                print(
                    f"  {page}: p95 {row['95%']} ms, sign-in page p95 {login['95%']} ms "
                    f"({row['Request Count']} requests; in the worker, median / p95: "
                    + ", ".join(
                        f"{name} {median:.1f} / {p95:.1f} ms"
                        for name, (median, p95) in sorted(in_worker[page].items())
                    )
                    + "; "
                    f"CPU seconds: server {server_seconds:.1f}, load generator "
                    f"{locust_seconds:.1f})",
                    flush=True,
                )
        try:
            home = home_page(host, sessions[0])
        except OSError as error:  # requests' timeouts are OSErrors
            # Requests still queued from the last page can keep every worker busy for longer.
            print(f"  the start page did not answer in time: {error}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    load_after = uptime()
    access_log.unlink(missing_ok=True)

    print()
    print(
        f"{'page':<24}{'p95':>9}{'login p95':>11}{'ratio':>8}   limits             result"
        f"   (p95 in the worker: page, login)"
    )
    failed = False
    for page, (row, login) in results.items():
        p95, login_p95 = float(row["95%"]), float(login["95%"])
        ratio = p95 / login_p95 if login_p95 else float("inf")
        limit_ms, limit_ratio = LIMITS[page]
        ok = p95 < limit_ms and (limit_ratio is None or ratio <= limit_ratio)
        failures = int(row["Failure Count"]) + int(login["Failure Count"])
        ok = ok and failures == 0
        failed |= not ok
        limits = f"< {limit_ms} ms" + (f", <= {limit_ratio:.0f}x" if limit_ratio else "")
        print(
            f"{LABELS[page]:<24}{p95:>6.0f} ms{login_p95:>8.0f} ms{ratio:>7.1f}x   "
            f"{limits:<18} {'ok' if ok else 'OVER'}"
            f"   ({in_worker[page].get(page, (0, 0))[1]:.0f} ms, "
            f"{in_worker[page].get('login', (0, 0))[1]:.0f} ms;"
            f" {row['Request Count']} requests, {failures} failed)"
        )
    if home is not None:
        print(f"{'/ (one user, idle)':<24}{home:>6.0f} ms")
    print(
        f"conditions: {built['people']:,} people and {built['assessments']:,} completed "
        f"assessments in {ORGANISATION} ({USERNAME}'s caseload), {vendor}, gunicorn 3 workers, "
        f"20 signed-in + 4 anonymous users for {options.seconds} s per page; {machine()}; "
        f"before: {load_before}; after: {load_after}"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
