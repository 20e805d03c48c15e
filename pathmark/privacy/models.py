"""What privacy work must remember after the person is gone."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasedIdentifier(models.Model):
    """A keyed hash of an erased person's id in a previous system, so that re-running an old
    import file cannot bring them back. The hash (HMAC with the site's secret key) cannot be
    turned back into the id, and matches only when the same organisation imports the same id."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(max_length=64)
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "digest"], name="erased_identifier_once"
            )
        ]
        verbose_name = _("erased identifier")

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.digest[:8]}…"
