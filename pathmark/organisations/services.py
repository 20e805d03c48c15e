"""Writing organisations: adding one to the partnership (with its first administrator), its
settings, and which organisation hosts the partnership. One transaction and one audit entry
each; entries hold ids and codes, never names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from pathmark.audit.services import actor_or_command_line, record

from . import selectors
from .hooks import enrol_first_administrator
from .models import RETENTION_YEARS_MAX, RETENTION_YEARS_MIN, Organisation, OrganisationKind


@dataclass(frozen=True)
class NewOrganisation:
    organisation: Organisation
    administrator: Any  # what accounts' enrolment returned (`AddedMember`), or None


def _check_settings(*, name: str, kind: str, retention_years: int) -> None:
    problems: dict[str, Any] = {}
    if not name.strip():
        problems["name"] = _("Enter the organisation's name.")
    elif len(name) > Organisation._meta.get_field("name").max_length:  # type: ignore[operator]
        problems["name"] = _("Use at most 200 characters.")
    if kind not in OrganisationKind.values:
        problems["kind"] = _("Choose one of the kinds of organisation.")
    if not RETENTION_YEARS_MIN <= retention_years <= RETENTION_YEARS_MAX:
        problems["retention_years"] = _("Choose from %(min)d to %(max)d years.") % {
            "min": RETENTION_YEARS_MIN,
            "max": RETENTION_YEARS_MAX,
        }
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def create_organisation(
    *,
    by: Any,
    name: str,
    slug: str,
    kind: str,
    retention_years: int = 6,
    require_two_factor: bool = True,
    partnership_host: bool = False,
    administrator_email: str | None = None,
    administrator_name: str = "",
) -> NewOrganisation:
    """Adds an organisation to the partnership. In the app (`by` given) only an active
    administrator of the host organisation may, and the new organisation gets its first
    administrator in the same transaction, so it is never left with no one to run it. At
    the command line (`by=None`) the administrator may be added afterwards with
    `pathmark users add`, and the host may be named."""
    host = None
    if by is not None:
        host = selectors.host_organisation_of(by)
        if host is None or partnership_host:
            raise PermissionDenied
        if not administrator_email:
            raise ValidationError(
                {"administrator_email": _("Enter the e-mail address of its first administrator.")}
            )
    _check_settings(name=name, kind=kind, retention_years=retention_years)
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValidationError(
            {"slug": _("Use only lower-case letters, numbers and hyphens, e.g. city-council.")}
        ) from None
    if len(slug) > Organisation._meta.get_field("slug").max_length:  # type: ignore[operator]
        raise ValidationError({"slug": _("Use at most 60 characters.")})
    if Organisation.objects.filter(slug__iexact=slug).exists():
        raise ValidationError(
            {
                "slug": _("Another organisation already has the short name %(slug)s.")
                % {"slug": slug}
            }
        )
    if partnership_host and Organisation.objects.filter(is_partnership_host=True).exists():
        raise ValidationError(
            {
                "partnership_host": _(
                    "Another organisation already hosts the partnership; move it with "
                    "`pathmark organisations set-host`."
                )
            }
        )
    organisation = Organisation.objects.create(
        name=name.strip(),
        slug=slug.lower(),
        kind=kind,
        retention_years=retention_years,
        require_two_factor=require_two_factor,
        is_partnership_host=partnership_host,
    )
    record(
        actor=actor_or_command_line(by),
        # The host's log shows what its administrators did; from the command line the new
        # organisation's own log starts with it.
        organisation=host or organisation,
        action="organisation.created",
        target=organisation,
        extra={
            "kind": kind,
            "retention_years": retention_years,
            "require_two_factor": require_two_factor,
            "partnership_host": partnership_host,
        },
    )
    administrator = None
    if administrator_email:
        try:
            # The accounts app (above this one) enrols the first administrator.
            enrolled = enrol_first_administrator(
                by=by, organisation=organisation, email=administrator_email, name=administrator_name
            )
            if not enrolled:
                raise RuntimeError("No app enrols an organisation's first administrator.")
            administrator = enrolled[0]
        except ValidationError as error:
            # The form names these fields `administrator_<field>`.
            raise ValidationError(
                {f"administrator_{field}": errors for field, errors in error.message_dict.items()}
            ) from None
    return NewOrganisation(organisation=organisation, administrator=administrator)


@transaction.atomic
def update_settings(
    *,
    by: Any,
    organisation: Organisation,
    name: str,
    kind: str,
    retention_years: int,
    require_two_factor: bool,
) -> list[str]:
    """Changes the organisation's own settings; returns the names of those that changed.
    A shorter retention period takes effect at the next nightly sweep (see privacy)."""
    if not selectors.is_administrator_of(by, organisation):
        raise PermissionDenied
    _check_settings(name=name, kind=kind, retention_years=retention_years)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    wanted = {
        "name": name.strip(),
        "kind": kind,
        "retention_years": retention_years,
        "require_two_factor": require_two_factor,
    }
    previous_retention = organisation.retention_years
    changed = [field for field, value in wanted.items() if getattr(organisation, field) != value]
    if not changed:
        return []
    for field in changed:
        setattr(organisation, field, wanted[field])
    organisation.save(update_fields=changed)
    record(
        actor=actor_or_command_line(by),
        organisation=organisation,
        action="organisation.settings_changed",
        target=organisation,
        extra={
            "changed": changed,
            "kind": kind,
            "retention_years": retention_years,
            "previous_retention_years": previous_retention,
            "require_two_factor": require_two_factor,
        },
    )
    return changed


@transaction.atomic
def set_partnership_host(*, by: Any, organisation: Organisation) -> None:
    """Makes `organisation` the one whose administrators add organisations to the
    partnership. For the server's operator (command line): no one in the app may move it."""
    if by is not None:
        raise PermissionDenied
    previous = list(
        Organisation.objects.filter(is_partnership_host=True)
        .exclude(pk=organisation.pk)
        .values_list("pk", flat=True)
    )
    Organisation.objects.filter(pk__in=previous).update(is_partnership_host=False)
    Organisation.objects.filter(pk=organisation.pk).update(is_partnership_host=True)
    organisation.is_partnership_host = True
    record(
        actor=actor_or_command_line(by),
        organisation=organisation,
        action="organisation.partnership_host_set",
        target=organisation,
        extra={"previous_host_id": previous[0] if previous else None},
    )
