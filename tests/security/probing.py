"""The machinery of the break-in tests: find every URL of the project, fill its arguments with
organisation B's records, request it as people who should see nothing of B, and report leaks.

It lives apart from the tests so that the test proving the probe catches a broken view runs
exactly the functions the suite runs.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from pathmark.audit.models import AuditEvent
from pathmark.organisations.permissions import role_may
from pathmark.organisations.scoping import ScopedManager, organisation_scope, system_scope

# Run-wide figures for the closing note; printed by the terminal summary hook in conftest.py.
TALLY: Counter[str] = Counter()
PROBED_URLS: set[str] = set()
PROBED_PATTERNS: set[str] = set()

# Statuses that refuse without saying whether anything exists: the 404 of a missing page (also
# for another organisation's record and for a page of a role the user lacks: never 403), 405
# for a method the URL never takes, whatever the record, and 429, a rate limit.
REFUSED = frozenset({404, 405, 429})

# Actions whose views show no personal data, so a request need not leave an audit entry.
# A new action is treated as personal (and must audit) until it is listed here.
NON_PERSONAL_ACTIONS = frozenset(
    # organisation.manage: an organisation's own settings and the partnership's list of
    # organisations (names and counts); its writes are audited and tested in that app.
    # directory.edit/import: the directory of services is organisation-level data (its
    # confidential addresses are scoped like personal data and probed as B's secrets below);
    # every write is audited in the directory app.
    {
        "member",
        "audit.view",
        "instruments.view",
        "reference.manage",
        "organisation.manage",
        "directory.edit",
        "directory.import",
        # capacity.assess: an organisation's self-assessment of its own capacity, not personal
        # data; every write is audited, and so is every read of another organisation's
        # results (capacity/selectors.py, tested there). B's rows are compared in b_state.
        "capacity.assess",
        # evidence.edit: the evidence bank describes interventions, not people; every write
        # is audited in the evidence app. B's rows are compared in b_state.
        "evidence.edit",
    }
)


# --- Discovering URLs -------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One URL pattern of the project and the view behind it."""

    route: str
    name: str
    view: Callable[..., HttpResponse]
    kwarg_names: tuple[str, ...]
    is_regex: bool

    @property
    def label(self) -> str:
        return self.name or self.route

    @property
    def action(self) -> str | None:
        return getattr(self.view, "pathmark_action", None)

    @property
    def is_public(self) -> bool:
        return getattr(self.view, "login_required", True) is False

    @property
    def is_personal(self) -> bool:
        """Reads or writes personal data, so every request must leave an audit entry."""
        return self.action is not None and self.action not in NON_PERSONAL_ACTIONS


_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>")
_ROUTE_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def discover_endpoints(urlconf: str | None = None) -> list[Endpoint]:
    """Every URL pattern reachable from the root URLconf, with its namespaced name."""

    def walk(patterns: list[Any], prefix: str, namespace: str, regex: bool) -> Iterator[Endpoint]:
        for entry in patterns:
            pattern_text = str(entry.pattern)
            is_regex = regex or entry.pattern.__class__.__name__ == "RegexPattern"
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry.url_patterns, prefix + pattern_text, inner, is_regex)
            elif isinstance(entry, URLPattern):
                route = prefix + pattern_text
                names = _REGEX_GROUP.findall(route)
                names += [
                    m.group(2) for m in _ROUTE_PARAMETER.finditer(_REGEX_GROUP.sub("", route))
                ]
                name = ""
                if entry.name:
                    name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield Endpoint(route, name, entry.callback, tuple(dict.fromkeys(names)), is_regex)

    return list(walk(get_resolver(urlconf).url_patterns, "", "", False))


# --- Organisation B's records, and the table that fills URL arguments with them ---------


