"""Staff accounts. Clients are `people.Person` records, not users."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member of staff of one or more partnership organisations."""

    email = models.EmailField(_("e-mail address"), blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=10, default="en")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
