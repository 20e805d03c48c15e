"""The audit codes the plans app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("plan.drafted", _("%(actor)s drafted a personal integration plan")),
    Action("plan.viewed", _("%(actor)s viewed a personal integration plan")),
    Action("plan.viewed_for_edit", _("%(actor)s opened a plan to change it")),
    Action("plan.changed", _("%(actor)s changed a personal integration plan")),
    Action("plan.agreed", _("%(actor)s recorded a client's agreement to their plan")),
    Action("plan.reviewed", _("%(actor)s recorded a review of a plan")),
    Action("plan.closed", _("%(actor)s closed a personal integration plan")),
    Action("plan.printed", _("%(actor)s printed a plan for the client")),
    Action("plan.history_viewed", _("%(actor)s viewed a plan's history")),
)
