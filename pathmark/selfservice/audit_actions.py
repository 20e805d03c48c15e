"""The audit codes of the client's links, with the words the audit page shows."""

from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import Action, register

register(
    Action("selfservice.link_issued", _("%(actor)s made a link for a client's own assessment")),
    Action("selfservice.link_revoked", _("%(actor)s stopped a client's link")),
    Action("selfservice.link_opened", _("A client opened their link"), by_member=False),
    Action(
        "selfservice.link_refused",
        _("A client's link was refused (expired, used or stopped)"),
        by_member=False,
    ),
    Action(
        "selfservice.answers_submitted",
        _("A client sent their answers through their link"),
        by_member=False,
    ),
    Action(
        "selfservice.journey_viewed", _("A client looked at their own journey"), by_member=False
    ),
)
