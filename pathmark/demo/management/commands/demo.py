"""`pathmark demo`: load the synthetic demo partnership into the configured database."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pathmark.accounts.links import site_address
from pathmark.demo.services import DEMO_PASSWORD, load_demo_partnership


class Command(BaseCommand):
    help = (
        "Create a synthetic demo partnership (organisations, staff in every role, people with "
        "consent and assessments over two years) in the configured database. Safe to run again: "
        "it only adds what is missing. Never run it on a database that holds real people."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people", type=int, default=300, help="How many synthetic people (default 300)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help="Random seed: the same seed gives the same people.",
        )
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: object, **options: object) -> None:
        if not 0 <= int(options["people"]) <= 100_000:  # type: ignore[call-overload]
            raise CommandError("--people must be between 0 and 100000.")
        summary = load_demo_partnership(people=int(options["people"]), seed=int(options["seed"]))  # type: ignore[call-overload]
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "organisations_created": summary.organisations,
                        "users_created": summary.users,
                        "people_created": summary.people_created,
                        "assessments_created": summary.assessments_created,
                        "trends_refreshed": summary.trends_refreshed,
                        "plans_created": summary.plans_created,
                        "referrals_created": summary.referrals_created,
                    }
                )
            )
            return
        self.stdout.write(
            f"Demo partnership ready: {summary.people_created} people, {summary.assessments_created} "
            f"assessments, {summary.plans_created} plans and {summary.referrals_created} "
            "referrals added (all synthetic)."
        )
        self.stdout.write(f"Sign in at {site_address()}/ with password {DEMO_PASSWORD!r} as:")
        for username, organisation, role in summary.logins:
            self.stdout.write(f"  {username:<8} {role:<18} {organisation}")
