"""Subject access: everything held about a person, nothing about anyone else, only for the
organisation that registered them, and always audited."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import organisation_scope
from pathmark.people import services as people_services
from pathmark.privacy import registry, rendering, services
from pathmark.testing import PersonFactory, assert_disallowed, client_for, run_assessment

from .conftest import CONSENT_PURPOSE, SECRETS


def export_json(world, person) -> dict:  # type: ignore[no-untyped-def]
    response = client_for(world.a_manager).post(
        f"/privacy/people/{person.pk}/export/", {"format": "json"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_export_holds_record_consents_assessments_with_answers_and_audit(world, person, assessment):
    document = export_json(world, person)
    sections = document["sections"]
    record = sections["people.record"]["records"][0]
    assert record["name"] == SECRETS["name"] and record["phone"] == SECRETS["phone"]
    assert record["reference"] == person.reference
    purposes = [c["purpose"] for c in sections["people.consents"]["records"]]
    assert CONSENT_PURPOSE in purposes
    exported = sections["assessments.assessments"]["records"][0]
    assert exported["reference"] == assessment.reference
    assert exported["overall_score"] == assessment.overall_score
    assert {a["item"]: a["answer"] for a in exported["answers"]} == assessment.answers
    assert all(a["question"] for a in exported["answers"])
    actions = {entry["action"] for entry in sections["audit.entries"]["records"]}
    assert {"assessment.completed", "person.viewed_for_privacy"} <= actions


def test_export_holds_nothing_about_other_people(world, person):
    other = PersonFactory(organisation=world.org_a, name="Rashid Othermarker", phone="07700 955511")
    with organisation_scope(organisation_id=world.org_a.pk):
        people_services.link_household(
            by=world.a_caseworker, organisation=world.org_a, person=person, other=other
        )
    body = json.dumps(export_json(world, person))
    assert "Othermarker" not in body and "955511" not in body
    assert other.reference not in body


def test_export_includes_assessments_run_by_an_organisation_it_was_shared_with(world, person):
    elsewhere = run_assessment(world.b_caseworker, world.org_b, person)
    records = export_json(world, person)["sections"]["assessments.assessments"]["records"]
    assert [r["reference"] for r in records] == [elsewhere.reference]
    assert records[0]["organisation"] == world.org_b.name


def test_export_is_audited_without_personal_data(world, person):
    export_json(world, person)
    event = AuditEvent.objects.get(action="person.exported")
    assert event.person_id == person.pk and event.actor == world.a_manager
    assert event.extra["format"] == "json" and event.extra["records"] > 0
    assert not any(secret in json.dumps(event.extra) for secret in SECRETS.values())


def test_readable_copy_is_in_the_persons_language_and_direction(world, person, assessment):
    with organisation_scope(organisation_id=world.org_a.pk):
        export = services.export_personal_data(
            by=world.a_manager, organisation=world.org_a, person=person, format="html"
        )
    html = rendering.as_html(export)
    assert 'lang="ar" dir="rtl"' in html
    assert "البيانات الشخصية" in html  # "Personal details"
    assert "رقم الهاتف" in html  # "Phone"
    assert SECRETS["address"] in html and "<table>" in html and "<script" not in html


def test_readable_copy_falls_back_to_english_and_says_so(world):
    person = PersonFactory(organisation=world.org_a, preferred_language="ti")
    with organisation_scope(organisation_id=world.org_a.pk):
        export = services.export_personal_data(
            by=world.a_manager, organisation=world.org_a, person=person, format="html"
        )
    html = rendering.as_html(export)
    assert 'lang="en" dir="ltr"' in html
    assert "not yet translated into your preferred language" in html


def test_manager_sees_the_data_protection_page(world, person):
    response = client_for(world.a_manager).get(f"/privacy/people/{person.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Download the copy" in content and "Restrict processing" in content


@pytest.mark.parametrize("path", ["", "export/"])
def test_others_may_not_export(world, person, path):
    shared_org_manager = world.b_manager  # sees the record through consent, read-only
    others = [
        *[world.member(world.org_a, role) for role in Role.values if role != Role.MANAGER],
        *world.everyone_outside(world.org_a),
        None,
    ]
    assert shared_org_manager in others
    method = "post" if path else "get"
    assert_disallowed(
        f"/privacy/people/{person.pk}/{path}",
        others,
        method=method,
        data={"format": "json"},
        secret=SECRETS["name"],
    )
    assert not AuditEvent.objects.filter(action="person.exported").exists()


def test_erased_person_cannot_be_exported(world, person):
    with organisation_scope(organisation_id=world.org_a.pk):
        services.erase_person(by=world.a_manager, organisation=world.org_a, person=person)
    response = client_for(world.a_manager).post(
        f"/privacy/people/{person.pk}/export/", {"format": "json"}
    )
    assert response.status_code == 404


def test_command_writes_the_export_to_a_file_readable_by_its_owner_only(world, person, tmp_path):
    target = tmp_path / "copy.html"
    call_command("people", "export", person.reference, "--format", "html", "--output", str(target))
    assert SECRETS["name"] in target.read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o077 == 0
    event = AuditEvent.objects.get(action="person.exported")
    assert event.extra["via"] == "command" and event.organisation == world.org_a


def test_command_prints_json_to_stdout(world, person):
    out = StringIO()
    call_command("people", "export", str(person.pk), stdout=out)
    assert json.loads(out.getvalue())["person"] == person.reference


def test_command_refuses_to_overwrite_a_file(world, person, tmp_path):
    target = tmp_path / "copy.json"
    target.write_text("keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("people", "export", str(person.pk), "--output", str(target))
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("given", ["999999", "P-999999", "someone"])
def test_command_fails_with_a_one_line_reason_for_an_unknown_person(world, given):
    with pytest.raises(CommandError) as error:
        call_command("people", "export", given)
    assert "\n" not in str(error.value)


def test_a_provider_registered_by_a_later_app_is_exported_and_erased(world, person):
    erased = []
    provider = registry.Provider(
        key="test.referrals",
        title="Referrals",
        export=lambda p: [{"service": "ESOL class", "person": p.pk}],
        erase=lambda p, *, by: erased.append(p.pk) or 1,
    )
    registry.register(provider)
    try:
        document = export_json(world, person)
        assert document["sections"]["test.referrals"]["records"] == [
            {"service": "ESOL class", "person": person.pk}
        ]
        with organisation_scope(organisation_id=world.org_a.pk):
            counts = services.erase_person(
                by=world.a_manager, organisation=world.org_a, person=person
            )
        assert erased == [person.pk] and counts["test.referrals"] == 1
    finally:
        registry.unregister("test.referrals")


def test_a_provider_key_cannot_be_registered_twice():
    with pytest.raises(registry.ProviderError):
        registry.register(registry.Provider(key="people.record", title="x", export=list))


def test_manager_downloads_the_printable_copy(world, person):
    response = client_for(world.a_manager).post(
        f"/privacy/people/{person.pk}/export/", {"format": "html"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert f'filename="{person.reference}-subject-access.html"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert SECRETS["name"] in response.content.decode()


@pytest.mark.parametrize(
    ("role", "own", "shown"),
    [
        (Role.MANAGER, True, True),
        (Role.CASEWORKER, True, False),
        (Role.MANAGER, False, False),
    ],
)
def test_person_page_link_shows_only_for_the_owning_organisations_managers(
    world, person, rf, role, own, shown
):
    organisation = world.org_a if own else world.org_b
    request = rf.get("/")
    request.membership = world.member(organisation, role).memberships.get()
    html = render_to_string("privacy/_person_actions.html", {"person": person}, request=request)
    assert (f"/privacy/people/{person.pk}/" in html) is shown


def test_readable_copy_names_the_stage_in_words_not_only_its_code(world, person, assessment):
    with organisation_scope(organisation_id=world.org_a.pk):
        export = services.export_personal_data(
            by=world.a_manager, organisation=world.org_a, person=person, format="html"
        )
        assessment.refresh_from_db()
    instrument = assessment.instrument_version.instrument
    stage = next(stage for stage in instrument.stages if stage.id == assessment.stage)
    html = rendering.as_html(export)
    # In the language the assessment was done in, like its questions and answers.
    assert assessment.language == "en"
    assert f"<dd>{stage.label['en']}" in html
