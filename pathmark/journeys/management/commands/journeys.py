"""`pathmark journeys refresh`: recompute the stored journey trends the caseload page reads."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pathmark.core.progress import ProgressBar
from pathmark.organisations.commands import organisation_for

from ...services import run_refresh, start_rebuild


class Command(BaseCommand):
    help = _(
        "Work with the stored journey trends behind the caseload page. `refresh` recomputes "
        "every person's trends from their completed assessments: run it after installing a "
        "new instrument version or a Pathmark release whose notes say the trend rule changed, "
        "or when the caseload page says its figures are out of date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{refresh}")
        refresh = subcommands.add_parser(
            "refresh",
            help=_("Recompute every stored journey trend."),
            description=_(
                "Recompute the journey trends of every person with a completed assessment "
                "(or only the people an organisation registered, with --organisation), in "
                "chunks, so the caseload page stays usable meanwhile and shows the progress."
            ),
        )
        refresh.add_argument(
            "--organisation",
            metavar="SLUG",
            help=_("only the people this organisation registered (default: everyone)"),
        )
        refresh.add_argument("--json", action="store_true", help=_("print a JSON summary"))

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        slug = options["organisation"]
        if slug is not None:
            organisation = organisation_for(slug)
        job = start_rebuild(
            organisation=organisation, reason="pathmark journeys refresh (command line)"
        )
        try:
            summary = run_refresh(
                job.pk, progress=ProgressBar(sys.stderr, label=_("Refreshing trends"))
            )
        except Exception as error:
            raise CommandError(
                _("The refresh failed and stopped; trends done so far are kept: %(error)s")
                % {"error": error}
            ) from error
        counts = {
            "organisation": slug,
            "people": summary.people,
            "journeys": summary.journeys,
            "series": summary.series,
            "turned_down": summary.turned_down,
            "changed": summary.changed,
            "rows_written": summary.rows_written,
        }
        if options["json"]:
            self.stdout.write(json.dumps(counts))
            return
        self.stdout.write(
            _(
                "Journey trends refreshed for %(people)s people: %(journeys)s journeys "
                "(%(changed)s had changed), %(turned_down)s turned down."
            )
            % counts
        )
