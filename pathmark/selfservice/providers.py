"""What the client's links hold about a person, for subject access and erasure (see
`privacy.registry`): when each link was made, sent, used and stopped; never the secret, which
is not stored."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pathmark.people.models import Person
from pathmark.people.reference import language_name
from pathmark.privacy.registry import Provider, Row, iso, register

from .models import ClientLink, Delivery, RevokedBecause


def export_links(person: Person) -> list[Row]:
    links = (
        ClientLink.objects.filter(person_id=person.pk)
        .select_related("organisation", "instrument_version")
        .order_by("created_at", "pk")
    )
    return [
        {
            "organisation": link.organisation.name,
            "questionnaire": link.instrument_version.title,
            "language": link.language,
            "delivery": link.delivery,
            "created_at": iso(link.created_at),
            "expires_at": iso(link.expires_at),
            "opened_at": iso(link.opened_at),
            "submitted_at": iso(link.submitted_at),
            "revoked_at": iso(link.revoked_at),
            "revoked_because": link.revoked_because,
        }
        for link in links
    ]


def erase_links(person: Person, *, by: Any) -> int:
    deleted, _by_model = ClientLink.objects.filter(person_id=person.pk).delete()
    return deleted


def register_links() -> None:
    register(
        Provider(
            key="selfservice.links",
            title=_("Links to answer questions on your own phone"),
            export=export_links,
            erase=erase_links,
            erase_order=10,
            export_order=60,
            tabular=True,
            labels={
                "organisation": _("Organisation"),
                "questionnaire": _("Questionnaire"),
                "language": _("Language"),
                "delivery": _("How it was sent"),
                "created_at": _("Made"),
                "expires_at": _("Worked until"),
                "opened_at": _("First opened"),
                "submitted_at": _("Answers sent"),
                "revoked_at": _("Stopped"),
                "revoked_because": _("Why it was stopped"),
            },
            choices={
                "delivery": dict(Delivery.choices),
                "revoked_because": dict(RevokedBecause.choices),
                "language": language_name,
            },
        )
    )
