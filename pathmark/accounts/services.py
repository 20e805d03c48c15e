"""Writing accounts: sign-in records, passwords, two-factor devices, sessions, and what
administrators do to their members. Each action is one transaction with its audit entry;
entries name users by id only."""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime

from axes.utils import reset as reset_lockout
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathmark.audit.services import actor_or_command_line, record
from pathmark.organisations.middleware import SESSION_KEY as ORGANISATION_SESSION_KEY
from pathmark.organisations.models import Membership, Organisation, Role
from pathmark.organisations.selectors import acting_memberships

from . import selectors
from .links import link_lifetime_days, site_address
from .models import Invitation, InvitationStatus, User, UserSession

logger = logging.getLogger(__name__)

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


def _check_owner(by: User, user: User) -> None:
    """Refuses an action that affects `user`'s account everywhere unless `by` owns it (an
    administrator of every organisation it belongs to, or of the host organisation)."""
    if not selectors.owns_account(by, user):
        raise PermissionDenied(
            _(
                "They also work for another organisation, so this would affect their work "
                "there too. Only someone who administers every organisation they work for, "
                "or an administrator of the partnership's host organisation, can do it. You "
                "can remove them from your organisation."
            )
        )


def _record_for_account(
    *,
    by: User | None,
    organisation: Organisation | None,
    user: User,
    action: str,
    extra: dict[str, object] | None = None,
) -> None:
    """Writes an action on `user`'s account to the log of every organisation it belongs to
    (and of the organisation acted for), so each of them sees what was done to its member."""
    organisations = {o.pk: o for o in selectors.account_organisations(user)}
    if organisation is not None:
        organisations.setdefault(organisation.pk, organisation)
    # An account of no organisation (the command line's `users link`) is logged once, with none.
    for every in organisations.values() or [organisation]:
        record(actor=audit_actor(by), organisation=every, action=action, target=user, extra=extra)


def spend_set_password_links(user: User) -> None:
    """Makes every set-password link made so far stop working (links.py): called by each
    change of the account's state, in the change's transaction."""
    User.objects.filter(pk=user.pk).update(state_version=F("state_version") + 1)
    user.refresh_from_db(fields=["state_version"])


@transaction.atomic
def deactivate_member(*, by: User, organisation: Organisation, membership: Membership) -> None:
    """Ends the user's work for `organisation` at once: the membership stops, every session
    ends, and if they act for no other organisation the account itself is switched off.
    Ending every session affects their other organisations too, so only an owner of the
    account may (see selectors.owns_account)."""
    user = membership.user
    _not_yourself(by, user)
    # Two administrators deactivating each other at once must not both succeed.
    _lock_administrators(organisation)
    membership.refresh_from_db()
    _refuse_leaving_no_administrator(by, membership)
    _check_owner(by, user)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    still_member = acting_memberships().filter(user=user).exists()
    if not still_member:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = end_sessions(user)
    spend_set_password_links(user)
    _record_for_account(
        by=by,
        organisation=organisation,
        user=user,
        action="user.deactivated",
        extra={"account_disabled": not still_member, "sessions": ended},
    )


@transaction.atomic
def reactivate_member(*, by: User, organisation: Organisation, membership: Membership) -> None:
    """Lets the member work for `organisation` again. Switching a switched-off account back
    on affects every organisation it belongs to, so only an owner of the account may."""
    user = membership.user
    if not user.is_active:
        _check_owner(by, user)
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    spend_set_password_links(user)
    _record_for_account(by=by, organisation=organisation, user=user, action="user.reactivated")


@transaction.atomic
def switch_off_account(*, by: User, organisation: Organisation, user: User) -> int:
    """Switches the account off in every organisation at once (a lost laptop, someone who
    left the partnership): it can no longer sign in and every session ends. Its memberships
    stay as they are, so switching it on again restores what each organisation had. Only an
    owner of the account; refused where it would leave an organisation with no administrator."""
    _not_yourself(by, user)
    _check_owner(by, user)
    for membership in Membership.objects.filter(
        user=user, is_active=True, role=Role.ADMINISTRATOR
    ).select_related("organisation"):
        _lock_administrators(membership.organisation)
        if selectors.is_last_administrator(membership):
            raise ValidationError(
                _(
                    "They are the only administrator of %(organisation)s. Make someone else "
                    "its administrator first."
                )
                % {"organisation": membership.organisation.name}
            )
    user.is_active = False
    user.save(update_fields=["is_active"])
    return _end_sessions_and_links(
        by=by, organisation=organisation, user=user, action="user.account_switched_off"
    )


