"""What the import and export commands share: finding the organisation and acting for it."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from pathmark.audit.services import COMMAND_LINE
from pathmark.organisations.models import Organisation


def organisation_for(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug, is_active=True)
    except Organisation.DoesNotExist:
        known = ", ".join(
            Organisation.objects.filter(is_active=True).values_list("slug", flat=True)
        )
        raise CommandError(
            _("There is no active organisation %(slug)r. Known: %(known)s.")
            % {"slug": slug, "known": known or _("none")}
        ) from None


def command_actor() -> Any:
    """Commands act as nobody in particular: the audit log names the command line."""
    return COMMAND_LINE


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal so logs of
    scheduled runs stay clean."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.enabled = self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        filled = round(self.width * done / total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done:,}/{total:,} rows")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
