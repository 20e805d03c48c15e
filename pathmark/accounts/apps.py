from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "pathmark.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Adding an organisation to the partnership enrols its first administrator here.
        from pathmark.organisations.hooks import enrol_first_administrator
        from pathmark.organisations.models import Role

        from .services import enrol_member

        def first_administrator(*, by, organisation, email, name):  # type: ignore[no-untyped-def]
            return enrol_member(
                by=by, organisation=organisation, email=email, name=name, role=Role.ADMINISTRATOR
            )

        enrol_first_administrator.connect(
            first_administrator, key="accounts.enrol_first_administrator"
        )
