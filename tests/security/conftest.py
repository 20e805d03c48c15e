"""The world the break-in tests attack: organisation B owns one of everything, and a crowd of
people from elsewhere (every role of A and C, former and deactivated staff of B, a user with no
organisation, and anonymous visitors) try to reach it. Also the Hypothesis profiles that keep
the fuzzing bounded, and the summary of figures printed at the end of the run.
"""

from __future__ import annotations

import os
import textwrap
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, settings

from pathmark.assessments import services as assessment_services
from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.instruments.definition import parse_instrument
from pathmark.instruments.models import InstrumentVersion
from pathmark.instruments.registry import definition_sha256
from pathmark.instruments.services import instrument_version_for
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import (
    Consent,
    ConsentKind,
    ConsentMethod,
    DuplicateFlag,
    Household,
    ImmigrationStatus,
    Person,
)
from pathmark.testing import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    World,
)

from .probing import PROBED_PATTERNS, PROBED_URLS, TALLY, Principal, Target

# Strings that exist only in organisation B's records: seeing any of them elsewhere is a leak.
# Plain ASCII letters and digits, so they read the same in HTML, JSON and headers.
PERSON_NAME = "Zephyrine Quillbrook"
MEMBER_NAME = "Osvaldine Marrowgate"
PHONE = "07700900461"
EMAIL = "zephyrine.q@secret.example"
ADDRESS = "17 Thistlewick Lane"
ANSWER_MARKER = "AnswerMarkerKestrelwood"

# --- Hypothesis: bounded in CI, deeper on request (PATHMARK_FUZZ_PROFILE=security-deep) ----
settings.register_profile(
    "security-ci",
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "security-deep",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ = settings.get_profile(os.environ.get("PATHMARK_FUZZ_PROFILE", "security-ci"))

# A stored instrument with a free-text item, so a draft can hold an answer that is unique.
PROBE_INSTRUMENT = textwrap.dedent(
    """\
    slug: security-probe
    version: 1
    title: {en: Security probe}
    source: Pathmark security tests
    licence: CC0
    stages:
      - {id: low, label: {en: Low}, min: 0, max: 50}
      - {id: high, label: {en: High}, min: 50, max: 100}
    domains:
      - id: money
        title: {en: Money}
        minimum_answers: 2
        items:
          - id: bills
            type: likert
            text: {en: I can pay my bills.}
            options:
              - {value: "no", label: {en: No}, score: 0}
              - {value: "yes", label: {en: Yes}, score: 100}
          - id: worry
            type: likert
            reverse: true
            text: {en: I worry about money.}
            options:
              - {value: never, label: {en: Never}, score: 0}
              - {value: often, label: {en: Often}, score: 100}
          - id: notes
            type: free_text
            text: {en: "Anything else?"}
    """
)


def _completed_assessment(person: Person, by, organisation) -> Assessment:  # type: ignore[no-untyped-def]
    """Run through the services, as a caseworker of B would."""
    with organisation_scope(organisation_id=organisation.pk, user_id=by.pk, role=Role.CASEWORKER):
        assessment = assessment_services.start_assessment(
            by=by,
            organisation=organisation,
            person=person,
            instrument_slug="integration-journey",
            mode=AssessmentMode.CASEWORKER_LED,
            language="en",
            assessed_on=date(2025, 6, 1),
        )
        instrument = assessment.instrument_version.instrument
        for domain in instrument.domains:
            assessment_services.save_answers(
                by=by,
                organisation=organisation,
                assessment=assessment,
                domain_id=domain.id,
                answers={
                    item.id: next(o.value for o in item.options if item.option_score(o) is not None)
                    for item in domain.items
                    if item.options
                },
            )
        return assessment_services.complete_assessment(
            by=by, organisation=organisation, assessment=assessment
        )


def _probe_draft(person: Person, by, organisation) -> Assessment:  # type: ignore[no-untyped-def]
    instrument = parse_instrument(PROBE_INSTRUMENT, source="security-probe.yaml")
    version, _created = InstrumentVersion.objects.get_or_create(
        slug=instrument.slug,
        version=instrument.version,
        defaults={
            "title": "Security probe",
            "definition": instrument.raw,
            "sha256": definition_sha256(instrument.raw),
        },
    )
    with system_scope("security tests: a draft holding a unique answer"):
        return Assessment.objects.create(
            person=person,
            organisation=organisation,
            instrument_version=version,
            status=AssessmentStatus.DRAFT,
            mode=AssessmentMode.CASEWORKER_LED,
            language="en",
            assessed_on=date(2025, 6, 3),
            answers={"bills": "yes", "worry": "never", "notes": ANSWER_MARKER},
            started_by=by,
        )


def _share(person: Person, organisation, *, withdrawn: bool = False) -> Consent:  # type: ignore[no-untyped-def]
    with system_scope("security tests: consent to share"):
        consent = Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=organisation,
            purpose="Joint support",
            method=ConsentMethod.IN_PERSON,
            given_on=date(2025, 1, 2),
        )
        if withdrawn:
            consent.withdrawn_at = consent.recorded_at
            consent.save(update_fields=["withdrawn_at"])
        return consent


