"""Synthetic referrals for the demo, so that every side of the loop has something to show.

- **History**: for some of each assessing organisation's demo people, a referral made between
  their first and latest assessment, for the two domains they started lowest in, to demo services
  that work on them, ended as most referrals end (completed, did not attend, declined,
  withdrawn). Written as an import of old records is (`record_imported_referrals`), with
  their dates, so the reports' funnel and "what works", and the evidence of "where best to
  refer", read a past.
- **Today**: a few of the refugee charity's clients referred to the college's classes with
  their consent (through the services, as Amira would send them): some waiting for Lena's
  answer, one accepted and one started, so the provider's home and inbox show live work.

Safe to run again: nothing is added once any demo person has a referral."""

from __future__ import annotations

import random
from datetime import date, timedelta

from pathmark.accounts.models import User
from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.directory.catalogue import themes
from pathmark.directory.models import Service, ServiceStatus
from pathmark.organisations.models import Organisation
from pathmark.people.models import ConsentMethod, Person
from pathmark.referrals import services as referral_services
from pathmark.referrals import states
from pathmark.referrals.models import Referral

INSTRUMENT = "integration-journey"
HISTORY_PER_ORGANISATION = 200
# How past referrals ended (weights): most completed, some never attended, some declined.
ENDINGS = [
    (states.COMPLETED, 50),
    (states.DID_NOT_ATTEND, 20),
    (states.DECLINED, 15),
    (states.WITHDRAWN, 5),
    (states.STARTED, 10),
]
# The college's live referrals from the charity: where Lena has got to with each.
LIVE = [states.SENT, states.SENT, states.SENT, states.ACCEPTED, states.STARTED]
LIVE_FROM = "northbridge-refugee-support"
LIVE_TO = "northbridge-college"


def load_demo_referrals(
    *, organisations: dict[str, Organisation], users: dict[str, User], today: date, seed: int
) -> int:
    """Adds the demo's referrals (see the module's text) and returns how many. Runs inside
    the demo's system scope."""
    if Referral.objects.filter(person__external_id__startswith="demo-").exists():
        return 0
    rng = random.Random(seed + 17)
    catalogue = themes()
    referable = list(
        Service.objects.filter(status=ServiceStatus.ACTIVE, taking_referrals=True)
        .select_related("organization__organisation")
        .prefetch_related("themes")
        .order_by("id")
    )

    def services_for(domain: str) -> list[Service]:
        slugs = {theme.slug for theme in catalogue.themes_for_domain(INSTRUMENT, domain)}
        return [s for s in referable if slugs & set(s.theme_slugs)]

    made = 0
    for organisation in organisations.values():
        caseworker = _caseworker_of(users, organisation)
        if caseworker is None:
            continue
        made += _history(organisation, caseworker, services_for, rng=rng, today=today)
    made += _live(organisations, users, referable, today=today)
    return made


def _caseworker_of(users: dict[str, User], organisation: Organisation) -> User | None:
    for user in users.values():
        if user.memberships.filter(organisation=organisation, role="caseworker").exists():
            return user
    return None


def _history(organisation, caseworker, services_for, *, rng: random.Random, today: date) -> int:  # type: ignore[no-untyped-def]
    rows: list[referral_services.ImportedReferral] = []
    people = (
        Person.objects.filter(
            organisation=organisation,
            external_id__startswith="demo-",
            status=Person.Status.ACTIVE,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for person_id in people:
        if len(rows) >= HISTORY_PER_ORGANISATION:
            break
        completed = list(
            Assessment.objects.filter(
                person_id=person_id,
                status=AssessmentStatus.COMPLETED,
                instrument_version__slug=INSTRUMENT,
            )
            .order_by("assessed_on", "pk")
            .values_list("assessed_on", "domain_scores")
        )
        if len(completed) < 2:
            continue
        (first_on, first_scores), (last_on, _last) = completed[0], completed[-1]
        if (last_on - first_on).days < 60 or not first_scores:
            continue
        # The two domains they started lowest in, each to a service that works on it (the
        # first such service most often, as a partnership's usual routes are).
        lowest = sorted(
            (domain for domain, score in first_scores.items() if score is not None),
            key=lambda domain: (first_scores[domain], domain),
        )[:2]
        for domain in lowest:
            options = services_for(domain)
            if not options:
                continue
            service = rng.choices(options, weights=[4] + [1] * (len(options) - 1))[0]
            referred_on = first_on + timedelta(days=rng.randint(7, 30))
            status = rng.choices([s for s, _w in ENDINGS], weights=[w for _s, w in ENDINGS])[0]
            status_on = min(referred_on + timedelta(days=rng.randint(10, 90)), today)
            rows.append(
                referral_services.ImportedReferral(
                    row=len(rows) + 2,
                    person_id=person_id,
                    service=service,
                    referred_on=referred_on,
                    status=status,
                    status_on=max(status_on, referred_on),
                )
            )
    if rows:
        referral_services.record_imported_referrals(
            by=caseworker, organisation=organisation, creates=rows, updates=[]
        )
    return len(rows)


def _live(
    organisations: dict[str, Organisation],
    users: dict[str, User],
    referable: list[Service],
    *,
    today: date,
) -> int:
    sender, receiver = organisations.get(LIVE_FROM), organisations.get(LIVE_TO)
    caseworker, provider = users.get("amira"), users.get("lena")
    college = [
        s for s in referable if s.organization.organisation_id == getattr(receiver, "pk", None)
    ]
    if not (sender and receiver and caseworker and provider and college):
        return 0
    # Adults of the charity who speak a language the classes teach in, not referred before.
    already = Referral.objects.values("person_id")
    people = list(
        Person.objects.filter(
            organisation=sender,
            external_id__startswith="demo-",
            status=Person.Status.ACTIVE,
            date_of_birth__lte=today - timedelta(days=365 * 18),
        )
        .exclude(pk__in=already)
        .order_by("-pk")[: len(LIVE)]
    )
    consent = referral_services.ReferralConsent(given_on=today, method=ConsentMethod.IN_PERSON)
    made = 0
    for number, (person, where) in enumerate(zip(people, LIVE, strict=False)):
        service = college[number % len(college)]
        referral = referral_services.draft_referral(
            by=caseworker,
            organisation=sender,
            person=person,
            service=service,
            consent=consent,
            note="Synthetic demo referral: not a real person.",
            send=True,
        )
        for step in _path(where):
            referral = referral_services.change_status(
                by=provider, organisation=receiver, referral=referral, new=step
            )
        made += 1
    return made


def _path(where: str) -> list[str]:
    """The provider's moves from `sent` to `where`."""
    if where == states.ACCEPTED:
        return [states.ACCEPTED]
    if where == states.STARTED:
        return [states.ACCEPTED, states.STARTED]
    return []
