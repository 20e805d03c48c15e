"""Issue 13, findings 3, 4, 5, 6 and 8: the data holes a break-in attempt found. Each test
reproduces the finding as reported and failed on the code before its fix."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pathmark.assessments.models import Assessment
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.organisations.permissions import ACTIONS_BY_ROLE
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, DuplicateFlag
from pathmark.privacy.registry import providers
from pathmark.testing import PersonFactory, client_for, run_assessment
from pathmark.transfer import tabular

FORMULA = "Smith;=cmd|' /C calc'!A0;"


def _share(person, organisation):  # type: ignore[no-untyped-def]
    with system_scope("test: consent to share"):
        return Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=organisation,
            purpose="Joint support",
            method=ConsentMethod.IN_PERSON,
            given_on=date(2025, 1, 2),
        )


# --- Finding 3: dates out of any sane range ------------------------------------------------


def test_a_year_one_assessment_does_not_break_the_journey_page(world):
    """Stored before the date rules existed (or loaded around them): the page still draws."""
    person = PersonFactory(organisation=world.org_a, date_of_birth=None)
    first = run_assessment(world.a_caseworker, world.org_a, person, assessed_on=date(2024, 1, 5))
    run_assessment(world.a_caseworker, world.org_a, person, assessed_on=date(2025, 1, 5))
    with system_scope("test: a legacy row with a year-1 date"):
        Assessment.objects.filter(pk=first.pk).update(assessed_on=date(1, 1, 1))
    response = client_for(world.a_caseworker).get(reverse("journeys:person", args=[person.pk]))
    assert response.status_code == 200


def test_an_assessment_before_the_earliest_year_is_refused_by_the_service(world):
    from django.core.exceptions import ValidationError

    from pathmark.assessments import services

    person = PersonFactory(organisation=world.org_b, date_of_birth=None)
    _share(person, world.org_a)
    scope = organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_caseworker.pk)
    with scope, pytest.raises(ValidationError):
        services.start_assessment(
            by=world.a_caseworker,
            organisation=world.org_a,
            person=person,
            instrument_slug="integration-journey",
            mode="caseworker_led",
            language="en",
            assessed_on=date(1, 1, 1),
        )


def test_the_import_refuses_a_year_one_assessment(world, tmp_path, settings):
    from pathmark.instruments.services import instrument_version_for
    from pathmark.transfer.formats import assessment_columns
    from pathmark.transfer.importing import ImportRefused, import_table

    version = instrument_version_for("integration-journey")
    instrument = version.instrument
    PersonFactory(organisation=world.org_a, external_id="X1", date_of_birth=None)
    columns = assessment_columns(instrument)
    row = {"person_external_id": "X1", "assessed_on": "0001-01-01"}
    row.update({item.id: "agree" for item in instrument.items})
    path = tmp_path / "assessments.csv"
    path.write_text(
        ",".join(columns) + "\n" + ",".join(row.get(c, "") for c in columns) + "\n",
        encoding="utf-8",
    )
    scope = organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_manager.pk)
    with scope, pytest.raises(ImportRefused) as refused:
        import_table(
            by=world.a_manager,
            organisation=world.org_a,
            table=tabular.read_table(path),
            kind="assessments",
            instrument_version=version,
        )
    assert [p.column for p in refused.value.result.problems.listed] == ["assessed_on"]


def _assessed_by_a_on_bs_person(world):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_b, date_of_birth=None)
    _share(person, world.org_a)
    assessment = run_assessment(
        world.a_caseworker, world.org_a, person, assessed_on=date(2025, 1, 5)
    )
    return person, assessment


def _counted(person) -> int:  # type: ignore[no-untyped-def]
    """How many completed assessments the person's stored journey is worked out from."""
    from pathmark.journeys.models import JourneyTrend

    with system_scope("test"):
        return sum(JourneyTrend.objects.filter(person=person).values_list("assessments", flat=True))


def _status(assessment) -> str:  # type: ignore[no-untyped-def]
    with system_scope("test"):
        return Assessment.objects.get(pk=assessment.pk).status


def test_the_persons_organisation_disputes_anothers_assessment_and_it_leaves_the_journey(world):
    person, assessment = _assessed_by_a_on_bs_person(world)
    assert _counted(person) == 1
    b = client_for(world.b_caseworker)
    url = reverse("assessments:set_aside", args=[assessment.pk])
    assert b.post(url, {"reason": "wrong_date"}).status_code == 302
    assert _status(assessment) == "disputed"
    assert _counted(person) == 0
    with system_scope("test"):
        logged = set(
            AuditEvent.objects.filter(action="assessment.disputed").values_list(
                "organisation_id", flat=True
            )
        )
    # In the owner's log and in the log of the organisation whose record it is.
    assert logged == {world.org_a.pk, world.org_b.pk}