def _prepared_export(by, organisation):  # type: ignore[no-untyped-def]
    """An export of B's records, ready to download, prepared as the background task would."""
    from pathmark.transfer import services as transfer_services

    with organisation_scope(organisation_id=organisation.pk, user_id=by.pk, role=Role.MANAGER):
        job, _created = transfer_services.start_export_job(by=by, organisation=organisation)
        transfer_services.run_export_job(job.pk)
        job.refresh_from_db()
    assert job.status == "ready", job.failure
    return job


def _third_organisation_administrator(world: World, shared_member) -> Principal:  # type: ignore[no-untyped-def]
    """The administrator of an organisation that one of B's staff also works for (she
    accepted its invitation): the way in of issue 13's finding 1. They may see her as their
    member, change her role there or remove her; nothing that reaches her account in B (its
    second factor, lock-out, sessions, password, switching it off or on) nor B's members."""
    org_e = OrganisationFactory(slug="third-organisation", name="Third Organisation")
    MembershipFactory(user=shared_member, organisation=org_e, role=Role.CASEWORKER)
    administrator = UserFactory(username="third-organisation-administrator")
    MembershipFactory(user=administrator, organisation=org_e, role=Role.ADMINISTRATOR)
    return Principal("third-organisation administrator", administrator, Role.ADMINISTRATOR)


def _shared_member(world: World):  # type: ignore[no-untyped-def]
    """A caseworker of B with an authenticator, backup codes, a session, and a lock-out from
    a password-guesser's address: everything an administrator elsewhere must not touch."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    from pathmark.accounts.services import _replace_backup_codes
    from pathmark.accounts.sessions import SessionStore

    user = UserFactory(username="shared-b-caseworker", email="shared@city-council.example")
    MembershipFactory(user=user, organisation=world.org_b, role=Role.CASEWORKER)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    _replace_backup_codes(user)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.create()
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="198.51.100.7",
        user_agent="guesser",
        failures_since_start=50,
        attempt_time=timezone.now(),
    )
    return user


def _confidential_service(organisation):  # type: ignore[no-untyped-def]
    """B's refuge: listed to everyone, its address (the probe's ADDRESS) only to B."""
    from pathmark.directory.models import Address, Location, Service, ServiceAtLocation
    from pathmark.directory.services import directory_entry_for

    with system_scope("security tests: organisation B's refuge"):
        entry = directory_entry_for(organisation)
        service = Service.objects.create(organization=entry, name="Probe refuge")
        location = Location.objects.create(
            organization=entry, name="Probe refuge house", is_confidential=True
        )
        Address.objects.create(
            location=location,
            address_1=ADDRESS,
            city="Northbridge",
            postal_code="ZZ9 9ZZ",
            country="GB",
        )
        ServiceAtLocation.objects.create(service=service, location=location)
    return service


def _plan_referral_action(plan, goal, by, organisation):  # type: ignore[no-untyped-def]
    """A referral action of B's plan, to a referable service, not sent yet: the page that
    sends it is B's alone."""
    from pathmark.directory.models import DirectoryOrganisation, Service
    from pathmark.plans import services as plan_services

    with system_scope("security test: a service for B's plan to refer to"):
        service = Service.objects.create(
            organization=DirectoryOrganisation.objects.create(name="Probe plan provider"),
            name="Probe plan service",
        )
    with organisation_scope(organisation_id=organisation.pk, user_id=by.pk, role=Role.CASEWORKER):
        plan.refresh_from_db()
        return plan_services.add_action(
            by=by,
            organisation=organisation,
            goal=goal,
            expected_version=plan.version,
            kind="referral",
            text=f"Plan referral {ANSWER_MARKER}",
            service=service,
        )


