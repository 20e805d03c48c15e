"""The audit codes the referrals app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("referral.drafted", _("%(actor)s drafted a referral")),
    Action("referral.sent", _("%(actor)s sent a referral")),
    Action("referral.status_changed", _("%(actor)s changed where a referral stands")),
    Action("referral.rated", _("%(actor)s recorded the person's rating of a service")),
    Action("referral.viewed", _("%(actor)s viewed a referral")),
    Action("referral.listed", _("%(actor)s listed referrals")),
    Action("referral.viewed_suggestions", _("%(actor)s looked for where best to refer a person")),
    Action("referral.imported", _("%(actor)s imported a referral")),
    Action("referral.overdue_reminded", _("%(actor)s reminded the sender of an overdue referral")),
)
