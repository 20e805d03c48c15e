from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "pathmark.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from pathmark.people.hooks import person_merged, person_page_sections
        from pathmark.privacy.hooks import recent_contact

        from .providers import register_assessments
        from .receivers import assessed_since, assessments_follow_merge, person_page_section

        # Assessments are personal data: subject access and erasure must reach them.
        register_assessments()
        # An assessment is contact: the retention sweep keeps the person.
        recent_contact.connect(assessed_since)
        # The person page shows the person's assessments, results and drafts.
        person_page_sections.connect(person_page_section)
        # A merge of two records of one person moves the assessments to the one kept.
        person_merged.connect(assessments_follow_merge)
