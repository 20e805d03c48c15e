"""Loading the synthetic demo partnership: organisations, staff in every role, people with
consent, and assessments spread over two years. Safe to run again: it adds only what is missing."""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from pathmark.accounts.models import User
from pathmark.assessments.models import AssessmentMode
from pathmark.assessments.services import CompletedElsewhere, record_completed_assessments
from pathmark.audit.services import record
from pathmark.instruments.definition import Instrument
from pathmark.instruments.models import InstrumentVersion
from pathmark.instruments.scoring import score_responses
from pathmark.instruments.services import instrument_version_for
from pathmark.journeys.models import HostSurvey, JourneyTrend
from pathmark.journeys.registry import host_norms_for
from pathmark.journeys.services import assign_key_worker, record_life_event, refresh_trends
from pathmark.organisations.models import Membership, Organisation, OrganisationKind, Role
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import ConsentKind, ConsentMethod, ImmigrationStatus, Person
from pathmark.people.services import PersonToRegister, record_consent, register_people_in_bulk
from pathmark.transfer.surveys import publish_survey_file

from .capacity import load_demo_capacity
from .directory import load_demo_directory
from .evidence import load_demo_evidence
from .plans import load_demo_plans
from .referrals import load_demo_referrals
from .survey import DEMO_SURVEYS, synthetic_survey_csv
from .synthetic import Trajectory, synthetic_person, synthetic_skills, synthetic_trajectory

DEMO_PASSWORD = "pathmark-demo-2026"  # noqa: S105 — documented demo password, synthetic data only

DEMO_CONSENT_PURPOSE = (
    "Hold and use my information to assess my needs, plan support and refer me to services."
)

HOST = "northbridge-council"
ORGANISATIONS = [
    (
        "northbridge-refugee-support",
        "Northbridge Refugee Support",
        OrganisationKind.VOLUNTARY_ORGANISATION,
    ),
    ("northbridge-council", "Northbridge City Council", OrganisationKind.LOCAL_AUTHORITY),
    (
        "syrian-community-association",
        "Syrian Community Association",
        OrganisationKind.COMMUNITY_ORGANISATION,
    ),
    ("northbridge-college", "Northbridge College ESOL", OrganisationKind.COLLEGE),
]

# username, first name, organisation slug, role. Every organisation has an administrator, as
# a real one must (the last administrator cannot be removed).
STAFF = [
    ("amira", "Amira", "northbridge-refugee-support", Role.CASEWORKER),
    ("tom", "Tom", "northbridge-refugee-support", Role.MANAGER),
    ("sam", "Sam", "northbridge-refugee-support", Role.ADMINISTRATOR),
    ("sadia", "Sadia", "northbridge-council", Role.CASEWORKER),
    ("grace", "Grace", "northbridge-council", Role.MANAGER),
    ("priya", "Priya", "northbridge-council", Role.ANALYST),
    ("admin", "Alex", "northbridge-council", Role.ADMINISTRATOR),
    ("yusuf", "Yusuf", "syrian-community-association", Role.CASEWORKER),
    ("nadia", "Nadia", "syrian-community-association", Role.MANAGER),
    ("omar", "Omar", "syrian-community-association", Role.ADMINISTRATOR),
    ("lena", "Lena", "northbridge-college", Role.SERVICE_PROVIDER),
    ("joy", "Joy", "northbridge-college", Role.ADMINISTRATOR),
]

# Share of the demo's people registered by each organisation that assesses people.
CASELOAD_SHARES = [
    ("northbridge-refugee-support", 0.5),
    ("northbridge-council", 0.3),
    ("syrian-community-association", 0.2),
]
INSTRUMENTS = ["integration-journey", "indicators-of-integration"]


