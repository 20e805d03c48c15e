"""Directory fixtures: the specification's example package on disk, and services of the
test world's organisations with Pathmark's facts and a confidential location."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pathmark.directory import services
from pathmark.directory.models import (
    Address,
    Language,
    Location,
    Service,
    ServiceAtLocation,
)
from pathmark.organisations.scoping import system_scope

EXAMPLE = Path(__file__).parent / "data" / "hsds-example"


@pytest.fixture
def example_csv(tmp_path: Path) -> Path:
    """A copy of the specification's CSV example, free to break."""
    target = tmp_path / "package"
    shutil.copytree(EXAMPLE / "csv", target)
    return target


def make_service(organisation, *, name: str = "ESOL conversation club", **facts) -> Service:  # type: ignore[no-untyped-def]
    """A service of a partnership organisation, written through the directory's services."""
    with system_scope("test directory"):
        entry = services.directory_entry_for(organisation)
        service = Service.objects.create(organization=entry, name=name, **facts)
        return service


def add_location(
    service: Service, *, confidential: bool = False, postcode: str = "NB1 2AB"
) -> Location:
    with system_scope("test directory"):
        location = Location.objects.create(
            organization=service.organization,
            name=f"{service.name} place",
            is_confidential=confidential,
        )
        Address.objects.create(
            location=location,
            address_1="1 Secret Street" if confidential else "2 High Street",
            city="Northbridge",
            postal_code=postcode,
            country="GB",
        )
        ServiceAtLocation.objects.create(service=service, location=location)
        Language.objects.create(location=location, name="Arabic", code="ar")
        return location
