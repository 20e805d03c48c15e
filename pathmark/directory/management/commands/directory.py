"""`pathmark directory import-hsds|export-hsds|validate-themes`: the directory of services
in and out as Open Referral HSDS 3.0 packages, and a check of the themes file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pathmark.audit.services import COMMAND_LINE
from pathmark.core.progress import ProgressBar
from pathmark.directory import hsds, services
from pathmark.directory.themes import ThemesFileError, load_themes
from pathmark.organisations.commands import organisation_for


class Command(BaseCommand):
    help = _(
        "The directory of services as Open Referral HSDS 3.0. `import-hsds PATH` brings in a "
        "package (a folder of CSV files with datapackage.json, a folder of JSON service "
        "documents, or one JSON file), checked row by row against the official HSDS schemas; "
        "`export-hsds DIR` writes the directory as a CSV package; `validate-themes FILE` "
        "checks a themes file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{import-hsds,export-hsds,validate-themes}"
        )
        importing = subcommands.add_parser(
            "import-hsds",
            help=_("Import an HSDS 3.0 package into the directory."),
            description=_(
                "Import an HSDS 3.0 package. Every row is checked first against the official "
                "HSDS JSON schemas, its foreign keys and Pathmark's own rules; if anything is "
                "wrong, nothing is written and each problem is listed with its file, row and "
                "field. Records are matched on their HSDS id: running the same package again "
                "changes nothing, and ids never change. Rows the package does not hold are "
                "left as they are."
            ),
        )
        importing.add_argument(
            "path",
            metavar="PATH",
            help=_("a folder with datapackage.json, a folder of .json files, or a .json file"),
        )
        importing.add_argument(
            "--dry-run",
            action="store_true",
            help=_("check the package and say what would change, without writing anything"),
        )
        importing.add_argument("--json", action="store_true", help=_("print the result as JSON"))

        exporting = subcommands.add_parser(
            "export-hsds",
            help=_("Write the directory as an HSDS 3.0 CSV package."),
            description=_(
                "Write the directory into DIR as an HSDS 3.0 tabular data package: one CSV "
                "file per table and a datapackage.json. Pathmark's themes and facts travel as "
                "HSDS attributes. Confidential locations are left out, except those of the "
                "organisation named with --organisation."
            ),
        )
        exporting.add_argument("folder", metavar="DIR", help=_("the folder to write into"))
        exporting.add_argument(
            "--organisation",
            metavar="SLUG",
            help=_(
                "export as this organisation sees the directory (with its own confidential "
                "locations)"
            ),
        )
        exporting.add_argument("--json", action="store_true", help=_("print the files as JSON"))

        themes = subcommands.add_parser(
            "validate-themes",
            help=_("Check a themes file and report every problem with its line."),
        )
        themes.add_argument("files", nargs="+", metavar="FILE", help=_("a themes .yaml file"))

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "import-hsds":
            self.import_hsds(Path(options["path"]), options)
        elif subcommand == "export-hsds":
            self.export_hsds(Path(options["folder"]), options)
        else:
            self.validate_themes(options["files"])

    def import_hsds(self, path: Path, options: dict[str, Any]) -> None:
        if not path.exists():
            raise CommandError(_("%(path)s: there is no such file or folder.") % {"path": path})
        try:
            result = services.import_package(
                by=COMMAND_LINE,
                organisation=None,
                path=path,
                dry_run=options["dry_run"],
                progress=ProgressBar(
                    sys.stderr,
                    label=_("Checking") if options["dry_run"] else _("Importing"),
                    unit=_("rows"),
                ),
            )
        except hsds.PackageError as refused:
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "problems": [p.stored() for p in refused.problems],
                            "total": refused.total,
                        },
                        indent=2,
                        ensure_ascii=False,
                    )
                )
            else:
                for problem in refused.problems:
                    self.stdout.write(problem.format())
                if refused.total > len(refused.problems):
                    more = refused.total - len(refused.problems)
                    self.stdout.write(
                        ngettext(
                            "... and %(count)s more problem not listed.",
                            "... and %(count)s more problems not listed.",
                            more,
                        )
                        % {"count": more}
                    )
            raise CommandError(
                ngettext(
                    "%(count)s problem in %(path)s; nothing was imported.",
                    "%(count)s problems in %(path)s; nothing was imported.",
                    refused.total,
                )
                % {"count": refused.total, "path": path}
            ) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
            return
        for note in result.notes:
            self.stdout.write(note)
        for table, count in result.not_kept.items():
            self.stdout.write(
                ngettext(
                    "%(table)s: %(count)s row checked and not kept (Pathmark keeps its own "
                    "history in the audit log).",
                    "%(table)s: %(count)s rows checked and not kept (Pathmark keeps its own "
                    "history in the audit log).",
                    count,
                )
                % {"table": table, "count": count}
            )
        counts = {
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "services": len(result.services),
        }
        if result.dry_run:
            message = ngettext(
                "Dry run of %(rows)s row (%(services)s services): would create %(created)s, "
                "update %(updated)s, leave %(unchanged)s unchanged. Nothing was written.",
                "Dry run of %(rows)s rows (%(services)s services): would create %(created)s, "
                "update %(updated)s, leave %(unchanged)s unchanged. Nothing was written.",
                result.rows,
            )
        else:
            message = ngettext(
                "Imported %(rows)s row (%(services)s services): %(created)s created, "
                "%(updated)s updated, %(unchanged)s unchanged.",
                "Imported %(rows)s rows (%(services)s services): %(created)s created, "
                "%(updated)s updated, %(unchanged)s unchanged.",
                result.rows,
            )
        self.stdout.write(message % counts)

    def export_hsds(self, folder: Path, options: dict[str, Any]) -> None:
        organisation = (
            organisation_for(options["organisation"]) if options.get("organisation") else None
        )
        if folder.exists() and not folder.is_dir():
            raise CommandError(_("%(path)s is a file, not a folder.") % {"path": folder})
        written = services.export_package(
            by=COMMAND_LINE,
            organisation=organisation,
            folder=folder,
            progress=ProgressBar(sys.stderr, label=_("Exporting"), unit=_("rows")),
        )
        if options["json"]:
            self.stdout.write(json.dumps({"folder": str(folder), "files": dict(written)}, indent=2))
            return
        for name, rows in written:
            self.stdout.write(
                ngettext("%(file)s: %(count)s row", "%(file)s: %(count)s rows", rows)
                % {"file": name, "count": rows}
            )
        self.stdout.write(
            _("Wrote an HSDS 3.0 package to %(folder)s (datapackage.json and %(count)s files).")
            % {"folder": folder, "count": len(written)}
        )

    def validate_themes(self, files: list[str]) -> None:
        failed = False
        for name in files:
            try:
                parsed = load_themes(Path(name))
            except FileNotFoundError:
                self.stdout.write(_("%(file)s: there is no such file.") % {"file": name})
                failed = True
            except ThemesFileError as error:
                self.stdout.write(str(error))
                failed = True
            else:
                self.stdout.write(
                    _("%(file)s: ok (%(count)s themes)")
                    % {"file": name, "count": len(parsed.themes)}
                )
        if failed:
            raise CommandError(_("Some files have problems; nothing was changed."))
