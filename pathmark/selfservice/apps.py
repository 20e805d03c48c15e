from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfServiceConfig(AppConfig):
    name = "pathmark.selfservice"
    label = "selfservice"
    verbose_name = _("Client's own pages")

    def ready(self) -> None:
        from pathmark.people.hooks import (
            consent_withdrawn,
            person_merged,
            person_page_sections,
            person_restricted,
        )

        from .providers import register_links
        from .receivers import (
            links_follow_merge,
            person_page_section,
            revoke_on_restriction,
            revoke_on_withdrawal,
        )

        # Links are personal data (whom they were for, when used): subject access and
        # erasure reach them.
        register_links()
        # A link dies with the ground for processing: withdrawn consent or a restriction.
        consent_withdrawn.connect(revoke_on_withdrawal)
        person_restricted.connect(revoke_on_restriction)
        person_page_sections.connect(person_page_section)
        # Two records of one person made one: the links follow the kept record.
        person_merged.connect(links_follow_merge)
