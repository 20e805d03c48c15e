"""Writing the evidence bank: an organisation's managers and administrators keep their own
organisation's interventions; every change is audited, and two people editing one
intervention never overwrite each other silently (its version must be the one they read)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pathmark.audit.services import record
from pathmark.directory.catalogue import themes
from pathmark.organisations.models import Membership, Organisation, Role
from pathmark.organisations.permissions import role_may

from .models import (
    EvidenceItem,
    EvidenceKind,
    Funding,
    HardToReach,
    Intervention,
    InterventionType,
    PlaceCharacteristic,
)

# What an evidence file may be: documents and pictures a funder or a partner would send.
ALLOWED_FILES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# The first bytes each kind of file starts with, where it has a fixed signature.
SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


@dataclass(frozen=True)
class Details:
    title: str
    description: str
    themes: list[str]
    intervention_type: str
    place: str
    place_characteristics: list[str]
    reaches: str
    hard_to_reach: list[str]
    service: Any = None


def may_edit(by: Any, organisation: Organisation) -> bool:
    return (
        Membership.objects.filter(
            user=by, organisation=organisation, is_active=True, user__is_active=True
        )
        .filter(role__in=[role for role in Role.values if role_may(role, "evidence.edit")])
        .exists()
    )


def _check_editor(by: Any, organisation: Organisation, intervention: Intervention | None) -> None:
    if not may_edit(by, organisation):
        raise PermissionDenied
    if intervention is not None and intervention.organisation_id != organisation.pk:
        raise PermissionDenied


def _checked(details: Details) -> Details:
    problems: dict[str, str] = {}
    known = {theme.slug for theme in themes().themes}
    if not details.title.strip():
        problems["title"] = _("Give the intervention a title.")
    if not details.description.strip():
        problems["description"] = _("Say in a few words what it does.")
    if not details.place.strip():
        problems["place"] = _("Say where it happens.")
    if set(details.themes) - known:
        problems["themes"] = _("Choose themes from the list.")
    if details.intervention_type not in InterventionType.values:
        problems["intervention_type"] = _("Choose the kind of intervention.")
    if set(details.place_characteristics) - set(PlaceCharacteristic.values):
        problems["place_characteristics"] = _("Choose from the list.")
    if set(details.hard_to_reach) - set(HardToReach.values):
        problems["hard_to_reach"] = _("Choose from the list.")
    if problems:
        raise ValidationError(problems)
    return details


@transaction.atomic
def add_intervention(*, by: Any, organisation: Organisation, details: Details) -> Intervention:
    _check_editor(by, organisation, None)
    details = _checked(details)
    intervention = Intervention.objects.create(
        organisation=organisation, created_by=by, **_fields(details)
    )
    record(
        actor=by,
        organisation=organisation,
        action="evidence.intervention_added",
        target=intervention,
    )
    return intervention


@transaction.atomic
def change_intervention(
    *,
    by: Any,
    organisation: Organisation,
    intervention: Intervention,
    details: Details,
    expected_version: int,
) -> Intervention:
    """Saves the new details if nobody saved since `expected_version` was read; otherwise a
    ValidationError says so and nothing is written."""
    intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
    _check_editor(by, organisation, intervention)
    if intervention.version != expected_version:
        raise ValidationError(
            _(
                "Someone else saved this intervention while you were editing it. Your changes "
                "were not saved: the page now shows theirs; make yours again."
            ),
            code="stale",
        )
    details = _checked(details)
    changed = [
        name for name, value in _fields(details).items() if getattr(intervention, name) != value
    ]
    for name, value in _fields(details).items():
        setattr(intervention, name, value)
    intervention.version += 1
    intervention.save()
    record(
        actor=by,
        organisation=organisation,
        action="evidence.intervention_changed",
        target=intervention,
        extra={"fields": sorted(changed)},
    )
    return intervention


def _fields(details: Details) -> dict[str, Any]:
    return {
        "title": details.title.strip(),
        "description": details.description.strip(),
        "themes": sorted(set(details.themes)),
        "intervention_type": details.intervention_type,
        "place": details.place.strip(),
        "place_characteristics": sorted(set(details.place_characteristics)),
        "reaches": details.reaches.strip(),
        "hard_to_reach": sorted(set(details.hard_to_reach)),
        "service": details.service,
    }


@transaction.atomic
def add_funding(
    *,
    by: Any,
    organisation: Organisation,
    intervention: Intervention,
    funder: str,
    amount: Decimal,
    starts_on: date,
    ends_on: date | None,
) -> Funding:
    _check_editor(by, organisation, intervention)
    if amount < 0:
        raise ValidationError({"amount": _("The amount cannot be below zero.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The funding cannot end before it starts.")})
    funding = Funding.objects.create(
        intervention=intervention,
        funder=funder.strip(),
        amount=amount,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    record(
        actor=by,
        organisation=organisation,
        action="evidence.funding_added",
        target=intervention,
        extra={"funding": funding.pk},
    )
    return funding


def evidence_folder() -> Path:
    folder = Path(settings.PATHMARK_PRIVATE_MEDIA) / "evidence"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def check_file(name: str, first_bytes: bytes) -> str:
    """The content type of an acceptable evidence file, or a ValidationError naming why not:
    its kind from the name, and the file's first bytes must agree with it."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_FILES:
        raise ValidationError(
            {
                "file": _("Pathmark keeps documents and pictures only: %(kinds)s.")
                % {"kinds": ", ".join(sorted(ALLOWED_FILES))}
            }
        )
    signatures = SIGNATURES.get(suffix)
    if signatures and not any(first_bytes.startswith(s) for s in signatures):
        raise ValidationError(
            {
                "file": _("The file's contents do not match its name (%(suffix)s).")
                % {"suffix": suffix}
            }
        )
    if suffix in (".csv", ".txt"):
        try:
            first_bytes.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(first_bytes) - 4:  # not just a character cut at the end
                raise ValidationError({"file": _("A text file must be UTF-8 text.")}) from None
    return ALLOWED_FILES[suffix]


