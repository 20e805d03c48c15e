from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "pathmark.evidence"
    label = "evidence"
    verbose_name = _("Evidence bank")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401  (registers the audit codes)
