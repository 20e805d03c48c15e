"""Background work of the referrals app: reminding senders of overdue referrals. The task
works in the system scope, because it reads every organisation's sent referrals."""

from __future__ import annotations

from django_tasks import task

from pathmark.organisations.scoping import system_scope

from . import services


@task()
def remind_overdue_referrals() -> dict[str, int]:
    """E-mails each overdue referral's sender once per overdue spell; returns the count."""
    with system_scope("reminding senders of overdue referrals"):
        return {"reminded": services.remind_overdue()}
