from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "pathmark.journeys"
    label = "journeys"
    verbose_name = _("Integration journeys")

    def ready(self) -> None:
        # Stored trends are personal data: subject access and erasure must reach them.
        from .providers import register_trends

        register_trends()
        # Completed assessments changed below us: keep the stored trends in step.
        from pathmark.assessments.hooks import completed_assessments_changed

        from .services import trends_follow_assessments

        completed_assessments_changed.connect(trends_follow_assessments)
        # The key worker on the person page ("My caseload" lists a key worker's people).
        from pathmark.people.hooks import person_page_sections

        from .receivers import person_page_section

        person_page_sections.connect(person_page_section)
