"""The evidence of "where best to refer": people referred to a service who attended, and
whether they improved in the domain it works on. Imported referrals (no instrument or
domain: the file format has no place for them) count for the domain the service works on."""

from __future__ import annotations

from datetime import date

from pathmark.assessments.models import Assessment
from pathmark.organisations.scoping import system_scope
from pathmark.plans.tests.conftest import DirectoryServiceFactory
from pathmark.referrals import matching
from pathmark.referrals.models import Referral
from pathmark.referrals.services import ImportedReferral, record_imported_referrals
from pathmark.testing import PersonFactory, run_assessment

DOMAIN = "economic-stability"


def _referred_and_improved(world, service, **referral):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_b)
    run_assessment(
        world.b_caseworker, world.org_b, person, answer="disagree", assessed_on=date(2025, 1, 10)
    )
    run_assessment(
        world.b_caseworker, world.org_b, person, answer="agree", assessed_on=date(2025, 4, 10)
    )
    with system_scope("test"):
        record_imported_referrals(
            by=world.b_caseworker,
            organisation=world.org_b,
            creates=[
                ImportedReferral(
                    row=2,
                    person_id=person.pk,
                    service=service,
                    referred_on=date(2025, 1, 20),
                    status="completed",
                    status_on=date(2025, 3, 1),
                )
            ],
            updates=[],
        )
        if referral:
            Referral.objects.filter(person=person).update(**referral)
        return Assessment.objects.filter(person=person).order_by("assessed_on")[0]


def test_an_imported_referral_counts_for_the_domain_the_service_works_on(world):
    service = DirectoryServiceFactory(name="Conversation club", domain=DOMAIN)
    first = _referred_and_improved(world, service)
    baseline = first.domain_scores[DOMAIN]
    with system_scope("test"):
        found = matching.evidence_for(
            instrument="integration-journey",
            domain_of={service.pk: DOMAIN},
            scores={DOMAIN: baseline},
        )
    assert (found[service.pk].improved, found[service.pk].attended) == (1, 1)


def test_a_referral_for_another_domain_does_not_count(world):
    service = DirectoryServiceFactory(name="Conversation club", domain=DOMAIN)
    first = _referred_and_improved(
        world, service, instrument="integration-journey", domain="social-networks"
    )
    with system_scope("test"):
        found = matching.evidence_for(
            instrument="integration-journey",
            domain_of={service.pk: DOMAIN},
            scores={DOMAIN: first.domain_scores[DOMAIN]},
        )
    assert service.pk not in found