def _drafted_plan(assessment: Assessment, by, organisation):  # type: ignore[no-untyped-def]
    """A plan B drafted from the completed assessment, with a goal and an action of its own
    holding the answer marker, so a leak of the plan's text is caught."""
    from pathmark.plans import services as plan_services

    with organisation_scope(organisation_id=organisation.pk, user_id=by.pk, role=Role.CASEWORKER):
        plan = plan_services.draft_plan(by=by, organisation=organisation, assessment=assessment)
        goal = plan_services.add_goal(
            by=by,
            organisation=organisation,
            plan=plan,
            expected_version=plan.version,
            instrument_slug="integration-journey",
            domain_id="personal-agency",
            priority=9,
            target_text=f"Plan goal {ANSWER_MARKER}",
            review_date=date(2026, 1, 1),
        )
        plan.refresh_from_db()
        action = plan_services.add_action(
            by=by,
            organisation=organisation,
            goal=goal,
            expected_version=plan.version,
            kind="client_step",
            text=f"Plan action {ANSWER_MARKER}",
        )
        plan.refresh_from_db()
    return plan, goal, action


def _b_invitation(world: World, org_d):  # type: ignore[no-untyped-def]
    """B invited a manager of D; the probe's outsiders try to answer it for her."""
    from pathmark.accounts.models import Invitation

    invited = UserFactory(username="invited-d-manager")
    MembershipFactory(user=invited, organisation=org_d, role=Role.MANAGER)
    return Invitation.objects.create(
        user=invited,
        organisation=world.org_b,
        role=Role.CASEWORKER,
        invited_by=world.member(world.org_b, Role.ADMINISTRATOR),
    )


def _referrals(person: Person, by, world: World, org_d) -> tuple:  # type: ignore[no-untyped-def]
    """B's person referred to a service of D (open: D sees them anyway, by consent) and to a
    service of C, completed: C's members, outsiders, must see nothing of it any more."""
    from pathmark.directory.models import DirectoryOrganisation, Service
    from pathmark.referrals import services as referral_services

    with system_scope("security tests: services of C and D"):
        runs = {
            organisation.pk: Service.objects.create(
                organization=DirectoryOrganisation.objects.create(
                    organisation=organisation, name=organisation.name
                ),
                name=f"Probe service of {organisation.slug}",
            )
            for organisation in (org_d, world.org_c)
        }
    consent = referral_services.ReferralConsent(given_on=date(2025, 1, 3), method="in_person")
    referrals = []
    for organisation in (org_d, world.org_c):
        with organisation_scope(organisation_id=world.org_b.pk, user_id=by.pk, role="caseworker"):
            referrals.append(
                referral_services.draft_referral(
                    by=by,
                    organisation=world.org_b,
                    person=person,
                    service=runs[organisation.pk],
                    consent=consent,
                    note="Probe referral",
                    send=True,
                )
            )
    provider = world.member(world.org_c, Role.SERVICE_PROVIDER)
    with organisation_scope(
        organisation_id=world.org_c.pk, user_id=provider.pk, role=Role.SERVICE_PROVIDER
    ):
        for new in ("accepted", "started", "completed"):
            referral_services.change_status(
                by=provider, organisation=world.org_c, referral=referrals[1], new=new
            )
    return tuple(referrals)


