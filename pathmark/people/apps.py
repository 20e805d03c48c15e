from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "pathmark.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from pathmark.accounts.hooks import people_still_seen

        from .selectors import people_seen

        # The audit log names only the people the organisation still sees.
        people_still_seen.connect(people_seen)
