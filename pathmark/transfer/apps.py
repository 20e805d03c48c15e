from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "pathmark.transfer"
    label = "transfer"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        # Erasure and the retention sweep reach the files made for download.
        from pathmark.privacy.hooks import person_erased, retention_sweep

        from .services import exports_forget_erased_person, sweep_stale_files

        person_erased.connect(exports_forget_erased_person)
        retention_sweep.connect(sweep_stale_files)