def _client_links(person: Person, by, organisation):  # type: ignore[no-untyped-def]
    """B's links for its person: one live (probed by id only, as its secret would let anyone
    send answers, which is what it is for), and the secrets of three that no longer send
    answers, plus one never issued."""
    from datetime import timedelta

    from django.utils import timezone

    from pathmark.selfservice.models import ClientLink, RevokedBecause
    from pathmark.selfservice.services import hash_of

    now = timezone.now()
    version = instrument_version_for("integration-journey")
    common = {
        "person": person,
        "organisation": organisation,
        "instrument_version": version,
        "language": "ar",
        "created_by": by,
    }
    secrets = {
        "expired": "probe-expired-link-secret-000000000000000000",
        "revoked": "probe-revoked-link-secret-000000000000000000",
        "used": "probe-used-link-secret-00000000000000000000000",
    }
    with system_scope("security tests: B's client links"):
        live = ClientLink.objects.create(
            token_hash=hash_of("probe-live-link-secret-never-probed-00000000"),
            expires_at=now + timedelta(days=3),
            **common,
        )
        ClientLink.objects.create(
            token_hash=hash_of(secrets["expired"]), expires_at=now - timedelta(minutes=1), **common
        )
        ClientLink.objects.create(
            token_hash=hash_of(secrets["revoked"]),
            expires_at=now + timedelta(days=3),
            revoked_at=now,
            revoked_because=RevokedBecause.BY_STAFF,
            **common,
        )
        ClientLink.objects.create(
            token_hash=hash_of(secrets["used"]),
            expires_at=now + timedelta(days=3),
            opened_at=now,
            submitted_at=now,
            **common,
        )
    return live, (*secrets.values(), "probe-guessed-link-secret-never-issued-0000")


def _evidence(world: World) -> tuple[Any, Any]:
    """B's intervention in the evidence bank with a funding row and an evidence file (kept
    under the test's private folder): readable by every member, changeable only by B."""
    from datetime import date
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from pathmark.evidence import services as evidence_services

    manager = world.member(world.org_b, Role.MANAGER)
    intervention = evidence_services.add_intervention(
        by=manager,
        organisation=world.org_b,
        details=evidence_services.Details(
            title="B's conversation walks",
            description="Probe intervention of B.",
            themes=[],
            intervention_type="other",
            place="Northbridge",
            place_characteristics=[],
            reaches="",
            hard_to_reach=[],
        ),
    )
    evidence_services.add_funding(
        by=manager,
        organisation=world.org_b,
        intervention=intervention,
        funder="Probe fund",
        amount=Decimal("100"),
        starts_on=date(2025, 1, 1),
        ends_on=None,
    )
    item = evidence_services.add_evidence(
        by=manager,
        organisation=world.org_b,
        intervention=intervention,
        kind="file",
        title="B's report",
        upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4 probe"),
    )
    return intervention, item


CAPACITY_MARKER = "Probe-capacity-note-of-B"


