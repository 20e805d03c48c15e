"""`pathmark referrals remind`: e-mail the senders of overdue referrals (once per spell)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pathmark.organisations.scoping import system_scope

from ...services import remind_overdue


class Command(BaseCommand):
    help = _(
        "Work with referrals. `remind` e-mails the sender of every referral the service has "
        "not answered within its response time; run it daily (cron, or the "
        "`remind_overdue_referrals` task). Each overdue referral is reminded about once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{remind}")
        subcommands.add_parser(
            "remind",
            help=_("E-mail the senders of overdue referrals."),
            description=_(
                "E-mail the sender of each referral that has had no answer within its "
                "service's response time, once per referral; the e-mail holds only the "
                "referral's reference and a link."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with system_scope("pathmark referrals remind (command line)"):
            count = remind_overdue()
        self.stdout.write(
            ngettext(
                "Reminded the sender of %(count)d overdue referral.",
                "Reminded the senders of %(count)d overdue referrals.",
                count,
            )
            % {"count": count}
        )
