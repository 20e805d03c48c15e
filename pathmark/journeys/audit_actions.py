"""The audit codes the journeys app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("journey.cohort_viewed", _("%(actor)s viewed the caseload"), lists_people=True),
    Action("journey.caseload_viewed", _("%(actor)s viewed their caseload"), lists_people=True),
    Action("journey.event_recorded", _("%(actor)s recorded a life event on a journey")),
    Action("journey.event_removed", _("%(actor)s removed a life event from a journey")),
    Action("journey.exported", _("%(actor)s exported a person's journey")),
    Action("journey.key_worker_assigned", _("%(actor)s changed a person's key worker")),
    Action("journey.norms_published", _("%(actor)s published host norms from a survey")),
    Action("journey.summary_viewed", _("%(actor)s viewed a person's journey summary")),
    Action("journey.trends_refreshed", _("%(actor)s refreshed the stored journey trends")),
    Action("journey.viewed", _("%(actor)s viewed a person's journey")),
    Action("journey.worklist_reviewed", _("%(actor)s marked a journey on the worklist reviewed")),
)