def test_only_the_recording_organisation_withdraws_and_strangers_get_not_found(world):
    person, assessment = _assessed_by_a_on_bs_person(world)
    url = reverse("assessments:set_aside", args=[assessment.pk])
    stranger = world.member(world.org_c, Role.CASEWORKER)
    assert client_for(stranger).post(url, {"reason": "other"}).status_code == 404
    assert _status(assessment) == "completed"
    assert client_for(world.b_caseworker).post(url, {"reason": "other"}).status_code == 302
    assert _status(assessment) == "disputed"
    # The recorder may still withdraw what the owner disputed; a withdrawal is final.
    assert client_for(world.a_caseworker).post(url, {"reason": "other"}).status_code == 302
    assert _status(assessment) == "withdrawn"
    client_for(world.b_caseworker).post(url, {"reason": "other"})
    assert _status(assessment) == "withdrawn"


def test_the_persons_organisation_takes_back_its_dispute_and_only_it(world):
    person, assessment = _assessed_by_a_on_bs_person(world)
    b = client_for(world.b_caseworker)
    b.post(reverse("assessments:set_aside", args=[assessment.pk]), {"reason": "wrong_date"})
    result = b.get(reverse("assessments:result", args=[assessment.pk])).content.decode()
    assert "Take back the dispute" in result
    lift = reverse("assessments:lift_dispute", args=[assessment.pk])
    # The recorder withdraws rather than lifting; a stranger learns nothing.
    assert client_for(world.a_caseworker).post(lift).status_code == 404
    assert client_for(world.member(world.org_c, Role.CASEWORKER)).post(lift).status_code == 404
    assert _status(assessment) == "disputed"
    assert b.post(lift).status_code == 302
    assert _status(assessment) == "completed"
    assert _counted(person) == 1
    with system_scope("test"):
        logged = set(
            AuditEvent.objects.filter(action="assessment.dispute_lifted").values_list(
                "organisation_id", flat=True
            )
        )
    assert logged == {world.org_a.pk, world.org_b.pk}
    # Nothing to take back now: refused with a message, nothing changes.
    b.post(lift)
    assert _status(assessment) == "completed"


# --- Finding 4: a formula through a semicolon ----------------------------------------------


def _cells_with_separator(text: str, separator: str) -> list[str]:
    """What a spreadsheet whose list separator is `separator` reads from a CSV line."""
    return next(csv.reader(io.StringIO(text), delimiter=separator))


def test_a_formula_after_a_semicolon_is_neither_split_out_nor_live():
    written = tabular.write_csv(["name"], [[FORMULA]])
    body = written.split("\r\n")[1]
    for separator in (",", ";"):
        for cell in _cells_with_separator(body, separator):
            assert not cell.startswith(tabular.FORMULA_STARTS), (separator, cell)
    # A spreadsheet that ignores the quotes (a paste, a careless import) splits it anyway:
    # every piece it could make must still be inert.
    for piece in body.strip('"').split(";"):
        assert not piece.lstrip().startswith(("=", "+", "@")), piece
    assert tabular.restore_text(_cells_with_separator(body, ",")[0]) == FORMULA


# --- Finding 5: a related person loaded around the visibility check ------------------------


def test_a_duplicate_flag_hides_a_candidate_no_longer_shared(world):
    theirs = PersonFactory(organisation=world.org_b, name="Candidate Hidden Name")
    consent = _share(theirs, world.org_a)
    ours = PersonFactory(organisation=world.org_a, name="Our Person")
    with system_scope("test: a flag made while the record was shared"):
        DuplicateFlag.objects.create(person=ours, candidate=theirs, reason="same name")
        consent.withdrawn_at = consent.recorded_at
        consent.save(update_fields=["withdrawn_at"])
    response = client_for(world.a_caseworker).get(reverse("people:detail", args=[ours.pk]))
    assert response.status_code == 200
    assert theirs.reference not in response.content.decode()


@pytest.fixture
def assessments_without_the_person():  # type: ignore[no-untyped-def]
    """A kind of grant covering a person's assessments but not their record (as a referral's
    narrower consent may): whoever holds it must not see the person through an assessment.
    The fixture's value maps organisation ids to the person ids they hold it for."""
    from django.db.models import Q

    from pathmark.people import access

    # Fill in before the test's first scoped query: a condition is built once and kept
    # (`access.visible_people_q`), so it holds the ids it was first built with.
    held: dict[int, list[int]] = {}

    def condition(*, organisation_id, person, part):  # type: ignore[no-untyped-def]
        if part != access.ASSESSMENTS:
            return None
        return Q(**{f"{access.person_pk(person)}__in": held.get(organisation_id, [])})

    kind = access.register(
        access.GrantKind(
            code="test-assessments-only", label="test", condition=condition, grants=lambda _: []
        )
    )
    yield held
    access.unregister(kind.code)