@transaction.atomic
def switch_on_account(*, by: User, organisation: Organisation, user: User) -> None:
    """Switches a switched-off account on again. It works again for the organisations whose
    membership is active; the others reactivate theirs on their own staff page."""
    _check_owner(by, user)
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    spend_set_password_links(user)
    _record_for_account(
        by=by, organisation=organisation, user=user, action="user.account_switched_on"
    )


@transaction.atomic
def reset_two_factor(*, by: User, organisation: Organisation, user: User) -> None:
    """For a member who lost their phone and backup codes: removes their authenticator and
    codes and ends their sessions; they set up a new one when they next sign in. Only an
    owner of the account: without the second factor, the password alone opens every
    organisation the account works for."""
    _not_yourself(by, user)
    _check_owner(by, user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _end_sessions_and_links(
        by=by, organisation=organisation, user=user, action="user.two_factor_reset"
    )


def _end_sessions_and_links(
    *, by: User, organisation: Organisation, user: User, action: str
) -> int:
    """After a change that must lock the account holder out at once: ends every session,
    spends every set-password link, and logs `action` for every organisation of the account."""
    ended = end_sessions(user)
    spend_set_password_links(user)
    _record_for_account(
        by=by, organisation=organisation, user=user, action=action, extra={"sessions": ended}
    )
    return ended


@transaction.atomic
def unlock_account(*, by: User, organisation: Organisation, user: User) -> int:
    """Lifts a lock-out after too many failed sign-ins, from every address. Only an owner of
    the account: the lock-out protects it in every organisation it works for."""
    _check_owner(by, user)
    cleared = reset_lockout(username=user.username)
    _record_for_account(
        by=by,
        organisation=organisation,
        user=user,
        action="user.unlocked",
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


# --- Adding members, their roles, removing them ---------------------------------------------


# Who the audit log names for work done at the command line (`by=None`): one actor for every
# command, kept by the audit app.
audit_actor = actor_or_command_line


@dataclass(frozen=True)
class AddedMember:
    user: User
    # None when an existing account was invited instead (see `invitation`).
    membership: Membership | None
    new_account: bool
    # Whether whoever added them may be shown a set-password link: the account has no
    # password yet and whoever added them owns the account (see may_get_set_password_link).
    needs_link: bool
    # For an existing account added in the app: the membership starts when they accept.
    invitation: Invitation | None = None

    @property
    def role(self) -> str:
        held = self.membership if self.membership is not None else self.invitation
        assert held is not None
        return held.role


def _check_administrator(by: User | None, organisation: Organisation) -> None:
    """Services re-check what the views' `@requires` checked, so a caller that forgets cannot
    skip it. `by=None` is the server's operator at the command line."""
    if by is not None and not selectors.is_active_administrator(by, organisation):
        raise PermissionDenied


def _lock_administrators(organisation: Organisation) -> None:
    """Serialises changes that could remove an organisation's last administrator: two
    administrators demoting each other at the same moment must not both succeed."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _refuse_leaving_no_administrator(by: User | None, membership: Membership) -> None:
    if selectors.is_last_administrator(membership):
        if by is not None and by.pk == membership.user_id:
            raise PermissionDenied(
                _(
                    "You are the only administrator of %(organisation)s. Make someone else an "
                    "administrator first, so the organisation is not left without one."
                )
                % {"organisation": membership.organisation.name}
            )
        raise PermissionDenied(
            _(
                "They are the only administrator of %(organisation)s. Make someone else an "
                "administrator first, so the organisation is not left without one."
            )
            % {"organisation": membership.organisation.name}
        )


def _new_username(email: str) -> str:
    """A username made from the part of the e-mail address before the @, unique in any
    letter case. The person is told it in the link's e-mail and on the set-password page."""
    local = email.split("@", 1)[0].lower()
    base = re.sub(r"[^a-z0-9._-]+", "-", local).strip(".-_")[:140] or "user"
    candidate, number = base, 2
    while User.objects.filter(username__iexact=candidate).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _checked_email(email: str) -> str:
    email = User.objects.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("Enter an e-mail address like name@example.org.")}
        ) from None
    return email