def _capacity_assessments(world: World) -> tuple[Any, ...]:
    """B's capacity self-assessments, completed and draft, each with the marker as its
    governance free-text answer (B's results are for B and B's own support roles)."""
    from pathmark.capacity import services as capacity_services
    from pathmark.instruments.registry import get_instrument

    manager = world.member(world.org_b, Role.MANAGER)
    instrument = get_instrument(capacity_services.DEFAULT_INSTRUMENT)
    made = []
    with organisation_scope(organisation_id=world.org_b.pk, user_id=manager.pk):
        for complete in (True, False):
            assessment = capacity_services.start_capacity_assessment(
                by=manager, organisation=world.org_b, language="en", assessed_on=date(2026, 1, 5)
            )
            for domain in instrument.domains:
                answers: dict[str, object] = {item.id: "starting" for item in domain.scored_items}
                if domain.id == "governance":
                    answers["governance-help"] = CAPACITY_MARKER
                assessment = capacity_services.save_capacity_answers(
                    by=manager,
                    organisation=world.org_b,
                    assessment=assessment,
                    domain_id=domain.id,
                    answers=answers,
                )
            if complete:
                assessment = capacity_services.complete_capacity_assessment(
                    by=manager, organisation=world.org_b, assessment=assessment
                )
            made.append(assessment)
    return tuple(made)


def _outsiders(world: World) -> list[Principal]:
    principals = [
        Principal(f"{world.org_a.slug} {role}", world.member(world.org_a, role), role)
        for role in Role.values
    ]
    # C once had B's person shared with it; that consent is withdrawn, so C has nothing.
    # Its service provider is one with no referral of B's person.
    principals += [
        Principal(f"{world.org_c.slug} {role}", world.member(world.org_c, role), role)
        for role in (Role.CASEWORKER, Role.MANAGER, Role.SERVICE_PROVIDER)
    ]
    lone = UserFactory(username="signed-in-without-organisation")
    former = UserFactory(username="former-b-caseworker")
    MembershipFactory(user=former, organisation=world.org_b, role=Role.CASEWORKER, is_active=False)
    deactivated = UserFactory(username="deactivated-b-manager")
    MembershipFactory(user=deactivated, organisation=world.org_b, role=Role.MANAGER)
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    principals += [
        Principal("signed in without an organisation", lone, None),
        Principal("former B caseworker (membership ended)", former, None),
        Principal("deactivated B manager", deactivated, None),
        Principal("anonymous", None, None),
    ]
    return principals


