"""Writing referrals: each function is one transaction with its event row and audit entry.

The sending organisation drafts, sends and withdraws, and records the person's rating; the
organisation running the service accepts, declines, starts and closes. Which side may do
what is the table in `states.py`; e-mails leave only after the change commits and hold no
personal data, only a link.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pathmark.audit.services import record, record_many
from pathmark.directory.models import Service
from pathmark.organisations.models import Membership, Organisation, Role
from pathmark.organisations.scoping import checks_organisation
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person

from . import states
from .models import Referral, ReferralEvent, Status


@dataclass(frozen=True)
class ReferralConsent:
    """The person's consent to share their record with the service for this referral."""

    given_on: datetime.date
    method: str
    covers_assessments: bool = False


class ReferralError(ValidationError):
    """A change the referral's state or the caller's side does not allow, in words."""


def _transition_message(error: states.TransitionError) -> str:
    messages = {
        "closed": _("This referral is closed; nothing more can change."),
        "not_next": _("A referral that is %(current)s cannot become %(new)s."),
        "other_side": _("Only the other organisation can make this change."),
        "reason_needed": _("Choose why the referral is declined."),
        "reason_only_for_decline": _("A reason is given only when declining."),
        "unknown_state": _("That is not a state a referral can be in."),
    }
    labels = dict(Status.choices)
    return messages[error.code] % {
        "current": labels.get(error.current, error.current),
        "new": labels.get(error.new, error.new),
    }


@checks_organisation
def side_of(referral: Referral, organisation: Organisation) -> str | None:
    if referral.organisation_id == organisation.pk:
        return states.SENDER
    if referral.receiving_organisation_id == organisation.pk:
        return states.RECEIVER
    return None


@checks_organisation
def may_refer(person: Person, organisation: Organisation) -> bool:
    """The registering organisation, or one the person consented to share their record with.
    An organisation that sees the person only through a referral does not refer them on."""
    if person.organisation_id == organisation.pk:
        return True
    return Consent.objects.filter(
        person=person, kind=ConsentKind.SHARE, shared_with=organisation, withdrawn_at__isnull=True
    ).exists()


def _check_plan_action(action: Any, *, person: Person, organisation: Organisation) -> None:
    """A referral carries out an action of a referral kind, of an open plan about the same
    person, held by the organisation sending it; and only one such referral is open at once."""
    plan = action.goal.plan
    if plan.person_id != person.pk or plan.organisation_id != organisation.pk:
        raise Person.DoesNotExist
    if action.kind != "referral":
        raise ReferralError(_("Only an action that is a referral to a service can be sent."))
    if not plan.is_open:
        raise ReferralError(_("This plan is closed; its actions no longer change."))
    if Referral.objects.filter(
        plan_action=action, status__in=states.OPEN | {states.DRAFT}
    ).exists():
        raise ReferralError(_("A referral for this action is already on its way."))


def _check_consent(consent: ReferralConsent | None) -> None:
    if consent is None:
        raise ReferralError(
            {"consent_given_on": _("Record the person's consent to share before referring.")}
        )
    if consent.method not in ConsentMethod.values:
        raise ReferralError({"consent_method": _("Choose how the person gave their consent.")})
    if consent.given_on > timezone.localdate():
        raise ReferralError({"consent_given_on": _("The consent cannot be given in the future.")})


def _event(
    referral: Referral,
    *,
    by: Any,
    organisation: Organisation,
    from_status: str,
    reason: str = "",
    note: str = "",
    at: datetime.datetime | None = None,
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=referral.status,
        reason=reason,
        note=note,
        at=at or timezone.now(),
        by=by if getattr(by, "pk", None) else None,
        organisation=organisation,
    )


