"""WCAG 2.2 AA on every page a user can reach, in a real Chromium: in English and in Arabic
(right to left), on an office screen and on a 360 px phone.

Each page is opened as the person who uses it, on the demo partnership, and checked with
axe-core (the WCAG 2.0/2.1/2.2 A and AA rules) and with the checks in `accessibility.py` for
what axe cannot judge. A failure lists every problem as "page [variant] rule: element — why".

The pages are listed by the URL pattern they check; `test_every_page_is_checked_or_excluded`
walks the URLconf, so a new page fails the suite until it is added here or excluded with a
reason.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db.models import Count
from django.test import override_settings
from django_otp.oath import totp

from pathmark.accounts.models import User
from pathmark.assessments import services as assessment_services
from pathmark.assessments.models import Assessment, AssessmentMode
from pathmark.demo.services import load_demo_partnership
from pathmark.organisations.models import Membership, Organisation, Role
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people import services as people_services
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, ImmigrationStatus, Person
from pathmark.privacy import services as privacy_services
from pathmark.testing import PASSWORD, UserFactory
from tests.security.probing import discover_endpoints

from .accessibility import DESKTOP, PHONE, Problem, all_problems, axe_problems, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "ar"]
RIGHT_TO_LEFT = {"ar"}
VIEWPORTS = [("desktop", DESKTOP), ("phone", PHONE)]


# --- The world: the demo partnership, with one of each thing a page can show -------------


@dataclass
class Site:
    """The demo partnership plus what its pages need to show everything they can: a client
    with a household, a share, a possible duplicate, drafts in English and Arabic and
    completed assessments; a restricted client; and fresh users for flows that change them."""

    base_url: str
    users: dict[str, User]
    person: Person  # amira's client: household, share with the council, drafts, results
    duplicate: Person  # registered again with the same name and date of birth
    restricted: Person
    draft_en: Assessment
    draft_ar: Assessment
    completed: Assessment
    organisation: Organisation  # Northbridge Refugee Support
    immigration_status: ImmigrationStatus
    referral: Any = None  # amira's referral of `person` to the college (lena)
    fresh: Iterator[int] = field(default_factory=lambda: iter(range(1, 1000)))

    def new_caseworker(self, prefix: str) -> User:
        """A user of Northbridge Refugee Support for a flow that changes the user (two-factor,
        signing out everywhere), so each language and width starts from the same state."""
        user = UserFactory(username=f"{prefix}-{next(self.fresh)}", first_name="Fresh")
        Membership.objects.create(user=user, organisation=self.organisation, role=Role.CASEWORKER)
        return user


def _in_scope(user: User, organisation: Organisation):  # type: ignore[no-untyped-def]
    role = Membership.objects.get(user=user, organisation=organisation).role
    return organisation_scope(organisation_id=organisation.pk, user_id=user.pk, role=role)


@pytest.fixture
def site(live_server, settings) -> Site:  # type: ignore[no-untyped-def]
    # The demo banner is part of every page of a demo, so it is checked too.
    settings.PATHMARK_DEMO = True
    # The categories a migration installs are gone once an earlier test flushed the database;
    # the demo's people and the administrator's page need some.
    for position, (slug, label) in enumerate(
        [
            ("asylum-seeker", "Asylum seeker"),
            ("refugee-status", "Refugee status"),
            ("humanitarian-protection", "Humanitarian protection"),
        ]
    ):
        ImmigrationStatus.objects.get_or_create(
            slug=slug, defaults={"label": label, "position": position}
        )
    load_demo_partnership(people=60)
    Organisation.objects.update(require_two_factor=False)
    # The council hosts the partnership, so its administrator sees the organisations' pages.
    Organisation.objects.filter(slug="northbridge-council").update(is_partnership_host=True)
    users = {}
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save()
        users[user.username] = user
    charity = Organisation.objects.get(slug="northbridge-refugee-support")
    council = Organisation.objects.get(slug="northbridge-council")
    amira, tom = users["amira"], users["tom"]
    with system_scope("accessibility tests: pick demo people"):
        ranked = list(
            Person.objects.filter(organisation=charity)
            .annotate(completed=Count("assessments"))
            .order_by("-completed", "pk")
        )
        person, other, restricted = ranked[0], ranked[1], ranked[2]
        # The summary to print and the subject access copy are in the person's language.
        Person.objects.filter(pk=person.pk).update(preferred_language="ar")
        person.refresh_from_db()
        Consent.objects.get_or_create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=council,
            defaults={
                "purpose": "Share my record with the council's resettlement team.",
                "method": ConsentMethod.INTERPRETER,
                "given_on": date(2025, 3, 1),
            },
        )
        completed = (
            Assessment.objects.filter(person=person, status="completed")
            .order_by("-assessed_on")
            .first()
        )
    with _in_scope(amira, charity):
        people_services.link_household(
            by=amira, organisation=charity, person=person, other=other, role="Parent"
        )
        # A referral to the college's service (lena's organisation), sent with consent.
        from pathmark.directory.models import Service
        from pathmark.referrals import services as referral_services

        service = (
            Service.objects.filter(
                organization__organisation__slug="northbridge-college", taking_referrals=True
            )
            .order_by("pk")
            .first()
        )
        referral = referral_services.draft_referral(
            by=amira,
            organisation=charity,
            person=person,
            service=service,
            consent=referral_services.ReferralConsent(
                given_on=date.today(), method=ConsentMethod.IN_PERSON, covers_assessments=True
            ),
            send=True,
        )
        # Someone registered again with the same name and date of birth: a possible duplicate.
        duplicate = people_services.register_person(
            by=amira,
            organisation=charity,
            values={"name": person.name, "date_of_birth": person.date_of_birth},
            consent=people_services.ConsentGiven(
                purpose="Support", method=ConsentMethod.IN_PERSON, given_on=date.today()
            ),
        ).person
        drafts = []
        for language in ("en", "ar"):
            draft = assessment_services.start_assessment(
                by=amira,
                organisation=charity,
                person=person,
                instrument_slug="integration-journey",
                mode=AssessmentMode.CASEWORKER_LED,
                language=language,
                assessed_on=date.today() - timedelta(days=1 if language == "en" else 2),
            )
            drafts.append(draft)
    with _in_scope(tom, charity):
        restricted = privacy_services.restrict_processing(
            by=tom, organisation=charity, person=restricted, ground="accuracy"
        )
    return Site(
        base_url=live_server.url,
        users=users,
        person=person,
        duplicate=duplicate,
        restricted=restricted,
        draft_en=drafts[0],
        draft_ar=drafts[1],
        completed=completed,
        organisation=charity,
        immigration_status=ImmigrationStatus.objects.first(),
        referral=referral,
    )


# --- Browsing as someone, in a language, at a width --------------------------------------


@dataclass
class Variant:
    language: str
    width_name: str
    viewport: dict[str, int]

    @property
    def name(self) -> str:
        return f"{self.language} {self.width_name}"


class Browsing:
    """One browser context per person for a language and width, signed in on first use."""

    def __init__(self, browser: Any, site: Site, variant: Variant) -> None:
        self.browser, self.site, self.variant = browser, site, variant
        self.pages: dict[str, Any] = {}
        self.two_factor_user = ""  # set by the visit that sets two-factor up
        self.set_password_link = ""  # set by the visit that sends one
        self.statuses: dict[int, int] = {}  # id(page) → status of its last page load

    def new_page(self) -> Any:
        context = self.browser.new_context(
            base_url=self.site.base_url, viewport=self.variant.viewport, locale="en-GB"
        )
        context.add_cookies(
            [{"name": "django_language", "value": self.variant.language, "url": self.site.base_url}]
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("response", lambda response: self._note_status(page, response))
        return page

    def _note_status(self, page: Any, response: Any) -> None:
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            self.statuses[id(page)] = response.status

    def status_of(self, page: Any) -> int | None:
        return self.statuses.get(id(page))

    def as_(self, username: str | None) -> Any:
        key = username or "anonymous"
        if key not in self.pages:
            page = self.new_page()
            if username is not None:
                sign_in(page, username)
            self.pages[key] = page
        return self.pages[key]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """By field ids and the form's own button, so it works whatever the page's language."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


