"""Data-protection pages for managers: export everything held about a person, restrict or
resume processing, and erase. Only the organisation that registered the person may use them;
anyone else gets the same 404 as for a missing record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pathmark.organisations.permissions import requires, role_may
from pathmark.people.lookups import person_or_404
from pathmark.people.models import Person

from . import rendering, services
from .forms import EraseForm, ExportForm, RestrictForm


def _page(request: HttpRequest, person: Person, **forms: object) -> HttpResponse:
    role = request.membership.role
    return render(
        request,
        "privacy/person.html",
        {
            "person": person,
            "export_form": forms.get("export_form") or ExportForm(),
            "restrict_form": forms.get("restrict_form") or RestrictForm(),
            "may_restrict": role_may(role, "person.restrict"),
            "may_erase": role_may(role, "person.erase"),
        },
    )


@requires("person.export")
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    return _page(
        request, person_or_404(request, person_id, action="person.viewed_for_privacy", own=True)
    )


@require_POST
@requires("person.export")
def export(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed_for_privacy", own=True)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, person, export_form=form)
    chosen = form.cleaned_data["format"]
    try:
        subject_access = services.export_personal_data(
            by=request.user, organisation=request.organisation, person=person, format=chosen
        )
    except Person.DoesNotExist:
        raise Http404 from None
    if chosen == "json":
        body, content_type = rendering.as_json(subject_access), "application/json"
    else:
        body, content_type = rendering.as_html(subject_access), "text/html"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    # A download, never a page of the site: the file is the person's, to be handed over.
    name = rendering.filename(subject_access, chosen)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@requires("person.restrict")
def restrict(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed_for_privacy", own=True)
    form = RestrictForm(request.POST)
    if not form.is_valid():
        return _page(request, person, restrict_form=form)
    try:
        services.restrict_processing(
            by=request.user,
            organisation=request.organisation,
            person=person,
            ground=form.cleaned_data["ground"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Processing restricted. The record is kept but cannot be changed.")
        )
    return redirect("privacy:person", person_id=person.pk)


@require_POST
@requires("person.restrict")
def lift(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed_for_privacy", own=True)
    try:
        services.lift_restriction(by=request.user, organisation=request.organisation, person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Restriction lifted. The record can be used again."))
    return redirect("privacy:person", person_id=person.pk)


@requires("person.erase")
def erase(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed_for_privacy", own=True)
    initial = {"reason": request.GET.get("reason", "")}
    form = EraseForm(request.POST or None, expected=person.reference, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.erase_person(
                by=request.user,
                organisation=request.organisation,
                person=person,
                reason=form.cleaned_data["reason"],
            )
        except Person.DoesNotExist:
            raise Http404 from None
        messages.success(
            request,
            _("%(reference)s has been erased everywhere. Their scores remain only as numbers.")
            % {"reference": person.reference},
        )
        return redirect("people:list")
    return render(request, "privacy/erase.html", {"person": person, "form": form})