def _set_first_password(user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)


@transaction.atomic
def add_member(
    *,
    by: User | None,
    organisation: Organisation,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
) -> AddedMember:
    """Adds a member of staff to `organisation` in `role`. Someone who already has an account
    (matched by e-mail address, in any letter case) gets a membership and keeps their
    password; anyone else gets a new account with no usable password, to be set through a
    link. `password` (command line only) sets it at once instead."""
    _check_administrator(by, organisation)
    return enrol_member(
        by=by, organisation=organisation, email=email, role=role, name=name, password=password
    )


def enrol_member(
    *,
    by: User | None,
    organisation: Organisation,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
) -> AddedMember:
    """The work of `add_member`, for callers that have checked who may do it themselves (a
    new organisation's first administrator is added by an administrator of the partnership's
    host). Runs inside the caller's transaction."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    email = _checked_email(email)
    try:
        user = selectors.account_for_email(email)
    except ValueError:
        raise ValidationError(
            {
                "email": _(
                    "More than one account has this e-mail address, so Pathmark cannot tell "
                    "which one to add. Ask the server's operator to give each its own address."
                )
            }
        ) from None
    new_account = user is None
    if user is None:
        # One name field: splitting names into first and last does not work across cultures.
        user = User(username=_new_username(email), email=email, first_name=name.strip())
        if password is None:
            user.set_unusable_password()
        else:
            _set_first_password(user, password)
        user.save()
    else:
        if by is not None:
            return _invite(by=by, organisation=organisation, user=user, role=role)
        existing = Membership.objects.filter(user=user, organisation=organisation).first()
        if existing is not None:
            raise ValidationError(
                {
                    "email": _("They are already a member of %(organisation)s.")
                    % {"organisation": organisation.name}
                    if existing.is_active
                    else _(
                        "They are already a member of %(organisation)s, deactivated. "
                        "Reactivate them on their page instead."
                    )
                    % {"organisation": organisation.name}
                }
            )
        if password is not None:
            if user.has_usable_password():
                raise ValidationError(
                    {"password": _("This account already has a password; it keeps it.")}
                )
            _set_first_password(user, password)
            user.save(update_fields=["password"])
    # At the command line (the app invites existing accounts instead, see `_invite`), the
    # server's operator may switch back on an account whose last membership ended.
    account_enabled = not user.is_active
    if account_enabled:
        user.is_active = True
        user.save(update_fields=["is_active"])
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    spend_set_password_links(user)
    needs_link = not user.has_usable_password() and (
        by is None or selectors.may_get_set_password_link(by, user)
    )
    record(
        actor=audit_actor(by),
        organisation=organisation,
        action="user.added",
        target=user,
        extra={
            "role": role,
            "new_account": new_account,
            "account_enabled": account_enabled,
            "set_password_link": needs_link,
        },
    )
    return AddedMember(
        user=user, membership=membership, new_account=new_account, needs_link=needs_link
    )


def _invite(*, by: User, organisation: Organisation, user: User, role: str) -> AddedMember:
    """Offers `user`, who already has an account, a membership of `organisation`. Nothing
    about the account changes until they accept (`accept_invitation`); a switched-off account
    is refused, since it can neither accept nor be switched on by one organisation."""
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(
            {
                "email": _(
                    "They are already a member of %(organisation)s; if they are deactivated, "
                    "reactivate them on their page instead."
                )
                % {"organisation": organisation.name}
            }
        )
    if not user.is_active:
        raise ValidationError(
            {
                "email": _(
                    "This account is switched off, and one organisation cannot switch it on "
                    "again. Ask an administrator of the partnership's host organisation, or "
                    "of every organisation they worked for."
                )
            }
        )
    waiting = Invitation.objects.filter(
        user=user, organisation=organisation, status=InvitationStatus.PENDING
    ).first()
    if waiting is not None and not waiting.is_expired:
        raise ValidationError(
            {"email": _("They have already been invited and have not answered yet.")}
        )
    if waiting is not None:
        # The old offer lapsed unanswered: it is closed, and this one takes its place.
        waiting.status = InvitationStatus.EXPIRED
        waiting.answered_at = timezone.now()
        waiting.save(update_fields=["status", "answered_at"])
    invitation = Invitation.objects.create(
        user=user, organisation=organisation, role=role, invited_by=by
    )
    record(
        actor=by,
        organisation=organisation,
        action="user.invited",
        target=user,
        extra={"role": role, "invitation": invitation.pk},
    )
    return AddedMember(
        user=user, membership=None, new_account=False, needs_link=False, invitation=invitation
    )


@transaction.atomic
def accept_invitation(*, by: User, invitation: Invitation) -> Membership:
    """The invited person accepts: their membership of the inviting organisation starts.
    Only they may, and the view asks for their own second factor first."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_answerable(by, invitation)
    organisation = invitation.organisation
    if Membership.objects.filter(user=by, organisation=organisation).exists():
        raise PermissionDenied(_("You are already a member of that organisation."))
    membership = Membership.objects.create(user=by, organisation=organisation, role=invitation.role)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    spend_set_password_links(by)
    _record_for_account(
        by=by,
        organisation=organisation,
        user=by,
        action="user.invitation_accepted",
        extra={"role": invitation.role, "invitation": invitation.pk},
    )
    return membership