# --- The pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """A page as someone reaches it. `open` navigates there (and may act, e.g. submit an
    empty form to see its errors) and returns the page to check, usually the same one."""

    label: str
    url_name: str | None  # the URL pattern checked; None for error pages
    who: str | None
    open: Callable[[Browsing, Any], Any]
    language: str | None = None  # when the page is in a language of its own
    status: int | None = 200  # of the page checked, so a flow that went astray is noticed
    skip_link: bool = True
    # Checks that do not apply to this page, each with the reason: {rule prefix: why}.
    not_applicable: dict[str, str] = field(default_factory=dict)


def goto(path: Callable[[Site], str] | str) -> Callable[[Browsing, Any], Any]:
    def open_page(browsing: Browsing, page: Any) -> Any:
        page.goto(path(browsing.site) if callable(path) else path)
        return page

    return open_page


def submit_empty(path: Callable[[Site], str] | str, form: str = "main form") -> Callable[..., Any]:
    """Opens the page and sends its form as it is, or with its text fields emptied, to see
    the errors a hurried user sees."""

    def open_page(browsing: Browsing, page: Any) -> Any:
        page.goto(path(browsing.site) if callable(path) else path)
        target = page.locator(form).first
        for field_ in target.locator(
            "input[type=text], input[type=email], input[type=date], input[type=password], "
            "input[type=number], textarea"
        ).all():
            if field_.is_visible():
                field_.fill("")
        with page.expect_navigation():
            target.locator("button[type=submit]").first.click()
        return page

    return open_page


def search_people(query: str) -> Callable[..., Any]:
    def open_page(browsing: Browsing, page: Any) -> Any:
        page.goto("/people/")
        page.fill("#id_q", query)
        with page.expect_navigation():
            page.locator("form.search-form button[type=submit]").click()
        return page

    return open_page


def ask_first(path: Callable[[Site], str], button: str) -> Callable[..., Any]:
    """Opens the page and presses its destructive button (`button`, a CSS selector), which
    only asks; the page checked is the question."""

    def open_page(browsing: Browsing, page: Any) -> Any:
        page.goto(path(browsing.site))
        with page.expect_navigation():
            page.locator(button).first.click()
        return page

    return open_page


def register_again() -> Callable[..., Any]:
    """The registration form filled in for someone already registered: the duplicates check."""

    def open_page(browsing: Browsing, page: Any) -> Any:
        page.goto("/people/register/")
        page.locator("#id_consent_given").check()
        page.locator("#id_consent_method").select_option("interpreter")
        page.fill("#id_name", browsing.site.person.name)
        page.fill("#id_date_of_birth", browsing.site.person.date_of_birth.isoformat())
        with page.expect_navigation():
            page.locator("main form button[type=submit]").last.click()
        return page

    return open_page


def person_path(name: str) -> Callable[[Site], str]:
    return lambda site: {
        "detail": f"/people/{site.person.pk}/",
        "edit": f"/people/{site.person.pk}/edit/",
        "consent": f"/people/{site.person.pk}/consent/",
        "household": f"/people/{site.person.pk}/household/",
        "start": f"/assessments/person/{site.person.pk}/start/",
        "journey": f"/journeys/person/{site.person.pk}/",
        "summary": f"/journeys/person/{site.person.pk}/summary/",
        "privacy": f"/privacy/people/{site.person.pk}/",
        "erase": f"/privacy/people/{site.person.pk}/erase/",
    }[name]


PEOPLE = [
    Visit("home (caseworker)", "site:home", "amira", goto("/")),
    Visit("people list", "people:list", "amira", goto("/people/")),
    Visit("people list, second page", "people:list", "amira", goto("/people/?page=2")),
    Visit("people search", "people:list", "amira", search_people("a")),
    Visit("people search, nobody", "people:list", "amira", search_people("Nobody Bythatname")),
    Visit("register", "people:register", "amira", goto("/people/register/")),
    Visit("register, errors", "people:register", "amira", submit_empty("/people/register/")),
    Visit("register, possible duplicates", "people:register", "amira", register_again()),
    Visit("person", "people:detail", "amira", goto(person_path("detail"))),
    Visit("person shared with the council", "people:detail", "sadia", goto(person_path("detail"))),
    Visit(
        "person, possible duplicate",
        "people:detail",
        "amira",
        goto(lambda site: f"/people/{site.duplicate.pk}/"),
    ),
    Visit(
        "person, restricted",
        "people:detail",
        "amira",
        goto(lambda site: f"/people/{site.restricted.pk}/"),
    ),
    Visit("edit person", "people:edit", "amira", goto(person_path("edit"))),
    Visit("edit person, errors", "people:edit", "amira", submit_empty(person_path("edit"))),
    Visit("record consent", "people:add_consent", "amira", goto(person_path("consent"))),
    Visit(
        "record consent, errors",
        "people:add_consent",
        "amira",
        submit_empty(person_path("consent")),
    ),
    Visit(
        "withdraw consent, asks first",
        "people:withdraw_consent",
        "amira",
        goto(
            lambda site: (
                f"/people/{site.person.pk}/consent/"
                f"{Consent._base_manager.filter(person=site.person).order_by('pk').first().pk}/withdraw/"
            )
        ),
    ),
    Visit(
        "merge two records",
        "people:merge",
        "amira",
        goto(lambda site: f"/people/{site.duplicate.pk}/merge/{site.person.pk}/"),
    ),
    Visit(
        "merge two records, errors",
        "people:merge",
        "amira",
        submit_empty(lambda site: f"/people/{site.duplicate.pk}/merge/{site.person.pk}/"),
    ),
    Visit("household", "people:household", "amira", goto(person_path("household"))),
    Visit(
        "household, asks before removing",
        "people:household",
        "amira",
        ask_first(person_path("household"), "main form:has(input[name=unlink]) button"),
    ),
    Visit(
        "household, errors",
        "people:household",
        "amira",
        submit_empty(person_path("household"), form="main form:not(:has(input[name=unlink]))"),
    ),
]

ASSESSMENTS = [
    Visit("start an assessment", "assessments:start", "amira", goto(person_path("start"))),
    Visit(
        "start an assessment, errors",
        "assessments:start",
        "amira",
        submit_empty(person_path("start")),
    ),
    Visit(
        "domain page, English questions",
        "assessments:domain",
        "amira",
        goto(lambda site: f"/assessments/{site.draft_en.pk}/domain/1/"),
    ),
    Visit(
        "domain page, Arabic questions",
        "assessments:domain",
        "amira",
        goto(lambda site: f"/assessments/{site.draft_ar.pk}/domain/2/"),
    ),
    Visit(
        "review and complete",
        "assessments:review",
        "amira",
        goto(lambda site: f"/assessments/{site.draft_en.pk}/review/"),
    ),
    Visit(
        "discard a draft, asks first",
        "assessments:discard",
        "amira",
        goto(lambda site: f"/assessments/{site.draft_en.pk}/discard/"),
    ),
    Visit(
        "assessment result",
        "assessments:result",
        "amira",
        goto(lambda site: f"/assessments/{site.completed.pk}/"),
    ),
]

JOURNEYS = [
    Visit("journey", "journeys:person", "amira", goto(person_path("journey"))),
    # The printout is in the person's language inside a page in the reader's: the page's
    # language is the reader's, whichever the printout is in.
    Visit("summary to print", "journeys:summary", "amira", goto(person_path("summary"))),
    Visit(
        "summary printed in Arabic",
        "journeys:summary",
        "amira",
        goto(lambda site: person_path("summary")(site) + "?language=ar"),
    ),
    Visit(
        "summary printed in English",
        "journeys:summary",
        "amira",
        goto(lambda site: person_path("summary")(site) + "?language=en"),
    ),
    Visit("caseload journeys", "journeys:cohort", "tom", goto("/journeys/cohort/")),
    Visit("my caseload", "journeys:mine", "amira", goto("/journeys/mine/")),
    Visit("host survey upload", "transfer:host_survey", "admin", goto("/transfer/host-survey/")),
    Visit("host norms", "journeys:norms", "amira", goto("/journeys/norms/")),
]


def plan_path(name: str) -> Callable[[Site], str]:
    """A page of one of Amira's organisation's demo plans still in draft."""

    def path(site: Site) -> str:
        from pathmark.plans.models import Plan

        with system_scope("accessibility: a demo plan"):
            plan = (
                Plan.objects.filter(
                    organisation__slug="northbridge-refugee-support", status="draft"
                )
                .order_by("pk")
                .first()
            )
            goal = plan.goals.order_by("priority").first()
            action = goal.actions.order_by("order").first()
        return {
            "detail": f"/plans/{plan.pk}/",
            "add_goal": f"/plans/{plan.pk}/goals/add/",
            "agree": f"/plans/{plan.pk}/agree/",
            "review": f"/plans/{plan.pk}/review/",
            "close": f"/plans/{plan.pk}/close/",
            "history": f"/plans/{plan.pk}/history/",
            "print": f"/plans/{plan.pk}/print/",
            "edit_goal": f"/plans/goals/{goal.pk}/",
            "add_action": f"/plans/goals/{goal.pk}/actions/add/",
            "edit_action": f"/plans/actions/{action.pk}/",
        }[name]

    return path


def plan_referral_action_path(site: Site) -> str:
    """The sending page of a referral action of one of Amira's organisation's demo plans."""
    from pathmark.plans.models import Action

    with system_scope("accessibility: a demo plan's referral action"):
        action = (
            Action.objects.filter(
                goal__plan__organisation__slug="northbridge-refugee-support",
                goal__plan__status__in=["draft", "agreed"],
                kind="referral",
                service__isnull=False,
                referrals__isnull=True,
            )
            .order_by("pk")
            .first()
        )
    assert action is not None, "the demo plans have no referral action to send"
    return f"/referrals/from-plan-action/{action.pk}/"


PLANS = [
    Visit(
        "draft a plan, asks first",
        "plans:draft",
        "amira",
        goto(lambda site: f"/plans/from-assessment/{site.completed.pk}/"),
    ),
    Visit("plan", "plans:detail", "amira", goto(plan_path("detail"))),
    Visit("plan history", "plans:history", "amira", goto(plan_path("history"))),
    Visit("plan to print, client's language", "plans:print", "amira", goto(plan_path("print"))),
    Visit(
        "plan printed in Arabic",
        "plans:print",
        "amira",
        goto(lambda site: plan_path("print")(site) + "?language=ar"),
    ),
    Visit("add a goal", "plans:add_goal", "amira", goto(plan_path("add_goal"))),
    Visit("add a goal, errors", "plans:add_goal", "amira", submit_empty(plan_path("add_goal"))),
    Visit("change a goal", "plans:edit_goal", "amira", goto(plan_path("edit_goal"))),
    Visit("add an action", "plans:add_action", "amira", goto(plan_path("add_action"))),
    Visit(
        "add an action, errors", "plans:add_action", "amira", submit_empty(plan_path("add_action"))
    ),
    Visit("change an action", "plans:edit_action", "amira", goto(plan_path("edit_action"))),
    Visit("record agreement", "plans:agree", "amira", goto(plan_path("agree"))),
    Visit("record agreement, errors", "plans:agree", "amira", submit_empty(plan_path("agree"))),
    Visit("review a plan", "plans:review", "amira", goto(plan_path("review"))),
    Visit("review a plan, errors", "plans:review", "amira", submit_empty(plan_path("review"))),
    Visit("close a plan, asks first", "plans:close", "amira", goto(plan_path("close"))),
]


def client_link(*, language: str = "ar", sent: bool = False) -> Callable[[Browsing, Any], Any]:
    """A client's link made for amira's client, opened on the client's phone (no account);
    with `sent`, after the answers went in, when the link shows their journey."""

    def open_page(browsing: Browsing, page: Any) -> Any:
        from pathmark.selfservice import services as link_services

        site = browsing.site
        amira = site.users["amira"]
        with _in_scope(amira, site.organisation):
            issued = link_services.issue_link(
                by=amira,
                organisation=site.organisation,
                person=site.person,
                instrument_slug="integration-journey",
                language=language,
            )
            if sent:
                link_services.submit_answers(
                    organisation=site.organisation,
                    link=issued.link,
                    answers={"economic-stability": {"money-for-bills": "agree"}},
                )
        page.goto(f"/self/c/{issued.secret}/")
        return page

    return open_page


def make_client_link(browsing: Browsing, page: Any) -> Any:
    page.goto(f"/self/person/{browsing.site.person.pk}/link/")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    return page


SELFSERVICE = [
    Visit(
        "client link form",
        "selfservice:issue",
        "amira",
        goto(lambda site: f"/self/person/{site.person.pk}/link/"),
    ),
    Visit("client link made (QR code)", "selfservice:issue", "amira", make_client_link, status=201),
    Visit("client's questions in Arabic", "selfservice:client", None, client_link(), language="ar"),
    Visit(
        "client's questions in English",
        "selfservice:client",
        None,
        client_link(language="en"),
        language="en",
    ),
    Visit(
        "client's journey after sending",
        "selfservice:client",
        None,
        client_link(sent=True),
        language="ar",
    ),
    Visit(
        "client link that does not work",
        "selfservice:client",
        None,
        goto("/self/c/" + "x" * 43 + "/"),
        status=404,
    ),
]


def download_subject_access(browsing: Browsing, page: Any) -> Any:
    """The readable copy is a file the person is given; it is opened on its own, as they
    would open it, with no stylesheet of the site."""
    page.goto(person_path("privacy")(browsing.site))
    page.locator("input[name=format][value=html]").check()
    with page.expect_download() as download:
        page.locator("form[action$='/export/'] button[type=submit]").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    copy = browsing.new_page()
    browsing.pages[f"subject access copy {len(browsing.pages)}"] = copy
    copy.set_content(html)
    return copy


def restrict_without_ground(browsing: Browsing, page: Any) -> Any:
    page.goto(person_path("privacy")(browsing.site))
    with page.expect_navigation():
        page.locator("form[action$='/restrict/'] button[type=submit]").click()
    return page


PRIVACY = [
    Visit("data protection", "privacy:person", "tom", goto(person_path("privacy"))),
    Visit(
        "data protection, restricted",
        "privacy:person",
        "tom",
        goto(lambda site: f"/privacy/people/{site.restricted.pk}/"),
    ),
    Visit("restrict, errors", "privacy:restrict", "tom", restrict_without_ground),
    Visit("erase", "privacy:erase", "tom", goto(person_path("erase"))),
    Visit("erase, errors", "privacy:erase", "tom", submit_empty(person_path("erase"))),
    Visit(
        "subject access copy (HTML)",
        "privacy:export",
        "tom",
        download_subject_access,
        status=None,  # opened from the downloaded file
        language="ar",  # the person's preferred language, whoever downloads it
        skip_link=False,  # one page with no repeated navigation to skip
        not_applicable={
            "reflow": "a file with no styles by design (privacy/rendering.py); its paragraphs "
            "reflow, and only its data tables, which 1.4.10 exempts, are wider than a phone"
        },
    ),
]

# A people file with one good row and one with mistakes, so the job page shows problems and
# the preview with the cells marked.
IMPORT_CSV = (
    "external_id,name,date_of_birth,gender,consent_to_share,consent_date\n"
    "acc-1,Imported Person,1990-02-03,woman,yes,2025-01-10\n"
    "acc-2,,03/04/1991,unknown,no,2025-01-10\n"
)


def upload_import(browsing: Browsing, page: Any) -> Any:
    page.goto("/transfer/")
    page.locator("#id_what").select_option("people")
    page.set_input_files(
        "#id_file",
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode()}],
    )
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/transfer/imports/\d+/"))
    return page


def prepare_export(browsing: Browsing, page: Any) -> Any:
    """A manager prepares an export; the page then lists it with its download link."""
    page.goto("/transfer/export/")
    with page.expect_navigation():
        page.locator("main form:not([action]) button[type=submit]").click()
    page.goto("/transfer/export/")
    return page


TRANSFER = [
    Visit("import and export", "transfer:index", "tom", goto("/transfer/")),
    Visit(
        "import, errors",
        "transfer:index",
        "tom",
        submit_empty("/transfer/", form="main form[enctype]"),
    ),
    Visit("import job with problems", "transfer:job", "tom", upload_import),
    Visit("export", "transfer:export", "tom", goto("/transfer/export/")),
    Visit("export prepared", "transfer:export", "tom", prepare_export),
]

AUDIT = [
    Visit("audit log", "audit:list", "tom", goto("/audit/")),
    Visit("audit log, second page", "audit:list", "tom", goto("/audit/?page=2")),
    Visit(
        "audit log, filtered",
        "audit:list",
        "tom",
        goto(lambda site: f"/audit/?action=person.viewed&person={site.person.reference}"),
    ),
    Visit(
        "audit log, a filter refused",
        "audit:list",
        "tom",
        goto("/audit/?person=not-a-reference&since=2026-13-40"),
    ),
]


def fail_sign_in(times: int, *, username: str) -> Callable[..., Any]:
    def open_page(browsing: Browsing, page: Any) -> Any:
        name = f"{username}-{browsing.variant.language}-{browsing.variant.width_name}"
        for _ in range(times):
            sign_in(page, name, password="not the password")  # noqa: S106
        return page

    return open_page


def rate_limited(browsing: Browsing, page: Any) -> Any:
    with override_settings(AUTH_RATE_LIMIT=0):
        sign_in(page, "amira")
    return page


def _secret_key(page: Any) -> bytes:
    text = "".join(page.locator(".secret-key span").all_inner_texts()).replace(" ", "")
    return base64.b32decode(text)


def set_up_two_factor(browsing: Browsing, page: Any) -> Any:
    """A new user sets up an authenticator app; the response shows the backup codes once."""
    user = browsing.site.new_caseworker("two-factor")
    page = browsing.new_page()
    sign_in(page, user.username)
    page.goto("/accounts/two-factor/")
    page.fill("#id_code", f"{totp(_secret_key(page)):06d}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".backup-codes li").count() > 0, "two-factor set-up did not finish"
    browsing.pages[f"two-factor:{user.username}"] = page
    browsing.two_factor_user = user.username
    return page


def verify_page(*, wrong_code: bool) -> Callable[..., Any]:
    def open_page(browsing: Browsing, page: Any) -> Any:
        page = browsing.new_page()
        browsing.pages[f"verify-{wrong_code}"] = page
        sign_in(page, browsing.two_factor_user)
        page.wait_for_url(re.compile(r"/accounts/verify/"))
        if wrong_code:
            page.fill("#id_code", "000000")
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
        return page

    return open_page


def renew_backup_codes(browsing: Browsing, page: Any) -> Any:
    page = browsing.pages[f"two-factor:{browsing.two_factor_user}"]
    page.goto("/accounts/")
    with page.expect_navigation():
        page.locator("form[action$='/backup-codes/'] button").click()
    assert page.locator(".backup-codes li").count() > 0, "no new backup codes"
    return page


def account_with_two_factor(browsing: Browsing, page: Any) -> Any:
    page = browsing.pages[f"two-factor:{browsing.two_factor_user}"]
    page.goto("/accounts/")
    return page


def sign_out_everywhere(browsing: Browsing, page: Any) -> Any:
    user = browsing.site.new_caseworker("everywhere")
    page = browsing.new_page()
    browsing.pages[f"everywhere:{user.username}"] = page
    sign_in(page, user.username)
    page.goto("/accounts/")
    page.locator("form[action$='/sign-out-everywhere/'] button").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    return page


def send_set_password_link(browsing: Browsing, page: Any) -> Any:
    """An administrator makes a new set-password link: the member's page shows it once."""
    page.goto(f"/accounts/users/{browsing.site.users['sadia'].pk}/")
    with page.expect_navigation():
        page.locator("form[action$='/set-password-link/'] button").click()
    browsing.set_password_link = page.locator("#set-password-link").input_value()
    return page


