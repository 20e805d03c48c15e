"""The audit codes the directory records, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from pathmark.audit.actions import Action, register

register(
    Action(
        "directory.imported",
        ngettext_lazy(
            "%(actor)s imported an HSDS package of %(count)s service into the directory",
            "%(actor)s imported an HSDS package of %(count)s services into the directory",
            "count",
        ),
        count=lambda details: details.get("services"),
    ),
    Action("directory.exported", _("%(actor)s exported the directory as an HSDS package")),
    Action("directory.service_saved", _("%(actor)s changed a service in the directory")),
    Action("directory.service_added", _("%(actor)s added a service to the directory")),
    Action("directory.uploaded", _("%(actor)s uploaded an HSDS package to import")),
    Action("directory.upload_confirmed", _("%(actor)s confirmed an HSDS package import")),
    Action("directory.upload_cancelled", _("%(actor)s cancelled an HSDS package import")),
)
