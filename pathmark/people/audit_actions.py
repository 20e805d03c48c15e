"""The audit codes the people app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("consent.recorded", _("%(actor)s recorded a consent")),
    Action("consent.withdrawn", _("%(actor)s recorded that a consent was withdrawn")),
    Action("household.linked", _("%(actor)s linked a person to a household")),
    Action("household.unlinked", _("%(actor)s removed a person from a household")),
    Action("person.imported", _("%(actor)s imported a person's record")),
    Action("person.listed", _("%(actor)s listed or searched people"), lists_people=True),
    Action(
        "person.duplicates_checked",
        _("%(actor)s checked for people already registered before registering"),
    ),
    Action("person.duplicate_dismissed", _("%(actor)s decided two records are different people")),
    Action("person.merged", _("%(actor)s merged a duplicate record into a person's record")),
    Action("person.viewed_for_merge", _("%(actor)s compared two records before merging")),
    Action("person.registered", _("%(actor)s registered a person")),
    Action("person.restricted", _("%(actor)s restricted a person's record")),
    Action("person.updated", _("%(actor)s changed a person's record")),
    Action("person.viewed", _("%(actor)s viewed a person's record")),
    Action("person.viewed_for_consent", _("%(actor)s opened a person's consents")),
    Action("person.viewed_for_edit", _("%(actor)s opened a person's record to change it")),
    Action(
        "reference.immigration_status_saved", _("%(actor)s saved an immigration status category")
    ),
)
