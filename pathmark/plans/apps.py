from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "pathmark.plans"
    label = "plans"
    verbose_name = _("Personal integration plans")

    def ready(self) -> None:
        from .providers import register_plans

        # Plans are personal data: subject access and erasure must reach them.
        register_plans()
