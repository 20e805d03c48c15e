"""Removing a person from a household asks first, and only its own button removes."""

from pathmark.audit.models import AuditEvent
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people import services
from pathmark.people.models import Person
from pathmark.testing import PersonFactory, client_for


def test_removing_from_a_household_asks_first(world):
    person = PersonFactory(organisation=world.org_a, name="Household Person")
    member = PersonFactory(organisation=world.org_a, name="Household Member")
    with organisation_scope(organisation_id=world.org_a.pk):
        services.link_household(
            by=world.a_caseworker, organisation=world.org_a, person=person, other=member
        )
    client = client_for(world.a_caseworker)
    url = f"/people/{person.pk}/household/"
    question = client.post(url, {"unlink": "1"})
    text = question.content.decode()
    assert question.status_code == 200 and "from the household?" in text
    assert "Household Member" in text and member.reference in text
    with system_scope("test"):
        assert Person.objects.get(pk=person.pk).household_id is not None
    assert not AuditEvent.objects.filter(action="household.unlinked").exists()
    response = client.post(url, {"unlink": "1", "confirm": "yes"})
    assert response.status_code == 302
    with system_scope("test"):
        assert Person.objects.get(pk=person.pk).household_id is None
    assert AuditEvent.objects.filter(action="household.unlinked").count() == 1
