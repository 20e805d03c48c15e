"""`pathmark organisations create|list|set-host`: set up the partnership's organisations from
the command line, before anyone can sign in."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pathmark.organisations import selectors, services
from pathmark.organisations.commands import organisation_for
from pathmark.organisations.models import (
    RETENTION_YEARS_MAX,
    RETENTION_YEARS_MIN,
    Organisation,
    OrganisationKind,
)


def one_line(error: ValidationError, options: dict[str, str] | None = None) -> str:
    """A service's ValidationError as one line, `--option: message; …`, naming each field by
    the command's option for it (`options` maps field names to options)."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    names = options or {}
    return "; ".join(
        f"{names.get(field, field)}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )


def choice_argument(value: str, choices: list[str], option: str) -> str:
    """Checked here rather than by argparse's `choices`, whose refusal is a usage block;
    the refusal here is the one line the other mistakes get."""
    if value not in choices:
        raise CommandError(
            _("%(option)s must be one of: %(choices)s (not %(value)r).")
            % {"option": option, "choices": ", ".join(choices), "value": value}
        )
    return value


CREATE_OPTIONS = {
    "name": "--name",
    "slug": "--slug",
    "kind": "--kind",
    "retention_years": "--retention-years",
    "partnership_host": "--partnership-host",
}


def text_argument(value: str, name: str) -> str:
    """Arguments arrive as the terminal sent them; text that is not valid Unicode (a lone
    surrogate from undecodable bytes) cannot be stored, so it is refused here."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CommandError(
            _("%(name)s is not valid text; check the terminal's encoding.") % {"name": name}
        ) from None
    if "\x00" in value:
        raise CommandError(_("%(name)s contains a NUL character.") % {"name": name})
    return value


def as_dict(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.pk,
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "retention_years": organisation.retention_years,
        "require_two_factor": organisation.require_two_factor,
        "is_partnership_host": organisation.is_partnership_host,
        "is_active": organisation.is_active,
    }


class Command(BaseCommand):
    help = _(
        "Set up the organisations of the partnership. `create` adds one (then add its first "
        "administrator with `pathmark users add`); `list` shows them; `set-host` names the "
        "organisation whose administrators may add organisations in the app (usually the "
        "council). Every change is recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{create,list,set-host}"
        )
        kinds = ", ".join(OrganisationKind.values)

        create = subcommands.add_parser(
            "create",
            help=_("Add an organisation to the partnership."),
            description=_(
                "Add an organisation. It has no members yet: add its first administrator "
                "with `pathmark users add --organisation SLUG --role administrator --email "
                "ADDRESS`. Two-factor authentication is required of its members unless you "
                "pass --no-two-factor."
            ),
        )
        create.add_argument("--name", required=True, help=_("its name, as people know it"))
        create.add_argument(
            "--slug",
            required=True,
            help=_("a short name for commands: lower-case letters, numbers, hyphens"),
        )
        create.add_argument(
            "--kind",
            required=True,
            metavar="KIND",
            help=_("one of: %(kinds)s") % {"kinds": kinds},
        )
        create.add_argument(
            "--retention-years",
            type=int,
            default=6,
            metavar="N",
            help=_(
                "years after the last contact before a client's record is erased "
                "(%(min)d-%(max)d, default 6)"
            )
            % {"min": RETENTION_YEARS_MIN, "max": RETENTION_YEARS_MAX},
        )
        create.add_argument(
            "--no-two-factor",
            action="store_true",
            help=_("do not require two-factor authentication (not for real client data)"),
        )
        create.add_argument(
            "--partnership-host",
            action="store_true",
            help=_("make it the host, whose administrators may add organisations in the app"),
        )
        create.add_argument("--json", action="store_true", help=_("print JSON for a machine"))

        listing = subcommands.add_parser(
            "list",
            help=_("List the organisations of the partnership."),
            description=_(
                "List every organisation with its settings and how many active members and "
                "administrators it has."
            ),
        )
        listing.add_argument("--json", action="store_true", help=_("print JSON for a machine"))

        host = subcommands.add_parser(
            "set-host",
            help=_("Make an organisation the partnership's host."),
            description=_(
                "Make SLUG the organisation whose administrators may add organisations to "
                "the partnership in the app. There is one host; the previous one stops being it."
            ),
        )
        host.add_argument("slug", metavar="SLUG", help=_("the organisation's short name"))
        host.add_argument("--json", action="store_true", help=_("print JSON for a machine"))

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "create":
            self.handle_create(options)
        elif subcommand == "list":
            self.handle_list(as_json=options["json"])
        else:
            self.handle_set_host(text_argument(options["slug"], "SLUG"), as_json=options["json"])

    def handle_create(self, options: dict[str, Any]) -> None:
        try:
            created = services.create_organisation(
                by=None,
                name=text_argument(options["name"], "--name"),
                slug=text_argument(options["slug"], "--slug"),
                kind=choice_argument(options["kind"], OrganisationKind.values, "--kind"),
                retention_years=options["retention_years"],
                require_two_factor=not options["no_two_factor"],
                partnership_host=options["partnership_host"],
            )
        except ValidationError as error:
            raise CommandError(one_line(error, CREATE_OPTIONS)) from None
        organisation = created.organisation
        if options["json"]:
            self.stdout.write(json.dumps(as_dict(organisation), ensure_ascii=False))
            return
        self.stdout.write(
            _("Created %(slug)s (%(name)s).")
            % {"slug": organisation.slug, "name": organisation.name}
        )
        self.stdout.write(
            _(
                "Next: pathmark users add --organisation %(slug)s --role administrator "
                "--email ADDRESS"
            )
            % {"slug": organisation.slug}
        )

    def handle_list(self, *, as_json: bool) -> None:
        entries = selectors.partnership_organisations()
        if as_json:
            rows = [
                {
                    **as_dict(entry.organisation),
                    "members": entry.members,
                    "administrators": entry.administrators,
                }
                for entry in entries
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if not entries:
            self.stdout.write(
                _("No organisations yet. Add one with `pathmark organisations create`.")
            )
            return
        for entry in entries:
            organisation = entry.organisation
            notes = []
            if organisation.is_partnership_host:
                notes.append(_("host"))
            if not organisation.is_active:
                notes.append(_("inactive"))
            if not organisation.require_two_factor:
                notes.append(_("two-factor not required"))
            self.stdout.write(
                _(
                    "%(slug)s  %(name)s (%(kind)s): members %(members)d, administrators "
                    "%(admins)d, retention %(years)d years%(notes)s"
                )
                % {
                    "slug": organisation.slug,
                    "name": organisation.name,
                    "kind": organisation.get_kind_display(),
                    "members": entry.members,
                    "admins": entry.administrators,
                    "years": organisation.retention_years,
                    "notes": f"; {', '.join(notes)}" if notes else "",
                }
            )

    def handle_set_host(self, slug: str, *, as_json: bool) -> None:
        organisation = organisation_for(slug)
        services.set_partnership_host(by=None, organisation=organisation)
        if as_json:
            self.stdout.write(json.dumps(as_dict(organisation), ensure_ascii=False))
        else:
            self.stdout.write(
                _("%(slug)s now hosts the partnership: its administrators may add organisations.")
                % {"slug": organisation.slug}
            )
