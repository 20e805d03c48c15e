"""`pathmark retention`: anonymise the people whose organisation's retention period has ended."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pathmark.core.progress import ProgressBar
from pathmark.organisations.commands import organisation_for
from pathmark.privacy import services


class Command(BaseCommand):
    help = _(
        "Erase (irreversibly anonymise) every person whose last contact is older than their "
        "organisation's retention period (Organisation.retention_years, 6 years by default). "
        "Last contact is the latest of: the last recorded contact, assessment, consent or "
        "registration. People whose processing is restricted are kept and counted. Use "
        "--dry-run first to see who would go. Run it daily, e.g. from cron: "
        "`15 2 * * * cd /srv/pathmark && .venv/bin/pathmark retention --json >> "
        "/var/log/pathmark/retention.log`, or from a systemd timer (OnCalendar=daily)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help=_("only this organisation (its short name); default: every organisation"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("list who would be erased (ids and references only) and change nothing"),
        )
        parser.add_argument("--json", action="store_true", help=_("print JSON for a machine"))

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = organisation_for(options["organisation"])
        try:
            report = services.apply_retention(
                organisation=organisation,
                dry_run=options["dry_run"],
                progress=ProgressBar(sys.stderr, label=_("Erasing")),
            )
        except Exception as error:  # one line for the operator; the traceback helps nobody
            raise CommandError(
                _("Retention stopped: %(error)s. People erased before it stopped stay erased.")
                % {"error": type(error).__name__}
            ) from error
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
            return
        for entry in report.organisations:
            self.stdout.write(
                _(
                    "%(slug)s: %(expired)s past the %(years)s-year period (last contact before "
                    "%(cutoff)s), %(erased)s erased, %(held)s kept because restricted"
                )
                % {
                    "slug": entry.slug,
                    "expired": len(entry.expired),
                    "years": entry.retention_years,
                    "cutoff": entry.cutoff.isoformat(),
                    "erased": entry.erased,
                    "held": entry.held_restricted,
                }
            )
            if report.dry_run:
                for pk, reference in entry.expired:
                    self.stdout.write(
                        _("  would erase %(reference)s (id %(id)s)")
                        % {"reference": reference, "id": pk}
                    )
        if report.dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
