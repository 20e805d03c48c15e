"""The audit codes the demo app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("demo.loaded", _("%(actor)s loaded the demo partnership")),
)