@checks_organisation
@transaction.atomic
def draft_referral(
    *,
    by: Any,
    organisation: Organisation,
    person: Person,
    service: Service,
    consent: ReferralConsent | None,
    note: str = "",
    instrument: str = "",
    domain: str = "",
    send: bool = False,
    plan_action: Any = None,
) -> Referral:
    """A new referral of `person` to `service`, with the consent to share; sent at once when
    `send` (one step from the page), else kept as the sender's draft. With `plan_action` (a
    `plans.Action` of kind referral), the referral carries out that action of the person's
    plan: the plan page then shows where it stands."""
    if not may_refer(person, organisation):
        raise Person.DoesNotExist
    if plan_action is not None:
        _check_plan_action(plan_action, person=person, organisation=organisation)
    if person.status != Person.Status.ACTIVE:
        raise ReferralError(
            _("Processing of this person's data is restricted, so they cannot be referred.")
        )
    _check_consent(consent)
    assert consent is not None  # for the type checker: _check_consent refused None
    if not service.is_referable:
        raise ReferralError({"service": _("This service is not taking referrals now.")})
    referral = Referral.objects.create(
        person=person,
        organisation=organisation,
        service=service,
        receiving_organisation=service.organization.organisation,
        plan_action=plan_action,
        instrument=instrument,
        domain=domain,
        note=note.strip(),
        consent_given_on=consent.given_on,
        consent_method=consent.method,
        consent_covers_assessments=consent.covers_assessments,
        consent_recorded_by=by if getattr(by, "pk", None) else None,
        created_by=by if getattr(by, "pk", None) else None,
        status_on=timezone.localdate(),
    )
    _event(referral, by=by, organisation=organisation, from_status="")
    record(actor=by, organisation=organisation, action="referral.drafted", target=referral)
    if send:
        _move(referral, by=by, organisation=organisation, new=states.SENT)
    return referral


