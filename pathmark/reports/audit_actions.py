"""The audit codes the reports app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("report.viewed", _("%(actor)s viewed a partnership report")),
    Action("report.exported", _("%(actor)s exported a partnership report")),
)