@dataclass
class DemoSummary:
    organisations: int = 0
    users: int = 0
    people_created: int = 0
    assessments_created: int = 0
    plans_created: int = 0
    referrals_created: int = 0
    capacity_assessments_created: int = 0
    trends_refreshed: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def load_demo_partnership(
    *, people: int = 300, seed: int = 2026, today: date | None = None
) -> DemoSummary:
    """Creates what is missing of the demo partnership. The same seed gives the same people."""
    today = today or timezone.localdate()
    summary = DemoSummary()
    with system_scope("loading the synthetic demo partnership"), transaction.atomic():
        organisations = _organisations(summary)
        users = _staff(organisations, summary)
        _host_surveys(organisations["northbridge-council"], users.get("admin"), today)
        load_demo_directory(organisations)
        versions = {slug: instrument_version_for(slug) for slug in INSTRUMENTS}
        statuses = {status.slug: status for status in ImmigrationStatus.objects.all()}
        rng = random.Random(seed)
        existing = set(
            Person.objects.filter(external_id__startswith="demo-").values_list(
                "organisation__slug", "external_id"
            )
        )
        # Everything is written through the owning apps' services, as an import would be.
        pending: dict[str, list[tuple[PersonToRegister, list[CompletedElsewhere], bool]]] = {}
        for number in range(1, people + 1):
            # Draw every random number whether or not the person exists, so that a second run
            # (or a run asking for more people) gives the same people as the first.
            person_rng = random.Random(rng.random())
            synthetic = synthetic_person(person_rng, number, today=today)
            slug = _organisation_for(person_rng.random())
            if (slug, synthetic.external_id) in existing:
                continue
            first_contact = max(
                synthetic.date_of_arrival + timedelta(days=30), today - timedelta(days=730)
            )
            method = person_rng.choice(
                [ConsentMethod.IN_PERSON, ConsentMethod.INTERPRETER, ConsentMethod.WRITTEN]
            )
            shares = slug == "northbridge-refugee-support" and person_rng.random() < 0.15
            registration = PersonToRegister(
                external_id=synthetic.external_id,
                values={
                    "name": synthetic.name,
                    "date_of_birth": synthetic.date_of_birth,
                    "age_band": synthetic.age_band,
                    "gender": synthetic.gender,
                    "languages": synthetic.languages,
                    "preferred_language": synthetic.preferred_language,
                    "country_of_origin": synthetic.country_of_origin,
                    "date_of_arrival": synthetic.date_of_arrival,
                    "immigration_status_id": getattr(
                        statuses.get(synthetic.immigration_status), "pk", None
                    ),
                    "phone": synthetic.phone,
                    "household_role": synthetic.household_role,
                    **synthetic_skills(synthetic.external_id),
                },
                consent_date=first_contact,
                consent_method=method,
                registered_at=timezone.make_aware(datetime.combine(first_contact, time(10, 0))),
            )
            assessments = _assessments(
                person_rng, synthetic.preferred_language, versions, first_contact, today
            )
            pending.setdefault(slug, []).append((registration, assessments, shares))
        for slug, entries in pending.items():
            organisation = organisations[slug]
            caseworker = users[
                next(u for u, _, s, r in STAFF if s == slug and r == Role.CASEWORKER)
            ]
            ids = register_people_in_bulk(
                by=caseworker,
                organisation=organisation,
                creates=[registration for registration, _, _ in entries],
                consent_purpose=DEMO_CONSENT_PURPOSE,
                action="person.registered",
                extra={"demo": True},
            )
            summary.people_created += len(ids)
            # The caseworker is key worker of most of the people they registered ("My
            # caseload"); the rest are for a colleague to pick up.
            for person in Person.objects.filter(pk__in=ids[: len(ids) * 3 // 4]):
                assign_key_worker(
                    by=caseworker, organisation=organisation, person=person, worker=caseworker
                )
            by_version: dict[int, list[CompletedElsewhere]] = {}
            for person_id, (registration, assessments, shares) in zip(ids, entries, strict=True):
                for version, assessment in assessments:
                    assessment.person_id = person_id
                    by_version.setdefault(version.pk, []).append(assessment)
                if shares:
                    record_consent(
                        by=caseworker,
                        organisation=organisation,
                        person=Person.objects.get(pk=person_id),
                        kind=ConsentKind.SHARE,
                        shared_with=organisations["northbridge-council"],
                        method=registration.consent_method,
                        given_on=registration.consent_date or today,
                        purpose="Share my record with the council's resettlement team.",
                    )
            for version in versions.values():
                if not by_version.get(version.pk):
                    continue
                _, answered = record_completed_assessments(
                    by=caseworker,
                    organisation=organisation,
                    version=version,
                    assessments=by_version[version.pk],
                    extra={"demo": True},
                    reason="demo",
                    defer=False,
                )
                summary.assessments_created += len(by_version[version.pk])
                summary.trends_refreshed += sum(getattr(r, "people", 0) for r in answered)
            _life_events(caseworker, organisation, ids, entries, rng=random.Random(seed + 1))
        # Demo people loaded before trends were stored (a demo database from an older
        # Pathmark) get theirs too, so the caseload page is current.
        without_trends = (
            Person.objects.filter(external_id__startswith="demo-")
            .exclude(pk__in=JourneyTrend.objects.values("person_id"))
            .values_list("pk", flat=True)
        )
        summary.trends_refreshed += refresh_trends(person_ids=set(without_trends)).people
        # A few plans on each assessing organisation's people (synthetic, through the services).
        for slug, organisation in organisations.items():
            caseworker = next(
                (users[u] for u, _, s, r in STAFF if s == slug and r == Role.CASEWORKER), None
            )
            if caseworker is not None:
                summary.plans_created += load_demo_plans(
                    organisation=organisation, caseworker=caseworker
                )
        # Past referrals with their endings, and a few waiting at the college today.
        summary.referrals_created = load_demo_referrals(
            organisations=organisations, users=users, today=today, seed=seed
        )
        # The evidence bank: a few synthetic interventions (not people's data).
        load_demo_evidence(organisations=organisations, users=users)
        # The organisations' own capacity self-assessments (not people's data).
        summary.capacity_assessments_created = load_demo_capacity(
            organisations=organisations, users=users, today=today
        )
        record(
            actor=None,
            organisation=None,
            action="demo.loaded",
            extra={"people": summary.people_created, "assessments": summary.assessments_created},
        )
    summary.logins = [
        (username, organisations_name(slug), Role(role).label) for username, _, slug, role in STAFF
    ]
    return summary


def organisations_name(slug: str) -> str:
    return next(name for s, name, _ in ORGANISATIONS if s == slug)


def _organisation_for(draw: float) -> str:
    total = 0.0
    for slug, share in CASELOAD_SHARES:
        total += share
        if draw < total:
            return slug
    return CASELOAD_SHARES[-1][0]


def _organisations(summary: DemoSummary) -> dict[str, Organisation]:
    organisations = {}
    for slug, name, kind in ORGANISATIONS:
        # The demo signs in with passwords only; a real partnership keeps two-factor on.
        organisation, created = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "require_two_factor": False}
        )
        if organisation.require_two_factor:
            organisation.require_two_factor = False
            organisation.save(update_fields=["require_two_factor"])
        organisations[slug] = organisation
        summary.organisations += int(created)
    # The council hosts the partnership, so its administrator can add organisations; only
    # when no other organisation already does (there is at most one host).
    council = organisations[HOST]
    if (
        not council.is_partnership_host
        and not Organisation.objects.filter(is_partnership_host=True).exists()
    ):
        council.is_partnership_host = True
        council.save(update_fields=["is_partnership_host"])
    return organisations