def open_set_password_link(*, errors: bool) -> Callable[..., Any]:
    """The member opens the link, signed out, and (for the errors) sends the form empty."""

    def open_page(browsing: Browsing, page: Any) -> Any:
        key = "set-password link"
        if key not in browsing.pages:
            browsing.pages[key] = browsing.new_page()
            # The link names the configured site address; the path is what matters here.
            browsing.pages[key].goto(urlsplit(browsing.set_password_link).path)
        page = browsing.pages[key]
        assert page.locator("#id_new_password1").count() == 1, "the link did not work"
        if errors:
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
        return page

    return open_page


def user_with_two_organisations(browsing: Browsing, page: Any) -> Any:
    user = browsing.site.new_caseworker("two-organisations")
    Membership.objects.create(
        user=user,
        organisation=Organisation.objects.get(slug="northbridge-council"),
        role=Role.CASEWORKER,
    )
    page = browsing.new_page()
    browsing.pages[f"two-organisations:{user.username}"] = page
    sign_in(page, user.username)
    page.goto("/")
    return page


def invited_by_the_council(*, accept: bool) -> Callable[..., Any]:
    """A caseworker of the charity whom the council invited (issue 13: an existing account
    joins another organisation only by accepting), on the invitations page; with `accept`,
    after accepting it."""

    def open_page(browsing: Browsing, page: Any) -> Any:
        from pathmark.accounts.models import Invitation

        user = browsing.site.new_caseworker("invited")
        Invitation.objects.create(
            user=user,
            organisation=Organisation.objects.get(slug="northbridge-council"),
            role=Role.CASEWORKER,
            invited_by=browsing.site.users["admin"],
        )
        page = browsing.new_page()
        browsing.pages[f"invited:{user.username}"] = page
        sign_in(page, user.username)
        page.goto("/accounts/invitations/")
        if accept:
            with page.expect_navigation():
                page.locator("main form button[type=submit]").first.click()
        return page

    return open_page


