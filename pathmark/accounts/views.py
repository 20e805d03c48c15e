"""Signing in (password, then a second factor), the user's own account, and the pages where
administrators manage the members of their organisation."""

from __future__ import annotations

import base64
import io
from base64 import b32encode
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.views import (
    INTERNAL_RESET_SESSION_TOKEN,
    LoginView,
    PasswordResetConfirmView,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.qr import write_qrcode_image

from pathmark.core.forms import attach_service_errors
from pathmark.organisations.middleware import SESSION_KEY
from pathmark.organisations.models import Membership, Role
from pathmark.organisations.permissions import any_member, requires

from . import selectors, services
from .forms import (
    AddMemberForm,
    ChangeRoleForm,
    CodeForm,
    NewAuthenticatorForm,
    TwoFactorRequirementForm,
)
from .links import (
    link_expires_at,
    link_made_now,
    recall_link,
    remember_link,
    set_password_tokens,
    set_password_url,
    site_address,
)
from .middleware import mark_signed_in, two_factor_exempt
from .models import Invitation
from .ratelimit import limit_attempts

# --- Signing in -----------------------------------------------------------------------------


class SignInView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        response = super().form_valid(form)
        mark_signed_in(self.request)
        services.record_sign_in(user=user, organisation=selectors.default_organisation(user))
        if selectors.has_authenticator(user):
            return _redirect_with_next("accounts:verify", self.get_success_url())
        if selectors.two_factor_required(user):
            return _redirect_with_next("accounts:two_factor_setup", self.get_success_url())
        return response


sign_in = login_not_required(limit_attempts("sign-in")(SignInView.as_view()))


def _redirect_with_next(name: str, next_url: str) -> HttpResponseRedirect:
    return redirect(reverse(name) + "?" + urlencode({"next": next_url}))


def _next_url(request: HttpRequest) -> str:
    """Where to go after a sign-in step: the page asked for, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("site:home")


@two_factor_exempt
@any_member
@limit_attempts("code")
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app or a backup code."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    if not selectors.has_authenticator(user):  # type: ignore[arg-type]
        return _redirect_with_next("accounts:two_factor_setup", _next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.check_code(
            user=user,  # type: ignore[arg-type]
            organisation=request.organisation,  # type: ignore[attr-defined]
            code=form.cleaned_data["code"],
        )
        if check.accepted:
            _confirm_session(request, check.device)
            if isinstance(check.device, StaticDevice):
                left = selectors.backup_codes_left(user)  # type: ignore[arg-type]
                messages.warning(
                    request,
                    ngettext(
                        "You used a backup code; %(count)d is left. "
                        "Make new ones on your account page.",
                        "You used a backup code; %(count)d are left. "
                        "Make new ones on your account page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(_next_url(request))
        if check.wait_until is not None:
            form.add_error(
                "code",
                _("Too many wrong codes in a row. Wait a few seconds, then type the newest code."),
            )
        else:
            form.add_error("code", _("That code is not right. Type the newest code the app shows."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


def _confirm_session(request: HttpRequest, device) -> None:  # type: ignore[no-untyped-def]
    otp_login(request, device)
    # A new session key for the newly trusted session, so a key seen before cannot ride on it.
    request.session.cycle_key()


@two_factor_exempt
@any_member
@limit_attempts("code")
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Setting up an authenticator app: scan the QR code (or type the key), then prove it
    works with one code. Replacing an app needs a session confirmed with the old one."""
    user = request.user
    if selectors.has_authenticator(user) and not user.is_verified():  # type: ignore[arg-type, union-attr]
        return _redirect_with_next("accounts:verify", reverse("accounts:two_factor_setup"))
    device = services.start_authenticator(user=user)  # type: ignore[arg-type]
    form = NewAuthenticatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_authenticator(
            by=user,  # type: ignore[arg-type]
            organisation=request.organisation,  # type: ignore[attr-defined]
            device=device,
            code=form.cleaned_data["code"],
        )
        if codes is not None:
            _confirm_session(request, device)
            return _show_backup_codes(request, codes, continue_to=_next_url(request))
        form.add_error(
            "code",
            _(
                "That code is not right, or came too soon after a wrong one. Wait a few "
                "seconds, then type the newest code the app shows."
            ),
        )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": _qr_code_data_url(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "required": selectors.two_factor_required(user),  # type: ignore[arg-type]
            "next": _next_url(request),
        },
    )