def _staff(organisations: dict[str, Organisation], summary: DemoSummary) -> dict[str, User]:
    users = {}
    for username, first_name, slug, role in STAFF:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            summary.users += 1
        Membership.objects.get_or_create(
            user=user, organisation=organisations[slug], defaults={"role": role}
        )
        users[username] = user
    return users


def _assessments(
    rng: random.Random,
    preferred_language: str,
    versions: dict[str, InstrumentVersion],
    first: date,
    today: date,
) -> list[tuple[InstrumentVersion, CompletedElsewhere]]:
    version = versions[rng.choices(INSTRUMENTS, weights=[55, 45])[0]]
    instrument: Instrument = version.instrument
    trajectory = synthetic_trajectory(rng, [domain.id for domain in instrument.domains])
    count = rng.choices([1, 2, 3, 4], weights=[20, 30, 30, 20])[0]
    span = max(1, (today - first).days)
    dates = sorted(
        {
            first + timedelta(days=int(span * fraction))
            for fraction in [0.0] + sorted(rng.random() for _ in range(count - 1))
        }
    )
    built = []
    for assessed_on in dates:
        years = (assessed_on - first).days / 365.25
        answers = _answers(rng, instrument, trajectory, years)
        built.append(
            (
                version,
                CompletedElsewhere(
                    person_id=0,  # set once the person is registered
                    assessed_on=assessed_on,
                    mode=rng.choice(list(AssessmentMode.values)),
                    language=preferred_language
                    if preferred_language in instrument.languages
                    else "en",
                    answers=answers,
                    scores=score_responses(instrument, answers),
                    completed_at=timezone.make_aware(datetime.combine(assessed_on, time(11, 0))),
                ),
            )
        )
    return built


