"""The audit codes the accounts app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("account.backup_codes_renewed", _("%(actor)s renewed their backup codes")),
    Action("account.code_accepted", _("%(actor)s entered a correct two-factor code")),
    Action("account.code_refused", _("%(actor)s entered a wrong two-factor code")),
    Action("account.password_changed", _("%(actor)s changed their password")),
    Action("account.password_set", _("%(actor)s set their password")),
    Action("account.signed_in", _("%(actor)s signed in")),
    Action("account.signed_out_everywhere", _("%(actor)s signed out on every device")),
    Action("account.two_factor_enrolled", _("%(actor)s set up two-factor authentication")),
    Action(
        "organisation.two_factor_requirement_changed",
        _("%(actor)s changed whether the organisation requires two-factor authentication"),
    ),
    Action("user.added", _("%(actor)s added a member of staff")),
    Action("user.invited", _("%(actor)s invited someone with an account to the organisation")),
    Action("user.invitation_accepted", _("%(actor)s accepted an invitation to the organisation")),
    Action("user.invitation_declined", _("%(actor)s declined an invitation to the organisation")),
    Action("user.invitation_withdrawn", _("%(actor)s withdrew an invitation to the organisation")),
    Action("user.account_switched_off", _("%(actor)s switched off an account everywhere")),
    Action("user.account_switched_on", _("%(actor)s switched an account on again")),
    Action("user.deactivated", _("%(actor)s switched off a member of staff's account")),
    Action("user.reactivated", _("%(actor)s reactivated a member of staff's account")),
    Action("user.removed", _("%(actor)s removed a member of staff")),
    Action("user.role_changed", _("%(actor)s changed a member of staff's role")),
    Action("user.set_password_link_issued", _("%(actor)s issued a set-password link")),
    Action(
        "user.two_factor_reset", _("%(actor)s reset a member of staff's two-factor authentication")
    ),
    Action("user.unlocked", _("%(actor)s unlocked a member of staff's account")),
)
