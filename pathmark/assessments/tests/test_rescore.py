"""Stored scores can be recomputed from answers when a scoring rule changes."""

import json

from django.core.management import call_command

from pathmark.assessments.models import Assessment
from pathmark.demo.services import load_demo_partnership
from pathmark.organisations.scoping import system_scope


def test_rescore_restores_scores_from_answers_and_leaves_correct_ones(db, capsys):
    load_demo_partnership(people=15, seed=3)
    with system_scope("test"):
        tampered = Assessment.objects.filter(status="completed").exclude(answers={}).first()
        right = (tampered.overall_score, tampered.stage, tampered.domain_scores)
        Assessment.objects.filter(pk=tampered.pk).update(overall_score=1.0, stage="wrong")
    call_command("rescore", "--dry-run", "--json")
    dry = json.loads(capsys.readouterr().out)
    assert dry["changed"] == 1 and dry["dry_run"] is True
    with system_scope("test"):
        assert Assessment.objects.get(pk=tampered.pk).stage == "wrong"
    call_command("rescore", "--json")
    assert json.loads(capsys.readouterr().out)["changed"] == 1
    with system_scope("test"):
        tampered.refresh_from_db()
    assert (tampered.overall_score, tampered.stage, tampered.domain_scores) == right


def test_assessments_without_answers_keep_their_scores(db, capsys):
    load_demo_partnership(people=5, seed=4)
    with system_scope("test"):
        erased = Assessment.objects.filter(status="completed").first()
        Assessment.objects.filter(pk=erased.pk).update(
            answers={}, item_scores={}, overall_score=42.0
        )
    call_command("rescore", "--json")
    counts = json.loads(capsys.readouterr().out)
    assert counts["without_answers"] == 1 and counts["changed"] == 0
    with system_scope("test"):
        assert Assessment.objects.get(pk=erased.pk).overall_score == 42.0


def test_each_rescored_assessment_is_audited_in_its_own_batch(db, capsys):
    from pathmark.audit.models import AuditEvent

    load_demo_partnership(people=5, seed=5)
    with system_scope("test"):
        target = Assessment.objects.filter(status="completed").first()
        Assessment.objects.filter(pk=target.pk).update(overall_score=1.0)
    call_command("rescore")
    event = AuditEvent.objects.get(action="assessment.rescored")
    assert event.object_id == str(target.pk) and event.person_id == target.person_id


def test_restricted_people_are_not_rescored(db, capsys):
    from pathmark.people.models import Person

    load_demo_partnership(people=5, seed=6)
    with system_scope("test"):
        target = Assessment.objects.filter(status="completed").first()
        Assessment.objects.filter(pk=target.pk).update(overall_score=1.0)
        Person.objects.filter(pk=target.person_id).update(status=Person.Status.RESTRICTED)
    call_command("rescore", "--json")
    assert json.loads(capsys.readouterr().out)["restricted"] >= 1
    with system_scope("test"):
        assert Assessment.objects.get(pk=target.pk).overall_score == 1.0
