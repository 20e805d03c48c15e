"""Directory pages: every member searches the partnership's services and reads a service's
page; members of the organisation running a service (providers, managers, administrators)
edit it. Views are thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pathmark.organisations.permissions import any_member, requires, role_may
from pathmark.people.reference import language_name

from . import selectors, services
from .catalogue import themes
from .forms import SearchForm, ServiceForm, initial_for


@any_member
def search(request: HttpRequest) -> HttpResponse:
    language = (get_language() or "en").split("-")[0]
    form = SearchForm(request.GET or None, language=language)
    query = form.query()
    results = selectors.search_services(query)
    may_edit = role_may(request.membership.role, "directory.edit")
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "query": query,
            "results": [_card(service, language) for service in results],
            "own_services": selectors.editable_services(request.organisation) if may_edit else [],
            # The upload page lives with the other imports (transfer app).
            "may_import": role_may(request.membership.role, "directory.import")
            and request.organisation.is_partnership_host,
        },
    )


def _card(service, language: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "service": service,
        "themes": [
            themes().get(term.code).title_in(language)  # type: ignore[union-attr]
            for term in service.themes.all()
            if themes().get(term.code) is not None
        ],
        "languages": [language_name(code) for code in service.staff_languages],
    }


@any_member
def detail(request: HttpRequest, service_id: str) -> HttpResponse:
    language = (get_language() or "en").split("-")[0]
    service = selectors.service_for_viewer(service_id)
    places = []
    for link in service.service_at_locations.all():
        location = link.location
        places.append({"location": location, "addresses": list(location.addresses.all())})
    return render(
        request,
        "directory/detail.html",
        {
            "card": _card(service, language),
            "service": service,
            "places": places,
            "eligibility": service.eligibility(),
            "genders": [
                label for value, label in _gender_choices() if value in service.eligible_genders
            ],
            "eligible_languages": [language_name(code) for code in service.eligible_languages],
            "may_edit": role_may(request.membership.role, "directory.edit")
            and selectors.may_edit(service, request.organisation),
        },
    )


def _gender_choices():  # type: ignore[no-untyped-def]
    from pathmark.people.models import Gender

    return Gender.choices


@require_http_methods(["GET", "POST"])
@requires("directory.edit")
def edit(request: HttpRequest, service_id: str) -> HttpResponse:
    service = selectors.editable_service(service_id, request.organisation)
    current = services.snapshot(service)
    conflict: services.EditConflict | None = None
    if request.method == "POST":
        form = ServiceForm(request.POST)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "original"}
            try:
                services.save_service(
                    by=request.user,
                    organisation=request.organisation,
                    service=service,
                    values=values,
                    original=form.cleaned_data["original"],
                )
            except services.EditConflict as error:
                conflict = error
                # The form keeps the editor's values; the hidden original moves on to what
                # is saved now, so saving again (after reading the changes) is deliberate.
                data = request.POST.copy()
                data["original"] = initial_for(service, error.current)["original"]
                form = ServiceForm(data)
                form.is_valid()
            else:
                messages.success(request, _("Saved. Everyone in the partnership sees the change."))
                return redirect("directory:detail", service_id=service.pk)
    else:
        form = ServiceForm(initial=initial_for(service, current))
    changed = []
    if conflict is not None:
        for name in conflict.changed:
            field = form.fields.get(name)
            changed.append(
                {
                    "label": field.label if field is not None else name,
                    "now": _shown(conflict.current.get(name)),
                }
            )
    return render(
        request,
        "directory/edit.html",
        {"form": form, "service": service, "conflict": conflict, "changed": changed},
    )


def _shown(value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
