"""A URLconf with deliberately broken views, used only to prove the break-in probe notices them.

`leaky_person` declares its permission like a good view but then reads the person in a system
scope, escaping the organisation's; `careless_edit` copies a posted `status` onto the person;
`unfillable` takes an argument the probe has no value for.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from pathmark.organisations.permissions import requires
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Person
from pathmark.urls import urlpatterns as project_urlpatterns


@requires("person.view")
def leaky_person(request: HttpRequest, person_id: int) -> HttpResponse:
    with system_scope("a view that forgot whose request this is"):
        person = Person.objects.get(pk=person_id)
    return HttpResponse(f"<h1>{person.name}</h1>")


@requires("person.edit")
def careless_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = Person.objects.get(pk=person_id)
    person.status = request.POST.get("status", person.status)
    person.save()
    return HttpResponse("saved")


@requires("person.view")
def unfillable(request: HttpRequest, widget_id: int) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    path("leaky/<int:person_id>/", leaky_person, name="leaky_person"),
    path("careless/<int:person_id>/", careless_edit, name="careless_edit"),
    path("widgets/<int:widget_id>/", unfillable, name="unfillable"),
    *project_urlpatterns,
]