@transaction.atomic
def add_evidence(
    *,
    by: Any,
    organisation: Organisation,
    intervention: Intervention,
    kind: str,
    title: str,
    text: str = "",
    url: str = "",
    upload: Any = None,
) -> EvidenceItem:
    """Evidence of one of three kinds: written (`text`), a link (`url`) or a file (`upload`,
    a Django UploadedFile, already size-limited as it arrived)."""
    _check_editor(by, organisation, intervention)
    if not title.strip():
        raise ValidationError({"title": _("Give the evidence a title.")})
    item = EvidenceItem(intervention=intervention, kind=kind, title=title.strip(), added_by=by)
    if kind == EvidenceKind.TEXT:
        if not text.strip():
            raise ValidationError({"text": _("Write the account.")})
        item.text = text.strip()
    elif kind == EvidenceKind.LINK:
        if not url.startswith(("https://", "http://")):
            raise ValidationError({"url": _("Give a web address starting with https://.")})
        item.url = url
    elif kind == EvidenceKind.FILE:
        if upload is None:
            raise ValidationError({"file": _("Choose a file.")})
        head = upload.read(8)
        upload.seek(0)
        item.content_type = check_file(upload.name, head)
        item.file_name = Path(upload.name).name[:200]
        item.size = upload.size
        item.stored_as = f"{secrets.token_hex(16)}{Path(upload.name).suffix.lower()}"
        target = evidence_folder() / item.stored_as
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        target.chmod(0o600)
    else:
        raise ValidationError({"kind": _("Choose the kind of evidence.")})
    try:
        item.save()
    except Exception:
        if item.stored_as:
            (evidence_folder() / item.stored_as).unlink(missing_ok=True)
        raise
    record(
        actor=by,
        organisation=organisation,
        action="evidence.item_added",
        target=intervention,
        extra={"item": item.pk, "kind": kind},
    )
    return item


@transaction.atomic
def remove_evidence(*, by: Any, organisation: Organisation, item: EvidenceItem) -> None:
    item = EvidenceItem.objects.select_related("intervention").get(pk=item.pk)
    _check_editor(by, organisation, item.intervention)
    stored = item.stored_as
    item.delete()
    if stored:
        transaction.on_commit(lambda: (evidence_folder() / stored).unlink(missing_ok=True))
    record(
        actor=by,
        organisation=organisation,
        action="evidence.item_removed",
        target=item.intervention,
        extra={"item": item.pk},
    )
