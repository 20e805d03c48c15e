"""The caseworker's path through the pages: start, one page per domain, review, result."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.audit.models import AuditEvent
from pathmark.instruments.scoring import score_responses
from pathmark.organisations.scoping import system_scope
from pathmark.testing import client_for

from .conftest import JOURNEY, AssessmentFactory, answers_for, reload, share


def start_through_page(client, person, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "instrument": JOURNEY,
        "mode": AssessmentMode.WITH_INTERPRETER,
        "language": "en",
        "assessed_on": "2025-06-01",
    }
    data.update(overrides)
    response = client.post(reverse("assessments:start", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with system_scope("test"):
        assessment = Assessment.objects.filter(person=person).latest("pk")
    assert response["Location"] == reverse("assessments:domain", args=[assessment.pk, 1])
    return assessment


def domain_data(domain, answers, go="next"):  # type: ignore[no-untyped-def]
    data = {item.id: answers[item.id] for item in domain.items if item.id in answers}
    data["go"] = go
    return data


def test_caseworker_runs_a_whole_assessment(world, person_a, journey, journey_instrument):
    client = client_for(world.a_caseworker)
    assert client.get(reverse("assessments:start", args=[person_a.pk])).status_code == 200
    assessment = start_through_page(client, person_a)
    answers = answers_for(journey_instrument)
    domains = journey_instrument.domains
    for number, domain in enumerate(domains, start=1):
        url = reverse("assessments:domain", args=[assessment.pk, number])
        page = client.get(url)
        assert page.status_code == 200
        assert 'aria-current="step"' in page.content.decode()
        response = client.post(url, domain_data(domain, answers))
        expected = (
            reverse("assessments:domain", args=[assessment.pk, number + 1])
            if number < len(domains)
            else reverse("assessments:review", args=[assessment.pk])
        )
        assert response["Location"] == expected
    review = client.get(reverse("assessments:review", args=[assessment.pk]))
    assert "Every question has an answer." in review.content.decode()
    response = client.post(
        reverse("assessments:review", args=[assessment.pk]), {"instrument_version": journey.pk}
    )
    assert response["Location"] == reverse("assessments:result", args=[assessment.pk])

    stored = reload(assessment)
    expected = score_responses(journey_instrument, answers)
    assert stored.status == AssessmentStatus.COMPLETED
    assert stored.instrument_version_id == journey.pk
    assert stored.mode == AssessmentMode.WITH_INTERPRETER
    assert stored.answers == answers
    assert stored.overall_score == expected.overall

    page = client.get(reverse("assessments:result", args=[assessment.pk])).content.decode()
    assert "<svg" in page
    assert 'class="bar"' in page
    stage = journey_instrument.stage_for(expected.overall)
    assert stage.label["en"] in page
    for domain in domains:
        assert domain.title["en"] in page
    assert f"{expected.overall:.1f}" in page

    person_page = client.get(reverse("people:detail", args=[person_a.pk])).content.decode()
    assert f"{expected.overall:.1f}" in person_page
    assert reverse("assessments:result", args=[assessment.pk]) in person_page


def test_draft_is_saved_and_resumed(world, person_a, journey, journey_instrument):
    client = client_for(world.a_caseworker)
    assessment = start_through_page(client, person_a)
    first = journey_instrument.domains[0]
    chosen = first.items[0]
    client.post(
        reverse("assessments:domain", args=[assessment.pk, 1]), {chosen.id: "agree", "go": "next"}
    )
    person_page = client.get(reverse("people:detail", args=[person_a.pk])).content.decode()
    assert reverse("assessments:review", args=[assessment.pk]) in person_page

    page = client.get(reverse("assessments:domain", args=[assessment.pk, 1])).content.decode()
    assert f'name="{chosen.id}" value="agree"' in page
    assert f'name="{chosen.id}" value="agree" required' not in page
    checked = page.split(f'name="{chosen.id}" value="agree"')[1].split(">")[0]
    assert "checked" in checked

    review = client.get(reverse("assessments:review", args=[assessment.pk])).content.decode()
    unanswered, answers = review.split('id="answers-heading"')
    assert first.items[1].text["en"] in unanswered
    assert chosen.text["en"] not in unanswered
    # "Check your answers" lists the answered question with its answer.
    assert chosen.text["en"] in answers
    assert reload(assessment).answers == {chosen.id: "agree"}


def test_back_saves_and_goes_to_the_previous_domain(world, person_a, journey, journey_instrument):
    client = client_for(world.a_caseworker)
    assessment = start_through_page(client, person_a)
    second = journey_instrument.domains[1]
    response = client.post(
        reverse("assessments:domain", args=[assessment.pk, 2]),
        {second.items[0].id: "disagree", "go": "back"},
    )
    assert response["Location"] == reverse("assessments:domain", args=[assessment.pk, 1])
    assert reload(assessment).answers == {second.items[0].id: "disagree"}


def test_value_that_is_not_an_option_is_refused_and_nothing_written(
    world, person_a, journey, journey_instrument
):
    client = client_for(world.a_caseworker)
    assessment = start_through_page(client, person_a)
    first = journey_instrument.domains[0]
    response = client.post(
        reverse("assessments:domain", args=[assessment.pk, 1]),
        {first.items[0].id: "agree", first.items[1].id: "7", "go": "next"},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert reload(assessment).answers == {}


def test_domain_number_out_of_range_is_not_found(world, person_a, journey, journey_instrument):
    client = client_for(world.a_caseworker)
    assessment = start_through_page(client, person_a)
    for number in (0, len(journey_instrument.domains) + 1):
        assert client.get(f"/assessments/{assessment.pk}/domain/{number}/").status_code == 404


def test_start_page_never_offers_an_organisation_instrument(world, person_a, journey):
    client = client_for(world.a_caseworker)
    page = client.get(reverse("assessments:start", args=[person_a.pk])).content.decode()
    assert 'value="integration-journey"' in page
    assert "organisational-capacity" not in page


def test_start_page_refuses_a_future_date(world, person_a, journey):
    client = client_for(world.a_caseworker)
    response = client.post(
        reverse("assessments:start", args=[person_a.pk]),
        {
            "instrument": JOURNEY,
            "mode": AssessmentMode.CASEWORKER_LED,
            "language": "en",
            "assessed_on": "2999-01-01",
        },
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()


def test_start_page_refuses_a_date_before_birth(world, person_a, journey):
    client = client_for(world.a_caseworker)
    response = client.post(
        reverse("assessments:start", args=[person_a.pk]),
        {
            "instrument": JOURNEY,
            "mode": AssessmentMode.CASEWORKER_LED,
            "language": "en",
            "assessed_on": "1950-01-01",
        },
    )
    assert response.status_code == 200
    assert "before the person&#x27;s date of birth" in response.content.decode()


def test_questions_in_a_right_to_left_language_carry_lang_and_dir(
    world, person_a, journey, journey_instrument
):
    client = client_for(world.a_caseworker)
    assessment = start_through_page(client, person_a, language="ar")
    page = client.get(reverse("assessments:domain", args=[assessment.pk, 1])).content.decode()
    item = journey_instrument.domains[0].items[0]
    assert f'<legend lang="ar" dir="rtl">{item.text["ar"]}</legend>' in page
    assert f'lang="ar" dir="rtl">{item.options[0].label["ar"]}</span>' in page


def test_shared_person_is_assessed_by_the_other_organisation_through_the_pages(
    world, person_a, journey, journey_instrument
):
    share(person_a, world.org_b)
    client = client_for(world.b_caseworker)
    assessment = start_through_page(client, person_a)
    answers = answers_for(journey_instrument)
    for number, domain in enumerate(journey_instrument.domains, start=1):
        client.post(
            reverse("assessments:domain", args=[assessment.pk, number]),
            domain_data(domain, answers),
        )
    client.post(
        reverse("assessments:review", args=[assessment.pk]), {"instrument_version": journey.pk}
    )
    stored = reload(assessment)
    assert stored.organisation == world.org_b
    assert stored.status == AssessmentStatus.COMPLETED
    # The registering organisation may read the result but not change it.
    owner = client_for(world.a_caseworker)
    assert owner.get(reverse("assessments:result", args=[assessment.pk])).status_code == 200


def test_every_read_and_write_is_audited(world, person_a, journey, journey_instrument):
    client = client_for(world.a_caseworker)
    assessment = start_through_page(client, person_a)
    first = journey_instrument.domains[0]
    client.get(reverse("assessments:domain", args=[assessment.pk, 1]))
    client.post(
        reverse("assessments:domain", args=[assessment.pk, 1]),
        {first.items[0].id: "agree", "go": "next"},
    )
    client.get(reverse("assessments:review", args=[assessment.pk]))
    actions = list(
        AuditEvent.objects.filter(person_id=person_a.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "person.viewed_for_assessment",
        "assessment.started",
        "assessment.viewed_for_edit",
        "assessment.viewed_for_edit",
        "assessment.saved",
        "assessment.viewed_for_edit",
    ]


def test_completed_result_read_is_audited(world, person_a, journey):
    completed = AssessmentFactory(
        person=person_a,
        status=AssessmentStatus.COMPLETED,
        completed_at=timezone.now(),
        domain_scores={"economic-stability": 50.0},
        overall_score=50.0,
        stage="building-skills",
    )
    response = client_for(world.a_manager).get(reverse("assessments:result", args=[completed.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="assessment.viewed")
    assert event.object_id == str(completed.pk)
    assert event.actor == world.a_manager


def test_discard_asks_first_then_deletes_with_its_reason(world, person_a, journey):
    client = client_for(world.a_caseworker)
    assessment = start_through_page(client, person_a)
    url = reverse("assessments:discard", args=[assessment.pk])
    asked = client.get(url)
    assert asked.status_code == 200
    assert "Discard this draft?" in asked.content.decode()
    # Without a reason nothing happens.
    assert client.post(url, {}).status_code == 200
    with system_scope("test"):
        assert Assessment.objects.filter(pk=assessment.pk).exists()
    response = client.post(url, {"reason": "started_by_mistake"})
    assert response["Location"] == reverse("people:detail", args=[person_a.pk])
    with system_scope("test"):
        assert not Assessment.objects.filter(pk=assessment.pk).exists()
    event = AuditEvent.objects.get(action="assessment.discarded")
    assert event.extra["reason"] == "started_by_mistake"


def test_moving_to_another_part_saves_the_part_being_answered(world, person_a, journey):
    client = client_for(world.a_caseworker)
    assessment = start_through_page(client, person_a)
    response = client.post(
        reverse("assessments:domain", args=[assessment.pk, 1]),
        {"money-for-bills": "agree", "go": "part-3"},
    )
    assert response["Location"] == reverse("assessments:domain", args=[assessment.pk, 3])
    with system_scope("test"):
        assert Assessment.objects.get(pk=assessment.pk).answers["money-for-bills"] == "agree"
    # The step list on a part's page is made of buttons of the answers' form, not links.
    body = client.get(reverse("assessments:domain", args=[assessment.pk, 2])).content.decode()
    assert 'form="answers" name="go" value="part-1"' in body
    assert f'href="{reverse("assessments:domain", args=[assessment.pk, 1])}"' not in body


def test_check_your_answers_lists_every_answer_given(world, person_a, journey):
    client = client_for(world.a_caseworker)
    assessment = start_through_page(client, person_a)
    client.post(
        reverse("assessments:domain", args=[assessment.pk, 1]),
        {"money-for-bills": "agree", "go": "review"},
    )
    body = client.get(reverse("assessments:review", args=[assessment.pk])).content.decode()
    assert "Check your answers" in body
    assert "Agree" in body
    assert "Not answered" in body
