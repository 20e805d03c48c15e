"""People pages: find, register, view, edit, and record or withdraw consent."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pathmark.core.forms import attach_service_errors
from pathmark.organisations.permissions import requires, role_may
from pathmark.organisations.selectors import host_organisation, host_organisation_of

from . import selectors, services
from .forms import (
    ConsentForm,
    HouseholdLinkForm,
    ImmigrationStatusForm,
    MergeForm,
    PersonForm,
    RegistrationForm,
    SearchForm,
    WithdrawConsentForm,
)
from .hooks import sections_for
from .lookups import person_or_404
from .models import Consent, ConsentKind, DuplicateFlag, ImmigrationStatus, Person
from .reference import country_name, language_name

SEARCH_SESSION_KEY = "pathmark_people_searches"
SEARCH_LIFETIME_SECONDS = 60 * 60
SEARCHES_KEPT = 20


def _remember_search(request: HttpRequest, query: str) -> str:
    """Keeps the search terms in the session under a short-lived random token; only the token
    travels in the URL, so a results page can be reloaded, paged and gone back to without
    names, dates of birth or phone numbers reaching server logs or browser history."""
    now = time.time()
    searches = {
        token: kept
        for token, kept in request.session.get(SEARCH_SESSION_KEY, {}).items()
        if now - kept["at"] < SEARCH_LIFETIME_SECONDS
    }
    token = secrets.token_urlsafe(12)
    searches[token] = {"q": query, "at": now}
    newest = sorted(searches.items(), key=lambda item: item[1]["at"])[-SEARCHES_KEPT:]
    request.session[SEARCH_SESSION_KEY] = dict(newest)
    return token


def _remembered_search(request: HttpRequest, token: str) -> str | None:
    kept = request.session.get(SEARCH_SESSION_KEY, {}).get(token)
    if kept is None or time.time() - kept["at"] >= SEARCH_LIFETIME_SECONDS:
        return None
    return str(kept["q"])


@requires("person.view")
def person_list(request: HttpRequest) -> HttpResponse:
    """Search terms are personal data, so they travel in a POST body and stay in the session;
    the results page is a GET addressed by a short-lived token (see `_remember_search`)."""
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid() and form.cleaned_data["q"].strip():
            token = _remember_search(request, form.cleaned_data["q"])
            return redirect(f"{reverse('people:list')}?search={token}")
        return redirect("people:list")
    if request.GET.get("clear"):
        return redirect("people:list")
    token = request.GET.get("search", "")
    query = ""
    query_string = ""
    if token:
        remembered = _remembered_search(request, token)
        if remembered is None:
            messages.info(request, _("That search has expired. Please search again."))
            return redirect("people:list")
        query = remembered
        query_string = f"search={token}&"
    form = SearchForm(initial={"q": query})
    people = selectors.list_people(query=query)
    page = Paginator(people, 25).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read once: audited, then shown
    selectors.record_listed(
        actor=request.user,
        organisation=request.organisation,
        people=page.object_list,
        searched=bool(query.strip()),
        page=page.number,
    )
    return render(
        request,
        "people/list.html",
        {"form": form, "page_obj": page, "query": query, "query_string": query_string},
    )


# What the caseworker decided when shown possible duplicates before saving.
NOT_THE_SAME = "distinct"
DECIDE_LATER = "unsure"


def _identity_signature(values: dict[str, Any]) -> str:
    """Which details the duplicates were checked for: if any of them changes before the
    caseworker decides, the check runs again."""
    text = "|".join(
        str(values.get(name) or "")
        for name in ("name", "preferred_name", "date_of_birth", "phone", "email")
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@requires("person.register")
def register(request: HttpRequest) -> HttpResponse:
    """Registration in two steps when needed: the details are checked for people already
    registered before anything is saved; if any may be the same person, the page shows them
    with the form still filled in, and the caseworker opens the existing record, says none is
    the same person (remembered), or registers and decides later."""
    form = RegistrationForm(request.POST or None, organisation=request.organisation)
    duplicates: list[selectors.PossibleDuplicate] = []
    signature = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person_fields = PersonForm.base_fields
        values = {
            name: value for name, value in form.person_values().items() if name in person_fields
        }
        signature = _identity_signature(values)
        decision = request.POST.get("decision", "")
        decided = decision in (NOT_THE_SAME, DECIDE_LATER) and (
            request.POST.get("checked") == signature
        )
        if not decided:
            duplicates = selectors.check_for_duplicates(
                actor=request.user, organisation=request.organisation, values=values
            )
        if not duplicates:
            shown = {int(pk) for pk in request.POST.getlist("shown") if pk.isdigit()}
            consent = services.ConsentGiven(
                purpose=data["consent_purpose"],
                method=data["consent_method"],
                given_on=data["consent_date"],
                share_with=list(data["share_with"]),
            )
            try:
                registration = services.register_person(
                    by=request.user,
                    organisation=request.organisation,
                    values=values,
                    consent=consent,
                    not_duplicates=shown if decision == NOT_THE_SAME else (),
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Registered. Reference: %(ref)s") % {"ref": registration.person.reference},
                )
                if any(
                    flag.person.pk not in shown or decision != NOT_THE_SAME
                    for flag in registration.duplicates
                ):
                    messages.warning(
                        request,
                        _(
                            "This may be someone already registered. Check the possible "
                            "duplicates below."
                        ),
                    )
                return redirect("people:detail", person_id=registration.person.pk)
    return render(
        request,
        "people/register.html",
        {
            "form": form,
            "duplicates": duplicates,
            "signature": signature,
            "own_organisation": request.organisation,
        },
    )


@requires("person.view")
def detail(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        person = person_or_404(request, person_id)
    except Http404:
        # A merged record's address (a bookmark, a printed link) leads to the one kept.
        kept = selectors.merged_into(person_id)
        if kept is None:
            raise
        return redirect("people:detail", person_id=kept)
    is_owner = person.organisation_id == request.organisation.pk
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "is_owner": is_owner,
            "consents": selectors.consents_of(person),
            "duplicates": selectors.open_duplicates(
                person=person, organisation=request.organisation
            )
            if is_owner
            else [],
            "may_erase": role_may(request.membership.role, "person.erase"),  # type: ignore[attr-defined]
            # The privacy app's page (a layer up), by URL name: people never imports it.
            "erase_url": reverse("privacy:erase", kwargs={"person_id": person.pk})
            + "?reason=mistake",
            "country": country_name(person.country_of_origin) if person.country_of_origin else "",
            "spoken_languages": [language_name(code) for code in person.languages],
            "preferred_language": language_name(person.preferred_language)
            if person.preferred_language
            else "",
            # Assessments, journeys, plans and referrals draw their own parts of the page.
            "sections": sections_for(person=person, request=request),
            "household_members": (
                Person.objects.filter(household_id=person.household_id).exclude(pk=person.pk)
                if person.household_id
                else []
            ),
        },
    )


@requires("person.edit")
def edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed_for_edit", own=True)
    initial = PersonForm.initial_for(person)
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                by=request.user,
                organisation=request.organisation,
                person=person,
                values=form.person_values(),
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", person_id=person.pk)
    return render(request, "people/edit.html", {"form": form, "person": person})


@requires("consent.record")
def add_consent(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed_for_consent")
    if person.organisation_id != request.organisation.pk:
        raise Http404
    form = ConsentForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_consent(
                by=request.user,
                organisation=request.organisation,
                person=person,
                kind=data["kind"],
                purpose=data["purpose"],
                method=data["method"],
                given_on=data["given_on"],
                shared_with=data.get("shared_with"),
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect(reverse("people:detail", kwargs={"person_id": person.pk}) + "#consent")
    return render(request, "people/consent_form.html", {"form": form, "person": person})


@requires("consent.record")
def withdraw_consent(request: HttpRequest, person_id: int, consent_id: int) -> HttpResponse:
    """Says what withdrawing will do (for consent to hold and use: end all sharing and
    restrict the record) and asks how the person withdrew it, then withdraws on POST."""
    person = person_or_404(request, person_id, action="person.viewed_for_consent", own=True)
    try:
        consent = Consent.objects.get(pk=consent_id, person=person)
    except Consent.DoesNotExist:
        raise Http404 from None
    back = reverse("people:detail", kwargs={"person_id": person.pk}) + "#consent"
    if consent.withdrawn_at is not None:
        return redirect(back)
    form = WithdrawConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            withdrawal = services.withdraw_consent(
                by=request.user,
                organisation=request.organisation,
                consent=consent,
                how=form.cleaned_data["how"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            _say_withdrawn(request, consent, withdrawal)
            return redirect(back)
    return render(
        request,
        "people/withdraw_consent.html",
        {
            "person": person,
            "consent": consent,
            "form": form,
            "ends_everything": consent.kind == ConsentKind.PROCESSING
            and Consent.objects.filter(
                person=person, kind=ConsentKind.PROCESSING, withdrawn_at__isnull=True
            )
            .exclude(pk=consent.pk)
            .count()
            == 0,
            "sharing": Consent.objects.filter(
                person=person, kind=ConsentKind.SHARE, withdrawn_at__isnull=True
            ).select_related("shared_with"),
            "back": back,
        },
    )


def _say_withdrawn(request: HttpRequest, consent: Consent, withdrawal: Any) -> None:
    if withdrawal.restricted:
        if role_may(request.membership.role, "person.restrict"):  # type: ignore[attr-defined]
            where = _("or erase the record from Data protection if they ask for that.")
        else:
            where = _("or ask a manager to erase the record if they ask for that.")
        messages.warning(
            request,
            _(
                "Consent to hold and use the person's information withdrawn. Sharing has "
                "ended and the record is now restricted: it is kept but cannot be changed or "
                "assessed. Record a new consent if the person agrees again, %(where)s"
            )
            % {"where": where},
        )
    elif consent.kind == ConsentKind.SHARE:
        messages.success(request, _("Consent withdrawn. Sharing stopped at once."))
    else:
        messages.success(request, _("Consent withdrawn."))


@require_POST
@requires("person.edit")
def dismiss_duplicate(request: HttpRequest, person_id: int, flag_id: int) -> HttpResponse:
    """ "Not the same person": remembered, so the pair is not flagged again."""
    person = person_or_404(request, person_id, action="person.viewed_for_edit", own=True)
    flag = (
        DuplicateFlag.objects.filter(Q(person=person) | Q(candidate=person), pk=flag_id)
        .select_related("person")
        .first()
    )
    if flag is None:
        raise Http404
    services.dismiss_duplicate(by=request.user, organisation=request.organisation, flag=flag)
    messages.success(
        request, _("Noted: these are different people. They will not be flagged again.")
    )
    return redirect("people:detail", person_id=person.pk)


@requires("person.edit")
def merge(request: HttpRequest, person_id: int, other_id: int) -> HttpResponse:
    """Two records of one person side by side; the caseworker chooses which to keep and says
    why they are one person, then everything moves to the kept record."""
    person = person_or_404(request, person_id, action="person.viewed_for_merge", own=True)
    other = person_or_404(request, other_id, action="person.viewed_for_merge", own=True)
    if person.pk == other.pk:
        raise Http404
    records = sorted([person, other], key=lambda p: p.pk)
    form = MergeForm(request.POST or None, records=records, initial={"keep": records[0].pk})
    if request.method == "POST" and form.is_valid():
        kept_id = form.cleaned_data["keep"]
        kept, merged = (person, other) if kept_id == person.pk else (other, person)
        try:
            merge = services.merge_people(
                by=request.user,
                organisation=request.organisation,
                kept=kept,
                merged=merged,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Merged. %(merged)s now leads to %(kept)s, which holds the consents, "
                    "assessments and history of both."
                )
                % {"merged": merge.merged.reference, "kept": merge.kept.reference},
            )
            return redirect("people:detail", person_id=merge.kept.pk)
    return render(
        request,
        "people/merge.html",
        {
            "form": form,
            "person": person,
            "records": [
                {
                    "person": record,
                    "country": country_name(record.country_of_origin)
                    if record.country_of_origin
                    else "",
                }
                for record in records
            ],
        },
    )


@requires("person.edit")
def household(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed_for_edit", own=True)
    form = HouseholdLinkForm(request.POST or None)
    if request.method == "POST" and request.POST.get("unlink"):
        if request.POST.get("confirm") != "yes":
            # Asks first, on a page that names who the person stops being linked to.
            members = (
                Person.objects.filter(household_id=person.household_id).exclude(pk=person.pk)
                if person.household_id
                else Person.objects.none()
            )
            return render(
                request, "people/household_unlink.html", {"person": person, "members": members}
            )
        try:
            services.unlink_household(
                by=request.user, organisation=request.organisation, person=person
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Removed from the household."))
        return redirect("people:detail", person_id=person.pk)
    if request.method == "POST" and form.is_valid():
        try:
            other = Person.objects.get(
                pk=form.cleaned_data["other"], organisation=request.organisation
            )
            services.link_household(
                by=request.user,
                organisation=request.organisation,
                person=person,
                other=other,
                role=form.cleaned_data["role"],
            )
        except Person.DoesNotExist:
            form.add_error(
                "other", _("No person with that reference is registered by your organisation.")
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Linked to the household."))
            return redirect("people:detail", person_id=person.pk)
    return render(request, "people/household_form.html", {"form": form, "person": person})


@requires("reference.manage")
def immigration_statuses(request: HttpRequest, status_id: int | None = None) -> HttpResponse:
    """The partnership's list of immigration status categories. Every administrator sees it;
    only the host organisation's administrators change it (anyone else gets the 404 of a
    missing page for the change form and for a post)."""
    may_change = is_host_administration(request)
    if not may_change and (status_id is not None or request.method == "POST"):
        raise Http404
    status = None
    if status_id is not None:
        status = ImmigrationStatus.objects.filter(pk=status_id).first()
        if status is None:
            raise Http404
    initial = {"label": status.label, "is_active": status.is_active} if status else None
    form = ImmigrationStatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_immigration_status(
                by=request.user,
                organisation=request.organisation,
                status=status,
                label=form.cleaned_data["label"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Saved."))
            return redirect("people:immigration_statuses")
    return render(
        request,
        "people/immigration_statuses.html",
        {
            "form": form if may_change else None,
            "editing": status,
            "statuses": ImmigrationStatus.objects.all(),
            "versions": status.versions.select_related("changed_by") if status else (),
            "host": host_organisation(),
        },
    )


def is_host_administration(request: HttpRequest) -> bool:
    """Whether the request acts for the partnership's host organisation as one of its
    administrators: they, and only they, change partnership-wide reference data."""
    host = host_organisation_of(request.user)
    return host is not None and host.pk == request.organisation.pk  # type: ignore[attr-defined]
