from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "pathmark.journeys"
    label = "journeys"
    verbose_name = _("Integration journeys")
