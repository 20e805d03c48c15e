"""The audit codes the evidence app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action(
        "evidence.intervention_added", _("%(actor)s added an intervention to the evidence bank")
    ),
    Action(
        "evidence.intervention_changed", _("%(actor)s changed an intervention in the evidence bank")
    ),
    Action("evidence.funding_added", _("%(actor)s recorded funding of an intervention")),
    Action("evidence.item_added", _("%(actor)s added evidence for an intervention")),
    Action("evidence.item_removed", _("%(actor)s removed evidence of an intervention")),
)
