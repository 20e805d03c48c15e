"""What the referrals app holds about a person, for subject access and erasure (see
`privacy.registry`). Registered in `ReferralsConfig.ready()`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pathmark.people.models import ConsentMethod, Person
from pathmark.privacy.registry import Provider, Row, iso, register

from .models import DeclineReason, Referral, Status
from .services import erase_referrals


def export_referrals(person: Person) -> list[Row]:
    referrals = (
        Referral.objects.filter(person_id=person.pk)
        .select_related("service", "organisation", "receiving_organisation")
        .order_by("created_at", "pk")
    )
    return [
        {
            "reference": referral.reference,
            "service": referral.service.name,
            "service_id": referral.service_id,
            "referred_by": referral.organisation.name,
            "referred_to": referral.receiving_organisation.name
            if referral.receiving_organisation
            else "",
            "status": referral.status,
            "decline_reason": referral.decline_reason,
            "referred_on": iso(referral.referred_on),
            "status_on": iso(referral.status_on),
            "note": referral.note,
            "consent_given_on": iso(referral.consent_given_on),
            "consent_method": referral.consent_method,
            "consent_covers_assessments": referral.consent_covers_assessments,
            "rating": referral.rating,
            "rating_comment": referral.rating_comment,
        }
        for referral in referrals
    ]


def register_referrals() -> None:
    register(
        Provider(
            key="referrals.referrals",
            title=_("Referrals"),
            export=export_referrals,
            erase=erase_referrals,
            labels={
                "reference": _("Reference"),
                "service": _("Service"),
                "service_id": _("Service id"),
                "referred_by": _("Referred by"),
                "referred_to": _("Referred to"),
                "status": _("Status"),
                "decline_reason": _("Why it was declined"),
                "referred_on": _("Referred on"),
                "status_on": _("Status since"),
                "note": _("Message to the service"),
                "consent_given_on": _("Consent to share given on"),
                "consent_method": _("How consent was given"),
                "consent_covers_assessments": _("Assessment results shared"),
                "rating": _("Your rating"),
                "rating_comment": _("Your comment"),
            },
            choices={
                "status": dict(Status.choices),
                "decline_reason": dict(DeclineReason.choices),
                "consent_method": dict(ConsentMethod.choices),
            },
        )
    )
