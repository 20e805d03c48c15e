"""Writes to the directory: importing and exporting HSDS packages, and providers editing
their own services. Each write is one transaction with its audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from pathmark.audit.services import actor_or_command_line, record
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import checks_organisation, system_scope

from . import hsds, packages
from .models import (
    Address,
    DirectoryOrganisation,
    Language,
    Location,
    LocationType,
    OrganizationIdentifier,
    Service,
    ServiceAtLocation,
)
from .themes import NAMESPACE

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    source: str
    form: str
    rows: int
    created: int
    updated: int
    unchanged: int
    counts: dict[str, int]
    not_kept: dict[str, int]
    services: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "form": self.form,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "tables": self.counts,
            "checked_not_kept": self.not_kept,
            "notes": self.notes,
            "dry_run": self.dry_run,
        }


class _DryRun(Exception):
    pass


def import_package(
    *,
    by: Any,
    organisation: Organisation | None,
    path: Path,
    dry_run: bool = False,
    progress: Progress | None = None,
    audit_details: dict[str, Any] | None = None,
) -> ImportResult:
    """Imports an HSDS package (CSV folder with datapackage.json, or JSON documents) into
    the directory, all or nothing: every row is checked first and hsds.PackageError lists
    every problem with its file, row and field. Rows are matched on their HSDS id, so a
    second run changes nothing and ids never change. `organisation` is the importer's (the
    host's for an upload; None from the command line) and is named in the audit log."""
    outcome: ImportResult | None = None
    try:
        with system_scope("importing an HSDS package into the directory"), transaction.atomic():
            packages.ensure_pathmark_taxonomies()
            package = hsds.read_package(path, stored=packages.stored_ids)
            plan = packages.plan_import(package, progress=progress)
            outcome = ImportResult(
                source=str(path),
                form=package.form,
                rows=package.total_rows,
                created=plan.created,
                updated=plan.updated,
                unchanged=plan.unchanged,
                counts=package.counts(),
                not_kept=plan.not_kept,
                services=plan.services,
                notes=package.notes,
                dry_run=dry_run,
            )
            if dry_run:
                raise _DryRun
            packages.write_import(plan, progress=progress)
            record(
                actor=actor_or_command_line(by),
                organisation=organisation,
                action="directory.imported",
                extra={
                    "rows": outcome.rows,
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "services": len(plan.services),
                    **(audit_details or {}),
                },
            )
    except _DryRun:
        pass
    assert outcome is not None
    return outcome


@checks_organisation
def export_package(
    *,
    by: Any,
    organisation: Organisation | None,
    folder: Path,
    progress: Progress | None = None,
) -> list[tuple[str, int]]:
    """Writes the directory as an HSDS 3.0 CSV package into `folder`, as `organisation`
    sees it (None: as anyone outside every organisation, so no confidential location)."""
    with system_scope("exporting the directory as HSDS"), transaction.atomic():
        # The attributes written refer to Pathmark's own terms: the package carries them.
        packages.ensure_pathmark_taxonomies()
        tables = packages.export_tables(viewer=organisation, progress=progress)
        written = hsds.write_package(folder, tables, title="Pathmark directory of services")
        record(
            actor=actor_or_command_line(by),
            organisation=organisation,
            action="directory.exported",
            extra={"files": dict(written)},
        )
    return written


def directory_entry_for(organisation: Organisation) -> DirectoryOrganisation:
    """The HSDS organization that is this partnership organisation, made on first use with
    the identifier that links the two in every export (`pathmark_organisation`: its short
    name). Ids derive from the short name, so every installation gives the same."""
    entry = DirectoryOrganisation.objects.filter(organisation=organisation).order_by("id").first()
    if entry is not None:
        return entry
    entry_id = str(uuid.uuid5(NAMESPACE, f"organisation:{organisation.slug}"))
    entry, _created = DirectoryOrganisation.objects.get_or_create(
        id=entry_id,
        defaults={"organisation": organisation, "name": organisation.name, "description": ""},
    )
    OrganizationIdentifier.objects.get_or_create(
        id=str(uuid.uuid5(NAMESPACE, f"organisation-identifier:{organisation.slug}")),
        defaults={
            "organization": entry,
            "identifier_type": packages.PATHMARK_IDENTIFIER_TYPE,
            "identifier": organisation.slug,
        },
    )
    return entry


# --- Providers editing their own services ----------------------------------------------------

SERVICE_FIELDS = (
    "name",
    "description",
    "status",
    "url",
    "email",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "eligible_genders",
    "eligible_immigration_statuses",
    "eligible_languages",
    "eligible_postcode_areas",
    "places_per_month",
    "taking_referrals",
    "usual_wait_days",
    "response_days",
    "interpreting_offered",
    "interpretation_services",
)
LOCATION_FIELDS = ("location_name", "location_type", "address_1", "city", "postal_code")


class EditConflict(Exception):
    """Someone saved the service after the form was opened; `changed` names their fields."""

    def __init__(self, changed: list[str], current: dict[str, Any]) -> None:
        self.changed = changed
        self.current = current
        super().__init__(", ".join(changed))


