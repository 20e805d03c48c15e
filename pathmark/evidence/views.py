"""The evidence bank's pages. Every member of the partnership reads it (no personal data);
an organisation's managers and administrators keep their own organisation's interventions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pathmark.core.forms import attach_service_errors
from pathmark.core.uploads import too_large_message, upload_cut_off
from pathmark.organisations.permissions import any_member, requires
from pathmark.reports.exports import tables_as_csv, tables_as_xlsx
from pathmark.reports.selectors import Table, Viewer

from . import selectors, services
from .forms import EvidenceForm, FundingForm, InterventionForm, SearchForm, theme_choices
from .models import EvidenceItem, HardToReach, Intervention, PlaceCharacteristic
from .shortlist import Part

EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _language() -> str:
    return get_language() or "en"


@any_member
def bank(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, language=_language())
    search = selectors.Search()
    if form.is_valid():
        data = form.cleaned_data
        search = selectors.Search(
            text=data["q"],
            theme=data["theme"],
            intervention_type=data["intervention_type"],
            place_characteristic=data["place_characteristic"],
        )
    found = list(selectors.interventions(search))
    export = request.GET.get("export")
    if export in EXPORTS:
        return _export(found, export)
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "evidence/bank.html",
        {
            "form": form,
            "interventions": found,
            "may_add": services.may_edit(request.user, request.organisation),  # type: ignore[attr-defined]
            "query": query.urlencode(),
        },
    )


def _export(found: list[Intervention], export: str) -> HttpResponse:
    table = Table(
        _("Evidence bank"),
        [
            _("Title"),
            _("Organisation"),
            _("Kind of intervention"),
            _("Themes"),
            _("Place"),
            _("The place is"),
            _("Who it reaches"),
            _("Evidence items"),
        ],
        [
            [
                item.title,
                item.organisation.name,
                item.get_intervention_type_display(),
                ", ".join(item.themes),
                item.place,
                ", ".join(item.place_characteristics),
                item.reaches,
                str(item.evidence_count),  # type: ignore[attr-defined]
            ]
            for item in found
        ],
    )
    body = tables_as_csv([table]) if export == "csv" else tables_as_xlsx([table])
    response = HttpResponse(body, content_type=EXPORTS[export])
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify("pathmark-evidence-bank")}.{export}"'
    )
    return response


def _intervention_or_404(intervention_id: int) -> Intervention:
    try:
        return selectors.intervention(intervention_id)
    except Intervention.DoesNotExist:
        raise Http404 from None


def _own_or_404(request: HttpRequest, intervention_id: int) -> Intervention:
    """An intervention the member may change: their organisation's, as manager or
    administrator (the 404 of a missing one for anyone else)."""
    item = _intervention_or_404(intervention_id)
    organisation = request.organisation  # type: ignore[attr-defined]
    if item.organisation_id != organisation.pk or not services.may_edit(request.user, organisation):
        raise Http404
    return item


@any_member
def detail(request: HttpRequest, intervention_id: int) -> HttpResponse:
    item = _intervention_or_404(intervention_id)
    organisation = request.organisation  # type: ignore[attr-defined]
    mine = item.organisation_id == organisation.pk and services.may_edit(request.user, organisation)
    viewer = Viewer(request.user, organisation)
    return render(
        request,
        "evidence/detail.html",
        {
            "item": item,
            "mine": mine,
            "theme_titles": _labels(item.themes, dict(_theme_titles())),
            "characteristics": _labels(
                item.place_characteristics, dict(PlaceCharacteristic.choices)
            ),
            "hard_to_reach": _labels(item.hard_to_reach, dict(HardToReach.choices)),
            "figures": selectors.outcome_figures(item, viewer=viewer),
            "funding_form": FundingForm() if mine else None,
            "evidence_form": EvidenceForm() if mine else None,
        },
    )


def _labels(values: list[str], words: dict[str, object]) -> str:
    return ", ".join(str(words.get(value, value)) for value in values)


def _theme_titles() -> list[tuple[str, str]]:
    return theme_choices(_language())


def _details(data: dict) -> services.Details:  # type: ignore[type-arg]
    return services.Details(
        title=data["title"],
        description=data["description"],
        themes=list(data["themes"]),
        intervention_type=data["intervention_type"],
        place=data["place"],
        place_characteristics=list(data["place_characteristics"]),
        reaches=data["reaches"],
        hard_to_reach=list(data["hard_to_reach"]),
        service=data["service"],
    )


@requires("evidence.edit")
def add(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = InterventionForm(request.POST or None, language=_language(), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.add_intervention(
                by=request.user, organisation=organisation, details=_details(form.cleaned_data)
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Added to the evidence bank."))
            return redirect("evidence:detail", intervention_id=item.pk)
    return render(request, "evidence/form.html", {"form": form, "item": None})


@requires("evidence.edit")
def edit(request: HttpRequest, intervention_id: int) -> HttpResponse:
    item = _own_or_404(request, intervention_id)
    organisation = request.organisation  # type: ignore[attr-defined]
    initial = {
        "title": item.title,
        "description": item.description,
        "intervention_type": item.intervention_type,
        "themes": item.themes,
        "place": item.place,
        "place_characteristics": item.place_characteristics,
        "reaches": item.reaches,
        "hard_to_reach": item.hard_to_reach,
        "service": item.service_id,
        "version": item.version,
    }
    form = InterventionForm(
        request.POST or None, initial=initial, language=_language(), organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_intervention(
                by=request.user,
                organisation=organisation,
                intervention=item,
                details=_details(form.cleaned_data),
                expected_version=form.cleaned_data["version"] or 0,
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "stale":
                messages.error(request, " ".join(error.messages))
                return redirect("evidence:edit", intervention_id=item.pk)
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("evidence:detail", intervention_id=item.pk)
    return render(request, "evidence/form.html", {"form": form, "item": item})


@require_POST
@requires("evidence.edit")
def funding(request: HttpRequest, intervention_id: int) -> HttpResponse:
    item = _own_or_404(request, intervention_id)
    form = FundingForm(request.POST)
    if form.is_valid():
        try:
            services.add_funding(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                intervention=item,
                **form.cleaned_data,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Funding recorded."))
    else:
        messages.error(
            request, _("Check the funding: %(problems)s") % {"problems": _problems(form)}
        )
    return redirect("evidence:detail", intervention_id=item.pk)


def _problems(form: EvidenceForm | FundingForm) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )


@require_POST
@requires("evidence.edit")
def evidence(request: HttpRequest, intervention_id: int) -> HttpResponse:
    item = _own_or_404(request, intervention_id)
    if upload_cut_off(request, "file"):
        messages.error(request, too_large_message())
        return redirect("evidence:detail", intervention_id=item.pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_evidence(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                intervention=item,
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
                url=data["url"],
                upload=data["file"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Evidence added."))
    else:
        messages.error(
            request, _("Check the evidence: %(problems)s") % {"problems": _problems(form)}
        )
    return redirect("evidence:detail", intervention_id=item.pk)


def _item_or_404(item_id: int) -> EvidenceItem:
    try:
        return selectors.evidence_item(item_id)
    except EvidenceItem.DoesNotExist:
        raise Http404 from None


@any_member
def download(request: HttpRequest, item_id: int) -> HttpResponse:
    """An evidence file, to members of the partnership only (it is stored outside the web
    root and never served directly); always as a download, never shown in the page."""
    item = _item_or_404(item_id)
    if not item.stored_as:
        raise Http404
    path = services.evidence_folder() / item.stored_as
    if not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=item.file_name, content_type=item.content_type
    )


@require_POST
@requires("evidence.edit")
def remove(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(item_id)
    intervention_id = item.intervention_id
    _own_or_404(request, intervention_id)
    if request.POST.get("confirm") != "yes":
        # Removing evidence cannot be undone: a page says what goes, and only its button acts.
        return render(request, "evidence/remove.html", {"piece": item})
    try:
        services.remove_evidence(by=request.user, organisation=request.organisation, item=item)  # type: ignore[attr-defined]
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Evidence removed."))
    return redirect("evidence:detail", intervention_id=intervention_id)


@any_member
def case_studies(request: HttpRequest) -> HttpResponse:
    scored, by_id = selectors.case_study_shortlist(today=timezone.localdate())
    language = _language()
    rows = [
        (
            entry,
            by_id[entry.facts.id],
            [(part.criterion.title_in(language), explain(part), part) for part in entry.parts],
        )
        for entry in scored
    ]
    criteria = [(c.title_in(language), c.weight) for c in selectors.criteria()]
    return render(request, "evidence/shortlist.html", {"rows": rows, "criteria": criteria})


def explain(part: Part) -> str:
    """What one criterion found, in words."""
    figures = {"found": int(part.found), "target": int(part.criterion.target)}
    kind = part.criterion.kind
    if kind == "evidence_items":
        return _("%(found)s pieces of evidence (%(target)s or more count in full)") % figures
    if kind == "outcome_figures":
        return (
            _("Pathmark has outcome figures for its service")
            if part.met
            else _("No outcome figures in Pathmark (not a directory service, or no referrals yet)")
        )
    if kind == "hard_to_reach":
        return (
            _("Reaches %(found)s hard-to-reach groups (%(target)s or more count in full)") % figures
        )
    if kind == "place_characteristics":
        return (
            _("The place is one the criteria ask for")
            if part.met
            else _("The place is not one the criteria ask for")
        )
    return _("Funded for %(found)s months (%(target)s or more count in full)") % figures
