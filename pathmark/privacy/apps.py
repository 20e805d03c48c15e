from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "pathmark.privacy"
    label = "privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from pathmark.organisations.hooks import people_past_retention as asked

        from .providers import register_all
        from .selectors import people_past_retention

        register_all()
        # Before an administrator shortens the retention period, the sweep's rule counts.
        asked.connect(
            lambda *, organisation, years, today: people_past_retention(
                organisation, years=years, today=today
            ),
            key="privacy.people_past_retention",
        )