@dataclass
class Target:
    """Organisation B owns one of everything; everyone probing belongs elsewhere."""

    org_a: Any
    org_b: Any
    org_c: Any
    org_d: Any
    person: Any  # B's client, shared with D by consent, once shared with C (withdrawn)
    member: Any  # another B client in the same household
    household: Any
    processing_consent: Any
    share_consent: Any
    withdrawn_consent: Any
    completed: Any  # a completed assessment of B's person
    draft: Any  # a draft holding a free-text answer marker
    a_person: Any  # one of A's own clients, for tampering with ids
    immigration_status: Any
    import_job: Any  # an import B uploaded, named after a client
    other_version: Any  # an instrument version the draft was not answered on
    secrets: tuple[str, ...]
    owners: dict[str, Any]  # B's members by role
    outsiders: list[Principal] = field(default_factory=list)
    export_job: Any = None  # an export B prepared, its zip holding B's person
    # A caseworker of B who also works for a third organisation (issue 13, finding 1).
    shared_member: Any = None
    plan: Any = None  # a plan B drafted from `completed`, with goals and actions
    plan_goal: Any = None  # a goal of `plan` whose text holds the answer marker
    plan_action: Any = None  # an action of `plan_goal`, its text holding the marker
    plan_referral_action: Any = None  # a referral action of `plan_goal`, not sent yet
    invitation: Any = None  # B's invitation to a member of D
    duplicate_flag: Any = None  # B's person flagged as a possible duplicate of B's member
    life_event: Any = None  # a life event B recorded on its person's journey
    service: Any = None  # B's service in the directory, at a confidential address
    directory_job: Any = None  # an HSDS package B uploaded
    referrals: tuple[Any, ...] = ()  # B's person referred to D (open) and to C (completed)
    client_link: Any = None  # B's live link for its person's own assessment
    # Secrets of B's links that no longer send answers (expired, stopped, already used), and
    # one nobody issued: the client's page is public, so the probe checks what it shows.
    closed_link_secrets: tuple[str, ...] = ()
    # B's capacity self-assessments: one completed, one draft, each with a free-text answer
    # holding the probe's marker (B hosts the partnership, so its own support roles see all).
    capacity_assessments: tuple[Any, ...] = ()
    # B's intervention in the evidence bank, and a piece of evidence (a file) for it.
    intervention: Any = None
    evidence_item: Any = None


@dataclass(frozen=True)
class Principal:
    """Someone making requests. `role` is the role they act in, None without an active
    membership (anonymous, signed in without an organisation, or deactivated)."""

    label: str
    user: Any
    role: str | None

    def may_use(self, endpoint: Endpoint) -> bool:
        """Whether the view is open to them at all; scoping still decides which records."""
        if endpoint.is_public:
            return True
        if self.user is None or self.role is None:
            return False
        if endpoint.action == "member":
            return True
        return endpoint.action is not None and role_may(self.role, endpoint.action)