def _qr_code_data_url(text: str) -> str:
    """The QR code as an SVG data: URL, which the Content-Security-Policy allows as an image."""
    out = io.BytesIO()
    write_qrcode_image(text, out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _show_backup_codes(request: HttpRequest, codes: list[str], *, continue_to: str) -> HttpResponse:
    """Backup codes are shown once, in the response to the POST that made them, and never
    stored in the session or shown again."""
    return render(
        request, "accounts/backup_codes.html", {"codes": codes, "continue_to": continue_to}
    )


# --- Setting a password through a link -----------------------------------------------------


class SetPasswordView(PasswordResetConfirmView):
    """Choosing a password through a link an administrator had sent (Django's password-reset
    token). The new password must pass the validators; the person is then signed in, and sent
    to set up two-factor authentication if an organisation of theirs requires it."""

    template_name = "accounts/set_password.html"
    form_class = SetPasswordForm
    token_generator = set_password_tokens

    def get_user(self, uidb64: str):  # type: ignore[no-untyped-def]
        user = super().get_user(uidb64)
        # A link stops working when the account is switched off.
        return user if user is not None and user.is_active else None

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        user = form.user
        services.set_password_with_link(user=user, new_password=form.cleaned_data["new_password1"])
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        login(self.request, user, backend="pathmark.accounts.backends.AccountBackend")
        mark_signed_in(self.request)
        services.record_sign_in(user=user, organisation=selectors.default_organisation(user))
        messages.success(self.request, _("Your password is set. You are signed in."))
        if selectors.has_authenticator(user):
            return redirect("accounts:verify")
        if selectors.two_factor_required(user):
            return redirect("accounts:two_factor_setup")
        return redirect("site:home")


set_password = login_not_required(SetPasswordView.as_view())


# --- The user's own account -----------------------------------------------------------------


@any_member
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_authenticator": selectors.has_authenticator(user),  # type: ignore[arg-type]
            "backup_codes_left": selectors.backup_codes_left(user),  # type: ignore[arg-type]
            "two_factor_required": selectors.two_factor_required(user),  # type: ignore[arg-type]
            "memberships": Membership.objects.filter(user=user, is_active=True).select_related(
                "organisation"
            ),
        },
    )


