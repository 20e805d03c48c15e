"""Writing accounts: sign-in records, passwords, two-factor devices, sessions, and what
administrators do to their members. Each action is one transaction with its audit entry;
entries name users by id only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.utils import reset as reset_lockout
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathmark.audit.services import record
from pathmark.organisations.models import Membership, Organisation

from .models import User, UserSession

AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"


def end_sessions(user: User, *, except_session_key: str | None = None) -> int:
    """Deletes the user's sessions (all but one, if named). Their next request is anonymous."""
    sessions = UserSession.objects.filter(user=user)
    if except_session_key:
        sessions = sessions.exclude(session_key=except_session_key)
    deleted, _ = sessions.delete()
    return deleted


# --- Signing in -----------------------------------------------------------------------------


@transaction.atomic
def record_sign_in(*, user: User, organisation: Organisation | None) -> None:
    record(actor=user, organisation=organisation, action="account.signed_in", target=user)


@dataclass(frozen=True)
class CodeCheck:
    device: Device | None
    wait_until: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.device is not None


def check_code(*, user: User, organisation: Organisation | None, code: str) -> CodeCheck:
    """Checks a six-digit code from the authenticator app, or a backup code (used up by
    this). After a wrong code the device makes the user wait 1, 2, 4, 8… seconds before it
    accepts another try, however many addresses the tries come from."""
    code = "".join(code.split()).lower()
    model: type[Device] = TOTPDevice if code.isdigit() else StaticDevice
    wait_until = None
    for device in model.objects.filter(user=user, confirmed=True):
        allowed, details = device.verify_is_allowed()
        if not allowed:
            wait_until = (details or {}).get("locked_until")
            continue
        # django-otp locks the device row while it checks, so one code cannot be used twice.
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            _record_code(user, organisation, "account.code_accepted", verified)
            return CodeCheck(device=verified)
    _record_code(user, organisation, "account.code_refused", None)
    return CodeCheck(device=None, wait_until=wait_until)


@transaction.atomic
def _record_code(
    user: User, organisation: Organisation | None, action: str, device: Device | None
) -> None:
    kind = "" if device is None else ("backup" if isinstance(device, StaticDevice) else "app")
    record(actor=user, organisation=organisation, action=action, target=user, extra={"kind": kind})


# --- Two-factor set-up ----------------------------------------------------------------------


@transaction.atomic
def start_authenticator(*, user: User) -> TOTPDevice:
    """The not-yet-confirmed authenticator the user is setting up. Reloading the page keeps
    the same secret, so a code from an app that already scanned it still works."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def confirm_authenticator(
    *, by: User, organisation: Organisation | None, device: TOTPDevice, code: str
) -> list[str] | None:
    """Confirms the new authenticator with a code it shows; returns the new backup codes, or
    None if the code was wrong (the failure is kept: it counts towards throttling)."""
    if device.user_id != by.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token("".join(code.split())):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # The new authenticator replaces any earlier one.
        TOTPDevice.objects.filter(user=by).exclude(pk=device.pk).delete()
        codes = _replace_backup_codes(by)
        record(actor=by, organisation=organisation, action="account.two_factor_enrolled", target=by)
    return codes


@transaction.atomic
def renew_backup_codes(*, by: User, organisation: Organisation | None) -> list[str]:
    codes = _replace_backup_codes(by)
    record(actor=by, organisation=organisation, action="account.backup_codes_renewed", target=by)
    return codes


def _replace_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# --- The user's own sessions and password ---------------------------------------------------


@transaction.atomic
def change_password(
    *, by: User, organisation: Organisation | None, new_password: str, current_session_key: str
) -> None:
    """Sets the new password and ends every other session of the user; the caller keeps the
    current one (update_session_auth_hash)."""
    by.set_password(new_password)
    by.save(update_fields=["password"])
    end_sessions(by, except_session_key=current_session_key)
    record(actor=by, organisation=organisation, action="account.password_changed", target=by)


@transaction.atomic
def sign_out_everywhere(*, by: User, organisation: Organisation | None) -> int:
    ended = end_sessions(by)
    record(
        actor=by,
        organisation=organisation,
        action="account.signed_out_everywhere",
        target=by,
        extra={"sessions": ended},
    )
    return ended


# --- Administrators -------------------------------------------------------------------------


def _not_yourself(by: User, user: User) -> None:
    if by.pk == user.pk:
        raise PermissionDenied(_("You cannot do this to your own account."))


@transaction.atomic
def deactivate_member(*, by: User, organisation: Organisation, membership: Membership) -> None:
    """Ends the user's work for `organisation` at once: the membership stops, every session
    ends, and if they act for no other organisation the account itself is switched off."""
    user = membership.user
    _not_yourself(by, user)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    still_member = Membership.objects.filter(
        user=user, is_active=True, organisation__is_active=True
    ).exists()
    if not still_member:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = end_sessions(user)
    record(
        actor=by,
        organisation=organisation,
        action="user.deactivated",
        target=user,
        extra={"account_disabled": not still_member, "sessions": ended},
    )


@transaction.atomic
def reactivate_member(*, by: User, organisation: Organisation, membership: Membership) -> None:
    user = membership.user
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    record(actor=by, organisation=organisation, action="user.reactivated", target=user)


@transaction.atomic
def reset_two_factor(*, by: User, organisation: Organisation, membership: Membership) -> None:
    """For a member who lost their phone and backup codes: removes their authenticator and
    codes and ends their sessions; they set up a new one when they next sign in."""
    user = membership.user
    _not_yourself(by, user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ended = end_sessions(user)
    record(
        actor=by,
        organisation=organisation,
        action="user.two_factor_reset",
        target=user,
        extra={"sessions": ended},
    )


@transaction.atomic
def unlock_member(*, by: User, organisation: Organisation, membership: Membership) -> int:
    """Lifts a lock-out after too many failed sign-ins, from every address."""
    cleared = reset_lockout(username=membership.user.username)
    record(
        actor=by,
        organisation=organisation,
        action="user.unlocked",
        target=membership.user,
        extra={"attempts_cleared": cleared},
    )
    return cleared


@transaction.atomic
def set_two_factor_requirement(*, by: User, organisation: Organisation, required: bool) -> None:
    organisation.require_two_factor = required
    organisation.save(update_fields=["require_two_factor"])
    record(
        actor=by,
        organisation=organisation,
        action="organisation.two_factor_requirement_changed",
        target=organisation,
        extra={"required": required},
    )
