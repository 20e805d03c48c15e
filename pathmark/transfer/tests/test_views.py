"""The manager's pages: upload, preview with problems marked, confirm, summary; the
templates; and nobody else sees any of it. The export's pages are tested in
test_export_jobs.py."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Person
from pathmark.testing import assert_disallowed, client_for
from pathmark.transfer.models import ImportJob, ImportStatus

from .conftest import count, people_csv, person_row


def upload(client, text: str, name: str = "people.csv", what: str = "people"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("transfer:index"),
        {"what": what, "file": SimpleUploadedFile(name, text.encode(), "text/csv")},
    )


def only_job() -> ImportJob:
    with system_scope("test"):
        return ImportJob.objects.get()


def test_manager_uploads_previews_confirms_and_sees_the_summary(
    world, django_capture_on_commit_callbacks, private_media
):
    client = client_for(world.a_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, people_csv(person_row("X1", "Amal Example"), person_row("X2")))
    job = only_job()
    assert response["Location"] == reverse("transfer:job", args=[job.pk])
    assert job.status == ImportStatus.READY
    assert (job.total_rows, job.created) == (2, 2)
    page = client.get(response["Location"]).content.decode()
    assert "Amal Example" in page  # the preview
    assert "Confirm" in page
    assert count(Person) == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("transfer:confirm", args=[job.pk]))
    job = only_job()
    assert job.status == ImportStatus.COMPLETE
    assert (job.created, job.updated, job.unchanged, job.rejected_rows) == (2, 0, 0, 0)
    assert count(Person) == 2
    assert not any(private_media.rglob("*.csv"))  # the upload is deleted
    page = client.get(response["Location"]).content.decode()
    assert "Summary" in page
    assert "Amal Example" not in page


def test_problems_are_marked_in_the_preview_and_block_the_import(
    world, django_capture_on_commit_callbacks
):
    client = client_for(world.a_manager)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, people_csv(person_row("X1", gender="female"), person_row("X2")))
    job = only_job()
    assert job.problems == [
        {
            "row": 2,
            "column": "gender",
            "message": "write one of woman, man, non_binary, self_described, not_said.",
        }
    ]
    page = client.get(reverse("transfer:job", args=[job.pk])).content.decode()
    assert 'class="problem"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("transfer:confirm", args=[job.pk]))
    assert only_job().status == ImportStatus.READY
    assert count(Person) == 0


def test_manager_may_leave_out_the_rows_with_problems(world, django_capture_on_commit_callbacks):
    client = client_for(world.a_manager)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, people_csv(person_row("X1", gender="female"), person_row("X2")))
        job = only_job()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("transfer:confirm", args=[job.pk]), {"leave_out_rows_with_problems": "on"}
        )
    job = only_job()
    assert job.status == ImportStatus.COMPLETE
    assert (job.created, job.rejected_rows) == (1, 1)


def test_stored_problems_hold_no_values_from_the_file(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client_for(world.a_manager), people_csv(person_row("X1", date_of_birth="03/04/1990"))
        )
    assert "03/04/1990" not in str(only_job().problems)


def test_a_file_that_is_not_a_spreadsheet_is_refused(world):
    response = upload(client_for(world.a_manager), "hello", name="notes.txt")
    assert response.status_code == 200
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    with system_scope("test"):
        assert not ImportJob.objects.exists()


def test_wrong_encoding_fails_the_job_with_a_clear_message(
    world, django_capture_on_commit_callbacks
):
    client = client_for(world.a_manager)
    text = people_csv(person_row("X1", "Zoë")).encode("latin-1")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("transfer:index"),
            {"what": "people", "file": SimpleUploadedFile("people.csv", text, "text/csv")},
        )
    job = only_job()
    assert job.status == ImportStatus.FAILED
    assert job.failure.startswith("people.csv: this is not UTF-8 text (byte ")


def test_other_organisations_cannot_see_an_import(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(world.a_manager), people_csv(person_row("X1", "Amal Example")))
    job = only_job()
    others = [*world.everyone_outside(world.org_a), None]
    others += [world.member(world.org_a, role) for role in Role.values if role != Role.MANAGER]
    assert_disallowed(reverse("transfer:job", args=[job.pk]), others, secret="Amal Example")
    assert_disallowed(reverse("transfer:confirm", args=[job.pk]), others, method="post")
    assert only_job().status == ImportStatus.READY


def test_only_managers_may_import_or_export(world):
    others = [world.member(world.org_a, role) for role in Role.values if role != Role.MANAGER]
    assert_disallowed(reverse("transfer:index"), [*others, None])
    assert_disallowed(reverse("transfer:export"), [*others, None], method="post")


@pytest.mark.parametrize("kind", ["people", "integration-journey", "indicators-of-integration"])
def test_a_template_downloads_for_people_and_each_instrument(world, kind):
    client = client_for(world.a_caseworker)
    csv = client.get(reverse("transfer:template", args=[kind, "csv"]))
    assert csv.status_code == 200
    header = csv.content.decode().splitlines()[0]
    assert header.startswith("external_id" if kind == "people" else "person_external_id")
    xlsx = client.get(reverse("transfer:template", args=[kind, "xlsx"]))
    assert xlsx.content[:2] == b"PK"


def test_unknown_template_is_404(world):
    response = client_for(world.a_manager).get(reverse("transfer:template", args=["nope", "csv"]))
    assert response.status_code == 404


def test_unconfirmed_upload_is_deleted_by_the_daily_sweep(world, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from pathmark.organisations.scoping import system_scope
    from pathmark.privacy.services import apply_retention
    from pathmark.transfer.models import ImportJob

    stored = tmp_path / "upload.csv"
    stored.write_text("external_id,name\nX1,Someone\n", encoding="utf-8")
    with system_scope("test"):
        job = ImportJob.objects.create(
            organisation=world.org_a,
            created_by=world.a_manager,
            kind="people",
            file_name="upload.csv",
        )
        ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))
    from pathmark.transfer import services

    monkeypatch.setattr(services, "job_file", lambda job: stored)
    assert apply_retention(dry_run=True).stale_transfer_files == 1
    assert stored.exists()
    assert apply_retention().stale_transfer_files == 1
    assert not stored.exists()
    with system_scope("test"):
        job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
