"""Writes for instruments: copy instrument files into the database as immutable versions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .definition import DEFAULT_LANGUAGE, PERSON, Instrument
from .models import InstrumentVersion
from .registry import UnknownInstrument, get_instrument, instrument_files
from .scoring import validate_responses


class InstrumentChangedError(Exception):
    """A file's content changed but its version did not; stored assessments would be rewritten."""


@dataclass(frozen=True)
class SyncChange:
    slug: str
    version: int
    path: Path
    action: str = "added"


@transaction.atomic
def sync_instruments() -> list[SyncChange]:
    """Store every instrument file version not yet in the database; refuse silent edits.

    All or nothing: if any file changed without a new version number, nothing is stored.
    """
    changes: list[SyncChange] = []
    refused: list[str] = []
    for entry in instrument_files():
        instrument = entry.instrument
        stored, created = InstrumentVersion.objects.get_or_create(
            slug=instrument.slug,
            version=instrument.version,
            defaults={
                "title": instrument.title[DEFAULT_LANGUAGE][:200],
                "definition": instrument.raw,
                "sha256": entry.sha256,
            },
        )
        if created:
            changes.append(SyncChange(instrument.slug, instrument.version, entry.path))
        elif stored.sha256 != entry.sha256:
            refused.append(
                _(
                    "%(path)s changed since %(slug)s version %(version)s was stored; "
                    "set `version: %(next)s` in the file (assessments keep the old version)."
                )
                % {
                    "path": entry.path,
                    "slug": instrument.slug,
                    "version": instrument.version,
                    "next": instrument.version + 1,
                }
            )
    if refused:
        raise InstrumentChangedError(" ".join(refused))
    return changes


def instrument_version_for(
    slug: str, version: int | None = None, *, subject: str = PERSON
) -> InstrumentVersion:
    """The stored row for an instrument version (the latest file's by default), storing it first
    if the file is new. Versions whose file was removed are still found in the database.

    Only an instrument that assesses `subject` is found (people's by default): every way of
    assessing a person (pages, a client's link, imports, the demo) comes through here, so an
    organisation's capacity instrument can never be answered about a person, nor the other
    way round, whatever slug a form or a file names."""
    found = _instrument_version(slug, version)
    if found.instrument.subject != subject:
        message = (
            _("%(slug)s is a questionnaire about an organisation, not a person.")
            if subject == PERSON
            else _("%(slug)s is a questionnaire about a person, not an organisation.")
        )
        raise UnknownInstrument(message % {"slug": slug})
    return found


def _instrument_version(slug: str, version: int | None) -> InstrumentVersion:
    try:
        wanted = version if version is not None else get_instrument(slug).version
    except UnknownInstrument:
        stored = InstrumentVersion.objects.filter(slug=slug).order_by("-version").first()
        if stored is None:
            raise
        return stored
    found = InstrumentVersion.objects.filter(slug=slug, version=wanted).first()
    if found is None:
        sync_instruments()
        found = InstrumentVersion.objects.filter(slug=slug, version=wanted).first()
    if found is None:
        # Raises UnknownInstrument with the list of versions that do exist.
        get_instrument(slug, wanted)
        raise UnknownInstrument(slug)
    return found


def answers_with_domain(
    instrument: Instrument, domain_id: str, stored: dict[str, object], answers: dict[str, object]
) -> tuple[dict[str, object], set[str]]:
    """The stored answers of a draft with one domain's new `answers` in them (None clears an
    answer), and the ids of that domain's items; a ValidationError naming each item that is
    not of the domain or whose answer the instrument refuses, before anything changes. The
    one rule for every draft of an instrument, about a person or an organisation."""
    domain = instrument.domain(domain_id)
    if domain is None:
        raise ValidationError(
            _("There is no domain %(domain)s in this instrument.") % {"domain": domain_id}
        )
    in_domain = {item.id for item in domain.items}
    problems: dict[str, list[str]] = {}
    for item_id in answers:
        if item_id not in in_domain:
            problems.setdefault(item_id, []).append(
                _("Item %(item)s is not a question of this domain.") % {"item": item_id}
            )
    given = {item_id: value for item_id, value in answers.items() if item_id in in_domain}
    for item_id, message in validate_responses(instrument, given):
        problems.setdefault(item_id, []).append(
            _("Item %(item)s: %(problem)s.") % {"item": item_id, "problem": message}
        )
    if problems:
        raise ValidationError(problems)
    merged = dict(stored)
    for item_id, value in given.items():
        if value is None:
            merged.pop(item_id, None)
        else:
            merged[item_id] = value
    return merged, in_domain