# URL argument name → the values to try, all of them organisation B's. A URL taking an
# argument not listed here fails the suite, so a new view cannot slip past unprobed.
KWARG_VALUES: dict[str, Callable[[Target], list[Any]]] = {
    "person_id": lambda t: [t.person.pk],
    # The second record of a pair (merging two records of one person): B's other client.
    "other_id": lambda t: [t.member.pk],
    "flag_id": lambda t: [t.duplicate_flag.pk],
    "consent_id": lambda t: [t.share_consent.pk, t.withdrawn_consent.pk],
    "assessment_id": lambda t: [t.completed.pk, t.draft.pk],
    "household_id": lambda t: [t.household.pk],
    "user_id": lambda t: [t.owners["caseworker"].pk, t.shared_member.pk],
    # Immigration status categories are the partnership's shared list, not B's; any will do.
    "status_id": lambda t: [t.immigration_status.pk],
    "job_id": lambda t: [t.import_job.pk],
    # An invitation B sent to someone with an account elsewhere: only they may answer it.
    "invitation_id": lambda t: [t.invitation.pk],
    "export_id": lambda t: [t.export_job.pk],
    "plan_id": lambda t: [t.plan.pk],
    "goal_id": lambda t: [t.plan_goal.pk],
    # A client step and a referral action (the one the referrals app sends) of B's plan.
    "action_id": lambda t: [t.plan_action.pk, t.plan_referral_action.pk],
    "event_id": lambda t: [t.life_event.pk],
    # B's service in the directory, at a confidential address (the probe's ADDRESS).
    "service_id": lambda t: [t.service.pk],
    # An HSDS package B uploaded into the directory (B hosts nothing: its own pages 404 too).
    "directory_job_id": lambda t: [t.directory_job.pk],
    "referral_id": lambda t: [referral.pk for referral in t.referrals],
    # Blank import templates: one for people, one for an instrument's assessments.
    "kind": lambda t: ["people", "integration-journey"],
    "file_format": lambda t: ["csv"],
    "number": lambda t: [1],
    "n": lambda t: [1],
    "link_id": lambda t: [t.client_link.pk],
    "secret": lambda t: list(t.closed_link_secrets),
    "capacity_id": lambda t: [assessment.pk for assessment in t.capacity_assessments],
    "intervention_id": lambda t: [t.intervention.pk],
    "item_id": lambda t: [t.evidence_item.pk],
    # Django's password-reset links.
    "uidb64": lambda t: ["MQ"],
    "token": lambda t: ["set-password"],
}


class UnfillableURLError(LookupError):
    pass


def urls_for(endpoint: Endpoint, target: Target, urlconf: str | None = None) -> list[str]:
    """The URLs of `endpoint` with every combination of B's records as arguments."""
    missing = [name for name in endpoint.kwarg_names if name not in KWARG_VALUES]
    if missing:
        raise UnfillableURLError(
            f"{endpoint.label} ({endpoint.route}) takes {', '.join(missing)}, which the "
            "break-in tests cannot fill. Add an entry to KWARG_VALUES in "
            "tests/security/probing.py that names organisation B's record of that kind "
            "(create it in the `target` fixture in tests/security/conftest.py), so the new "
            "view is probed like every other."
        )
    choices = [KWARG_VALUES[name](target) for name in endpoint.kwarg_names]
    urls = []
    for combination in itertools.product(*choices):
        kwargs = dict(zip(endpoint.kwarg_names, combination, strict=True))
        urls.append(_build_url(endpoint, kwargs, urlconf))
    return urls


def _build_url(endpoint: Endpoint, kwargs: dict[str, Any], urlconf: str | None) -> str:
    if endpoint.name:
        return reverse(endpoint.name, kwargs=kwargs or None, urlconf=urlconf)
    if endpoint.is_regex:
        raise UnfillableURLError(
            f"{endpoint.route} is an unnamed regular-expression URL; give it a name so the "
            "break-in tests can build it."
        )
    return "/" + _ROUTE_PARAMETER.sub(lambda m: str(kwargs[m.group(2)]), endpoint.route)


# --- What each URL is sent -------------------------------------------------------------

PERSONAL_MARK = "Personal-"  # prefixes typed free text, so audit checks can spot it


def _registration(t: Target) -> dict[str, Any]:
    return {
        "name": f"{PERSONAL_MARK}Probe Registrant",
        "date_of_birth": "1991-02-03",
        "gender": "woman",
        "languages": ["en"],
        "preferred_language": "en",
        "country_of_origin": "SY",
        "phone": "07700900999",
        "email": "probe@example.org",
        "address": f"{PERSONAL_MARK}1 Probe Street",
        "postcode": "NB1 1AA",
        "consent_given": "on",
        "consent_method": "in_person",
        "consent_date": "2025-05-01",
        "consent_purpose": f"{PERSONAL_MARK}Support",
    }


