"""`pathmark reports needs|outcomes`: the report pages' figures at the command line, with the
pages' filters, through the same selectors (so the two cannot disagree)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pathmark.organisations.commands import organisation_for

from ...figures import Dimension
from ...forms import ReportFiltersForm
from ...referral_selectors import funnel_report, what_works_report
from ...selectors import Report, Viewer, needs_report, outcomes_report

OPTION_OF_FIELD = {"date_from": "--from", "date_to": "--to", "__all__": "filters"}
REPORTS = {
    "needs": needs_report,
    "outcomes": outcomes_report,
    "what-works": what_works_report,
    "referrals": funnel_report,
}


class Command(BaseCommand):
    help = _(
        "Print a partnership report: `needs` (people below the host norm per domain) or "
        "`outcomes` (change per domain between first and latest assessment, with 95 percent "
        "intervals). Counts below the reporting minimum are always hidden here, as the output "
        "leaves Pathmark."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="report", required=True, metavar="{needs,outcomes,what-works,referrals}"
        )
        for name, text in (
            ("needs", _("People below the host norm per domain.")),
            ("outcomes", _("Change per domain between first and latest assessment.")),
            (
                "what-works",
                _("The effect of attending each service on the domains it addresses."),
            ),
            ("referrals", _("Referrals by service and where they ended.")),
        ):
            sub = subcommands.add_parser(name, help=text, description=text)
            sub.add_argument(
                "--instrument",
                metavar="SLUG",
                help=_("questionnaire (default: integration-journey)"),
            )
            sub.add_argument(
                "--organisation",
                metavar="SLUG",
                help=_("only the people this organisation registered"),
            )
            sub.add_argument(
                "--from", dest="date_from", metavar="YYYY-MM-DD", help=_("assessed on or after")
            )
            sub.add_argument(
                "--to", dest="date_to", metavar="YYYY-MM-DD", help=_("assessed on or before")
            )
            sub.add_argument(
                "--group-by",
                choices=[d.value for d in Dimension],
                help=_("split the figures by this"),
            )
            sub.add_argument("--domain", metavar="ID", help=_("one domain id, or overall"))
            sub.add_argument("--service", metavar="ID", help=_("one directory service id"))
            sub.add_argument("--theme", metavar="SLUG", help=_("services of this theme"))
            sub.add_argument(
                "--json", action="store_true", help=_("print JSON, one object per row")
            )

    def handle(self, *args: Any, **options: Any) -> None:
        data = {
            "instrument": options["instrument"] or "",
            "date_from": options["date_from"] or "",
            "date_to": options["date_to"] or "",
            "group_by": options["group_by"] or "",
            "domain": options["domain"] or "",
            "service": options["service"] or "",
            "theme": options["theme"] or "",
        }
        if options["organisation"]:
            data["organisation"] = str(organisation_for(options["organisation"]).pk)
        form = ReportFiltersForm(data)
        if not form.is_valid():
            problems = "; ".join(
                f"{OPTION_OF_FIELD.get(name, '--' + name.replace('_', '-'))}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            )
            raise CommandError(problems)
        report = REPORTS[options["report"]](viewer=Viewer(None, None), filters=form.filters())
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(report), ensure_ascii=False))
            return
        for table in report.tables:
            self.stdout.write(table.title)
            self.stdout.write("\t".join(table.columns))
            for row in table.rows:
                self.stdout.write("\t".join(row))
            self.stdout.write("")


def _as_json(report: Report) -> dict[str, Any]:
    if report.rows:
        return report.as_json()
    # Needs has counts, not estimates: its table as rows of named cells.
    table = report.tables[0]
    return {
        **report.as_json(),
        "rows": [dict(zip(table.columns, row, strict=True)) for row in table.rows],
    }
