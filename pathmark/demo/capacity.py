"""Synthetic capacity self-assessments for the demo: the refugee community organisation has
grown over a year and has a new self-assessment under way; the charity and the college each
have one. The council hosts the partnership and has none, so its page names it as not yet
assessed. Written through the capacity services, as each organisation's administrator would;
safe to run again (an organisation with any self-assessment is left alone)."""

from __future__ import annotations

from datetime import date, timedelta

from pathmark.accounts.models import User
from pathmark.capacity import services as capacity_services
from pathmark.capacity.models import CapacityAssessment
from pathmark.instruments.registry import get_instrument
from pathmark.organisations.models import Organisation

# (organisation slug, administrator, days ago, level per area (the rest at `default`),
# default level, synthetic "what would help" notes per area, completed?)
SELF_ASSESSMENTS: list[tuple[str, str, int, dict[str, str], str, dict[str, str], bool]] = [
    (
        "syrian-community-association",
        "omar",
        400,
        {"governance": "starting", "community-voice": "in-place"},
        "not-in-place",
        {"finance": "Synthetic demo note: a volunteer treasurer and a simple cash book."},
        True,
    ),
    (
        "syrian-community-association",
        "omar",
        30,
        {
            "governance": "in-place",
            "finance": "in-place",
            "safeguarding": "not-in-place",
            "community-voice": "embedded",
            "partnerships": "in-place",
        },
        "starting",
        {"safeguarding": "Synthetic demo note: help to write a policy and train a lead."},
        True,
    ),
    (
        "syrian-community-association",
        "omar",
        3,
        {"governance": "in-place", "finance": "embedded"},
        "",
        {},
        False,
    ),
    (
        "northbridge-refugee-support",
        "sam",
        60,
        {"volunteers": "starting", "community-voice": "in-place"},
        "embedded",
        {"volunteers": "Synthetic demo note: ways to keep evening volunteers for longer."},
        True,
    ),
    (
        "northbridge-college",
        "joy",
        90,
        {"community-voice": "starting", "partnerships": "in-place"},
        "embedded",
        {},
        True,
    ),
]


def load_demo_capacity(
    *, organisations: dict[str, Organisation], users: dict[str, User], today: date
) -> int:
    """Creates the demo's self-assessments where an organisation has none yet; returns how
    many it created. Runs inside the demo's system scope."""
    instrument = get_instrument(capacity_services.DEFAULT_INSTRUMENT)
    assessed = set(
        CapacityAssessment.objects.filter(
            organisation__in=[organisations[slug] for slug, *_ in SELF_ASSESSMENTS]
        ).values_list("organisation__slug", flat=True)
    )
    created = 0
    for slug, username, days_ago, levels, default, notes, complete in SELF_ASSESSMENTS:
        if slug in assessed or username not in users:
            continue
        organisation, by = organisations[slug], users[username]
        assessment = capacity_services.start_capacity_assessment(
            by=by,
            organisation=organisation,
            language="en",
            assessed_on=today - timedelta(days=days_ago),
        )
        for domain in instrument.domains:
            level = levels.get(domain.id, default)
            if not level:
                continue  # a draft answered only part of the way
            answers: dict[str, object] = {item.id: level for item in domain.scored_items}
            free_text = [item.id for item in domain.items if not item.is_scored]
            if domain.id in notes and free_text:
                answers[free_text[0]] = notes[domain.id]
            assessment = capacity_services.save_capacity_answers(
                by=by,
                organisation=organisation,
                assessment=assessment,
                domain_id=domain.id,
                answers=answers,
            )
        if complete:
            capacity_services.complete_capacity_assessment(
                by=by, organisation=organisation, assessment=assessment
            )
        created += 1
    return created