@pytest.fixture
def target(world: World, settings, tmp_path) -> Target:  # type: ignore[no-untyped-def]
    # Export files go to a folder of the test's own, not the project's private folder.
    settings.PATHMARK_PRIVATE_MEDIA = str(tmp_path / "private")
    org_d = OrganisationFactory(slug="partner-org", name="Partner Organisation")
    # B hosts the partnership: the partnership-wide reference data is B's to change, and the
    # administrators of A, C and the third organisation must not.
    type(world.org_b).objects.filter(pk=world.org_b.pk).update(is_partnership_host=True)
    world.org_b.refresh_from_db()
    shared_member = _shared_member(world)
    b_caseworker = world.b_caseworker
    with system_scope("security tests: organisation B's records"):
        person = PersonFactory(
            organisation=world.org_b,
            name=PERSON_NAME,
            phone=PHONE,
            email=EMAIL,
            address=ADDRESS,
            postcode="ZZ9 9ZZ",
            registered_by=b_caseworker,
        )
        member = PersonFactory(organisation=world.org_b, name=MEMBER_NAME)
        household = Household.objects.create(organisation=world.org_b)
        Person.objects.filter(pk__in=[person.pk, member.pk]).update(household=household)
        person.refresh_from_db()
        a_person = PersonFactory(organisation=world.org_a, name="Probe Own Client")
        processing = Consent.objects.get(person=person, kind=ConsentKind.PROCESSING)
        duplicate_flag = DuplicateFlag.objects.create(
            person=person, candidate=member, reason="same phone number"
        )
        status = ImmigrationStatus.objects.create(slug="probe-status", label="Probe status")
        import_job = apps.get_model("transfer", "ImportJob").objects.create(
            organisation=world.org_b,
            created_by=b_caseworker,
            kind="people",
            file_name=f"{PERSON_NAME.split()[0]}-and-family.csv",
            status="ready",
            total_rows=2,
        )
    share = _share(person, org_d)
    withdrawn = _share(person, world.org_c, withdrawn=True)
    completed = _completed_assessment(person, b_caseworker, world.org_b)
    draft = _probe_draft(person, b_caseworker, world.org_b)
    export_job = _prepared_export(world.b_manager, world.org_b)
    plan, plan_goal, plan_action = _drafted_plan(completed, b_caseworker, world.org_b)
    with system_scope("security test: B's life event"):
        life_event = apps.get_model("journeys", "LifeEvent").objects.create(
            person=person,
            organisation=world.org_b,
            occurred_on=date(2024, 3, 1),
            kind="moved_home",
            note=f"{PERSON_NAME.split()[0]} moved",
            recorded_by=b_caseworker,
        )
    service = _confidential_service(world.org_b)
    with system_scope("security tests: B's directory upload"):
        directory_job = apps.get_model("directory", "DirectoryImportJob").objects.create(
            organisation=world.org_b,
            created_by=world.member(world.org_b, Role.ADMINISTRATOR),
            file_name=f"{PERSON_NAME.split()[0]}-services.zip",
            status="ready",
        )
    referrals = _referrals(person, b_caseworker, world, org_d)
    client_link, closed_link_secrets = _client_links(person, b_caseworker, world.org_b)
    plan_referral_action = _plan_referral_action(plan, plan_goal, b_caseworker, world.org_b)
    capacity_assessments = _capacity_assessments(world)
    intervention, evidence_item = _evidence(world)
    secrets = (
        PERSON_NAME,
        *PERSON_NAME.split(),
        MEMBER_NAME,
        *MEMBER_NAME.split(),
        PHONE,
        EMAIL,
        ADDRESS,
        ANSWER_MARKER,
        world.b_caseworker.username,
        person.reference,
        member.reference,
        CAPACITY_MARKER,
    )
    return Target(
        org_a=world.org_a,
        org_b=world.org_b,
        org_c=world.org_c,
        org_d=org_d,
        person=person,
        member=member,
        household=household,
        processing_consent=processing,
        share_consent=share,
        withdrawn_consent=withdrawn,
        completed=completed,
        draft=draft,
        a_person=a_person,
        immigration_status=status,
        import_job=import_job,
        other_version=instrument_version_for("indicators-of-integration"),
        secrets=secrets,
        owners=world.members[world.org_b.slug],
        outsiders=[
            *_outsiders(world),
            _third_organisation_administrator(world, shared_member),
        ],
        shared_member=shared_member,
        invitation=_b_invitation(world, org_d),
        export_job=export_job,
        plan=plan,
        plan_goal=plan_goal,
        plan_action=plan_action,
        plan_referral_action=plan_referral_action,
        duplicate_flag=duplicate_flag,
        life_event=life_event,
        service=service,
        directory_job=directory_job,
        referrals=referrals,
        client_link=client_link,
        closed_link_secrets=closed_link_secrets,
        capacity_assessments=capacity_assessments,
        intervention=intervention,
        evidence_item=evidence_item,
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if not TALLY and not PROBED_PATTERNS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("break-in tests")
    write(
        f"access control: {len(PROBED_PATTERNS)} URL patterns, {len(PROBED_URLS)} URLs with B's "
        f"records filled in, {TALLY['requests']} requests (who × URL × method × form), "
        f"{TALLY['leaks']} with a problem"
    )
    write(
        f"tampering: {TALLY['tamper_posts']} form posts with forbidden fields added, "
        f"{TALLY['tamper_changes']} protected values changed"
    )
    write(
        f"audit: {TALLY['audited_requests']} requests to views of personal data, "
        f"{TALLY['unaudited']} without an audit entry"
    )
    write(
        f"fuzzing: {TALLY['fuzz_form_cases']} form cases, {TALLY['fuzz_command_cases']} "
        f"command cases ({TALLY['fuzz_form_cases'] + TALLY['fuzz_command_cases']} in all)"
    )
