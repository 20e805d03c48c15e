"""Journey pages: one person's journey, their printable self-reflection summary, the caseload
view with its worklist, and the host norms in force."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pathmark.assessments.text import in_language
from pathmark.audit.services import record_shown
from pathmark.core.languages import site_language
from pathmark.instruments.registry import UnknownInstrument, get_instrument
from pathmark.organisations.permissions import any_member, requires, role_may
from pathmark.people.lookups import person_or_404
from pathmark.people.models import Person

from . import selectors, services
from .caseload import DomainDistribution
from .forms import LifeEventForm
from .models import JourneyTrend, LifeEvent
from .presentation import ARROWS, group_words, instrument_titles, journey_view
from .reflection import reflection_context
from .registry import norms_in_force
from .trajectory import OVERALL, TURNED_DOWN_DOMAINS, Direction, norm_in_force


@requires("person.view")
def person_journey(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        found = selectors.person_journeys(
            actor=request.user, organisation=request.organisation, person_id=person_id
        )
    except Person.DoesNotExist:
        raise Http404 from None
    events = selectors.life_events_of(found.person)
    marks = selectors.event_marks(events)
    views = [
        journey_view(
            journey,
            norms=found.norms_of(journey),
            as_of=found.as_of,
            events=marks,
        )
        for journey in found.journeys
    ]
    organisation = request.organisation  # type: ignore[attr-defined]
    may_record = (
        role_may(getattr(request.membership, "role", None), "assessment.run")  # type: ignore[attr-defined]
        and found.person.status == Person.Status.ACTIVE
    )
    return render(
        request,
        "journeys/person.html",
        {
            "person": found.person,
            "journeys": views,
            "as_of": found.as_of,
            "events": [
                {
                    "event": event,
                    "number": number,
                    "removable": may_record and event.organisation_id == organisation.pk,
                }
                for number, event in enumerate(events, start=1)
            ],
            "event_form": LifeEventForm() if may_record else None,
        },
    )


@require_POST
@requires("assessment.run")
def add_life_event(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed")
    form = LifeEventForm(request.POST)
    if form.is_valid():
        try:
            services.record_life_event(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                person=person,
                occurred_on=form.cleaned_data["occurred_on"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Life event recorded; it is drawn on every chart."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("journeys:person", args=[person.pk]) + "#life-events")


@require_POST
@requires("assessment.run")
def remove_life_event(request: HttpRequest, person_id: int, event_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed")
    event = LifeEvent.objects.filter(pk=event_id, person_id=person.pk).first()
    if event is None:
        raise Http404
    try:
        services.remove_life_event(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            event=event,
        )
    except LifeEvent.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Life event removed."))
    return redirect(reverse("journeys:person", args=[person.pk]) + "#life-events")


def _summary_language(request: HttpRequest, person: Person) -> str:
    """The language asked for (a caseworker may print an English copy too), else the person's
    preferred language when the site has it, else English."""
    return site_language(request.GET.get("language", ""), person.preferred_language)


@requires("person.view")
def summary(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        found = selectors.person_journeys(
            actor=request.user,
            organisation=request.organisation,
            person_id=person_id,
            action="journey.summary_viewed",
        )
    except Person.DoesNotExist:
        raise Http404 from None
    language = _summary_language(request, found.person)
    return render(
        request,
        "journeys/summary.html",
        {
            "person": found.person,
            **reflection_context(found, language),
            "summary_languages": settings.LANGUAGES,
        },
    )


@requires("person.view")
def cohort(request: HttpRequest) -> HttpResponse:
    found = selectors.cohort_journeys(actor=request.user, organisation=request.organisation)
    freshness = selectors.trend_freshness(organisation=request.organisation, cohort=found)
    worklist = selectors.worklist_people(found)
    sections = []
    for slug in sorted(found.instruments):
        instrument_cohort = found.instruments[slug]
        view = instrument_titles(instrument_cohort.instrument)
        sections.append(
            {
                "cohort": instrument_cohort,
                "title": view["title"],
                "measurement_error": instrument_cohort.instrument.measurement_error,
                "rows": [
                    {
                        "title": view["domains"].get(distribution.key, distribution.key),
                        "distribution": distribution,
                        "quartiles": distribution.quartiles,
                        "bar": _stacked_bar(distribution),
                    }
                    for distribution in instrument_cohort.ordered()
                ],
            }
        )
    titles = {
        slug: instrument_titles(entry.instrument) for slug, entry in found.instruments.items()
    }
    return render(
        request,
        "journeys/cohort.html",
        {
            "cohort": found,
            "freshness": freshness,
            "sections": sections,
            "turned_down_domains": TURNED_DOWN_DOMAINS,
            "worklist": [
                {
                    "entry": entry,
                    "person": person,
                    "instrument": titles[entry.instrument]["title"],
                    "domains": [
                        titles[entry.instrument]["domains"].get(d, d) for d in entry.domains
                    ],
                }
                for entry, person in worklist
            ],
            "more": max(0, found.turned_down - len(worklist)),
            "can_review": role_may(
                getattr(request.membership, "role", None),  # type: ignore[attr-defined]
                "person.edit",
            ),
            "arrows": ARROWS,
        },
    )


BAR_WIDTH = 300


def _stacked_bar(distribution: DomainDistribution) -> list[dict[str, object]]:
    """Declining, no clear change, improving and not enough data as one 100% bar."""
    parts = []
    x = 0.0
    for direction in (
        Direction.DECLINING,
        Direction.NO_CLEAR_CHANGE,
        Direction.IMPROVING,
        Direction.NOT_ENOUGH_DATA,
    ):
        width = round(distribution.share(direction.value) * BAR_WIDTH, 2)
        parts.append({"x": round(x, 2), "width": width, "css": direction.value.replace("_", "-")})
        x += width
    return parts


@any_member
def host_norms(request: HttpRequest) -> HttpResponse:
    """The reference norms in force and their history. Not personal data, so every member may
    read them; administrators change them by editing the files shown."""
    entries = []
    min_groups = selectors.survey_min_groups()
    for slug, (origin, norms) in sorted(norms_in_force().items()):
        try:
            named = instrument_titles(get_instrument(slug))
        except UnknownInstrument:
            named = {"title": slug, "domains": {OVERALL: translation.gettext("Overall")}}
        title, titles = named["title"], named["domains"]
        keys = [OVERALL] + [key for key in titles if key != OVERALL]
        entries.append(
            {
                "slug": slug,
                "title": title,
                "file": origin,
                "source": norms.source,
                "description": in_language(norms.description) if norms.description else "",
                "min_group": min_groups.get(slug),
                "groups": [
                    {"group": group_words(group), "title": titles.get(key, key), "norm": norm}
                    for group, by_key in sorted(norms.groups.items())
                    for key in keys
                    if (norm := norm_in_force(by_key.get(key, ()), timezone.localdate()))
                    is not None
                ],
                "versions": [
                    {
                        "surveyed": any(
                            norm is not None and norm.n is not None
                            for norm in norms.in_force(version.valid_from).values()
                        ),
                        "valid_from": version.valid_from,
                        "label": in_language(version.label) if version.label else "",
                        "rows": [
                            {
                                "title": titles.get(key, key),
                                "norm": norms.in_force(version.valid_from).get(key),
                                "changed": key in version.changed,
                            }
                            for key in keys
                            if key in norms.by_key
                        ],
                    }
                    for version in reversed(norms.versions)
                ],
            }
        )
    may_upload = request.organisation.is_partnership_host and role_may(  # type: ignore[attr-defined]
        getattr(request.membership, "role", None),  # type: ignore[attr-defined]
        "reference.manage",
    )
    return render(request, "journeys/norms.html", {"entries": entries, "may_upload": may_upload})


# --- The key worker's day ---------------------------------------------------------------------

CASELOAD_PAGE = 50


@requires("person.view")
def my_caseload(request: HttpRequest) -> HttpResponse:
    """The people the signed-in member is key worker of: who to reassess first, their stage and
    integratedness, and whether their journey turned down."""
    months = settings.PATHMARK_REASSESSMENT_MONTHS
    page = Paginator(selectors.key_worker_people(worker=request.user), CASELOAD_PAGE).get_page(
        request.GET.get("page")
    )
    entries = selectors.caseload_entries(
        list(page.object_list), today=timezone.localdate(), months=months
    )
    record_shown(
        actor=request.user,
        organisation=request.organisation,  # type: ignore[attr-defined]
        action="journey.caseload_viewed",
        people=[entry.person.pk for entry in entries],
        extra={"page": page.number},
    )
    titles = {}
    for entry in entries:
        for journey in entry.journeys:
            if journey.instrument not in titles:
                try:
                    titles[journey.instrument] = instrument_titles(
                        get_instrument(journey.instrument)
                    )
                except UnknownInstrument:
                    titles[journey.instrument] = {"title": journey.instrument}
    rows = [
        {
            "entry": entry,
            "journeys": [
                {
                    "journey": journey,
                    "arrow": _arrow(journey.direction),
                    "title": titles[journey.instrument]["title"],
                    "stage": titles[journey.instrument]
                    .get("stages", {})
                    .get(journey.stage, journey.stage or "—"),
                }
                for journey in entry.journeys
            ],
        }
        for entry in entries
    ]
    return render(
        request,
        "journeys/my_caseload.html",
        {"page": page, "rows": rows, "months": months},
    )


def _arrow(direction: str) -> str:
    try:
        return ARROWS[Direction(direction)]
    except ValueError:
        return ""


@require_POST
@requires("person.edit")
def key_worker(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed", own=True)
    chosen = request.POST.get("key_worker", "")
    choices = {
        str(user.pk): user
        for user in selectors.key_worker_choices(organisation=request.organisation)  # type: ignore[attr-defined]
    }
    if chosen and chosen not in choices:
        messages.error(request, _("Choose an active member of your organisation as key worker."))
        return redirect("people:detail", person.pk)
    try:
        services.assign_key_worker(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            person=person,
            worker=choices.get(chosen),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Key worker saved."))
    return redirect("people:detail", person.pk)


@require_POST
@requires("person.edit")
def review_worklist(request: HttpRequest) -> HttpResponse:
    try:
        person_id = int(request.POST.get("person", ""))
    except ValueError:
        raise Http404 from None
    person = person_or_404(request, person_id, action="person.viewed")
    try:
        services.review_worklist_entry(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            person_id=person.pk,
            instrument=request.POST.get("instrument", "")[:100],
            note=request.POST.get("note", ""),
        )
    except JourneyTrend.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Marked reviewed: %(name)s leaves the worklist until their journey turns down again.")
            % {"name": person.display_name},
        )
    return redirect("journeys:cohort")
