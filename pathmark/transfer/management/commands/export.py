"""`pathmark export`: write an organisation's people and assessments in the import formats."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pathmark.core.progress import ProgressBar
from pathmark.organisations.commands import organisation_for
from pathmark.organisations.scoping import organisation_scope
from pathmark.transfer.exporting import export_to_directory

from ._common import command_actor


class Command(BaseCommand):
    help = _(
        "Write an organisation's records to a folder: people.csv and one "
        "assessments-<instrument>.csv per instrument, in exactly the formats "
        "`pathmark import` reads (docs/import-format.md), so the records can be moved to "
        "another system or imported again. The files hold personal data: keep them safe and "
        "delete them when done."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation", required=True, metavar="SLUG", help=_("whose records to export")
        )
        parser.add_argument(
            "directory", metavar="DIR", help=_("the folder to write to (created if missing)")
        )
        parser.add_argument("--json", action="store_true", help=_("print the files as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_for(options["organisation"], active=True)
        directory = Path(options["directory"])
        try:
            with organisation_scope(organisation_id=organisation.pk):
                files = export_to_directory(
                    directory,
                    by=command_actor(),
                    organisation=organisation,
                    progress=ProgressBar(sys.stderr, label=_("Exporting"), unit=_("rows")),
                )
        except OSError as error:
            raise CommandError(
                _("%(path)s: cannot write the files there (%(reason)s).")
                % {"path": directory, "reason": error.strerror or error}
            ) from None
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "directory": str(directory),
                        "files": [{"name": f.name, "rows": f.rows} for f in files],
                    },
                    indent=2,
                )
            )
            return
        for export in files:
            self.stdout.write(
                _("%(path)s: %(rows)s row(s)")
                % {"path": directory / export.name, "rows": export.rows}
            )
