"""`pathmark users add|link`: add staff (the first administrator above all) and make
set-password links from the command line."""

from __future__ import annotations

import getpass
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pathmark.accounts import selectors, services
from pathmark.accounts.forms import AddMemberForm
from pathmark.accounts.links import link_expires_at, set_password_url
from pathmark.organisations.commands import organisation_for
from pathmark.organisations.management.commands.organisations import (
    choice_argument,
    one_line,
    text_argument,
)
from pathmark.organisations.models import Role


def read_password() -> str:
    """Asks twice without echoing. A password is never taken from an argument, where it
    would sit in the shell's history and the process list."""
    try:
        first = getpass.getpass(_("Password: "))
        second = getpass.getpass(_("Password (again): "))
    except (EOFError, KeyboardInterrupt):
        raise CommandError(_("No password was typed.")) from None
    if first != second:
        raise CommandError(_("The two passwords differ; nothing was changed."))
    if not first:
        raise CommandError(_("No password was typed."))
    return first


class Command(BaseCommand):
    help = _(
        "Add members of staff from the command line. `add` gives someone a role in an "
        "organisation: a new account gets a one-time link to choose a password (printed here; "
        "pass it on privately), or a password you type at a prompt with --password-prompt. "
        "`link` makes a new set-password link for an account, e.g. when the first one "
        "expired. Every change is recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{add,link}")
        roles = ", ".join(Role.values)

        add = subcommands.add_parser(
            "add",
            help=_("Give someone a role in an organisation, making their account if needed."),
            description=_(
                "Give the person with this e-mail address a role in the organisation. If they "
                "already have an account (for another organisation), it is used and keeps its "
                "password. Otherwise a new account is made, with a username taken from the "
                "address, and this prints a link that lets them choose a password once. The "
                "command line sends no e-mail. Set up the first administrator this way, then "
                "sign in as them to add everyone else in the app."
            ),
        )
        add.add_argument(
            "--organisation", required=True, metavar="SLUG", help=_("the organisation's short name")
        )
        add.add_argument(
            "--role",
            required=True,
            metavar="ROLE",
            help=_("one of: %(roles)s") % {"roles": roles},
        )
        add.add_argument("--email", required=True, help=_("their work e-mail address"))
        add.add_argument("--name", default="", help=_("their name, for a new account"))
        add.add_argument(
            "--password-prompt",
            action="store_true",
            help=_("type their password at a prompt instead of printing a link"),
        )
        add.add_argument("--json", action="store_true", help=_("print JSON for a machine"))

        link = subcommands.add_parser(
            "link",
            help=_("Make a new set-password link for an account."),
            description=_(
                "Print a link that lets the account with this e-mail address choose a new "
                "password once. Their current password, if any, works until they do. Anyone "
                "who opens the link can take over the account: pass it on privately."
            ),
        )
        link.add_argument("email", metavar="EMAIL", help=_("the account's e-mail address"))
        link.add_argument("--json", action="store_true", help=_("print JSON for a machine"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "add":
            self.handle_add(options)
        else:
            self.handle_link(text_argument(options["email"], "EMAIL"), as_json=options["json"])

    def handle_add(self, options: dict[str, Any]) -> None:
        organisation = organisation_for(text_argument(options["organisation"], "--organisation"))
        role = choice_argument(options["role"], Role.values, "--role")
        # The app's form checks the e-mail address and name here too.
        form = AddMemberForm(
            {
                "email": text_argument(options["email"], "--email"),
                "name": text_argument(options["name"], "--name"),
                "role": role,
            }
        )
        if not form.is_valid():
            raise CommandError(
                "; ".join(f"--{field}: {' '.join(errors)}" for field, errors in form.errors.items())
            )
        password = read_password() if options["password_prompt"] else None
        try:
            added = services.add_member(
                by=None,
                organisation=organisation,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                password=password,
            )
        except ValidationError as error:
            raise CommandError(
                one_line(error, {"email": "--email", "role": "--role", "name": "--name"})
            ) from None
        link = set_password_url(added.user) if added.needs_link else None
        expires = link_expires_at() if link else None
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "user_id": added.user.pk,
                        "username": added.user.username,
                        "organisation": organisation.slug,
                        "role": added.role,
                        "new_account": added.new_account,
                        "set_password_link": link,
                        "link_expires_at": expires.isoformat() if expires else None,
                    }
                )
            )
            return
        self.stdout.write(
            _("Added %(username)s (%(account)s) to %(organisation)s as %(role)s.")
            % {
                "username": added.user.username,
                "account": _("new account") if added.new_account else _("existing account"),
                "organisation": organisation.slug,
                "role": added.role,
            }
        )
        if link:
            self._print_link(link, expires)

    def handle_link(self, email: str, *, as_json: bool) -> None:
        try:
            user = selectors.account_for_email(email.strip())
        except ValueError:
            raise CommandError(
                _("More than one account has the address %(email)s.") % {"email": email}
            ) from None
        if user is None:
            raise CommandError(_("No account has the address %(email)s.") % {"email": email})
        if not user.is_active:
            raise CommandError(
                _("The account %(username)s is switched off; an administrator reactivates it.")
                % {"username": user.username}
            )
        services.issue_set_password_link(by=None, organisation=None, user=user)
        link, expires = set_password_url(user), link_expires_at()
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "user_id": user.pk,
                        "username": user.username,
                        "set_password_link": link,
                        "link_expires_at": expires.isoformat(),
                    }
                )
            )
            return
        self.stdout.write(_("Account %(username)s.") % {"username": user.username})
        self._print_link(link, expires)

    def _print_link(self, link: str, expires: Any) -> None:
        self.stdout.write(
            _("Set-password link (works once, until %(expires)s):")
            % {"expires": expires.strftime("%Y-%m-%d %H:%M %Z")}
        )
        self.stdout.write(link)
        self.stdout.write(_("Pass it on privately: whoever opens it can choose the password."))
