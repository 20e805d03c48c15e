"""The demo's evidence bank: a few synthetic interventions of the demo organisations, with
funding and written evidence, one of them the college's ESOL classes in the directory (so
its page shows Pathmark's own figures). Every one says it is synthetic; loading the demo
again adds nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pathmark.accounts.models import User
from pathmark.directory.models import Service
from pathmark.evidence import services as evidence_services
from pathmark.evidence.models import Intervention
from pathmark.organisations.models import Organisation

SYNTHETIC = "Synthetic demo intervention: not a real project."

# organisation, manager, title, kind, themes, place characteristics, hard to reach, service name,
# funding (funder, amount, start, end), evidence texts
INTERVENTIONS = [
    (
        "northbridge-college",
        "joy",
        "ESOL Entry 1-3 classes",
        "basic_assistance",
        ["english-esol", "digital-skills"],
        ["high_immigration"],
        ["no_english", "women_at_home"],
        "ESOL Entry 1-3 classes",
        [("Synthetic Adult Skills Fund", "48000", date(2024, 9, 1), date(2026, 7, 31))],
        ["Synthetic demo evidence: 9 in 10 learners moved up a level within a year."],
    ),
    (
        "northbridge-refugee-support",
        "tom",
        "Welcome walks",
        "basic_assistance",
        ["understanding-how-things-work"],
        ["new_immigration"],
        ["isolated"],
        None,
        [("Synthetic Community Foundation", "6500", date(2025, 1, 1), None)],
        [
            "Synthetic demo evidence: volunteers walked 120 newcomers to the GP, school and "
            "jobcentre in their first month.",
            "Synthetic demo evidence: a survey of walkers said they knew where to go next.",
        ],
    ),
    (
        "syrian-community-association",
        "nadia",
        "Mothers' coffee mornings",
        "women_and_girls",
        ["women-and-girls", "trust-between-communities"],
        ["rural"],
        ["women_at_home", "no_english"],
        None,
        [("Synthetic Lottery Grant", "9800", date(2023, 4, 1), date(2025, 3, 31))],
        [],
    ),
]


def load_demo_evidence(*, organisations: dict[str, Organisation], users: dict[str, User]) -> int:
    made = 0
    for (
        slug,
        manager,
        title,
        kind,
        themes,
        places,
        groups,
        service_name,
        funding,
        texts,
    ) in INTERVENTIONS:
        organisation, by = organisations.get(slug), users.get(manager)
        if organisation is None or by is None:
            continue
        if Intervention.objects.filter(organisation=organisation, title=title).exists():
            continue
        service = (
            Service.objects.filter(
                name=service_name, organization__organisation=organisation
            ).first()
            if service_name
            else None
        )
        item = evidence_services.add_intervention(
            by=by,
            organisation=organisation,
            details=evidence_services.Details(
                title=title,
                description=SYNTHETIC,
                themes=themes,
                intervention_type=kind,
                place="Northbridge",
                place_characteristics=places,
                reaches="Synthetic demo description of who it reaches.",
                hard_to_reach=groups,
                service=service,
            ),
        )
        for funder, amount, starts, ends in funding:
            evidence_services.add_funding(
                by=by,
                organisation=organisation,
                intervention=item,
                funder=funder,
                amount=Decimal(amount),
                starts_on=starts,
                ends_on=ends,
            )
        for number, text in enumerate(texts, 1):
            evidence_services.add_evidence(
                by=by,
                organisation=organisation,
                intervention=item,
                kind="text",
                title=f"Synthetic evidence {number}",
                text=text,
            )
        made += 1
    return made
