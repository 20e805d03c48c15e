from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "pathmark.journeys"
    label = "journeys"
    verbose_name = _("Integration journeys")

    def ready(self) -> None:
        # Stored trends are personal data: subject access and erasure must reach them.
        from .providers import register_trends

        register_trends()
