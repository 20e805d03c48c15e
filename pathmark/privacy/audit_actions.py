"""The audit codes the privacy app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("person.erased", _("%(actor)s erased a person's record")),
    Action("person.exported", _("%(actor)s exported a person's record")),
    Action("person.restriction_lifted", _("%(actor)s lifted the restriction on a person's record")),
    Action("person.viewed_for_privacy", _("%(actor)s opened a person's privacy page")),
    Action("retention.applied", _("%(actor)s applied the retention periods")),
)