def intervention_path(tail: str, *, title: str = "ESOL Entry 1-3 classes") -> Callable[[Site], str]:
    """A page of one of the demo's interventions in the evidence bank."""

    def path(site: Site) -> str:
        from pathmark.evidence.models import Intervention

        return f"/evidence/{Intervention.objects.get(title=title).pk}/{tail}"

    return path


def users_with_an_invitation(browsing: Browsing, page: Any) -> Any:
    """The administrator's staff page while an invitation of theirs waits for an answer
    (with its expiry date and the button that withdraws it)."""
    from pathmark.accounts.models import Invitation

    admin = browsing.site.users["admin"]
    mine = Membership.objects.filter(user=admin).first()
    assert mine is not None
    elsewhere = Organisation.objects.exclude(pk=mine.organisation_id).first()
    user = UserFactory(username=f"waiting-{next(browsing.site.fresh)}", first_name="Waiting")
    Membership.objects.create(user=user, organisation=elsewhere, role=Role.CASEWORKER)
    Invitation.objects.create(
        user=user, organisation=mine.organisation, role=Role.CASEWORKER, invited_by=admin
    )
    page.goto("/accounts/users/")
    return page


def user_without_organisation(browsing: Browsing, page: Any) -> Any:
    user = UserFactory(
        username=f"no-organisation-{browsing.variant.language}-{browsing.variant.width_name}"
    )
    page = browsing.new_page()
    browsing.pages[f"no-organisation:{user.username}"] = page
    sign_in(page, user.username)
    page.goto("/")
    return page


