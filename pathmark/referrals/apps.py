from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "pathmark.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from pathmark.people import access
        from pathmark.people.hooks import person_page_sections
        from pathmark.plans.hooks import action_statuses, service_suggestions

        from .grants import REFERRAL_GRANT
        from .providers import register_referrals
        from .receivers import (
            person_page_section,
            plan_action_statuses,
            plan_service_suggestions,
        )

        # The receiving organisation sees the person while the referral is open.
        access.register(REFERRAL_GRANT)
        # Referrals hold personal data: subject access and erasure must reach them.
        register_referrals()
        # The person page lists the person's referrals and where they stand.
        person_page_sections.connect(person_page_section)
        # The plan page shows where each referral action's referral stands, or sends it.
        action_statuses.connect(plan_action_statuses)
        # A drafted plan refers each goal to the best-matched service that may take them.
        service_suggestions.connect(plan_service_suggestions)
