"""What every management command needs from organisations: the organisation a `--organisation`
short name (slug) names, with one message when there is none."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from .models import Organisation


def organisation_for(slug: str, *, active: bool = False) -> Organisation:
    """The organisation whose short name is `slug` (only an active one when `active`), or a
    CommandError that lists the short names there are."""
    organisations = Organisation.objects.all()
    if active:
        organisations = organisations.filter(is_active=True)
    organisation = organisations.filter(slug=slug).first()
    if organisation is None:
        known = ", ".join(organisations.order_by("slug").values_list("slug", flat=True))
        raise CommandError(
            _("There is no organisation %(slug)r. Known: %(known)s.")
            % {"slug": slug, "known": known or _("none yet")}
        )
    return organisation
