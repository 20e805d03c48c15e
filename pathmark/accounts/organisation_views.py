"""Administrators' pages for organisations: their own organisation's settings, and, for the
administrators of the partnership's host, the partnership's organisations and adding one.
Routed from the accounts app's URLs, beside the pages for users."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pathmark.core.forms import attach_service_errors
from pathmark.organisations import selectors, services
from pathmark.organisations.forms import NewOrganisationForm, OrganisationSettingsForm
from pathmark.organisations.hooks import count_past_retention
from pathmark.organisations.models import Organisation, Role
from pathmark.organisations.permissions import requires

from . import selectors as account_selectors
from . import services as account_services
from .links import (
    link_expires_at,
    link_made_now,
    recall_link_note,
    remember_link,
    set_password_url,
    site_address,
)
from .models import User


@requires("organisation.manage")
def organisation_settings(request: HttpRequest) -> HttpResponse:
    organisation: Organisation = request.organisation  # type: ignore[attr-defined]
    form = OrganisationSettingsForm(
        request.POST or None,
        initial={
            "name": organisation.name,
            "kind": organisation.kind,
            "retention_years": organisation.retention_years,
            "require_two_factor": organisation.require_two_factor,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _shorter_retention_needs_confirming(form, organisation):
            return render(request, "organisations/settings.html", {"form": form})
        try:
            changed = services.update_settings(
                by=request.user,  # type: ignore[arg-type]
                organisation=organisation,
                name=data["name"],
                kind=data["kind"],
                retention_years=data["retention_years"],
                require_two_factor=data["require_two_factor"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
            return redirect("accounts:organisation_settings")
    return render(request, "organisations/settings.html", {"form": form})


def _shorter_retention_needs_confirming(
    form: OrganisationSettingsForm, organisation: Organisation
) -> bool:
    """A shorter period erases, at the next nightly sweep, everyone whose last contact is
    older than it. Before saving, the administrator is told how many, and must confirm."""
    years = form.cleaned_data["retention_years"]
    if years >= organisation.retention_years or form.cleaned_data["confirm_shorter_retention"]:
        return False
    today = timezone.localdate()
    newly = count_past_retention(organisation, years=years, today=today) - count_past_retention(
        organisation, years=organisation.retention_years, today=today
    )
    if newly <= 0:
        return False
    form.add_error(
        "confirm_shorter_retention",
        ngettext(
            "With %(years)d years, %(count)d client's record passes the retention period and "
            "will be erased at the next nightly sweep. Tick the box to confirm.",
            "With %(years)d years, %(count)d clients' records pass the retention period and "
            "will be erased at the next nightly sweep. Tick the box to confirm.",
            newly,
        )
        % {"years": years, "count": newly},
    )
    return True


# --- The partnership's organisations (administrators of the host) ---------------------------

# The first administrator of a new organisation whose set-password link the next page shows,
# once: (organisation id, user id, when the e-mailed link was made). The link is made again
# from these when shown, never stored.
SHOW_LINK_FOR = "pathmark_show_first_administrator_link_for"


def host_or_404(request: HttpRequest) -> Organisation:
    """The host organisation, if the request acts for it. `@requires` has checked the role;
    an administrator of any other organisation gets the same 404 as for a missing page."""
    organisation: Organisation = request.organisation  # type: ignore[attr-defined]
    if not (organisation.is_partnership_host and organisation.is_active):
        raise Http404
    return organisation


@requires("organisation.manage")
def partnership(request: HttpRequest) -> HttpResponse:
    host_or_404(request)
    first_administrator = _first_administrator_link(request)
    return render(
        request,
        "organisations/list.html",
        {
            "organisations": selectors.partnership_organisations(),
            "first_administrator": first_administrator,
        },
    )


def _first_administrator_link(request: HttpRequest) -> dict[str, object] | None:
    note = recall_link_note(request.session, SHOW_LINK_FOR, 2)
    if note is None:
        return None
    (organisation_id, user_id), made = note
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    user = User.objects.filter(pk=user_id).first()
    if (
        organisation is None
        or user is None
        or user.has_usable_password()
        or not account_selectors.may_get_set_password_link(request.user, user)  # type: ignore[arg-type]
    ):
        return None
    return {
        "organisation": organisation,
        "user": user,
        "link": set_password_url(user, request=request, made=made),
        "expires_at": link_expires_at(made),
    }


@requires("organisation.manage")
def new_organisation(request: HttpRequest) -> HttpResponse:
    host_or_404(request)
    form = NewOrganisationForm(
        request.POST or None, initial={"retention_years": 6, "require_two_factor": True}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_organisation(
                by=request.user,  # type: ignore[arg-type]
                name=data["name"],
                slug=data["slug"],
                kind=data["kind"],
                retention_years=data["retention_years"],
                require_two_factor=data["require_two_factor"],
                administrator_email=data["administrator_email"],
                administrator_name=data["administrator_name"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            _tell_first_administrator(request, created)
            return redirect("accounts:organisations")
    return render(request, "organisations/new.html", {"form": form})


def _tell_first_administrator(request: HttpRequest, created: services.NewOrganisation) -> None:
    added = created.administrator
    assert added is not None  # the app always names the first administrator
    made = link_made_now()
    link = set_password_url(added.user, request=request, made=made) if added.needs_link else None
    sent = account_services.email_member(
        user=added.user,
        organisation=created.organisation,
        role=Role.ADMINISTRATOR,
        link=link,
        invited=added.invitation is not None,
        site_url=site_address(request),
    )
    if added.invitation is not None:
        messages.success(
            request,
            _(
                "Added %(organisation)s. Its administrator already has an account, so they "
                "were invited: they become its administrator when they accept."
            )
            % {"organisation": created.organisation.name},
        )
        return
    if not added.needs_link:
        messages.success(
            request,
            _("Added %(organisation)s. Its administrator already has an account.")
            % {"organisation": created.organisation.name},
        )
        return
    remember_link(request.session, SHOW_LINK_FOR, created.organisation.pk, added.user.pk, made=made)
    if sent:
        messages.success(
            request,
            _(
                "Added %(organisation)s. We e-mailed its administrator a link to set their "
                "password; it is also below, shown this once."
            )
            % {"organisation": created.organisation.name},
        )
    else:
        messages.warning(
            request,
            _(
                "Added %(organisation)s, but the e-mail could not be sent. Pass on the "
                "set-password link below yourself; it is shown this once."
            )
            % {"organisation": created.organisation.name},
        )
