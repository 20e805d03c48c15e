from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top layer: the home page and what every page's frame needs, drawn from any app."""

    name = "pathmark.site"
    label = "site"
    verbose_name = _("Site")
