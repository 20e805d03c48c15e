"""Reading accounts: whether a user needs a second factor, and the members an administrator
manages. Staff records are not clients' personal data, so reading them is not audited; every
change to them is (see services)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathmark.organisations.models import Membership, Organisation, Role
from pathmark.organisations.selectors import acting_memberships, host_organisation_of

from .models import Invitation, InvitationStatus, User


def two_factor_required(user: User, memberships: Iterable[Membership] | None = None) -> bool:
    """True if any organisation the user acts for requires a second factor: a member of two
    organisations could otherwise switch to the stricter one without it. `memberships`, when
    given, are the user's active memberships in active organisations with their organisation
    already read (the scope middleware's, on every request): then no query is needed."""
    if memberships is not None:
        return any(membership.organisation.require_two_factor for membership in memberships)
    return Membership.objects.filter(
        user=user,
        is_active=True,
        organisation__is_active=True,
        organisation__require_two_factor=True,
    ).exists()


def authenticators() -> QuerySet[TOTPDevice]:
    """The devices that count as a user's authenticator: confirmed authenticator apps."""
    return TOTPDevice.objects.filter(confirmed=True)


def has_authenticator(user: User) -> bool:
    return authenticators().filter(user=user).exists()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def default_organisation(user: User) -> Organisation | None:
    """The organisation a fresh session acts for (the one the scope middleware picks)."""
    membership = acting_memberships().filter(user=user).select_related("organisation").first()
    return membership.organisation if membership is not None else None


def locked_out_usernames(usernames: list[str]) -> set[str]:
    """Those of `usernames` that django-axes currently refuses from at least one address."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


@dataclass(frozen=True)
class Member:
    membership: Membership
    has_two_factor: bool
    locked_out: bool
    # Whether the administrator looking owns the account (see `owns_account`): only then may
    # they see its sign-in details and act on it everywhere.
    owned: bool = True

    @property
    def user(self) -> User:
        return self.membership.user  # type: ignore[return-value]

    @property
    def is_active(self) -> bool:
        return self.membership.is_active and self.membership.user.is_active


def memberships_of(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .annotate(
            has_two_factor=Exists(
                TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
            )
        )
        .order_by("user__username")
    )


def members_of(organisation: Organisation, *, viewer: User) -> list[Member]:
    memberships = list(memberships_of(organisation))
    locked = locked_out_usernames([m.user.username for m in memberships])
    owned = owned_accounts(viewer, [m.user_id for m in memberships])
    return [
        Member(
            membership=m,
            has_two_factor=m.has_two_factor,  # type: ignore[attr-defined]
            locked_out=m.user.username in locked,
            owned=m.user_id in owned,
        )
        for m in memberships
    ]


def member_of(organisation: Organisation, user_id: int, *, viewer: User) -> Member:
    """The member of `organisation` with this user id; `Membership.DoesNotExist` for anyone
    else, so an administrator of another organisation gets the same 404 as for no one."""
    membership = memberships_of(organisation).get(user_id=user_id)
    return Member(
        membership=membership,
        has_two_factor=membership.has_two_factor,  # type: ignore[attr-defined]
        locked_out=bool(locked_out_usernames([membership.user.username])),
        owned=owns_account(viewer, membership.user),  # type: ignore[arg-type]
    )


# --- Who owns an account --------------------------------------------------------------------
#
# One account can work for several organisations. Whatever affects it everywhere (its second
# factor, its lock-out, switching it off or on, its password, its sessions, and what it
# reveals about signing in) belongs to no single one of them: an administrator of any one
# organisation could otherwise take over another's staff. Its owners are the administrators
# of every organisation it belongs to, and the host organisation's administrators.


def account_organisations(user: User) -> list[Organisation]:
    """The active organisations the account has a membership of, whether the membership is
    active or was deactivated there (that organisation still has a say in it)."""
    return list(
        Organisation.objects.filter(is_active=True, memberships__user=user)
        .distinct()
        .order_by("pk")
    )


def owned_accounts(by: User, user_ids: list[int]) -> set[int]:
    """Those of `user_ids` whose accounts `by` owns (see `owns_account`), in two queries."""
    if host_organisation_of(by) is not None:
        return set(user_ids)
    administered = set(
        Membership.objects.filter(
            user=by,
            role=Role.ADMINISTRATOR,
            is_active=True,
            user__is_active=True,
            organisation__is_active=True,
        ).values_list("organisation_id", flat=True)
    )
    belongs: dict[int, set[int]] = {}
    for user_id, organisation_id in Membership.objects.filter(
        user_id__in=user_ids, organisation__is_active=True
    ).values_list("user_id", "organisation_id"):
        belongs.setdefault(user_id, set()).add(organisation_id)
    return {
        user_id for user_id in user_ids if belongs.get(user_id) and belongs[user_id] <= administered
    }


def owns_account(by: User, user: User) -> bool:
    """Whether `by` may act on `user`'s account everywhere: as an active administrator of
    every organisation it belongs to, or of the partnership's host organisation."""
    return user.pk in owned_accounts(by, [user.pk])


def is_active_administrator(user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user=user,
        organisation=organisation,
        role=Role.ADMINISTRATOR,
        is_active=True,
        user__is_active=True,
    ).exists()


def is_last_administrator(membership: Membership) -> bool:
    """True if taking this membership away from the administrators would leave its
    organisation with no active administrator, and so with no one to manage it."""
    if membership.role != Role.ADMINISTRATOR or not membership.is_active:
        return False
    return not (
        Membership.objects.filter(
            organisation_id=membership.organisation_id,
            role=Role.ADMINISTRATOR,
            is_active=True,
            user__is_active=True,
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def may_get_set_password_link(by: User, user: User) -> bool:
    """Whether `by` may be given a link that sets `user`'s password. Whoever holds the link
    can sign in as the user, so only for an active account they own (`owns_account`)."""
    return user.is_active and owns_account(by, user)


def account_for_email(email: str) -> User | None:
    """The account with this e-mail address (in any letter case), or None. Two accounts
    sharing an address cannot be told apart, so that is refused (ValueError)."""
    matches = list(User.objects.filter(email__iexact=email).order_by("pk")[:2])
    if len(matches) > 1:
        raise ValueError("more than one account has this e-mail address")
    return matches[0] if matches else None


def _unexpired() -> Q:
    return Q(created_at__gt=timezone.now() - timedelta(days=settings.PATHMARK_INVITATION_DAYS))


def pending_invitations(user: User) -> QuerySet[Invitation]:
    """The invitations `user` has not answered and may still accept: from organisations
    still active, sent within PATHMARK_INVITATION_DAYS and not withdrawn."""
    return (
        Invitation.objects.filter(
            _unexpired(), user=user, status=InvitationStatus.PENDING, organisation__is_active=True
        )
        .select_related("organisation", "invited_by")
        .order_by("created_at", "pk")
    )


INVITATIONS_WAITING = "pathmark_invitations_waiting"


def keep_invitations_waiting(request: HttpRequest, count: int | None = None) -> int:
    """Counts the signed-in user's pending invitations (or takes `count`, when the caller has
    just listed them) and keeps the number in their session, for the page frame's badge."""
    if count is None:
        count = pending_invitations(request.user).count()  # type: ignore[arg-type]
    request.session[INVITATIONS_WAITING] = count
    return count


def invitations_waiting(request: HttpRequest) -> int:
    """The number of invitations the page frame shows as waiting: the one kept in the session
    when the idle clock last moved (at most a minute ago) or the invitations page was last
    shown, which answering one leads back to."""
    kept = request.session.get(INVITATIONS_WAITING)
    return kept if isinstance(kept, int) else keep_invitations_waiting(request)


def pending_invitation(user: User, invitation_id: int) -> Invitation:
    """One of `user`'s own pending invitations; `Invitation.DoesNotExist` for anything else,
    anyone else's included, so no one learns whom another organisation invited."""
    return pending_invitations(user).get(pk=invitation_id)


def invitations_sent(organisation: Organisation) -> QuerySet[Invitation]:
    """The organisation's invitations still waiting for an answer, expired ones included
    (the page says so, and the administrator withdraws them or invites again)."""
    return (
        Invitation.objects.filter(organisation=organisation, status=InvitationStatus.PENDING)
        .select_related("user")
        .order_by("created_at", "pk")
    )


def invitation_sent(organisation: Organisation, invitation_id: int) -> Invitation:
    """One of the organisation's own unanswered invitations; `Invitation.DoesNotExist` for
    any other (another organisation's included)."""
    return invitations_sent(organisation).get(pk=invitation_id)


# --- Every account of the partnership (administrators of the host) -------------------------


@dataclass(frozen=True)
class Account:
    """An account as the host's administrators see it: every organisation it works for."""

    user: User
    memberships: list[Membership]
    has_two_factor: bool
    locked_out: bool


def partnership_accounts(query: str = "") -> QuerySet[User]:
    """The accounts with a membership of any organisation (staff, not clients), by username;
    `query` narrows them by username, name or e-mail address."""
    accounts = User.objects.filter(memberships__isnull=False).distinct()
    query = query.strip()
    if query:
        accounts = accounts.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    return accounts.order_by("username", "pk")


def accounts_with_memberships(users: list[User]) -> list[Account]:
    """`users` with their memberships, two-factor and lock-out state, in four queries."""
    memberships: dict[int, list[Membership]] = {}
    for membership in (
        Membership.objects.filter(user__in=users)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    ):
        memberships.setdefault(membership.user_id, []).append(membership)
    with_two_factor = set(
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )
    locked = locked_out_usernames([user.username for user in users])
    return [
        Account(
            user=user,
            memberships=memberships.get(user.pk, []),
            has_two_factor=user.pk in with_two_factor,
            locked_out=user.username in locked,
        )
        for user in users
    ]


def partnership_account(user_id: int) -> Account:
    """One account of the partnership; `User.DoesNotExist` for an id with no membership."""
    user = partnership_accounts().get(pk=user_id)
    return accounts_with_memberships([user])[0]