def test_the_start_page_names_no_person_whose_record_is_not_visible(
    world, assessments_without_the_person
):
    from pathmark.assessments.selectors import drafts_of_organisation
    from pathmark.instruments.services import instrument_version_for

    theirs = PersonFactory(organisation=world.org_b, name="Drafted Hidden Name")
    assessments_without_the_person[world.org_a.pk] = [theirs.pk]
    with system_scope("test: assessments shared, the record not"):
        draft = Assessment.objects.create(
            person=theirs,
            organisation=world.org_a,
            instrument_version=instrument_version_for("integration-journey"),
            mode="caseworker_led",
            language="en",
            assessed_on=date(2025, 6, 1),
        )
    with organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_caseworker.pk):
        assert Assessment.objects.filter(person=theirs).exists()
        assert drafts_of_organisation(organisation=world.org_a) == []
    client = client_for(world.a_caseworker)
    assert "Drafted Hidden Name" not in client.get(reverse("site:home")).content.decode()
    assert client.get(reverse("assessments:result", args=[draft.pk])).status_code == 404


# --- Finding 6: uploads held in the request ------------------------------------------------


@pytest.fixture
def managers_import(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    actions = ACTIONS_BY_ROLE[Role.MANAGER] | {"data.import", "data.export"}
    monkeypatch.setitem(ACTIONS_BY_ROLE, Role.MANAGER, actions)
    settings.PATHMARK_PRIVATE_MEDIA = str(tmp_path / "private")


def _bomb(rows: int) -> bytes:
    """A small workbook that expands to many rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("people")
    sheet.append(["external_id", "name"])
    for number in range(rows):
        sheet.append([f"X{number}", "A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_expanding_past_the_limit_is_refused_with_the_limit_named(
    world, settings, managers_import
):
    from pathmark.transfer.models import ImportJob

    settings.PATHMARK_IMPORT_MAX_UNCOMPRESSED_BYTES = 100 * 1024
    data = _bomb(5_000)
    assert len(data) < 100 * 1024
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 100 * 1024
    response = client_for(world.a_manager).post(
        reverse("transfer:index"),
        {"what": "people", "file": SimpleUploadedFile("people.xlsx", data)},
    )
    assert response.status_code == 200
    assert "more than the 100.0\xa0KB Pathmark reads" in response.content.decode()
    with system_scope("test"):
        assert not ImportJob.objects.exists()


def test_an_upload_stops_being_received_at_the_size_limit(world, settings, managers_import):
    settings.PATHMARK_UPLOAD_MAX_BYTES = 10 * 1024
    data = b"external_id,name\n" + b"X1,A\n" * 5_000
    response = client_for(world.a_manager).post(
        reverse("transfer:index"),
        {"what": "people", "file": SimpleUploadedFile("people.csv", data)},
    )
    assert response.status_code == 200
    assert "larger than 10.0\xa0KB" in response.content.decode()


def test_a_file_with_more_rows_than_allowed_fails_in_the_background_naming_the_limit(
    world, settings, managers_import, django_capture_on_commit_callbacks
):
    from pathmark.transfer.models import ImportJob

    settings.PATHMARK_IMPORT_MAX_ROWS = 100
    data = b"external_id,name\n" + b"X1,A\n" * 101
    # The upload is accepted: counting rows is the background check's work, run after commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.a_manager).post(
            reverse("transfer:index"),
            {"what": "people", "file": SimpleUploadedFile("people.csv", data)},
        )
    assert response.status_code == 302
    with system_scope("test"):
        job = ImportJob.objects.get()
    assert job.status == "failed"
    assert "more than 100 rows" in job.failure


# --- Finding 8: lists audited without the people shown -------------------------------------


def test_a_search_that_showed_a_person_is_in_their_subject_access_copy(world):
    person = PersonFactory(organisation=world.org_a, name="Listed Person")
    PersonFactory(organisation=world.org_a, name="Someone Else")
    client = client_for(world.a_caseworker)
    assert client.get(reverse("people:list")).status_code == 200
    with system_scope("test"):
        listed = AuditEvent.objects.filter(action="person.listed").get()
        export = next(p for p in providers() if p.key == "audit.entries").export
        rows = export(person)
    assert "person.listed" in [row["action"] for row in rows]
    assert listed.extra["shown"]


def test_the_caseload_worklist_records_the_people_it_showed(world):
    person = PersonFactory(organisation=world.org_a, date_of_birth=None)
    run_assessment(world.a_caseworker, world.org_a, person, assessed_on=date(2024, 1, 5))
    run_assessment(
        world.a_caseworker, world.org_a, person, assessed_on=date(2025, 1, 5), answer="disagree"
    )
    client = client_for(world.a_manager)
    response = client.get(reverse("journeys:cohort"))
    assert response.status_code == 200
    with system_scope("test"):
        export = next(p for p in providers() if p.key == "audit.entries").export
        rows = export(person)
    assert "journey.cohort_viewed" in [row["action"] for row in rows]


def test_a_list_that_did_not_show_a_person_is_not_in_their_copy(world):
    shown = PersonFactory(organisation=world.org_a, name="Shown Person")
    elsewhere = PersonFactory(organisation=world.org_b, name="Elsewhere Person")
    assert client_for(world.a_caseworker).get(reverse("people:list")).status_code == 200
    with system_scope("test"):
        export = next(p for p in providers() if p.key == "audit.entries").export
        assert "person.listed" in [row["action"] for row in export(shown)]
        assert "person.listed" not in [row["action"] for row in export(elsewhere)]
