"""`pathmark rescore`: recompute stored scores from answers after a scoring rule changes."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from pathmark.assessments.services import rescore_completed


class Command(BaseCommand):
    help = (
        "Recompute the scores stored on completed assessments from their answers and the "
        "instrument version each one used, and the journey trends of the people whose scores "
        "changed. Run it after upgrading Pathmark when the release notes say a scoring rule "
        "changed. --dry-run counts what would change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count changes, write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")

    def handle(self, *args: object, **options: object) -> None:
        summary = rescore_completed(dry_run=bool(options["dry_run"]))
        counts = {
            "checked": summary.checked,
            "changed": summary.changed,
            "without_answers": summary.without_answers,
            "restricted": summary.restricted,
            "trends_refreshed": summary.trends_refreshed,
            "dry_run": bool(options["dry_run"]),
        }
        if options["json"]:
            self.stdout.write(json.dumps(counts))
            return
        verb = "would change" if options["dry_run"] else "changed"
        self.stdout.write(
            f"{summary.checked} completed assessments checked; {summary.changed} {verb}; "
            f"{summary.without_answers} kept as they are (answers erased); "
            f"{summary.restricted} of restricted people left frozen; "
            f"journey trends of {summary.trends_refreshed} people recomputed."
        )