@any_member
@limit_attempts("password")
def change_password(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(
            by=request.user,  # type: ignore[arg-type]
            organisation=request.organisation,  # type: ignore[attr-defined]
            new_password=form.cleaned_data["new_password1"],
            current_session_key=request.session.session_key or "",
        )
        # Keeps this session; every other one ended with the old password.
        update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
        messages.success(request, _("Your password was changed. Your other sessions have ended."))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@require_POST
@any_member
def renew_backup_codes(request: HttpRequest) -> HttpResponse:
    if not selectors.has_authenticator(request.user):  # type: ignore[arg-type]
        return redirect("accounts:two_factor_setup")
    codes = services.renew_backup_codes(
        by=request.user,  # type: ignore[arg-type]
        organisation=request.organisation,  # type: ignore[attr-defined]
    )
    return _show_backup_codes(request, codes, continue_to=reverse("accounts:account"))


@require_POST
@any_member
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    services.sign_out_everywhere(
        by=request.user,  # type: ignore[arg-type]
        organisation=request.organisation,  # type: ignore[attr-defined]
    )
    logout(request)
    messages.success(request, _("You are signed out on every device, this one too."))
    return redirect("accounts:login")


@require_POST
@any_member
def switch_organisation(request: HttpRequest) -> HttpResponse:
    """Choosing which organisation a member acts for, when they belong to several."""
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        raise Http404 from None
    # Compared in Python: an id beyond 64 bits would overflow SQLite's integer in a query.
    allowed = set(
        request.user.memberships.filter(is_active=True).values_list(  # type: ignore[union-attr]
            "organisation_id", flat=True
        )
    )
    if organisation_id not in allowed:
        raise Http404
    request.session[SESSION_KEY] = organisation_id
    return redirect("site:home")


# --- Administrators -------------------------------------------------------------------------


@requires("users.manage")
def users(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    return render(
        request,
        "accounts/users.html",
        {
            "members": selectors.members_of(organisation, viewer=request.user),  # type: ignore[arg-type]
            "invitations": selectors.invitations_sent(organisation),
            "invitation_days": settings.PATHMARK_INVITATION_DAYS,
            "requirement_form": TwoFactorRequirementForm(
                initial={"required": organisation.require_two_factor}
            ),
        },
    )


@require_POST
@requires("users.manage")
def withdraw_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    try:
        invitation = selectors.invitation_sent(organisation, invitation_id)
    except Invitation.DoesNotExist:
        raise Http404 from None
    try:
        services.withdraw_invitation(
            by=request.user,  # type: ignore[arg-type]
            organisation=organisation,
            invitation=invitation,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation withdrawn. It can no longer be accepted."))
    return redirect("accounts:users")


def _member_or_404(request: HttpRequest, user_id: int) -> selectors.Member:
    try:
        return selectors.member_of(
            request.organisation,  # type: ignore[attr-defined]
            user_id,
            viewer=request.user,  # type: ignore[arg-type]
        )
    except Membership.DoesNotExist:
        raise Http404 from None


# The user whose new set-password link the next page shows, once: their id and when the link
# was made (the one e-mailed), from which the same link is made again; never the link itself.
SHOW_LINK_FOR = "pathmark_show_set_password_link_for"


@requires("users.manage")
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    member = _member_or_404(request, user_id)
    is_self = member.user.pk == request.user.pk
    may_get_link = not is_self and selectors.may_get_set_password_link(
        request.user,  # type: ignore[arg-type]
        member.user,
    )
    link = None
    made = recall_link(request.session, SHOW_LINK_FOR, member.user.pk)
    if made is not None and may_get_link:
        link = set_password_url(member.user, request=request, made=made)
    return render(
        request,
        "accounts/user.html",
        {
            "member": member,
            "is_self": is_self,
            "role_form": ChangeRoleForm(initial={"role": member.membership.role}),
            "is_last_administrator": selectors.is_last_administrator(member.membership),
            "may_get_link": may_get_link,
            "has_password": member.user.has_usable_password(),
            "set_password_link": link,
            "link_expires_at": link_expires_at(made) if link else None,
        },
    )


@requires("users.manage")
def add_member(request: HttpRequest) -> HttpResponse:
    """Adding a member of staff: an existing account (same e-mail address) gets a membership,
    anyone else a new account and a set-password link, shown once on their page and e-mailed."""
    organisation = request.organisation  # type: ignore[attr-defined]
    form = AddMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_member(
                by=request.user,  # type: ignore[arg-type]
                organisation=organisation,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            _tell_new_member(request, added)
            if added.invitation is not None:
                return redirect("accounts:users")
            return redirect("accounts:user", user_id=added.user.pk)
    return render(request, "accounts/add_member.html", {"form": form})


def _tell_new_member(request: HttpRequest, added: services.AddedMember) -> None:
    organisation = request.organisation  # type: ignore[attr-defined]
    made = link_made_now()
    link = set_password_url(added.user, request=request, made=made) if added.needs_link else None
    sent = services.email_member(
        user=added.user,
        organisation=organisation,
        role=added.role,
        link=link,
        invited=added.invitation is not None,
        site_url=site_address(request),
    )
    if added.invitation is not None:
        messages.success(
            request,
            _(
                "They already have a Pathmark account, so they were invited: they become a "
                "member when they accept, after signing in with their own password and second "
                "factor."
            ),
        )
    elif added.needs_link:
        remember_link(request.session, SHOW_LINK_FOR, added.user.pk, made=made)
        if sent:
            messages.success(
                request,
                _(
                    "Added. We e-mailed them a link to set their password; it is also below, "
                    "shown this once, in case you need to pass it on."
                ),
            )
        else:
            messages.warning(
                request,
                _(
                    "Added, but the e-mail could not be sent. Pass on the set-password link "
                    "below yourself; it is shown this once."
                ),
            )
    elif added.user.has_usable_password():
        messages.success(
            request, _("Added. They already have an account and sign in with their own password.")
        )
    else:
        messages.success(
            request,
            _(
                "Added. Their account has no password yet: they set it with the link the "
                "organisation that added them first sent them."
            ),
        )


@require_POST
@requires("users.manage")
def change_role(request: HttpRequest, user_id: int) -> HttpResponse:
    member = _member_or_404(request, user_id)
    form = ChangeRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles."))
        return redirect("accounts:user", user_id=user_id)
    try:
        changed = services.change_role(
            by=request.user,  # type: ignore[arg-type]
            organisation=request.organisation,  # type: ignore[attr-defined]
            membership=member.membership,
            role=form.cleaned_data["role"],
        )
    except PermissionDenied as refusal:
        messages.error(request, str(refusal) or _("That is not allowed."))
        return redirect("accounts:user", user_id=user_id)
    if not changed:
        messages.info(request, _("That is already their role."))
    elif member.user.pk == request.user.pk and form.cleaned_data["role"] != Role.ADMINISTRATOR:
        messages.success(request, _("Your role is changed. You no longer manage users here."))
        return redirect("site:home")
    else:
        messages.success(request, _("Role changed. It applies from their next page."))
    return redirect("accounts:user", user_id=user_id)


@require_POST
@requires("users.manage")
def remove_member(request: HttpRequest, user_id: int) -> HttpResponse:
    """Asks first: the member page's button leads to a page that says what removing does,
    and only its own button (`confirm`) removes."""
    member = _member_or_404(request, user_id)
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "accounts/remove_member.html",
            {"member": member, "is_self": member.user.pk == request.user.pk},
        )
    try:
        services.remove_member(
            by=request.user,  # type: ignore[arg-type]
            organisation=request.organisation,  # type: ignore[attr-defined]
            membership=member.membership,
        )
    except PermissionDenied as refusal:
        messages.error(request, str(refusal) or _("That is not allowed."))
        return redirect("accounts:user", user_id=user_id)
    if member.user.pk == request.user.pk:
        # This session acted for the organisation and has just been ended.
        logout(request)
        messages.success(request, _("You are no longer a member of that organisation."))
        return redirect("accounts:login")
    messages.success(
        request,
        _("Removed. Their sessions for this organisation have ended; other memberships stay."),
    )
    return redirect("accounts:users")


@require_POST
@requires("users.manage")
def send_set_password_link(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new set-password link for a member whose link expired or who forgot their password."""
    member = _member_or_404(request, user_id)
    organisation = request.organisation  # type: ignore[attr-defined]
    try:
        services.issue_set_password_link(
            by=request.user,  # type: ignore[arg-type]
            organisation=organisation,
            user=member.user,
        )
    except PermissionDenied as refusal:
        messages.error(request, str(refusal) or _("That is not allowed."))
        return redirect("accounts:user", user_id=user_id)
    made = link_made_now()
    sent = services.email_member(
        user=member.user,
        organisation=organisation,
        role=member.membership.role,
        link=set_password_url(member.user, request=request, made=made),
        added=False,
        site_url=site_address(request),
    )
    remember_link(request.session, SHOW_LINK_FOR, member.user.pk, made=made)
    if sent:
        messages.success(request, _("A new link was e-mailed to them; it is also below."))
    else:
        messages.warning(
            request, _("The e-mail could not be sent. Pass on the link below yourself.")
        )
    return redirect("accounts:user", user_id=user_id)


def confirm_first(
    request: HttpRequest,
    confirm: tuple[str, str, str],
    *,
    username: str,
    action_url: str,
    cancel_url: str,
    fields: tuple[tuple[str, str], ...] = (),
) -> HttpResponse:
    """The page that asks before an action that cannot be taken back in one click: what it
    does, a button that does it (posting `confirm=yes`), and a way back."""
    question, explanation, button = confirm
    return render(
        request,
        "accounts/confirm_action.html",
        {
            "question": question,
            "explanation": explanation,
            "button": button,
            "username": username,
            "action_url": action_url,
            "cancel_url": cancel_url,
            "fields": fields,
        },
    )


def _act_on_member(
    request: HttpRequest,
    user_id: int,
    service: Callable[..., object],
    done: str,
    *,
    on_account: bool = False,
    confirm: tuple[str, str, str] | None = None,
) -> HttpResponse:
    """Runs an administrator's action on a member: on the membership, or (`on_account`) on
    the account itself, which the service allows only to an owner of the account. With
    `confirm` (question, explanation, button), a page asks first and only its own button acts."""
    member = _member_or_404(request, user_id)
    if confirm is not None and request.POST.get("confirm") != "yes":
        return confirm_first(
            request,
            confirm,
            username=member.user.username,
            action_url=request.path,
            cancel_url=reverse("accounts:user", args=[user_id]),
        )
    target = {"user": member.user} if on_account else {"membership": member.membership}
    try:
        service(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            **target,
        )
    except PermissionDenied as refusal:
        messages.error(request, str(refusal) or _("That is not allowed."))
    else:
        messages.success(request, done)
    return redirect("accounts:user", user_id=user_id)


@require_POST
@requires("users.manage")
def deactivate_user(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act_on_member(
        request,
        user_id,
        services.deactivate_member,
        _("Deactivated. Their sessions have ended and they can no longer sign in here."),
        confirm=(
            _("Deactivate them now?"),
            _(
                "Their work for this organisation stops at once and every session of theirs "
                "ends. If they work for no other organisation, their account is switched off. "
                "You can reactivate them later."
            ),
            _("Deactivate now"),
        ),
    )


@require_POST
@requires("users.manage")
def reactivate_user(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act_on_member(request, user_id, services.reactivate_member, _("Reactivated."))


@require_POST
@requires("users.manage")
def reset_user_two_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act_on_member(
        request,
        user_id,
        services.reset_two_factor,
        two_factor_reset_done(),
        on_account=True,
        confirm=two_factor_reset_question(),
    )


def two_factor_reset_question() -> tuple[str, str, str]:
    """What the page asking before a two-factor reset says (here and on the host's page)."""
    return (
        _("Reset their two-factor authentication?"),
        _(
            "Their authenticator app and backup codes stop working and their sessions end; "
            "their password alone then lets them set up a new authenticator. Do this only "
            "for someone who lost their phone and codes, after confirming who they are."
        ),
        _("Reset two-factor"),
    )


def two_factor_reset_done() -> str:
    return _("Two-factor reset. They will set up a new authenticator app when they next sign in.")


@require_POST
@requires("users.manage")
def unlock_user(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act_on_member(
        request,
        user_id,
        services.unlock_account,
        _("Unlocked. They can sign in again now."),
        on_account=True,
    )


@require_POST
@requires("users.manage")
def two_factor_requirement(request: HttpRequest) -> HttpResponse:
    form = TwoFactorRequirementForm(request.POST)
    if form.is_valid():
        services.set_two_factor_requirement(
            by=request.user,  # type: ignore[arg-type]
            organisation=request.organisation,  # type: ignore[attr-defined]
            required=form.cleaned_data["required"],
        )
        messages.success(request, _("Saved."))
    return redirect("accounts:users")