@transaction.atomic
def decline_invitation(*, by: User, invitation: Invitation) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_answerable(by, invitation)
    invitation.status = InvitationStatus.DECLINED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    record(
        actor=by,
        organisation=invitation.organisation,
        action="user.invitation_declined",
        target=by,
        extra={"invitation": invitation.pk},
    )


@transaction.atomic
def withdraw_invitation(
    *, by: User | None, organisation: Organisation, invitation: Invitation
) -> None:
    """The inviting organisation's administrator takes back an unanswered invitation (sent to
    the wrong person, or no longer wanted); it can then no longer be accepted."""
    _check_administrator(by, organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.organisation_id != organisation.pk:
        raise PermissionDenied
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("This invitation has already been answered."))
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    record(
        actor=by,
        organisation=organisation,
        action="user.invitation_withdrawn",
        target=invitation.user,
        extra={"invitation": invitation.pk},
    )


def _check_answerable(by: User, invitation: Invitation) -> None:
    if (
        invitation.user_id != by.pk
        or invitation.status != InvitationStatus.PENDING
        or invitation.is_expired
        or not invitation.organisation.is_active
        or not by.is_active
    ):
        raise PermissionDenied


@transaction.atomic
def change_role(
    *, by: User | None, organisation: Organisation, membership: Membership, role: str
) -> bool:
    """Gives the member another role in `organisation`; it applies from their next request.
    Refuses to leave the organisation without an administrator. False if nothing changed."""
    _check_administrator(by, organisation)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    _lock_administrators(organisation)
    membership.refresh_from_db()
    previous = membership.role
    if previous == role:
        return False
    if role != Role.ADMINISTRATOR:
        _refuse_leaving_no_administrator(by, membership)
    membership.role = role
    membership.save(update_fields=["role"])
    spend_set_password_links(membership.user)
    record(
        actor=audit_actor(by),
        organisation=organisation,
        action="user.role_changed",
        target=membership.user,
        extra={"from": previous, "to": role},
    )
    return True


def end_sessions_for_organisation(user: User, organisation: Organisation) -> int:
    """Ends the user's sessions that act for `organisation`: those that chose it, and those
    that chose none while it is the one the scope middleware falls back to. Their sessions
    for other organisations go on."""
    acting_for = list(
        acting_memberships().filter(user=user).values_list("organisation_id", flat=True)
    )
    fallback = acting_for[0] if acting_for else None
    doomed = []
    for session in UserSession.objects.filter(user=user):
        chosen = session.get_decoded().get(ORGANISATION_SESSION_KEY)
        if (chosen if chosen in acting_for else fallback) == organisation.pk:
            doomed.append(session.session_key)
    deleted, _counts = UserSession.objects.filter(session_key__in=doomed).delete()
    return deleted


