"""The audit codes organisational capacity records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("capacity.started", _("%(actor)s started a capacity self-assessment")),
    Action("capacity.saved", _("%(actor)s saved answers to a capacity self-assessment")),
    Action("capacity.completed", _("%(actor)s completed a capacity self-assessment")),
    Action("capacity.discarded", _("%(actor)s discarded a draft capacity self-assessment")),
    Action(
        "capacity.viewed_by_partnership",
        _("%(actor)s, for the partnership, read a capacity self-assessment result"),
    ),
    Action(
        "capacity.viewed_partnership",
        _("%(actor)s read the partnership's capacity support needs"),
    ),
)
