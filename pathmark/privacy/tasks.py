"""Background work of the privacy app: the retention sweep, for a scheduler or a worker.

Schedule it once a day, either with cron / a systemd timer running `pathmark retention` (see
the command's help), or by enqueueing this task from a scheduler of your own.
"""

from __future__ import annotations

from django_tasks import task

from pathmark.organisations.models import Organisation

from . import services


@task()
def apply_retention(organisation_id: int | None = None, dry_run: bool = False) -> dict[str, object]:
    """Anonymises the people past their organisation's retention period and returns the
    report (ids and references only), which the task backend keeps as the result."""
    organisation = Organisation.objects.get(pk=organisation_id) if organisation_id else None
    return services.apply_retention(organisation=organisation, dry_run=dry_run).as_dict()
