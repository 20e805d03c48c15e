"""The facts "where best to refer" ranks by, read from the database: the person's gaps (their
latest journey), the directory's referable services, and the evidence of past referrals
across the partnership, read in an aggregate-only scope (counts, never identities).

The ranking itself is `ranking.py` (pure); this module only gathers what it needs.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.directory.catalogue import themes
from pathmark.directory.models import Language, Service, ServiceAtLocation, ServiceStatus
from pathmark.journeys.selectors import journeys_of
from pathmark.organisations.scoping import aggregate_scope
from pathmark.people.models import Person

from . import ranking, states
from .models import Referral

# Outcomes count improvement within this many months of the referral.
EVIDENCE_MONTHS = 6
# People whose score in the domain was within this many points of the person's own when they
# were referred count as similar.
SIMILAR_WITHIN_POINTS = 15.0
# A later score at least this much higher is an improvement (when the instrument gives no
# measurement error of its own).
IMPROVEMENT_POINTS = 5.0


@dataclass(frozen=True)
class Need:
    """The person's latest standing on one instrument: score and gap per domain."""

    instrument: str
    scores: Mapping[str, float]
    gaps: Mapping[str, float]


def need_of(person: Person) -> Need | None:
    """From the most recent journey: each domain's latest score and its gap to the host norm
    (points below it; 0 at or above)."""
    journeys = journeys_of(person)
    if not journeys:
        return None
    journey = journeys[0]
    scores: dict[str, float] = {}
    gaps: dict[str, float] = {}
    for series in journey.domains:
        if not series.points:
            continue
        latest = series.points[-1]
        scores[series.key] = latest.score
        if latest.gap_to_host_norm is not None:
            gaps[series.key] = max(0.0, latest.gap_to_host_norm)
    return Need(journey.instrument.slug, scores, gaps)


def age_of(person: Person, today: datetime.date) -> int | None:
    born = person.date_of_birth
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def person_facts(
    person: Person, need: Need | None, *, goal_domains: Iterable[str] = ()
) -> ranking.Person:
    goal = frozenset(goal_domains)
    wanted_themes = frozenset(
        theme.slug
        for theme in themes().themes
        if need is not None and any(theme.works_on(need.instrument, domain) for domain in goal)
    )
    return ranking.Person(
        languages=frozenset(person.languages or ()),
        age=age_of(person, timezone.localdate()),
        gender=person.gender,
        immigration_status=person.immigration_status.slug if person.immigration_status else "",
        postcode=person.postcode,
        gaps=dict(need.gaps) if need else {},
        goal_domains=goal,
        themes=wanted_themes,
    )


def _places(service: Service) -> frozenset[str]:
    """Postcode districts of the service's (visible) locations, and its eligible areas."""
    found = set(service.eligible_postcode_areas)
    for link in service.service_at_locations.all():
        for address in link.location.addresses.all():
            code = "".join(address.postal_code.split()).upper()
            if len(code) >= 5:
                found.add(code[:-3])
    return frozenset(found)


def referable_services(
    instrument: str | None, *, among: Iterable[str] | None = None
) -> list[tuple[Service, ranking.ServiceFacts]]:
    """Every active service (or those of `among`, by id) with its facts for the ranking
    (including those not taking referrals, so the page can say why they are left out)."""
    catalogue = themes()
    active = Service.objects.filter(status=ServiceStatus.ACTIVE)
    if among is not None:
        active = active.filter(pk__in=list(among))
    services = active.select_related("organization").prefetch_related(
        "themes",
        Prefetch("languages", queryset=Language.objects.only("id", "code", "service_id")),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                "location__addresses"
            ),
        ),
    )
    found = []
    for service in services:
        slugs = frozenset(service.theme_slugs)
        domains = catalogue.domains_of(slugs).get(instrument, set()) if instrument else set()
        online = any(
            link.location.location_type == "virtual" for link in service.service_at_locations.all()
        )
        found.append(
            (
                service,
                ranking.ServiceFacts(
                    id=service.id,
                    name=service.name,
                    eligibility=service.eligibility(),
                    taking_referrals=service.taking_referrals,
                    staff_languages=frozenset(service.staff_languages),
                    interpreting_offered=service.interpreting_offered,
                    domains=frozenset(domains),
                    themes=slugs,
                    places=_places(service),
                    online=online,
                    places_per_month=service.places_per_month,
                    usual_wait_days=service.usual_wait_days,
                ),
            )
        )
    return found


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, 28))


