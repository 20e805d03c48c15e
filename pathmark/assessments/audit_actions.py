"""The audit codes the assessments app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("assessment.completed", _("%(actor)s completed an assessment")),
    Action("assessment.discarded", _("%(actor)s discarded a draft assessment")),
    Action(
        "assessment.disputed",
        _("%(actor)s disputed another organisation's assessment of their client"),
    ),
    Action(
        "assessment.dispute_lifted",
        _("%(actor)s took back a dispute of another organisation's assessment"),
    ),
    Action("assessment.imported", _("%(actor)s imported an assessment")),
    Action("assessment.rescored", _("%(actor)s rescored an assessment")),
    Action("assessment.saved", _("%(actor)s saved a draft assessment")),
    Action("assessment.started", _("%(actor)s started an assessment")),
    Action("assessment.viewed", _("%(actor)s viewed an assessment")),
    Action("assessment.withdrawn", _("%(actor)s withdrew a completed assessment")),
    Action("assessment.viewed_for_edit", _("%(actor)s opened a draft assessment to change it")),
    Action("person.viewed_for_assessment", _("%(actor)s opened a person's record to assess them")),
)