def _lock(referral: Referral) -> Referral:
    """The referral re-read under a row lock, so two people answering at once are ordered."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _move(
    referral: Referral,
    *,
    by: Any,
    organisation: Organisation,
    new: str,
    reason: str = "",
    note: str = "",
) -> Referral:
    side = side_of(referral, organisation)
    if side is None:
        raise Referral.DoesNotExist
    try:
        states.check_transition(referral.status, new, side=side, reason=reason)
    except states.TransitionError as error:
        raise ReferralError(_transition_message(error)) from None
    previous = referral.status
    now = timezone.now()
    referral.status = new
    referral.decline_reason = reason
    referral.status_on = timezone.localdate()
    if new == states.SENT:
        referral.sent_at = now
        referral.referred_on = referral.status_on
    if new in states.ANSWERED and referral.answered_at is None:
        referral.answered_at = now
    if new in states.CLOSED:
        referral.closed_at = now
    referral.save()
    _event(
        referral,
        by=by,
        organisation=organisation,
        from_status=previous,
        reason=reason,
        note=note.strip(),
        at=now,
    )
    record(
        actor=by,
        organisation=organisation,
        action="referral.sent" if new == states.SENT else "referral.status_changed",
        target=referral,
        extra={"from": previous, "to": new, **({"reason": reason} if reason else {})},
    )
    transaction.on_commit(lambda: _notify(referral.pk, new))
    return referral


@checks_organisation
@transaction.atomic
def change_status(
    *,
    by: Any,
    organisation: Organisation,
    referral: Referral,
    new: str,
    reason: str = "",
    note: str = "",
) -> Referral:
    """Moves a referral on, as the side `organisation` is on (see states.TRANSITIONS)."""
    return _move(
        _lock(referral), by=by, organisation=organisation, new=new, reason=reason, note=note
    )


@checks_organisation
@transaction.atomic
def record_rating(
    *, by: Any, organisation: Organisation, referral: Referral, rating: int, comment: str = ""
) -> Referral:
    """The person's rating of the service they received (1 to 5) and their comment, recorded
    by the sending organisation once they have attended."""
    referral = _lock(referral)
    if side_of(referral, organisation) != states.SENDER:
        raise Referral.DoesNotExist
    if referral.status not in states.ATTENDED | {states.DID_NOT_ATTEND}:
        raise ReferralError(_("A rating is recorded once the person has started the service."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ReferralError({"rating": _("Choose a rating from 1 to 5.")})
    referral.rating = rating
    referral.rating_comment = comment.strip()
    referral.rated_at = timezone.now()
    referral.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    record(
        actor=by,
        organisation=organisation,
        action="referral.rated",
        target=referral,
        extra={"rating": rating},
    )
    return referral


@dataclass
class ImportedReferral:
    """One checked row of a referrals file (see `transfer.referral_rows`)."""

    row: int
    person_id: int
    service: Service
    referred_on: datetime.date
    status: str
    status_on: datetime.date
    existing_pk: int | None = None


@checks_organisation
def record_imported_referrals(
    *,
    by: Any,
    organisation: Organisation,
    creates: list[ImportedReferral],
    updates: list[ImportedReferral],
    job_id: int | None = None,
) -> None:
    """Writes checked rows of a referrals file in the caller's transaction, each with an
    event and an audit entry. An imported referral is a record of what happened elsewhere:
    the file holds no consent to share, so it shares nothing with the receiving
    organisation (see `grants.py`); a referral that should share is sent from Pathmark."""
    user = by if getattr(by, "pk", None) else None
    now = timezone.now()
    written: list[Referral] = []
    for row in creates:
        referral = Referral.objects.create(
            person_id=row.person_id,
            organisation=organisation,
            service=row.service,
            receiving_organisation=row.service.organization.organisation,
            status=row.status,
            referred_on=row.referred_on,
            status_on=row.status_on,
            closed_at=now if row.status in states.CLOSED else None,
            created_by=user,
        )
        _event(referral, by=by, organisation=organisation, from_status="", at=now)
        written.append(referral)
    for row in updates:
        referral = Referral.objects.select_for_update().get(pk=row.existing_pk)
        previous = referral.status
        referral.status = row.status
        referral.status_on = row.status_on
        referral.decline_reason = ""
        referral.closed_at = now if row.status in states.CLOSED else None
        referral.save()
        _event(referral, by=by, organisation=organisation, from_status=previous, at=now)
        written.append(referral)
    if written:
        record_many(
            actor=by,
            action="referral.imported",
            object_type="referrals.referral",
            entries=[
                (organisation.pk, referral.pk, referral.person_id, {"import": job_id})
                for referral in written
            ],
        )


def erase_referrals(person: Person, *, by: Any = None) -> int:
    """Erasure: the free text goes (messages, notes, the person's comment); the referrals stay
    as dated states of a service, which count in its evidence but point at no one."""
    changed = Referral.objects.filter(person_id=person.pk).update(note="", rating_comment="")
    ReferralEvent.objects.filter(referral__person_id=person.pk).update(note="")
    return changed


# --- E-mail: a link, never personal data ---------------------------------------------------


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _addresses(organisation_id: int | None, roles: tuple[str, ...]) -> list[str]:
    if organisation_id is None:
        return []
    return sorted(
        {
            address
            for address in Membership.objects.filter(
                organisation_id=organisation_id, role__in=roles, is_active=True
            ).values_list("user__email", flat=True)
            if address
        }
    )


def _notify(referral_id: int, new: str) -> None:
    """Tells the other side that something changed, with a link to sign in and look."""
    row = (
        Referral._base_manager.filter(pk=referral_id)
        .values("organisation_id", "receiving_organisation_id", "created_by__email")
        .first()
    )
    if row is None:
        return
    reference = f"R-{referral_id:06d}"
    link = _link(reverse("referrals:detail", args=[referral_id]))
    if new == states.SENT:
        recipients = _addresses(
            row["receiving_organisation_id"], (Role.SERVICE_PROVIDER, Role.MANAGER)
        )
        subject = _("A new referral for your service (%(reference)s)") % {"reference": reference}
        body = _("A referral is waiting for your answer. Sign in to read it:\n%(link)s\n") % {
            "link": link
        }
    elif new == states.WITHDRAWN:
        recipients = _addresses(
            row["receiving_organisation_id"], (Role.SERVICE_PROVIDER, Role.MANAGER)
        )
        subject = _("A referral was withdrawn (%(reference)s)") % {"reference": reference}
        body = _("The organisation that sent referral %(reference)s withdrew it.\n") % {
            "reference": reference
        }
    else:
        recipients = [row["created_by__email"]] if row["created_by__email"] else []
        subject = _("A referral you sent has moved on (%(reference)s)") % {"reference": reference}
        body = _("There is news about a referral you sent. Sign in to read it:\n%(link)s\n") % {
            "link": link
        }
    if recipients:
        send_mail(subject, body, None, recipients)


# --- Overdue referrals: one reminder to the sender per overdue spell ----------------------


def overdue_to_remind(*, today: datetime.date | None = None) -> list[Referral]:
    """Sent referrals the service has not answered within its response time, whose sender
    has not been reminded since they were sent. Partnership-wide: call in a system scope."""
    today = today or timezone.localdate()
    candidates = (
        Referral.objects.filter(status=states.SENT, sent_at__isnull=False)
        .select_related("service")
        .order_by("sent_at", "pk")
    )
    return [
        referral
        for referral in candidates
        if (referral.overdue_reminded_at is None or referral.overdue_reminded_at < referral.sent_at)
        and states.is_overdue(
            referral.status,
            sent_on=timezone.localdate(referral.sent_at),
            response_days=referral.service.response_days,
            today=today,
        )
    ]


@transaction.atomic
def remind_overdue(*, today: datetime.date | None = None) -> int:
    """E-mails the sender of each overdue referral once per overdue spell (the person who
    sent it, else the sending organisation's managers), records the reminder on the referral
    and in the audit log, and returns how many referrals it reminded about. Run twice, the
    second run sends nothing. The e-mail holds the referral's reference and a link only."""
    due = overdue_to_remind(today=today)
    if not due:
        return 0
    locked = {
        referral.pk: referral
        for referral in Referral.objects.select_for_update(of=("self",))
        .filter(pk__in=[referral.pk for referral in due])
        .select_related("created_by")
    }
    now = timezone.now()
    reminded: list[Referral] = []
    for referral in due:
        current = locked.get(referral.pk)
        # Answered, or reminded by another run, while this one was reading.
        if current is None or current.status != states.SENT:
            continue
        if (
            current.overdue_reminded_at is not None
            and current.sent_at is not None
            and current.overdue_reminded_at >= current.sent_at
        ):
            continue
        current.overdue_reminded_at = now
        current.save(update_fields=["overdue_reminded_at"])
        record(
            actor=None,
            organisation=current.organisation,
            action="referral.overdue_reminded",
            target=current,
            extra={"response_days": referral.service.response_days},
        )
        reminded.append(current)
    letters: dict[str, list[int]] = {}
    for referral in reminded:
        email = getattr(referral.created_by, "email", "") if referral.created_by_id else ""
        recipients = [email] if email else _addresses(referral.organisation_id, (Role.MANAGER,))
        for address in recipients:
            letters.setdefault(address, []).append(referral.pk)
    transaction.on_commit(lambda: _send_reminders(letters))
    return len(reminded)


def _send_reminders(letters: dict[str, list[int]]) -> None:
    """One e-mail to each sender listing their overdue referrals as references and links."""
    for address, referral_ids in sorted(letters.items()):
        lines = [
            f"R-{pk:06d}: {_link(reverse('referrals:detail', args=[pk]))}" for pk in referral_ids
        ]
        subject = ngettext(
            "%(count)d referral you sent has had no answer in time",
            "%(count)d referrals you sent have had no answer in time",
            len(referral_ids),
        ) % {"count": len(referral_ids)}
        body = _(
            "The service has not answered within the time it gives itself. Sign in to see "
            "the referral and decide what to do next:\n%(links)s\n"
        ) % {"links": "\n".join(lines)}
        send_mail(subject, body, None, [address])