@transaction.atomic
def remove_member(*, by: User | None, organisation: Organisation, membership: Membership) -> bool:
    """Takes the member out of `organisation`: the membership goes, their sessions acting for
    it end at once, and they keep their other memberships. If they have no other active one
    the account is switched off, as deactivation does. Returns whether it was switched off."""
    _check_administrator(by, organisation)
    _lock_administrators(organisation)
    membership.refresh_from_db()
    _refuse_leaving_no_administrator(by, membership)
    user = membership.user
    ended = end_sessions_for_organisation(user, organisation)
    role = membership.role
    membership.delete()
    still_member = acting_memberships().filter(user=user).exists()
    account_disabled = not still_member and user.is_active
    if account_disabled:
        user.is_active = False
        user.save(update_fields=["is_active"])
    spend_set_password_links(user)
    record(
        actor=audit_actor(by),
        organisation=organisation,
        action="user.removed",
        target=user,
        extra={"role": role, "account_disabled": account_disabled, "sessions": ended},
    )
    return account_disabled


# --- Set-password links ---------------------------------------------------------------------


@transaction.atomic
def issue_set_password_link(
    *, by: User | None, organisation: Organisation | None, user: User
) -> None:
    """Records that a new set-password link was made for `user` (the link itself is made
    where it is shown: see links.py). From the app, only for another member whose account
    the administrator owns (selectors.owns_account); from the command line, for anyone.
    Written to the log of every organisation the account belongs to."""
    if by is not None:
        if organisation is None:
            raise PermissionDenied
        _check_administrator(by, organisation)
        _not_yourself(by, user)
        if not user.is_active:
            raise PermissionDenied(_("Their account is switched off. Reactivate them first."))
        if not selectors.may_get_set_password_link(by, user):
            raise PermissionDenied(
                _(
                    "They also work for another organisation, so a link that sets their "
                    "password cannot be given to one organisation's administrator. The "
                    "server's operator can make one with `pathmark users link`."
                )
            )
    _record_for_account(
        by=by,
        organisation=organisation,
        user=user,
        action="user.set_password_link_issued",
        extra={"had_password": user.has_usable_password()},
    )


@transaction.atomic
def set_password_with_link(*, user: User, new_password: str) -> int:
    """Sets the password chosen through a link (which this makes unusable, with every other
    link) and ends the user's sessions, as changing a password does."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = end_sessions(user)
    record(
        actor=user,
        organisation=selectors.default_organisation(user),
        action="account.password_set",
        target=user,
        extra={"sessions": ended},
    )
    return ended


def email_member(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    link: str | None,
    added: bool = True,
    invited: bool = False,
    site_url: str | None = None,
) -> bool:
    """Tells someone they were added to `organisation` (or, with `added=False`, that they have
    a new set-password link), with the link if there is one. Called after the change is
    committed: a mail server that fails does not undo it. Returns whether the message was
    handed to the mail server. It holds no client's data: organisation, role, username, link.
    `site_url` is where to sign in (the request's address, see `links.site_address`)."""
    if not user.email:
        return False
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "added": added,
            "invited": invited,
            "organisation": organisation.name,
            "role": Role(role).label,
            "username": user.username,
            "link": link,
            "days": link_lifetime_days(),
            "site_url": site_url or site_address(),
        }
        if link:
            subject = _("Set your Pathmark password")
        elif invited:
            subject = _("You are invited to work for %(organisation)s in Pathmark") % {
                "organisation": organisation.name
            }
        else:
            subject = _("You can now work for %(organisation)s in Pathmark") % {
                "organisation": organisation.name
            }
        body = render_to_string("accounts/email/member_added.txt", context)
    # An organisation's name could hold a line break, which a mail header may not.
    subject = " ".join(subject.split())
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, smtplib.SMTPException):
        # Logged by id only; the administrator is told to pass the link on themselves.
        logger.warning("Could not e-mail user %s about their membership", user.pk)
        return False
    return True
