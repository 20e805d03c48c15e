"""`pathmark score`: score a JSON file of answers against an instrument, without a database."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pathmark.instruments.definition import InstrumentFileError
from pathmark.instruments.registry import RegistryError, get_instrument
from pathmark.instruments.scoring import ResponseError, score_responses


class Command(BaseCommand):
    help = _(
        "Score answers against an instrument and print the scores as JSON. RESPONSES is a JSON "
        'file mapping item ids to answers, e.g. {"money-for-bills": "agree"}: an option value, '
        "a list of values for multiple_choice items, or a number for number items. Use - to "
        "read from standard input."
    )
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Here `--version N` chooses an instrument version, replacing Django's own `--version`.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--instrument", required=True, metavar="SLUG", help=_("e.g. integration-journey")
        )
        parser.add_argument(
            "--version", type=int, metavar="N", help=_("a version number (default: latest)")
        )
        parser.add_argument("responses", metavar="RESPONSES.json", help=_("the answers file"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            instrument = get_instrument(options["instrument"], options["version"])
        except (RegistryError, InstrumentFileError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from None
        responses = self.read_responses(options["responses"])
        try:
            result = score_responses(instrument, responses)
        except ResponseError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False))

    def read_responses(self, name: str) -> dict[str, object]:
        try:
            if name == "-":
                data = json.load(sys.stdin)
            else:
                with open(name, encoding="utf-8") as handle:
                    data = json.load(handle)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(name)s: %(reason)s") % {"name": name, "reason": error.strerror}
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(
                _("%(name)s is not valid JSON: %(reason)s") % {"name": name, "reason": error}
            ) from None
        if not isinstance(data, dict):
            raise CommandError(
                _("%(name)s must hold a JSON object mapping item ids to answers.") % {"name": name}
            )
        return data
