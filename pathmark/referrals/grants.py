"""The `referral` access grant: the organisation running a service sees a person referred to
it while the referral is open, and only the parts of the record the consent covers: who the
person is and how to reach them always, their assessments when the consent says so, never
their other consents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pathmark.people import access

from . import states


def referral_condition(*, organisation_id: int, person: str, part: str) -> Q | None:
    from .models import Referral

    if part not in (access.PERSON, access.ASSESSMENTS):
        return None  # never their consents, plans or anything else
    # The base manager is unscoped on purpose (see Referral.objects).
    # An imported referral records no consent, so it shares nothing.
    referred: Any = Referral._base_manager.filter(
        receiving_organisation_id=organisation_id,
        status__in=states.OPEN,
        consent_given_on__isnull=False,
    )
    if part == access.ASSESSMENTS:
        referred = referred.filter(consent_covers_assessments=True)
    return access.person_among(person, referred.values("person_id"))


def referral_grants(person_id: int) -> Iterable[access.Grant]:
    from .models import Referral

    rows = (
        Referral._base_manager.filter(
            person_id=person_id,
            receiving_organisation__isnull=False,
            consent_given_on__isnull=False,
        )
        .exclude(status=states.DRAFT)
        .values(
            "receiving_organisation_id",
            "sent_at",
            "closed_at",
            "status",
            "consent_covers_assessments",
        )
    )
    found = []
    for row in rows:
        covers = (
            (access.PERSON, access.ASSESSMENTS)
            if row["consent_covers_assessments"]
            else (access.PERSON,)
        )
        until = None if row["status"] in states.OPEN else row["closed_at"] or row["sent_at"]
        found.append(
            access.Grant(
                "referral", row["receiving_organisation_id"], row["sent_at"], until, covers
            )
        )
    return found


REFERRAL_GRANT = access.GrantKind(
    code="referral",
    label=_("Open referral"),
    condition=referral_condition,
    grants=referral_grants,
)