# URL name → the form posts to try (valid for the record's owner). A URL not listed gets
# GENERIC_POST, which names B's records in every field a careless view might trust.
POSTS: dict[str, Callable[[Target], list[dict[str, Any]]]] = {
    "people:list": lambda t: [{"q": "Probe"}],
    "people:register": lambda t: [_registration(t)],
    "people:edit": lambda t: [
        {"name": f"{PERSONAL_MARK}Renamed", "phone": "07700900998", "gender": "woman"}
    ],
    "people:household": lambda t: [
        {"other": f"P{t.member.pk}", "role": f"{PERSONAL_MARK}Aunt"},
        # Another organisation's client: refused, whoever asks.
        {"other": f"P{t.a_person.pk}"},
        {"unlink": "1"},
        {"unlink": "1", "confirm": "yes"},
    ],
    "people:add_consent": lambda t: [
        {
            "kind": "share",
            "shared_with": t.org_c.pk,
            "purpose": f"{PERSONAL_MARK}Housing help",
            "method": "in_person",
            "given_on": "2025-05-02",
        }
    ],
    "people:withdraw_consent": lambda t: [{}],
    "assessments:start": lambda t: [
        {
            "instrument": "integration-journey",
            "mode": "caseworker_led",
            "language": "en",
            "assessed_on": "2025-06-02",
        }
    ],
    "assessments:domain": lambda t: [
        {"bills": "no", "worry": "often", "notes": f"{PERSONAL_MARK}Overwritten", "go": "next"}
    ],
    "assessments:review": lambda t: [{"instrument_version": t.draft.instrument_version_id}],
    "assessments:discard": lambda t: [{}],
    "plans:draft": lambda t: [{}],
    "plans:add_goal": lambda t: [
        {
            "version": t.plan.version,
            "domain_id": "health-wellbeing",
            "priority": 4,
            "target_text": f"{PERSONAL_MARK}See a dentist",
            "review_date": "2027-02-01",
        }
    ],
    "plans:edit_goal": lambda t: [
        {
            "version": t.plan.version,
            "priority": 1,
            "target_text": f"{PERSONAL_MARK}Overwritten goal",
            "target_score": "75",
            "review_date": "2027-02-01",
        },
        {"version": t.plan.version, "remove": "1"},
    ],
    "plans:add_action": lambda t: [
        {
            "version": t.plan.version,
            "kind": "client_step",
            "text": f"{PERSONAL_MARK}Practise",
            "due_date": "2027-01-01",
        }
    ],
    "plans:edit_action": lambda t: [
        {
            "version": t.plan.version,
            "kind": "caseworker_task",
            "text": f"{PERSONAL_MARK}Overwritten action",
            "done": "on",
        },
        {"version": t.plan.version, "remove": "1"},
    ],
    "plans:agree": lambda t: [
        {"version": t.plan.version, "agreed_on": "2025-06-02", "method": "in_person"}
    ],
    "plans:review": lambda t: [
        {
            "version": t.plan.version,
            "reviewed_on": "2025-06-03",
            "progress_notes": f"{PERSONAL_MARK}Progress",
            "next_assessment": t.completed.pk,
        }
    ],
    "plans:close": lambda t: [{"version": t.plan.version}],
    "assessments:set_aside": lambda t: [{"reason": "recorded_in_error"}],
    "selfservice:issue": lambda t: [
        {"instrument": "integration-journey", "language": "ar", "delivery": "screen"}
    ],
    "accounts:switch_organisation": lambda t: [{"organisation": t.org_b.pk}],
    "accounts:login": lambda t: [{"username": "nobody-at-all", "password": "not-a-password"}],
    "set_language": lambda t: [{"language": "ar", "next": "/"}],
    # Staff administration: a new member (the name marked, so the audit check can see that
    # it stays out of the log), a role, and the organisation's settings.
    "accounts:add_member": lambda t: [
        {
            "email": "probe.newcomer@example.org",
            "name": f"{PERSONAL_MARK}Newcomer",
            "role": "analyst",
        }
    ],
    "accounts:change_role": lambda t: [{"role": "analyst"}],
    # Actions that ask first act only with the confirming page's own field.
    "accounts:remove_member": lambda t: [{"confirm": "yes"}],
    "accounts:deactivate_user": lambda t: [{"confirm": "yes"}],
    "accounts:reset_user_two_factor": lambda t: [{"confirm": "yes"}],
    # The host's account-wide actions: unlock is the one that leaves the account usable.
    "accounts:partnership_account": lambda t: [{"action": "unlock"}],
    # Referrals: each side's moves, a rating, and a referral with the person's consent.
    "referrals:change": lambda t: [
        {"status": "accepted"},
        {"status": "declined", "reason": "other", "note": f"{PERSONAL_MARK}Sorry"},
        {"status": "withdrawn"},
    ],
    "referrals:rate": lambda t: [{"rating": "4", "comment": f"{PERSONAL_MARK}Kind staff"}],
    "referrals:where_to_refer": lambda t: [
        {
            "service": t.referrals[0].service_id if t.referrals else "",
            "consent_given": "on",
            "consent_method": "in_person",
            "consent_given_on": "2025-05-03",
            "note": f"{PERSONAL_MARK}Evening classes",
        }
    ],
    "capacity:index": lambda t: [{"language": "en", "assessed_on": "2026-01-05"}],
    "capacity:area": lambda t: [
        {
            "governance-help": f"{PERSONAL_MARK}Overwritten",
            "governing-document": "embedded",
            "go": "next",
        }
    ],
    "capacity:review": lambda t: [
        {"instrument_version": t.capacity_assessments[0].instrument_version_id}
    ],
    "capacity:discard": lambda t: [{}],
    # The evidence bank: valid forms, so an outsider's change would really be written.
    "evidence:edit": lambda t: [
        {
            "title": "Changed by a probe",
            "description": "x",
            "intervention_type": "other",
            "place": "Elsewhere",
            "version": t.intervention.version,
        }
    ],
    "evidence:funding": lambda t: [
        {"funder": "Probe", "amount": "1", "starts_on": "2025-01-01", "ends_on": ""}
    ],
    "evidence:evidence": lambda t: [{"kind": "text", "title": "Probe", "text": "Probe text"}],
    "evidence:remove": lambda t: [{"confirm": "yes"}],
    "accounts:organisation_settings": lambda t: [
        {"name": "Probe Organisation", "kind": "college", "retention_years": "7"}
    ],
}


