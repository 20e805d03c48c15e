from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "pathmark.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Each app declares its audit codes in `<app>/audit_actions.py` (see actions.py).
        autodiscover_modules("audit_actions")
