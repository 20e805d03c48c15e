"""Synthetic personal integration plans for the demo: a few of each assessing organisation's
people get a plan drafted from an earlier assessment, most of them agreed, some reviewed
against their latest assessment. Written through the plans services, as a caseworker would;
safe to run again (people who have a plan are left alone)."""

from __future__ import annotations

from datetime import timedelta

from pathmark.accounts.models import User
from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.organisations.models import Organisation
from pathmark.people.models import ConsentMethod, Person
from pathmark.plans import services as plan_services
from pathmark.plans.models import Plan

PLANS_PER_ORGANISATION = 8

# Synthetic progress notes: no real person's words.
PROGRESS_NOTES = [
    "Synthetic demo note: started the course and went to most sessions.",
    "Synthetic demo note: found the first weeks hard; now settled with a regular routine.",
    "Synthetic demo note: the referral was slow, but the client kept practising at home.",
]


def load_demo_plans(*, organisation: Organisation, caseworker: User) -> int:
    """Drafts plans until PLANS_PER_ORGANISATION of the organisation's demo people with an
    assessment have one, and returns how many it drafted. Runs inside the demo's system
    scope."""
    planned = Plan.objects.filter(
        person__organisation=organisation, person__external_id__startswith="demo-"
    ).values("person_id")
    wanted = PLANS_PER_ORGANISATION - planned.count()
    if wanted <= 0:
        return 0
    people = (
        Person.objects.filter(
            organisation=organisation,
            external_id__startswith="demo-",
            status=Person.Status.ACTIVE,
            assessments__status=AssessmentStatus.COMPLETED,
        )
        .exclude(pk__in=planned)
        .distinct()
        .order_by("pk")[:wanted]
    )
    drafted = 0
    for number, person in enumerate(people):
        completed = list(
            Assessment.objects.filter(person=person, status=AssessmentStatus.COMPLETED)
            .select_related("instrument_version")
            .order_by("assessed_on", "pk")
        )
        # From the second-latest assessment when there is one, so a review can point at
        # the latest as the assessment that measured progress.
        source = completed[-2] if len(completed) >= 2 else completed[-1]
        on = source.assessed_on + timedelta(days=7)
        plan = plan_services.draft_plan(
            by=caseworker, organisation=organisation, assessment=source, on=on
        )
        drafted += 1
        if number % 3 == 2:
            continue  # left as a draft, for the caseworker to agree
        plan_services.record_agreement(
            by=caseworker,
            organisation=organisation,
            plan=plan,
            expected_version=plan.version,
            agreed_on=on,
            method=[ConsentMethod.IN_PERSON, ConsentMethod.INTERPRETER][number % 2],
        )
        later = completed[-1]
        if later.pk != source.pk:
            plan.refresh_from_db()
            plan_services.record_review(
                by=caseworker,
                organisation=organisation,
                plan=plan,
                expected_version=plan.version,
                reviewed_on=later.assessed_on,
                progress_notes=PROGRESS_NOTES[number % len(PROGRESS_NOTES)],
                next_assessment=later,
            )
    return drafted