def generic_post(t: Target) -> dict[str, Any]:
    return {
        "organisation": t.org_b.pk,
        "person": t.person.pk,
        "person_id": t.person.pk,
        "assessment": t.completed.pk,
        "consent": t.share_consent.pk,
        "household": t.household.pk,
        "confirm": "yes",
    }


def posts_for(endpoint: Endpoint, target: Target) -> list[dict[str, Any]]:
    if endpoint.name in POSTS:
        return POSTS[endpoint.name](target)
    return [generic_post(target)]


def gets_for(endpoint: Endpoint, target: Target) -> list[dict[str, Any]]:
    """A plain GET; for a page without arguments (lists, reports, exports) also one whose
    query string names B's records, as a filter would."""
    if endpoint.kwarg_names:
        return [{}]
    return [{}, {"person": target.person.pk, "organisation": target.org_b.pk}]


# --- Looking at responses ---------------------------------------------------------------


def body_of(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        content = response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return headers + "\n" + _readable(content)


def _readable(content: bytes) -> str:
    """The text a secret could hide in: a zip (an export) is opened and its files read, so a
    leaked export is caught by its contents, not only by its status code."""
    if content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
            )
    return content.decode("utf-8", errors="replace")


def is_sign_in_redirect(response: HttpResponse) -> bool:
    """A redirect to signing in (the login page, or finishing sign-in with a second factor)."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    path = urlsplit(response["Location"]).path
    if path == reverse(settings.LOGIN_URL):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.namespace == "accounts"


# --- The state of organisation B's records ---------------------------------------------


def scoped_models() -> list[type[models.Model]]:
    """Every model holding personal data (its default manager is scoped)."""
    return [
        model for model in apps.get_models() if isinstance(model._default_manager, ScopedManager)
    ]


def b_state(target: Target) -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Every row organisation B may see, field by field, B's staff accounts with their second
    factors, lock-outs and sessions, and the partnership-wide reference data B hosts."""
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from pathmark.accounts.models import Invitation, User, UserSession
    from pathmark.organisations.models import Membership
    from pathmark.people.models import ImmigrationStatus

    # B's working staff (the probe signs in B's former and deactivated members itself).
    b_staff = [*target.owners.values(), target.shared_member]

    state: dict[str, dict[Any, tuple[Any, ...]]] = {
        "organisations.membership": {
            row[0]: row
            for row in Membership.objects.filter(organisation=target.org_b).values_list(
                "pk", "user_id", "role", "is_active"
            )
        },
        "accounts.user": {
            row[0]: row
            for row in User.objects.filter(memberships__organisation=target.org_b).values_list(
                "pk", "is_active", "password"
            )
        },
        "accounts.second_factor": {
            **{
                ("app", row[0]): row
                for row in TOTPDevice.objects.filter(user__in=b_staff).values_list(
                    "pk", "user_id", "key", "confirmed"
                )
            },
            **{
                ("backup codes", row[0]): row
                for row in StaticDevice.objects.filter(user__in=b_staff).values_list(
                    "pk", "user_id", "confirmed"
                )
            },
        },
        "axes.accessattempt": {
            row[0]: row
            for row in AccessAttempt.objects.filter(
                username__in=[user.username for user in b_staff]
            ).values_list("pk", "username", "failures_since_start")
        },
        "accounts.usersession": {
            row[0]: row
            for row in UserSession.objects.filter(user__in=b_staff).values_list(
                "session_key", "user_id"
            )
        },
        "accounts.invitation": {
            row[0]: row
            for row in Invitation.objects.filter(organisation=target.org_b).values_list(
                "pk", "user_id", "role", "status"
            )
        },
        "evidence.intervention": {
            row[0]: row
            for row in apps.get_model("evidence", "Intervention")
            .objects.filter(organisation=target.org_b)
            .values_list("pk", "title", "description", "version", "service_id")
        },
        "evidence.evidenceitem": {
            row[0]: row
            for row in apps.get_model("evidence", "EvidenceItem")
            .objects.filter(intervention__organisation=target.org_b)
            .values_list("pk", "title", "stored_as")
        },
        "evidence.funding": {
            row[0]: row
            for row in apps.get_model("evidence", "Funding")
            .objects.filter(intervention__organisation=target.org_b)
            .values_list("pk", "funder", "amount")
        },
        "capacity.capacityassessment": {
            row[0]: row
            for row in apps.get_model("capacity", "CapacityAssessment")
            .objects.filter(organisation=target.org_b)
            .values_list("pk", "status", "answers", "domain_scores", "completed_at")
        },
        "people.immigrationstatus": {
            row[0]: row
            for row in ImmigrationStatus.objects.values_list("pk", "slug", "label", "is_active")
        },
        "organisations.organisation": {
            row[0]: row
            for row in type(target.org_b)
            .objects.filter(pk=target.org_b.pk)
            .values_list(*[f.attname for f in target.org_b._meta.concrete_fields])
        },
    }
    with organisation_scope(organisation_id=target.org_b.pk):
        for model in scoped_models():
            names = [f.attname for f in model._meta.concrete_fields]
            state[model._meta.label_lower] = {
                row[0]: row for row in model._default_manager.values_list(*names)
            }
    return state


