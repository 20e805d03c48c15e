from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "pathmark.plans"
    label = "plans"
    verbose_name = _("Personal integration plans")

    def ready(self) -> None:
        from pathmark.assessments.hooks import result_next_steps
        from pathmark.people.hooks import person_merged, person_page_sections

        from .providers import register_plans
        from .receivers import person_page_section, plans_follow_merge, result_next_step

        # Plans are personal data: subject access and erasure must reach them.
        register_plans()
        # The person page lists the person's plans; a result page offers to draft one.
        person_page_sections.connect(person_page_section)
        result_next_steps.connect(result_next_step)
        # A merge of two records of one person moves the plans to the one kept.
        person_merged.connect(plans_follow_merge)