def _answers(
    rng: random.Random, instrument: Instrument, trajectory: Trajectory, years: float
) -> dict[str, object]:
    """For each item, the option whose score is nearest the person's latent level, with the
    occasional 'prefer not to say'."""
    answers: dict[str, object] = {}
    for domain in instrument.domains:
        for item in domain.items:
            if item.type == "free_text":
                continue
            if (
                item.type == "number"
                and item.number_min is not None
                and item.number_max is not None
            ):
                level = trajectory.level(domain.id, years, rng) / 100
                answers[item.id] = round(
                    item.number_min + level * (item.number_max - item.number_min)
                )
                continue
            unscored = [option for option in item.options if item.option_score(option) is None]
            if unscored and rng.random() < 0.04:
                answers[item.id] = unscored[0].value
                continue
            level = trajectory.level(domain.id, years, rng)
            scored = [
                (abs((item.option_score(option) or 0) - level), option.value)
                for option in item.options
                if item.option_score(option) is not None
            ]
            if not scored:
                continue
            value = min(scored)[1]
            answers[item.id] = [value] if item.type == "multiple_choice" else value
    return answers


def _host_surveys(host: Organisation, by: Any, today: date) -> None:
    """The demo's host norms come from synthetic surveys of the host population, published
    through the same code as an uploaded survey (`transfer.surveys`), not from invented
    numbers: each instrument surveyed three times (see `survey.DEMO_SURVEYS`)."""
    if HostSurvey.objects.exists():
        return
    for number, slug in enumerate(INSTRUMENTS):
        instrument = instrument_version_for(slug).instrument
        base = host_norms_for(slug)
        first = base.in_force(date(2019, 1, 1)) if base else {}
        for index, (valid_from, label, shift, affected) in enumerate(DEMO_SURVEYS):
            if valid_from > today:
                continue
            means = {
                domain.id: (first[domain.id].value if domain.id in first else 60.0)
                + (shift if any(word in domain.id for word in affected) else shift / 4)
                for domain in instrument.domains
            }
            text = synthetic_survey_csv(
                instrument, true_means=means, respondents=400, seed=2026 + 10 * number + index
            )
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"{slug}-host-survey-{valid_from}.csv"
                path.write_text(text, encoding="utf-8")
                publish_survey_file(
                    path,
                    by=by,
                    organisation=host,
                    instrument=slug,
                    valid_from=valid_from,
                    source="Synthetic survey of 400 residents generated for the Pathmark demo "
                    "(not real data)",
                    label=label,
                    min_group=30,
                    is_synthetic=True,
                )


# Life events the demo gives one person in five, between two of their assessments.
DEMO_EVENTS = ["moved_home", "started_work", "lost_job", "status_decided", "family_arrived"]


def _life_events(
    caseworker: Any, organisation: Organisation, ids: list[int], entries: list[Any], *, rng: Any
) -> None:
    people = Person.objects.in_bulk(ids)
    for person_id, (_registration, assessments, _shares) in zip(ids, entries, strict=True):
        dates = sorted(assessment.assessed_on for _version, assessment in assessments)
        if len(dates) < 2 or rng.random() >= 0.2:
            continue
        first, last = dates[0], dates[-1]
        record_life_event(
            by=caseworker,
            organisation=organisation,
            person=people[person_id],
            occurred_on=first + (last - first) * rng.uniform(0.2, 0.8),
            kind=rng.choice(DEMO_EVENTS),
        )
