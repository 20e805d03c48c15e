"""Values every page needs: the acting organisation and whether this is the demo."""

from django.conf import settings
from django.http import HttpRequest

from pathmark.accounts.selectors import invitations_waiting
from pathmark.organisations.permissions import role_may


def pathmark(request: HttpRequest) -> dict[str, object]:
    membership = getattr(request, "membership", None)
    role = membership.role if membership is not None else None
    return {
        "is_demo": settings.PATHMARK_DEMO,
        "membership": membership,
        "current_organisation": getattr(request, "organisation", None),
        "can_see_people": role_may(role, "person.view"),
        "can_see_audit": role_may(role, "audit.view"),
        "can_manage_reference": role_may(role, "reference.manage"),
        "can_manage_users": role_may(role, "users.manage"),
        "can_transfer": role_may(role, "data.import"),
        "can_see_reports": role_may(role, "reports.view"),
        "can_assess_capacity": role_may(role, "capacity.assess"),
        # Kept in the session, counted again once a minute (accounts.selectors), members only.
        "invitations_waiting": (lambda: invitations_waiting(request)) if membership else 0,
        "can_send_referrals": role_may(role, "referral.send"),
        "can_receive_referrals": role_may(role, "referral.receive"),
    }
