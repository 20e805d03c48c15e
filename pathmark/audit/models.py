"""The append-only audit log: who did what to which personal record, when.

Entries name records by id and say what kind of action it was; they never hold the
personal data itself (no names, answers or notes), so the log can be kept longer than the
records it describes and survives their erasure.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept so the entry still reads after the user account is removed.
    actor_username = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("record type"), max_length=60, blank=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    # The person the record is about, as a bare id: no foreign key, so erasing the person
    # keeps the trail of who looked at them.
    person_id = models.BigIntegerField(_("person id"), null=True, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-at"], name="audit_org_time"),
            models.Index(fields=["person_id", "-at"], name="audit_person_time"),
            models.Index(fields=["action", "-at"], name="audit_action_time"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("Audit entries cannot be deleted.")
