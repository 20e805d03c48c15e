"""`pathmark people export PERSON_ID`: a subject access copy of everything held about a person."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Person
from pathmark.people.selectors import REFERENCE_PATTERN
from pathmark.privacy import rendering, services


def person_id_from(text: str) -> int:
    if text.strip().isdigit():
        return int(text)
    match = REFERENCE_PATTERN.match(text)
    if not match:
        raise CommandError(
            _("%(given)r is not a person id; give a number or a reference like P-000123.")
            % {"given": text}
        )
    return int(match.group(1))


class Command(BaseCommand):
    help = _(
        "Work with the people of the partnership from the command line. `export PERSON_ID` "
        "writes a copy of everything held about one person (a subject access request): their "
        "record, consents, assessments with answers and the audit entries about them, from "
        "every organisation. The export is recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{export}")
        export = subcommands.add_parser(
            "export",
            help=_("Write everything held about one person, as JSON or a printable HTML page."),
            description=_(
                "Write everything held about one person. JSON is for a machine; HTML is a "
                "printable page with its labels in the person's preferred language. Without "
                "--output the copy goes to standard output. The file is created readable by "
                "you only, and an existing file is never overwritten."
            ),
        )
        export.add_argument(
            "person", metavar="PERSON_ID", help=_("the person's id or reference, e.g. P-000123")
        )
        export.add_argument(
            "--format",
            choices=["json", "html"],
            default="json",
            help=_("json (default) or html"),
        )
        export.add_argument("--output", metavar="FILE", help=_("write to FILE instead of stdout"))

    def handle(self, *args: Any, **options: Any) -> None:
        person_id = person_id_from(options["person"])
        chosen = options["format"]
        with system_scope("subject access request from the command line"):
            try:
                person = (
                    Person.objects.exclude(status=Person.Status.ERASED)
                    .select_related("organisation")
                    .get(pk=person_id)
                )
            except Person.DoesNotExist:
                raise CommandError(
                    _("No person P-%(id)06d is held (never registered, or erased).")
                    % {"id": person_id}
                ) from None
            export = services.export_personal_data(
                by=None,
                organisation=person.organisation,
                person=person,
                format=chosen,
                via="command",
            )
        body = rendering.as_json(export) if chosen == "json" else rendering.as_html(export)
        if not options["output"]:
            self.stdout.write(body)
            return
        try:
            # Owner-only and never over an existing file: the copy is special-category data.
            descriptor = os.open(options["output"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(
                _("%(path)s already exists; choose another file name.")
                % {"path": options["output"]}
            ) from None
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s")
                % {"path": options["output"], "reason": error.strerror}
            ) from None
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(body)
        sys.stderr.write(
            _("Wrote %(path)s (%(records)s records about %(reference)s).\n")
            % {
                "path": options["output"],
                "records": export.record_count,
                "reference": export.reference,
            }
        )