def state_changes(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    changes = []
    for label, rows in before.items():
        now = after.get(label, {})
        for pk, values in rows.items():
            if pk not in now:
                changes.append(f"removed {label} #{pk}")
            elif now[pk] != values:
                changes.append(f"changed {label} #{pk}")
        for pk in set(now) - set(rows):
            changes.append(f"created {label} #{pk} visible to B")
    return changes


# --- Probing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    who: str
    method: str
    url: str
    problem: str

    def __str__(self) -> str:
        return f"{self.who}: {self.method} {self.url} → {self.problem}"


def client_of(principal: Principal) -> Client:
    # Imported late: `pathmark.testing` is the project's pytest plugin, loaded by then.
    from pathmark.testing import client_for

    return client_for(principal.user)


def send(client: Client, method: str, url: str, data: dict[str, Any]) -> HttpResponse:
    if method == "GET":
        return client.get(url, data)
    return client.post(url, data)


def check_response(response: HttpResponse, *, allowed: bool, secrets: tuple[str, ...]) -> list[str]:
    """What is wrong with one response to someone who should see nothing of B."""
    problems = []
    body = body_of(response)
    shown = [secret for secret in secrets if secret in body]
    if shown:
        problems.append(f"{response.status_code} showing B's data: {', '.join(shown)}")
    if response.status_code >= 500:
        problems.append(f"server error {response.status_code}")
    elif not allowed and not (response.status_code in REFUSED or is_sign_in_redirect(response)):
        where = f" to {response['Location']}" if response.has_header("Location") else ""
        problems.append(
            f"{response.status_code}{where}; expected 404, 405 or a redirect to sign in"
        )
    return problems


def probe_endpoint(
    endpoint: Endpoint,
    target: Target,
    principals: list[Principal],
    *,
    urlconf: str | None = None,
    count: bool = True,
) -> list[Finding]:
    """Requests every URL of `endpoint` by GET and POST as each principal; returns what leaked,
    what answered wrongly, and what changed among B's records."""
    findings: list[Finding] = []
    urls = urls_for(endpoint, target, urlconf)
    requests = [("GET", data) for data in gets_for(endpoint, target)]
    requests += [("POST", data) for data in posts_for(endpoint, target)]
    clients: dict[str, Client] = {}
    for url in urls:
        # Reading B's records costs as much as a request, so they are compared once per URL;
        # only when something changed are the requests replayed one person at a time to
        # say whose request did it.
        before = b_state(target)
        for principal in principals:
            client = clients.get(principal.label) or clients.setdefault(
                principal.label, client_of(principal)
            )
            findings += _probe_as(principal, client, endpoint, url, requests, target, count)
        changes = state_changes(before, b_state(target))
        if changes:
            findings += _whose_change(endpoint, url, requests, target, principals, changes)
            TALLY["leaks"] += count
        if count:
            PROBED_URLS.add(url)
    if count:
        PROBED_PATTERNS.add(endpoint.label)
    return findings


def _probe_as(
    principal: Principal,
    client: Client,
    endpoint: Endpoint,
    url: str,
    requests: list[tuple[str, dict[str, Any]]],
    target: Target,
    count: bool,
) -> list[Finding]:
    findings = []
    allowed = principal.may_use(endpoint)
    for method, data in requests:
        try:
            response = send(client, method, url, data)
        except Exception as error:  # noqa: BLE001 — every exception is a finding here
            findings.append(Finding(principal.label, method, url, f"raised {error!r}"[:300]))
            continue
        problems = check_response(response, allowed=allowed, secrets=target.secrets)
        findings += [Finding(principal.label, method, url, problem) for problem in problems]
        if count:
            TALLY["requests"] += 1
            TALLY["leaks"] += bool(problems)
    return findings


def _whose_change(
    endpoint: Endpoint,
    url: str,
    requests: list[tuple[str, dict[str, Any]]],
    target: Target,
    principals: list[Principal],
    changes: list[str],
) -> list[Finding]:
    """Replays the requests one person at a time, each undone afterwards, to name who
    changed B's records."""
    findings = []
    for principal in principals:
        with rolled_back():
            before = b_state(target)
            client = client_of(principal)
            for method, data in requests:
                send(client, method, url, data)
                for change in state_changes(before, b_state(target)):
                    findings.append(Finding(principal.label, method, url, change))
                before = b_state(target)
    return findings or [Finding("someone", "GET/POST", url, change) for change in changes]


# --- Undoing what a request wrote --------------------------------------------------------


class _Undo(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Runs the block in a savepoint and undoes everything it wrote, so each request of a
    test starts from the same records."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


# --- Audit entries and protected fields ---------------------------------------------------


def is_read_action(action: str) -> bool:
    return ".viewed" in action or action.endswith(".listed")


def audit_count() -> int:
    return AuditEvent.objects.count()


# Fields no form may set: who owns a record, who made it, its state and its computed scores.
PROTECTED_FIELDS = (
    "organisation",
    "owner",
    "person",
    "status",
    "kind",
    "registered_by",
    "recorded_by",
    "withdrawn_by",
    "started_by",
    "completed_by",
    "created_by",
    "shared_with",
    "instrument_version",
    "overall_score",
    "domain_scores",
    "item_scores",
    "stage",
    "actor",
)


def protected_state() -> dict[str, dict[Any, dict[str, Any]]]:
    """The protected fields of every personal-data row and audit entry, seen by the system."""
    state: dict[str, dict[Any, dict[str, Any]]] = {}
    with system_scope("security tests: compare protected fields"):
        for model in [*scoped_models(), AuditEvent]:
            present = [
                model._meta.get_field(name).attname
                for name in PROTECTED_FIELDS
                if any(f.name == name for f in model._meta.concrete_fields)
            ]
            if model is AuditEvent:
                present.append("action")
            rows = model._default_manager.values("pk", *present)
            state[model._meta.label_lower] = {row.pop("pk"): row for row in rows}
    return state


def _new_rows(before: dict, after: dict) -> dict[str, Counter[str]]:
    """Rows created since `before`, keyed without their ids (which differ between runs); a
    reference to another new row reads `<new>`."""
    known = {label: set(rows) for label, rows in before.items()}
    fk_targets = {}
    for model in [*scoped_models(), AuditEvent]:
        for f in model._meta.concrete_fields:
            if f.is_relation:
                fk_targets[(model._meta.label_lower, f.attname)] = f.related_model._meta.label_lower
    created: dict[str, Counter[str]] = {}
    for label, rows in after.items():
        counter: Counter[str] = Counter()
        for pk, values in rows.items():
            if pk in known.get(label, set()):
                continue
            shown = {}
            for name, value in values.items():
                related = fk_targets.get((label, name))
                if related in known and value is not None and value not in known[related]:
                    value = "<new>"
                shown[name] = value
            counter[repr(sorted(shown.items()))] += 1
        created[label] = counter
    return created


def tampering_changes(before: dict, clean: dict, tampered: dict) -> list[str]:
    """Protected values the tampered request set that the clean request did not: every
    protected field must end as it was before, or as the same request without the extra
    fields left it."""
    problems = []
    for label, rows in before.items():
        for pk, values in rows.items():
            for name, old in values.items():
                new = tampered.get(label, {}).get(pk, {}).get(name, old)
                expected = clean.get(label, {}).get(pk, {}).get(name, old)
                if new not in (old, expected):
                    problems.append(f"{label} #{pk} {name}: {old!r} → {new!r}")
    clean_new = _new_rows(before, clean)
    for label, counter in _new_rows(before, tampered).items():
        extra = counter - clean_new.get(label, Counter())
        problems += [f"{label} created with {row}" for row in extra]
    return problems


def personal_rows() -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Every personal-data row of every organisation, for "nothing half-written" checks."""
    rows = {}
    with system_scope("security tests: compare every personal-data row"):
        for model in scoped_models():
            names = [f.attname for f in model._meta.concrete_fields]
            rows[model._meta.label_lower] = {
                row[0]: row for row in model._default_manager.values_list(*names)
            }
    return rows


def write_events_since(last_pk: int) -> list[str]:
    return [
        action
        for action in AuditEvent.objects.filter(pk__gt=last_pk).values_list("action", flat=True)
        if not is_read_action(action)
    ]


def last_audit_pk() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
