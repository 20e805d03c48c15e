"""A capacity self-assessment answered through the services, for the capacity tests."""

from __future__ import annotations

from datetime import date

import pytest

from pathmark.capacity import services
from pathmark.instruments.registry import get_instrument
from pathmark.organisations.models import Organisation, Role
from pathmark.organisations.scoping import organisation_scope


def answer_all(instrument, level: str) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    """Every rated statement answered `level`, by area."""
    return {
        domain.id: {item.id: level for item in domain.scored_items} for domain in instrument.domains
    }


def self_assess(  # type: ignore[no-untyped-def]
    user,
    organisation: Organisation,
    *,
    levels: dict[str, str] | None = None,
    default: str = "in-place",
    assessed_on: date = date(2026, 3, 1),
    complete: bool = True,
    note: str = "",
):
    """A self-assessment by `user` for `organisation`: each area answered at its level in
    `levels` (or `default`), with `note` as the governance free-text answer."""
    instrument = get_instrument(services.DEFAULT_INSTRUMENT)
    levels = levels or {}
    with organisation_scope(organisation_id=organisation.pk, user_id=user.pk, role=Role.MANAGER):
        assessment = services.start_capacity_assessment(
            by=user, organisation=organisation, language="en", assessed_on=assessed_on
        )
        for domain in instrument.domains:
            answers: dict[str, object] = {
                item.id: levels.get(domain.id, default) for item in domain.scored_items
            }
            if note and domain.id == "governance":
                answers["governance-help"] = note
            assessment = services.save_capacity_answers(
                by=user,
                organisation=organisation,
                assessment=assessment,
                domain_id=domain.id,
                answers=answers,
            )
        if complete:
            assessment = services.complete_capacity_assessment(
                by=user, organisation=organisation, assessment=assessment
            )
    return assessment


@pytest.fixture
def capacity_instrument():  # type: ignore[no-untyped-def]
    return get_instrument(services.DEFAULT_INSTRUMENT)


@pytest.fixture
def host(world):  # type: ignore[no-untyped-def]
    """Organisation B (the council) hosts the partnership."""
    Organisation.objects.filter(pk=world.org_b.pk).update(is_partnership_host=True)
    world.org_b.refresh_from_db()
    return world.org_b