ACCOUNTS = [
    Visit("sign in", "accounts:login", None, goto("/accounts/login/")),
    Visit("sign in, wrong password", "accounts:login", None, fail_sign_in(1, username="wrong")),
    Visit(
        "sign in, locked out",
        "accounts:login",
        None,
        fail_sign_in(6, username="locked"),
        status=429,
    ),
    Visit("sign in, too many attempts", "accounts:login", None, rate_limited, status=429),
    Visit("home (administrator)", "site:home", "admin", goto("/")),
    Visit("home (analyst)", "site:home", "priya", goto("/")),
    Visit("home (service provider)", "site:home", "lena", goto("/")),
    Visit("home (two organisations)", "site:home", None, user_with_two_organisations),
    # Every page but the account's own is closed to them: the start page answers not found.
    Visit("home (no organisation)", "site:home", None, user_without_organisation, status=404),
    Visit("your account", "accounts:account", "amira", goto("/accounts/")),
    Visit("change password", "accounts:password_change", "amira", goto("/accounts/password/")),
    Visit(
        "change password, errors",
        "accounts:password_change",
        "amira",
        submit_empty("/accounts/password/"),
    ),
    Visit("set up two-factor", "accounts:two_factor_setup", "amira", goto("/accounts/two-factor/")),
    Visit(
        "set up two-factor, errors",
        "accounts:two_factor_setup",
        "amira",
        submit_empty("/accounts/two-factor/"),
    ),
    Visit("backup codes after set-up", "accounts:two_factor_setup", None, set_up_two_factor),
    Visit("your account, two-factor on", "accounts:account", None, account_with_two_factor),
    Visit("new backup codes", "accounts:renew_backup_codes", None, renew_backup_codes),
    Visit("confirm it is you", "accounts:verify", None, verify_page(wrong_code=False)),
    Visit("confirm it is you, errors", "accounts:verify", None, verify_page(wrong_code=True)),
    Visit("signed out everywhere", "accounts:sign_out_everywhere", None, sign_out_everywhere),
    Visit("users", "accounts:users", "admin", goto("/accounts/users/")),
    Visit("users, an invitation waiting", "accounts:users", "admin", users_with_an_invitation),
    Visit("invitations", "accounts:invitations", None, invited_by_the_council(accept=False)),
    Visit(
        "invitations, one accepted",
        "accounts:invitations",
        None,
        invited_by_the_council(accept=True),
    ),
    Visit(
        "user",
        "accounts:user",
        "admin",
        goto(lambda site: f"/accounts/users/{site.users['sadia'].pk}/"),
    ),
    Visit(
        "user, yourself",
        "accounts:user",
        "admin",
        goto(lambda site: f"/accounts/users/{site.users['admin'].pk}/"),
    ),
    Visit(
        "remove a member, asks first",
        "accounts:remove_member",
        "admin",
        ask_first(
            lambda site: f"/accounts/users/{site.users['sadia'].pk}/",
            "main form[action$='/remove/'] button",
        ),
    ),
    Visit(
        "deactivate a member, asks first",
        "accounts:deactivate_user",
        "admin",
        ask_first(
            lambda site: f"/accounts/users/{site.users['sadia'].pk}/",
            "main form[action$='/deactivate/'] button",
        ),
    ),
    Visit(
        "switch an account off everywhere, asks first",
        "accounts:partnership_account",
        "admin",
        ask_first(
            lambda site: f"/accounts/partnership/accounts/{site.users['sadia'].pk}/",
            "main form button.danger",
        ),
    ),
    Visit("add a staff member", "accounts:add_member", "admin", goto("/accounts/users/add/")),
    Visit(
        "add a staff member, errors",
        "accounts:add_member",
        "admin",
        submit_empty("/accounts/users/add/"),
    ),
    Visit(
        "user, set-password link shown once",
        "accounts:send_set_password_link",
        "admin",
        send_set_password_link,
    ),
    Visit(
        "choose your password", "accounts:set_password", None, open_set_password_link(errors=False)
    ),
    Visit(
        "choose your password, errors",
        "accounts:set_password",
        None,
        open_set_password_link(errors=True),
    ),
    Visit(
        "set-password link that does not work",
        "accounts:set_password",
        None,
        goto("/accounts/set-password/MQ/not-a-token/"),
    ),
    Visit(
        "organisation settings",
        "accounts:organisation_settings",
        "admin",
        goto("/accounts/organisation/settings/"),
    ),
    Visit(
        "organisation settings, errors",
        "accounts:organisation_settings",
        "admin",
        submit_empty("/accounts/organisation/settings/"),
    ),
    Visit(
        "organisations of the partnership",
        "accounts:organisations",
        "admin",
        goto("/accounts/organisations/"),
    ),
    Visit(
        "every account in the partnership",
        "accounts:partnership_accounts",
        "admin",
        goto("/accounts/partnership/accounts/"),
    ),
    Visit(
        "one account of the partnership",
        "accounts:partnership_account",
        "admin",
        goto(lambda site: f"/accounts/partnership/accounts/{site.users['sadia'].pk}/"),
    ),
    Visit(
        "add an organisation",
        "accounts:new_organisation",
        "admin",
        goto("/accounts/organisations/new/"),
    ),
    Visit(
        "add an organisation, errors",
        "accounts:new_organisation",
        "admin",
        submit_empty("/accounts/organisations/new/"),
    ),
    Visit(
        "immigration status categories",
        "people:immigration_statuses",
        "admin",
        goto("/people/immigration-statuses/"),
    ),
    Visit(
        "immigration status categories, errors",
        "people:immigration_statuses",
        "admin",
        submit_empty("/people/immigration-statuses/"),
    ),
    Visit(
        "change an immigration status category",
        "people:edit_immigration_status",
        "admin",
        goto(lambda site: f"/people/immigration-statuses/{site.immigration_status.pk}/"),
    ),
]


