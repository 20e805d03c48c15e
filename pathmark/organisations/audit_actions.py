"""The audit codes the organisations app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("organisation.created", _("%(actor)s added an organisation")),
    Action(
        "organisation.partnership_host_set", _("%(actor)s set the partnership's host organisation")
    ),
    Action("organisation.settings_changed", _("%(actor)s changed the organisation's settings")),
)
