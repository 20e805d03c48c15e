"""`pathmark host-survey`: publish host norms from a survey of the host population."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from pathmark.instruments.registry import UnknownInstrument, get_instrument
from pathmark.journeys.survey import DEFAULT_MIN_GROUP
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import organisation_scope
from pathmark.transfer.importing import ImportRefused
from pathmark.transfer.surveys import plan_survey, publish_survey_file
from pathmark.transfer.tabular import TableError, read_table

from ._common import command_actor


class Command(BaseCommand):
    help = _(
        "Work out host norms from a survey of the host population to the same questionnaire "
        "(one row per respondent, one column per item, as in the assessment import format, "
        "with optional columns age_band, gender and area) and publish them in force from a "
        "date, with each norm's sample size and interval (95%). Every row is checked first; "
        "with any problem nothing is published. See docs/import-format.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help=_("a .csv or .xlsx file"))
        parser.add_argument("--instrument", required=True, metavar="SLUG")
        parser.add_argument(
            "--valid-from", required=True, metavar="YYYY-MM-DD", help=_("in force from")
        )
        parser.add_argument("--source", required=True, help=_("who surveyed whom, and when"))
        parser.add_argument("--label", default="", help=_("what changed, in a few words"))
        parser.add_argument(
            "--min-group",
            type=int,
            default=DEFAULT_MIN_GROUP,
            help=_("the fewest respondents for a group to have its own norm (default 30)"),
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            get_instrument(options["instrument"])
        except UnknownInstrument as error:
            raise CommandError(str(error)) from None
        try:
            valid_from = dt.date.fromisoformat(options["valid_from"])
        except ValueError:
            raise CommandError(_("--valid-from: write the date as YYYY-MM-DD.")) from None
        if options["min_group"] < 2:
            raise CommandError(_("--min-group: give a number of at least 2."))
        host = Organisation.objects.filter(is_partnership_host=True, is_active=True).first()
        if host is None:
            raise CommandError(_("The partnership has no host organisation to publish norms."))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file.") % {"path": path})
        with organisation_scope(organisation_id=host.pk, user_id=None, role="administrator"):
            try:
                if options["dry_run"]:
                    plan = plan_survey(
                        read_table(path),
                        instrument=options["instrument"],
                        min_group=options["min_group"],
                    )
                    if plan.result.problems:
                        raise ImportRefused(plan.result)
                else:
                    with transaction.atomic():
                        _survey, plan = publish_survey_file(
                            path,
                            by=command_actor(),
                            organisation=host,
                            instrument=options["instrument"],
                            valid_from=valid_from,
                            source=options["source"],
                            label=options["label"],
                            min_group=options["min_group"],
                        )
            except TableError as error:
                raise CommandError(str(error)) from None
            except ImportRefused as refused:
                for problem in refused.result.problems.listed:
                    self.stderr.write(
                        f"{path}: row {problem.row}: {problem.column or '(row)'}: {problem.message}"
                    )
                raise CommandError(
                    _("%(count)s problems in %(path)s; nothing was published.")
                    % {"count": refused.result.problems.total, "path": path}
                ) from None
            except (ValidationError, ValueError) as error:
                messages = getattr(error, "messages", None) or [str(error)]
                raise CommandError("; ".join(messages)) from None
        rows = [
            {
                "key": e.key,
                "group": f"{e.group_kind}={e.group_value}" if e.group_kind else "",
                "n": e.n,
                "norm": round(e.value, 2),
                "ci_low": round(e.ci_low, 2),
                "ci_high": round(e.ci_high, 2),
            }
            for e in plan.estimates
        ]
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "instrument": options["instrument"],
                        "valid_from": str(valid_from),
                        "respondents": len(plan.respondents),
                        "published": not options["dry_run"],
                        "norms": rows,
                    },
                    indent=2,
                )
            )
            return
        for row in rows:
            self.stdout.write(
                f"{row['key']:<32} {row['group']:<20} n={row['n']:<6} {row['norm']:6.1f} "
                f"(95% {row['ci_low']:.1f}–{row['ci_high']:.1f})"
            )
        self.stdout.write(
            (
                _("Checked %(count)s respondents; nothing was published (dry run).")
                if options["dry_run"]
                else _(
                    "Published host norms from %(count)s respondents; every journey's trends are being worked out again."
                )
            )
            % {"count": len(plan.respondents)}
        )