def csrf_failure(browsing: Browsing, page: Any) -> Any:
    """A form sent after the browser lost its CSRF cookie, as when cookies were cleared."""
    page.goto("/")
    page.context.clear_cookies(name="csrftoken")
    with page.expect_navigation():
        page.locator("form.language button[type=submit]").click()
    return page


ERRORS = [
    Visit("not found", None, "amira", goto("/people/999999/"), status=404),
    Visit("not found, signed out", None, None, goto("/no-such-page/"), status=404),
    Visit("bad request", None, "amira", goto("/test-errors/400/"), status=400),
    Visit("not allowed", None, "amira", goto("/test-errors/403/"), status=403),
    Visit("form expired (CSRF)", None, "amira", csrf_failure, status=403),
    Visit(
        "server error",
        None,
        "amira",
        goto("/test-errors/500/"),
        status=500,
        skip_link=False,  # the bare page Django serves when all else failed: nothing to skip
    ),
]

REFERRALS = [
    Visit("referrals sent", "referrals:sent", "amira", goto("/referrals/")),
    Visit("referrals inbox", "referrals:inbox", "lena", goto("/referrals/inbox/")),
    Visit(
        "referral (sender)",
        "referrals:detail",
        "amira",
        goto(lambda site: f"/referrals/{site.referral.pk}/"),
    ),
    Visit(
        "referral (receiver)",
        "referrals:detail",
        "lena",
        goto(lambda site: f"/referrals/{site.referral.pk}/"),
    ),
    Visit(
        "send a plan action's referral",
        "referrals:from_plan_action",
        "amira",
        goto(plan_referral_action_path),
    ),
    Visit(
        "send a plan action's referral, errors",
        "referrals:from_plan_action",
        "amira",
        submit_empty(plan_referral_action_path),
    ),
    Visit(
        "where best to refer",
        "referrals:where_to_refer",
        "amira",
        goto(lambda site: f"/referrals/where-to-refer/{site.person.pk}/"),
    ),
]

