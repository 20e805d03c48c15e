"""Overdue referrals are e-mailed to their sender, once per overdue spell, with a link only."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.referrals import services, states
from pathmark.referrals.models import Referral
from pathmark.referrals.tasks import remind_overdue_referrals

from .conftest import move, refer


def sent_days_ago(referral: Referral, days: int) -> None:
    Referral._base_manager.filter(pk=referral.pk).update(
        sent_at=timezone.now() - timedelta(days=days)
    )


def test_an_overdue_referral_is_reminded_once_with_a_link_only(
    world, client_person, service, django_capture_on_commit_callbacks
):
    world.b_caseworker.email = "sender@example.org"
    world.b_caseworker.save()
    overdue = refer(world, client_person, service, note="Needs evening classes")
    on_time = refer(world, client_person, service)
    sent_days_ago(overdue, service.response_days + 1)
    sent_days_ago(on_time, service.response_days)
    mail.outbox.clear()
    with system_scope("test"), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_overdue() == 1
    (message,) = mail.outbox
    assert message.to == ["sender@example.org"]
    assert f"/referrals/{overdue.pk}/" in message.body
    assert f"/referrals/{on_time.pk}/" not in message.body
    text = message.subject + message.body
    for secret in (*client_person.name.split(), "evening", service.name):
        assert secret not in text
    assert (
        AuditEvent.objects.filter(
            action="referral.overdue_reminded", object_id=str(overdue.pk)
        ).count()
        == 1
    )

    # Idempotent: the same spell is not reminded again, by the service or the command.
    with system_scope("test"), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_overdue() == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("referrals", "remind", stdout=StringIO())
    assert len(mail.outbox) == 1

    # A day later the other one is overdue too: only it is reminded.
    with system_scope("test"), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_overdue(today=timezone.localdate() + timedelta(days=1)) == 1
    assert f"/referrals/{on_time.pk}/" in mail.outbox[-1].body
    assert f"/referrals/{overdue.pk}/" not in mail.outbox[-1].body


def test_answered_referrals_are_not_reminded_and_the_task_reports_its_count(
    world, client_person, service, django_capture_on_commit_callbacks
):
    manager = world.member(world.org_b, Role.MANAGER)
    manager.email = "manager@example.org"
    manager.save()
    answered = refer(world, client_person, service)
    waiting = refer(world, client_person, service)
    for referral in (answered, waiting):
        sent_days_ago(referral, service.response_days + 3)
    move(world, world.org_a, answered, states.ACCEPTED)
    with system_scope("test"):
        assert [r.pk for r in services.overdue_to_remind()] == [waiting.pk]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = remind_overdue_referrals.enqueue()
    assert result.return_value == {"reminded": 1}
    waiting.refresh_from_db()
    assert waiting.overdue_reminded_at is not None
    # Without the sender's own address, the sending organisation's managers are told.
    (message,) = mail.outbox
    assert message.to == ["manager@example.org"]


def test_a_referral_sent_again_after_a_reminder_is_a_new_spell(world, client_person, service):
    referral = refer(world, client_person, service)
    sent_days_ago(referral, service.response_days + 1)
    with system_scope("test"):
        assert services.remind_overdue() == 1
    Referral._base_manager.filter(pk=referral.pk).update(
        sent_at=timezone.now() - timedelta(days=service.response_days + 1),
        overdue_reminded_at=timezone.now() - timedelta(days=service.response_days + 2),
    )
    with system_scope("test"):
        assert [r.pk for r in services.overdue_to_remind()] == [referral.pk]