def evidence_for(
    *, instrument: str, domain_of: Mapping[str, str], scores: Mapping[str, float]
) -> dict[str, ranking.Outcomes]:
    """For each service (id -> the domain it would work on for this person): how many
    similar people referred there for that domain attended, and how many of them scored at
    least IMPROVEMENT_POINTS higher in it within EVIDENCE_MONTHS. Read across the
    partnership as counts: the aggregate-only scope refuses to load anyone's record."""
    if not domain_of:
        return {}
    with aggregate_scope("where best to refer: outcomes of past referrals"):
        # An imported referral records no instrument or domain (the file has no place for
        # them): it is read as being for the domain the service works on here.
        found = Referral.objects.filter(
            Q(instrument=instrument) | Q(instrument=""),
            service_id__in=list(domain_of),
            status__in=states.ATTENDED,
            referred_on__isnull=False,
        ).values_list("service_id", "domain", "person_id", "referred_on")
        referred = [
            (service_id, domain or domain_of[service_id], person_id, referred_on)
            for service_id, domain, person_id, referred_on in found
            if domain in ("", domain_of[service_id])
        ]
        people = {row[2] for row in referred}
        readings: dict[int, list[tuple[datetime.date, dict[str, float]]]] = defaultdict(list)
        if people:
            for person_id, assessed_on, domain_scores in (
                Assessment.objects.filter(
                    person_id__in=people,
                    status=AssessmentStatus.COMPLETED,
                    instrument_version__slug=instrument,
                )
                .order_by("assessed_on", "pk")
                .values_list("person_id", "assessed_on", "domain_scores")
            ):
                readings[person_id].append((assessed_on, domain_scores or {}))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for service_id, domain, person_id, referred_on in referred:
        before = [s.get(domain) for day, s in readings[person_id] if day <= referred_on]
        before = [score for score in before if score is not None]
        if not before:
            continue
        baseline = before[-1]
        own = scores.get(domain)
        if own is not None and abs(baseline - own) > SIMILAR_WITHIN_POINTS:
            continue
        until = _add_months(referred_on, EVIDENCE_MONTHS)
        after = [s.get(domain) for day, s in readings[person_id] if referred_on < day <= until]
        improved = any(
            score is not None and score >= baseline + IMPROVEMENT_POINTS for score in after
        )
        counts[service_id][0] += int(improved)
        counts[service_id][1] += 1
    return {
        service_id: ranking.Outcomes(improved, attended, domain_of[service_id], EVIDENCE_MONTHS)
        for service_id, (improved, attended) in counts.items()
    }


@dataclass(frozen=True)
class Match:
    ranking: ranking.Ranking
    services: Mapping[str, Service]
    instrument: str | None


def match(
    person: Person,
    *,
    goal_domains: Iterable[str] = (),
    limit: int | None = 10,
    among: Iterable[str] | None = None,
) -> Match:
    """The ranked services for `person` (and a goal's domains), with the services by id;
    `among` ranks only those services (ids) instead of the whole directory."""
    need = need_of(person)
    facts = person_facts(person, need, goal_domains=goal_domains)
    instrument = need.instrument if need else None
    listed = referable_services(instrument, among=among)
    evidence: dict[str, ranking.Outcomes] = {}
    if need is not None:
        domain_of = {}
        for _service, service_facts in listed:
            domains = service_facts.domains & facts.goal_domains or service_facts.domains
            if domains:
                domain_of[service_facts.id] = max(
                    sorted(domains), key=lambda domain: need.gaps.get(domain, 0.0)
                )
        evidence = evidence_for(instrument=need.instrument, domain_of=domain_of, scores=need.scores)
    ranked = ranking.rank(
        facts,
        [service_facts for _service, service_facts in listed],
        evidence=evidence,
        limit=limit,
        with_excluded=True,
    )
    return Match(ranked, {service.id: service for service, _facts in listed}, instrument)