REPORTS = [
    Visit("what works", "reports:what_works", "priya", goto("/reports/what-works/")),
    Visit("where referrals fail", "reports:referrals", "priya", goto("/reports/referrals/")),
    Visit("wasted skills", "reports:skills", "priya", goto("/reports/skills/")),
    Visit("needs by area", "reports:needs", "priya", goto("/reports/needs/?group_by=area")),
    Visit("reports", "reports:index", "priya", goto("/reports/")),
    Visit("needs report", "reports:needs", "priya", goto("/reports/needs/")),
    Visit("outcomes report", "reports:outcomes", "priya", goto("/reports/outcomes/")),
]


def directory_path(slug: str, page: str = "") -> Callable[[Site], str]:
    """A demo service's page (its id derives from its short name in demo/directory.py)."""

    def path(site: Site) -> str:
        from pathmark.demo.directory import demo_service_id

        return f"/directory/services/{demo_service_id(slug)}/{page}"

    return path


def upload_package(browsing: Browsing, page: Any) -> Any:
    """The host's administrator uploads the HSDS specification's example service; the job
    page shows its preview (the check runs at once in tests)."""
    example = Path(__file__).resolve().parents[2] / "pathmark/directory/tests/data/hsds-example"
    page.goto("/transfer/directory/")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "service.json",
                "mimeType": "application/json",
                "buffer": (example / "service_full.json").read_bytes(),
            }
        ],
    )
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    return page


DIRECTORY = [
    Visit("directory search", "directory:search", "amira", goto("/directory/?theme=english-esol")),
    Visit("a service", "directory:detail", "amira", goto(directory_path("college-esol-entry"))),
    Visit(
        "a confidential service, own organisation",
        "directory:detail",
        "amira",
        goto(directory_path("nrs-womens-refuge")),
    ),
    Visit(
        "edit a service",
        "directory:edit",
        "lena",
        goto(directory_path("college-esol-entry", "edit/")),
    ),
    Visit(
        "edit a service, errors",
        "directory:edit",
        "lena",
        submit_empty(directory_path("college-esol-entry", "edit/")),
    ),
    Visit("directory upload", "transfer:directory_upload", "admin", goto("/transfer/directory/")),
    Visit("directory upload checked", "transfer:directory_job", "admin", upload_package),
]


def capacity_path(which: str, page: str = "") -> Callable[[Site], str]:
    """The Syrian Community Association's demo self-assessments (demo/capacity.py): its
    draft under way, or its latest completed one."""

    def path(site: Site) -> str:
        from pathmark.capacity.models import CapacityAssessment

        rows = CapacityAssessment.objects.filter(
            organisation__slug="syrian-community-association",
            status="draft" if which == "draft" else "completed",
        ).order_by("-assessed_on", "-pk")
        return f"/capacity/{rows.first().pk}/{page}"  # type: ignore[union-attr]

    return path


EVIDENCE = [
    Visit("evidence bank", "evidence:bank", "priya", goto("/evidence/")),
    Visit("case-study shortlist", "evidence:shortlist", "priya", goto("/evidence/shortlist/")),
    Visit("an intervention, as a reader", "evidence:detail", "priya", goto(intervention_path(""))),
    Visit(
        "an intervention, as its organisation's manager",
        "evidence:detail",
        "tom",
        goto(intervention_path("", title="Welcome walks")),
    ),
    Visit("add an intervention", "evidence:add", "tom", goto("/evidence/new/")),
    Visit(
        "remove evidence, asks first",
        "evidence:remove",
        "tom",
        ask_first(
            intervention_path("", title="Welcome walks"), "main form[action$='/remove/'] button"
        ),
    ),
    Visit("add an intervention, errors", "evidence:add", "tom", submit_empty("/evidence/new/")),
    Visit(
        "edit an intervention",
        "evidence:edit",
        "tom",
        goto(intervention_path("edit/", title="Welcome walks")),
    ),
]


CAPACITY = [
    Visit("capacity self-assessments", "capacity:index", "omar", goto("/capacity/")),
    Visit(
        "start a capacity self-assessment, errors",
        "capacity:index",
        "omar",
        submit_empty("/capacity/"),
    ),
    Visit("a capacity area", "capacity:area", "omar", goto(capacity_path("draft", "area/4/"))),
    Visit(
        "capacity, check your answers",
        "capacity:review",
        "omar",
        goto(capacity_path("draft", "review/")),
    ),
    Visit(
        "capacity, discard asks first",
        "capacity:discard",
        "omar",
        goto(capacity_path("draft", "discard/")),
    ),
    Visit("capacity result", "capacity:result", "omar", goto(capacity_path("completed"))),
    Visit(
        "capacity result read by the host",
        "capacity:result",
        "admin",
        goto(capacity_path("completed")),
    ),
    Visit(
        "which organisations need which support",
        "capacity:partnership",
        "admin",
        goto("/capacity/partnership/"),
    ),
    Visit(
        "support needs, filtered",
        "capacity:partnership",
        "grace",
        goto(
            "/capacity/partnership/?kind=community_organisation&domain=safeguarding&stage=needs-support-to-start"
        ),
    ),
]

GROUPS = {
    "people": PEOPLE,
    "capacity": CAPACITY,
    "evidence": EVIDENCE,
    "directory": DIRECTORY,
    "assessments": ASSESSMENTS,
    "journeys": JOURNEYS,
    "selfservice": SELFSERVICE,
    "plans": PLANS,
    "privacy": PRIVACY,
    "transfer": TRANSFER,
    "audit": AUDIT,
    "accounts": ACCOUNTS,
    "errors": ERRORS,
    "reports": REPORTS,
    "referrals": REFERRALS,
}

