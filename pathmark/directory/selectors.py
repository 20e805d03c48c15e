"""Reads of the directory: searching it, one service as a member sees it, and the services a
member may edit. The directory is the partnership's shared list, so every member searches all
of it; the scoped models (locations and what places them) hide another organisation's
confidential addresses by themselves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from pathmark.instruments.definition import DEFAULT_LANGUAGE
from pathmark.instruments.registry import list_instruments
from pathmark.organisations.models import Organisation

from .catalogue import themes
from .eligibility import normalise_postcode
from .models import Address, Location, Service, ServiceAtLocation, ServiceStatus


@dataclass(frozen=True)
class DirectoryQuery:
    text: str = ""
    theme: str = ""
    domain: str = ""  # "instrument-slug:domain-id"
    language: str = ""
    area: str = ""  # a postcode area, district or full postcode
    referable_only: bool = False

    @property
    def is_empty(self) -> bool:
        return (
            not (self.text or self.theme or self.domain or self.language or self.area)
            and not self.referable_only
        )


def domain_choices(language: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """("instrument:domain", "Instrument — Domain") for every domain of every instrument."""
    choices = []
    for instrument in list_instruments():
        title = instrument.title.get(language) or instrument.title.get(DEFAULT_LANGUAGE, "")
        for domain in instrument.domains:
            label = domain.title.get(language) or domain.title.get(DEFAULT_LANGUAGE, domain.id)
            choices.append((f"{instrument.slug}:{domain.id}", f"{title} — {label}"))
    return choices


def _theme_slugs_for_domain(value: str) -> list[str]:
    instrument, _sep, domain = value.partition(":")
    return [theme.slug for theme in themes().themes_for_domain(instrument, domain)]


def _located_in(area: str) -> Q:
    return Q(
        service_at_locations__location__addresses__postal_code__istartswith=area,
    )


def search_services(query: DirectoryQuery) -> list[Service]:
    """Services matching every part of the query, the referable first. A place matches a
    service whose eligible postcode areas admit it (or that has none) or that has a place
    there; a language, one whose staff speak it or that offers interpreting."""
    services: QuerySet[Service] = Service.objects.exclude(status=ServiceStatus.DEFUNCT)
    if query.text:
        words = query.text.split()
        for word in words[:8]:
            services = services.filter(
                Q(name__icontains=word)
                | Q(alternate_name__icontains=word)
                | Q(description__icontains=word)
                | Q(organization__name__icontains=word)
            )
    if query.theme:
        services = services.filter(themes__code=query.theme)
    if query.domain:
        services = services.filter(themes__code__in=_theme_slugs_for_domain(query.domain))
    if query.language:
        services = services.filter(Q(languages__code=query.language) | Q(interpreting_offered=True))
    if query.referable_only:
        services = services.filter(status=ServiceStatus.ACTIVE, taking_referrals=True)
    area = normalise_postcode(query.area)
    located: set[str] = set()
    if area:
        located = set(services.filter(_located_in(area)).values_list("pk", flat=True))
    found = list(
        services.distinct()
        .select_related("organization__organisation")
        .prefetch_related("themes", "languages")
        .order_by("name", "id")
    )
    if area:
        found = [
            service
            for service in found
            if service.pk in located or "area" not in service.eligibility().check(postcode=area)[0]
        ]
    found.sort(key=lambda service: (not service.is_referable, service.name.lower(), service.pk))
    return found


def service_for_viewer(service_id: str) -> Service:
    """One service with its places as the current scope may see them; 404 when missing."""
    places = ServiceAtLocation.objects.select_related("location").prefetch_related(
        Prefetch("location__addresses", queryset=Address.objects.all())
    )
    try:
        return (
            Service.objects.select_related("organization__organisation")
            .prefetch_related(
                "themes",
                "languages",
                "schedules",
                "service_areas",
                "cost_options",
                "required_documents",
                Prefetch("service_at_locations", queryset=places),
            )
            .get(pk=service_id)
        )
    except Service.DoesNotExist:
        raise Http404 from None


def may_edit(service: Service, organisation: Organisation | None) -> bool:
    """A service is edited by the organisation that runs it, never by another."""
    return (
        organisation is not None
        and service.organization.organisation_id is not None
        and service.organization.organisation_id == organisation.pk
    )


def editable_service(service_id: str, organisation: Organisation) -> Service:
    """The organisation's own service, or the same 404 as a missing one."""
    service = service_for_viewer(service_id)
    if not may_edit(service, organisation):
        raise Http404
    return service


def editable_services(organisation: Organisation) -> list[Service]:
    return list(
        Service.objects.filter(organization__organisation=organisation)
        .select_related("organization")
        .order_by("name", "id")
    )


def own_locations(service: Service) -> Iterable[Location]:
    return [link.location for link in service.service_at_locations.all()]