def _place(service: Service) -> tuple[Location | None, Address | None]:
    link = (
        ServiceAtLocation.objects.select_related("location")
        .filter(service=service, location__organization=service.organization)
        .order_by("id")
        .first()
    )
    if link is None:
        return None, None
    return link.location, link.location.addresses.order_by("id").first()


def snapshot(service: Service) -> dict[str, Any]:
    """What the edit form shows, as plain values: compared on save to tell whether someone
    else changed the service meanwhile, and what."""
    values: dict[str, Any] = {name: getattr(service, name) for name in SERVICE_FIELDS}
    for name in ("eligible_genders", "eligible_immigration_statuses", "eligible_languages"):
        values[name] = sorted(values[name])
    values["eligible_postcode_areas"] = sorted(values["eligible_postcode_areas"])
    values["themes"] = sorted(service.themes.values_list("code", flat=True))
    values["staff_languages"] = sorted(
        set(service.languages.exclude(code="").values_list("code", flat=True))
    )
    location, address = _place(service)
    values["location_name"] = location.name if location else ""
    values["location_type"] = location.location_type if location else LocationType.PHYSICAL
    values["is_confidential"] = location.is_confidential if location else False
    values["address_1"] = address.address_1 if address else ""
    values["city"] = address.city if address else ""
    values["postal_code"] = address.postal_code if address else ""
    return values


@checks_organisation
@transaction.atomic
def save_service(
    *,
    by: Any,
    organisation: Organisation,
    service: Service,
    values: dict[str, Any],
    original: dict[str, Any],
) -> Service:
    """Saves a provider's edit of their own service: its fields, themes, staff languages and
    its place (with the confidential flag), in one transaction with the audit entry. Raises
    EditConflict when the service changed since `original` was read, naming what changed, so
    two editors never overwrite each other silently."""
    service = Service.objects.select_for_update().select_related("organization").get(pk=service.pk)
    if service.organization.organisation_id != organisation.pk:
        raise Service.DoesNotExist
    current = snapshot(service)
    changed = sorted(name for name in current if current[name] != original.get(name))
    if changed:
        raise EditConflict(changed, current)
    edited = sorted(name for name in current if name in values and values[name] != current[name])
    for name in SERVICE_FIELDS:
        if name in values:
            setattr(service, name, values[name])
    service.last_modified = timezone.now()
    service.save()
    packages.ensure_pathmark_taxonomies()
    packages.set_themes({service.pk: sorted(values.get("themes", current["themes"]))})
    _save_staff_languages(service, values.get("staff_languages", current["staff_languages"]))
    _save_place(service, values)
    record(
        actor=by,
        organisation=organisation,
        action="directory.service_saved",
        target=service,
        extra={"service": service.pk, "fields": edited},
    )
    return service


def _save_staff_languages(service: Service, codes: list[str]) -> None:
    from pathmark.people.reference import language_name

    kept = set()
    for language in service.languages.all():
        if language.code in codes:
            kept.add(language.code)
        else:
            language.delete()
    for code in codes:
        if code not in kept:
            Language.objects.create(service=service, code=code, name=language_name(code))


def _save_place(service: Service, values: dict[str, Any]) -> None:
    location, address = _place(service)
    wanted = values.get("address_1") or values.get("location_name")
    if location is None and not wanted:
        return
    if location is None:
        location = Location.objects.create(organization=service.organization)
        ServiceAtLocation.objects.create(service=service, location=location)
    location.name = values.get("location_name", "")
    location.location_type = values.get("location_type") or LocationType.PHYSICAL
    location.is_confidential = bool(values.get("is_confidential"))
    location.save()
    if values.get("address_1"):
        if address is None:
            address = Address(location=location, country="GB")
        address.address_1 = values["address_1"]
        address.city = values["city"]
        address.postal_code = values["postal_code"].upper()
        address.save()
    elif address is not None:
        address.delete()


@checks_organisation
@transaction.atomic
def put_service(
    *,
    by: Any,
    organisation: Organisation,
    service_id: str,
    values: dict[str, Any],
    themes: list[str],
    staff_languages: list[str],
    place: dict[str, Any] | None = None,
    is_synthetic: bool = False,
) -> tuple[Service, bool]:
    """Creates or replaces one of the organisation's services with the given id (the demo
    loader and set-up scripts): fields, themes, staff languages and its place. Returns the
    service and whether it was new."""
    entry = directory_entry_for(organisation)
    service, created = Service.objects.update_or_create(
        id=service_id,
        defaults={**values, "organization": entry, "is_synthetic": is_synthetic},
    )
    packages.ensure_pathmark_taxonomies()
    packages.set_themes({service.pk: sorted(themes)})
    _save_staff_languages(service, staff_languages)
    if place is not None:
        _save_place(service, place)
    if created:
        record(
            actor=actor_or_command_line(by),
            organisation=organisation,
            action="directory.service_added",
            target=service,
            extra={"service": service.pk, "synthetic": is_synthetic},
        )
    return service, created