# Named URL patterns that are not pages anyone reads, and why.
NOT_PAGES = {
    "site:health": "plain 'ok' for load balancers",
    "set_language": "POST only; redirects back to the page it came from",
    "accounts:logout": "POST only; redirects to accounts:login",
    "accounts:switch_organisation": "POST only; redirects to site:home",
    "accounts:two_factor_requirement": "POST only; redirects to accounts:users",
    "accounts:reactivate_user": "POST only; redirects to accounts:user",
    "accounts:reset_user_two_factor": (
        "POST only; asks first on the page deactivate_user's visit checks "
        "(accounts/confirm_action.html), then redirects to accounts:user"
    ),
    "accounts:unlock_user": "POST only; redirects to accounts:user",
    "accounts:change_role": "POST only; redirects to accounts:user",
    "accounts:accept_invitation": "POST only; redirects to accounts:invitations",
    "accounts:decline_invitation": "POST only; redirects to accounts:invitations",
    "accounts:withdraw_invitation": "POST only; redirects to accounts:users",
    "evidence:funding": "POST only; redirects to evidence:detail",
    "evidence:evidence": "POST only (a file upload); redirects to evidence:detail",
    "evidence:download": "a file download (attachment), not a page",
    "people:dismiss_duplicate": "POST only; redirects to people:detail",
    "assessments:lift_dispute": "POST only; redirects to assessments:result",
    "privacy:lift": "POST only; redirects to privacy:person",
    "selfservice:revoke": "POST only; redirects to people:detail",
    "transfer:confirm": "POST only; redirects to transfer:job",
    "transfer:cancel": "POST only; redirects to transfer:job",
    "transfer:directory_confirm": "POST only; redirects to transfer:directory_job",
    "transfer:directory_cancel": "POST only; redirects to transfer:directory_job",
    "transfer:template": "a blank CSV or XLSX file to download, not a page",
    "transfer:export_download": "the zip file of an export, not a page",
    "transfer:export_discard": "POST only; redirects to transfer:export",
    "journeys:key_worker": "POST only; redirects to people:detail",
    "journeys:review_worklist": "POST only; redirects to journeys:cohort",
    "journeys:add_life_event": "POST only; redirects to journeys:person",
    "assessments:set_aside": "POST only (withdraw or dispute); redirects to assessments:result",
    "referrals:change": "POST only (accept, decline, start, close, withdraw); redirects to referrals:detail",
    "referrals:rate": "POST only; redirects to referrals:detail",
    "reports:funder": "the funder report as a PDF file to download, not a page",
    "journeys:remove_life_event": "POST only; redirects to journeys:person",
}


# --- Running the checks ------------------------------------------------------------------


def check_pages(browser: Any, site: Site, visits: list[Visit]) -> list[Problem]:
    problems: list[Problem] = []
    for language in LANGUAGES:
        for width_name, viewport in VIEWPORTS:
            variant = Variant(language, width_name, viewport)
            browsing = Browsing(browser, site, variant)
            try:
                for visit in visits:
                    page = visit.open(browsing, browsing.as_(visit.who))
                    status = browsing.status_of(page)
                    if visit.status is not None and status != visit.status:
                        problems.append(
                            Problem(
                                visit.label,
                                variant.name,
                                "reached the page",
                                page.url,
                                f"answered {status}, expected {visit.status}",
                            )
                        )
                        continue
                    expected = visit.language or language
                    problems += [
                        problem
                        for problem in all_problems(
                            page,
                            visit.label,
                            variant.name,
                            language=expected,
                            rtl=expected in RIGHT_TO_LEFT,
                            skip_link=visit.skip_link,
                        )
                        if not problem.rule.startswith(tuple(visit.not_applicable))
                    ]
            finally:
                browsing.close()
    return problems


# Groups failing for a known reason whose fix is in templates changed elsewhere at the time.
# Each mark is strict: once the templates are fixed the test passes, and the mark must go.
KNOWN_FAILURES: dict[str, str] = {}


@pytest.mark.parametrize(
    "group",
    [
        pytest.param(group, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[group]))
        if group in KNOWN_FAILURES
        else group
        for group in GROUPS
    ],
)
def test_pages_meet_wcag_22_aa(group: str, browser, site, settings):  # type: ignore[no-untyped-def]
    if group == "errors":
        settings.ROOT_URLCONF = "tests.browser.error_urls"
    problems = check_pages(browser, site, GROUPS[group])
    assert not problems, report(problems)


def test_every_page_is_checked_or_excluded():
    """A new URL pattern fails here until a visit above checks it or NOT_PAGES says why it
    is not a page."""
    named = {endpoint.name for endpoint in discover_endpoints() if endpoint.name}
    visited = {visit.url_name for visits in GROUPS.values() for visit in visits if visit.url_name}
    forgotten = sorted(named - visited - set(NOT_PAGES))
    assert not forgotten, (
        "These pages are not checked for accessibility: add a Visit to a group in "
        f"tests/browser/test_accessibility.py, or say in NOT_PAGES why it is not a page: {forgotten}"
    )
    assert not (visited & set(NOT_PAGES)), "a page is both checked and excluded"
    assert not (visited | set(NOT_PAGES)) - named, "a listed URL name no longer exists"


BROKEN_PAGE = """<!doctype html>
<html lang="fr" dir="rtl"><head><title>Pathmark</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  button { outline: none; }
  .tiny { width: 10px; height: 10px; padding: 0; margin: 0; border: 0; }
  .wide { width: 900px; }
  .cover { position: fixed; inset: 0; background: white; }
</style></head>
<body>
  <h1>One</h1><h1>Two</h1>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <div class="wide">Too wide for a phone</div>
  <form><p class="error" id="lonely-error">Not tied to anything</p>
    <input aria-invalid="true" aria-label="Name">
    <button class="tiny" aria-label="a"></button><button class="tiny" aria-label="b"></button>
  </form>
  <div class="cover"></div>
</body></html>"""


def test_checks_find_the_problems_of_a_broken_page(browser):  # type: ignore[no-untyped-def]
    """Each check must be able to fail: a page breaking every rule is reported for each."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.set_content(BROKEN_PAGE)
        problems = all_problems(page, "broken", "en phone", language="en", rtl=False)
    finally:
        context.close()
    rules = {problem.rule.split(" (")[0] for problem in problems}
    assert {
        "axe image-alt",
        "skip link",
        "one h1",
        "page title",
        "language of page",
        "direction",
        "reflow",
        "target size",
        "error tied to its field",
        "errors announced",
        "focus visible",
        "focus not obscured",
    } <= rules, report(problems)


def test_axe_runs_under_the_sites_content_security_policy(page):  # type: ignore[no-untyped-def]
    """Pathmark forbids inline scripts; axe must still run on its pages, or every page
    above would pass unchecked."""
    page.goto("/accounts/login/")
    page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
    rules = {problem.rule for problem in axe_problems(page, "sign in", "en desktop")}
    assert "axe image-alt (critical)" in rules
