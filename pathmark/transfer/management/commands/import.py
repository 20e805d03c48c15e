"""`pathmark import people|assessments`: bring records from a spreadsheet into Pathmark."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pathmark.core.progress import ProgressBar
from pathmark.instruments.registry import RegistryError
from pathmark.instruments.services import instrument_version_for
from pathmark.organisations.commands import organisation_for
from pathmark.organisations.scoping import organisation_scope
from pathmark.transfer.importing import ImportRefused, ImportResult, import_table
from pathmark.transfer.tabular import TableError, read_table

from ._common import command_actor

FORMAT_HELP = "The columns are described in docs/import-format.md."


class Command(BaseCommand):
    help = _(
        "Import people or assessments from a spreadsheet (CSV in UTF-8, comma or semicolon, "
        "or the first sheet of an .xlsx file). Every row is checked first; if any has a "
        "problem, nothing is written and each problem is listed with its row and column. "
        "Running the same file again changes nothing. " + FORMAT_HELP
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(
            dest="kind", required=True, metavar="{people,assessments,referrals}"
        )
        people = kinds.add_parser(
            "people",
            help=_("Import people (matched on external_id)."),
            description=_(
                "Import people. A row whose external_id is new creates a person with the "
                "consent it records; a row whose external_id exists updates that person. "
                + FORMAT_HELP
            ),
        )
        assessments = kinds.add_parser(
            "assessments",
            help=_("Import completed assessments of one instrument."),
            description=_(
                "Import completed assessments. One row per assessment: the person's "
                "external_id, the date, then one column per item of the instrument holding "
                "the option chosen. Scores are computed by Pathmark, never read from the file. "
                + FORMAT_HELP
            ),
        )
        assessments.add_argument(
            "--instrument",
            required=True,
            metavar="SLUG",
            help=_("the instrument the answers belong to (see `pathmark instruments list`)"),
        )
        referrals = kinds.add_parser(
            "referrals",
            help=_("Import referrals made in a previous system."),
            description=_(
                "Import referrals: one row per referral, naming a person already imported, a "
                "service of the directory by its id, the date and where it stands. An "
                "imported referral shares nothing with the service's organisation (the file "
                "holds no consent to share). " + FORMAT_HELP
            ),
        )
        for sub in (people, assessments, referrals):
            sub.add_argument(
                "--organisation",
                required=True,
                metavar="SLUG",
                help=_("the organisation the records belong to"),
            )
            sub.add_argument("file", metavar="FILE", help=_("a .csv or .xlsx file"))
            sub.add_argument(
                "--dry-run",
                action="store_true",
                help=_("check the file and say what would happen, without writing anything"),
            )
            sub.add_argument(
                "--skip-invalid",
                action="store_true",
                help=_("import the rows without problems and leave out the others"),
            )
            sub.add_argument("--json", action="store_true", help=_("print the result as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_for(options["organisation"], active=True)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("%(path)s: there is no such file.") % {"path": path})
        with organisation_scope(organisation_id=organisation.pk):
            version = None
            if options["kind"] == "assessments":
                try:
                    version = instrument_version_for(options["instrument"])
                except RegistryError as error:
                    raise CommandError(str(error)) from None
            try:
                # The same limits as an upload (settings.py): raise them there for a larger file.
                table = read_table(
                    path,
                    source=str(path),
                    max_rows=settings.PATHMARK_IMPORT_MAX_ROWS,
                    max_uncompressed=settings.PATHMARK_IMPORT_MAX_UNCOMPRESSED_BYTES,
                )
            except TableError as error:
                raise CommandError(str(error)) from None
            try:
                result = import_table(
                    by=command_actor(),
                    organisation=organisation,
                    table=table,
                    kind=options["kind"],
                    instrument_version=version,
                    dry_run=options["dry_run"],
                    skip_invalid=options["skip_invalid"],
                    progress=ProgressBar(
                        sys.stderr,
                        label=_("Importing") if not options["dry_run"] else _("Checking"),
                        unit=_("rows"),
                    ),
                )
            except ImportRefused as refused:
                self.report(refused.result, as_json=options["json"])
                total = refused.result.problems.total
                raise CommandError(
                    ngettext(
                        "%(count)s problem in %(path)s; nothing was imported.",
                        "%(count)s problems in %(path)s; nothing was imported.",
                        total,
                    )
                    % {"count": total, "path": path}
                ) from None
        self.report(result, as_json=options["json"])
        if result.problems and options["dry_run"]:
            raise CommandError(
                ngettext(
                    "%(count)s problem in %(path)s; an import would write nothing.",
                    "%(count)s problems in %(path)s; an import would write nothing.",
                    result.problems.total,
                )
                % {"count": result.problems.total, "path": path}
            )

    def report(self, result: ImportResult, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
            return
        for problem in result.problems.listed:
            line = problem.format(result.source)
            if problem.value:
                line += _(" (found %(value)r)") % {"value": problem.value}
            self.stdout.write(line)
        if result.problems.not_listed:
            self.stdout.write(
                ngettext(
                    "... and %(count)s more problem not listed.",
                    "... and %(count)s more problems not listed.",
                    result.problems.not_listed,
                )
                % {"count": result.problems.not_listed}
            )
        counts = {
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
        }
        if result.dry_run or not result.written:
            self.stdout.write(
                ngettext(
                    "Dry run of %(rows)s row: would create %(created)s, update %(updated)s, "
                    "leave %(unchanged)s unchanged, reject %(rejected)s. Nothing was written.",
                    "Dry run of %(rows)s rows: would create %(created)s, update %(updated)s, "
                    "leave %(unchanged)s unchanged, reject %(rejected)s. Nothing was written.",
                    result.rows,
                )
                % counts
            )
        elif not result.created and not result.updated:
            self.stdout.write(
                ngettext(
                    "Nothing to change: the %(unchanged)s row is already in Pathmark.",
                    "Nothing to change: all %(unchanged)s rows are already in Pathmark.",
                    result.unchanged,
                )
                % counts
                if not result.rejected
                else ngettext(
                    "Nothing to change: %(unchanged)s row already in Pathmark, "
                    "%(rejected)s rejected.",
                    "Nothing to change: %(unchanged)s rows already in Pathmark, "
                    "%(rejected)s rejected.",
                    result.unchanged,
                )
                % counts
            )
        else:
            self.stdout.write(
                ngettext(
                    "Imported %(rows)s row: %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged, %(rejected)s rejected.",
                    "Imported %(rows)s rows: %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged, %(rejected)s rejected.",
                    result.rows,
                )
                % counts
            )
