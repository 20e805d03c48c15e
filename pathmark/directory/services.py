"""Writes to the directory: importing and exporting HSDS packages, and providers editing
their own services. Each write is one transaction with its audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from pathmark.audit.services import actor_or_command_line, record
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import checks_organisation, system_scope

from . import hsds, packages
from .models import DirectoryOrganisation, OrganizationIdentifier
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
