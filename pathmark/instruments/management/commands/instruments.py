"""`pathmark instruments validate|list|show|sync`: check and inspect instrument files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pathmark.instruments.definition import (
    DEFAULT_LANGUAGE,
    Instrument,
    InstrumentFileError,
    parse_instrument,
)
from pathmark.instruments.registry import RegistryError, get_instrument, list_instruments


class Command(BaseCommand):
    help = _(
        "Work with instruments (questionnaires defined in YAML files). "
        "`validate FILE...` checks files before you install them; `list` shows the instruments "
        "this installation knows; `show SLUG` prints one; `sync` stores new versions in the "
        "database. See pathmark/instruments/data/README.md for the file format."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{validate,list,show,sync}"
        )

        validate = subcommands.add_parser(
            "validate",
            help=_("Check instrument files and report every problem with its line."),
            description=_(
                "Check one or more instrument files. Prints `FILE: ok (...)` for a good file "
                "and `FILE:LINE: field: message` for each problem. Exits with 1 if any file "
                "has a problem."
            ),
        )
        validate.add_argument("files", nargs="+", metavar="FILE", help=_("a .yaml file"))

        listing = subcommands.add_parser(
            "list",
            help=_("List the instruments this installation knows (latest version of each)."),
            description=_("List the built-in instruments and those in PATHMARK_INSTRUMENT_DIRS."),
        )
        listing.add_argument("--json", action="store_true", help=_("print JSON for a machine"))

        show = subcommands.add_parser(
            "show",
            help=_("Show the domains, items and scores of one instrument."),
            description=_(
                "Show one instrument. Option scores are the points an answer counts for after "
                "reverse scoring; null means the answer is not counted."
            ),
        )
        show.add_argument("slug", metavar="SLUG", help=_("e.g. integration-journey"))
        show.add_argument(
            "--version", type=int, metavar="N", help=_("a version number (default: latest)")
        )
        show.add_argument("--json", action="store_true", help=_("print JSON for a machine"))

        subcommands.add_parser(
            "sync",
            help=_("Store new instrument versions in the database."),
            description=_(
                "Store every instrument version found in the files that the database does not "
                "have yet. Refuses, and stores nothing, if a stored version's file has changed "
                "without a new version number."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        try:
            if subcommand == "validate":
                self.handle_validate([Path(name) for name in options["files"]])
            elif subcommand == "list":
                self.handle_list(as_json=options["json"])
            elif subcommand == "show":
                self.handle_show(options["slug"], options["version"], as_json=options["json"])
            else:
                self.handle_sync()
        except (RegistryError, InstrumentFileError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from None

    def handle_validate(self, paths: list[Path]) -> None:
        invalid = 0
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                invalid += 1
                self.stdout.write(
                    _("%(path)s: cannot be read: %(reason)s") % {"path": path, "reason": error}
                )
                continue
            try:
                instrument = parse_instrument(text, source=str(path))
            except InstrumentFileError as error:
                invalid += 1
                self.stdout.write(str(error))
                continue
            self.stdout.write(
                _(
                    "%(path)s: ok (%(slug)s v%(version)s, subject: %(subject)s, "
                    "%(domains)s domains, %(items)s items)"
                )
                % {
                    "path": path,
                    "slug": instrument.slug,
                    "version": instrument.version,
                    "subject": instrument.subject,
                    "domains": len(instrument.domains),
                    "items": len(instrument.items),
                }
            )
        if invalid:
            raise CommandError(
                _("%(invalid)s of %(total)s file(s) have problems; fix the lines listed above.")
                % {"invalid": invalid, "total": len(paths)}
            )

    def handle_list(self, *, as_json: bool) -> None:
        instruments = list_instruments(subject=None)
        if as_json:
            rows = [
                {
                    "slug": i.slug,
                    "version": i.version,
                    "subject": i.subject,
                    "title": i.title[DEFAULT_LANGUAGE],
                }
                for i in instruments
            ]
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        width = max((len(i.slug) for i in instruments), default=0)
        subject_width = max((len(i.subject) for i in instruments), default=0)
        for instrument in instruments:
            self.stdout.write(
                f"{instrument.slug:<{width}}  v{instrument.version}  "
                f"{instrument.subject:<{subject_width}}  {instrument.title[DEFAULT_LANGUAGE]}"
            )

    def handle_show(self, slug: str, version: int | None, *, as_json: bool) -> None:
        instrument = get_instrument(slug, version)
        if as_json:
            self.stdout.write(json.dumps(describe(instrument), indent=2, ensure_ascii=False))
            return
        en = DEFAULT_LANGUAGE
        self.stdout.write(f"{instrument.title[en]} ({instrument.slug} v{instrument.version})")
        self.stdout.write(_("Source: %(source)s") % {"source": instrument.source})
        self.stdout.write(_("Licence: %(licence)s") % {"licence": instrument.licence})
        self.stdout.write(_("Assesses: %(subject)s") % {"subject": instrument.subject})
        self.stdout.write(_("Languages: %(codes)s") % {"codes": ", ".join(instrument.languages)})
        self.stdout.write(_("Stages:"))
        for stage in instrument.stages:
            self.stdout.write(f"  {stage.min_score:g}-{stage.max_score:g}  {stage.label[en]}")
        for domain in instrument.domains:
            self.stdout.write("")
            self.stdout.write(
                _("%(title)s [%(id)s], weight %(weight)g, at least %(minimum)s answer(s)")
                % {
                    "title": domain.title[en],
                    "id": domain.id,
                    "weight": domain.weight,
                    "minimum": domain.minimum_answers,
                }
            )
            for item in domain.items:
                marker = _(" (reverse scored)") if item.reverse else ""
                self.stdout.write(f"  {item.id} ({item.type}){marker}: {item.text[en]}")
                for option in item.options:
                    score = item.option_score(option)
                    shown = _("not counted") if score is None else f"{score:g}"
                    self.stdout.write(f"      {option.value} = {shown}  {option.label[en]}")
                if item.type == "number":
                    self.stdout.write(f"      {item.number_min:g}..{item.number_max:g} -> 0..100")

    def handle_sync(self) -> None:
        from pathmark.instruments.services import InstrumentChangedError, sync_instruments

        try:
            changes = sync_instruments()
        except InstrumentChangedError as error:
            raise CommandError(str(error)) from None
        for change in changes:
            self.stdout.write(
                _("added %(slug)s v%(version)s from %(path)s")
                % {"slug": change.slug, "version": change.version, "path": change.path}
            )
        if not changes:
            self.stdout.write(_("Nothing to add; the database has every instrument version."))


def describe(instrument: Instrument) -> dict[str, object]:
    """The machine-readable summary printed by `show --json`."""
    en = DEFAULT_LANGUAGE
    domains = []
    for domain in instrument.domains:
        items: list[dict[str, object]] = []
        for item in domain.items:
            entry: dict[str, object] = {
                "id": item.id,
                "type": item.type,
                "weight": item.weight,
                "options": [
                    {"value": option.value, "score": item.option_score(option)}
                    for option in item.options
                ],
            }
            if item.type == "number":
                entry["min"] = item.number_min
                entry["max"] = item.number_max
            items.append(entry)
        domains.append(
            {"id": domain.id, "title": domain.title[en], "weight": domain.weight, "items": items}
        )
    return {
        "slug": instrument.slug,
        "version": instrument.version,
        "subject": instrument.subject,
        "title": instrument.title[en],
        "stages": [
            {"id": s.id, "label": s.label[en], "min": s.min_score, "max": s.max_score}
            for s in instrument.stages
        ],
        "domains": domains,
    }
