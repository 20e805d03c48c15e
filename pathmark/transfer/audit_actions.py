"""The audit codes the transfer app records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from pathmark.audit.actions import Action, register

register(
    Action("transfer.cancelled", _("%(actor)s cancelled an import")),
    Action("transfer.confirmed", _("%(actor)s confirmed an import")),
    Action("transfer.expired", _("An upload by %(actor)s expired before it was imported")),
    Action("transfer.export_discarded", _("%(actor)s deleted an export file")),
    Action("transfer.export_downloaded", _("%(actor)s downloaded an export file")),
    Action(
        "transfer.export_expired",
        _("An export file requested by %(actor)s expired and was deleted"),
    ),
    Action("transfer.export_failed", _("An export requested by %(actor)s failed")),
    Action("transfer.export_requested", _("%(actor)s requested an export")),
    Action("transfer.previewed", _("%(actor)s previewed an import")),
    Action("transfer.uploaded", _("%(actor)s uploaded a file to import")),
    Action(
        "transfer.exported",
        ngettext_lazy(
            "%(actor)s exported %(count)s person", "%(actor)s exported %(count)s people", "count"
        ),
        count=lambda details: (details.get("files") or {}).get("people.csv"),
    ),
    Action(
        "transfer.imported",
        ngettext_lazy(
            "%(actor)s imported a file of %(count)s row",
            "%(actor)s imported a file of %(count)s rows",
            "count",
        ),
        count=lambda details: details.get("rows"),
    ),
)
