"""The manager's export as a background job: prepared into a private zip with progress,
downloaded only by the organisation's managers, deleted on request or a day later; and the
zip holds exactly the files `pathmark export` writes."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.audit.models import AuditEvent
from pathmark.instruments.services import instrument_version_for
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.privacy.services import apply_retention
from pathmark.testing import PersonFactory, assert_disallowed, client_for
from pathmark.transfer import exporting, services
from pathmark.transfer.models import ExportJob, ExportStatus

from .conftest import JOURNEY
from .test_export import make_records


def only_export() -> ExportJob:
    with system_scope("test"):
        return ExportJob.objects.get()


def prepare(client, capture) -> ExportJob:  # type: ignore[no-untyped-def]
    """Presses "Prepare export" and lets the background task run."""
    with capture(execute=True):
        response = client.post(reverse("transfer:export"))
    assert response.status_code == 302
    return only_export()


def download_url(job: ExportJob) -> str:
    return reverse("transfer:export_download", args=[job.pk])


def zip_files(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def stored_files(private_media) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.name for p in private_media.rglob("*") if p.is_file())


def test_manager_prepares_an_export_then_downloads_the_zip(
    world, django_capture_on_commit_callbacks, private_media
):
    make_records(world.org_a, world.a_manager)
    client = client_for(world.a_manager)
    job = prepare(client, django_capture_on_commit_callbacks)
    assert job.status == ExportStatus.READY
    assert (job.people, job.assessments) == (3, 3)
    assert job.processed_rows == job.total_rows == 6
    assert job.files == [
        {"name": "people.csv", "rows": 3},
        {"name": f"assessments-{JOURNEY}.csv", "rows": 3},
        {"name": "referrals.csv", "rows": 0},
    ]
    assert job.expires_at == job.finished_at + timedelta(hours=24)
    (stored,) = private_media.rglob("*.zip")
    assert job.file_size == stored.stat().st_size

    page = client.get(reverse("transfer:export")).content.decode()
    assert download_url(job) in page
    assert 'http-equiv="refresh"' not in page

    response = client.get(download_url(job))
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    stamp = timezone.localdate().isoformat()
    assert f'filename="pathmark-{world.org_a.slug}-{stamp}.zip"' in response["Content-Disposition"]
    files = zip_files(response)
    assert sorted(files) == [f"assessments-{JOURNEY}.csv", "people.csv", "referrals.csv"]
    assert 'Amal, ""Ami"" Example' in files["people.csv"]


def test_the_zip_holds_exactly_the_files_the_command_writes(
    world, django_capture_on_commit_callbacks, tmp_path
):
    make_records(world.org_a, world.a_manager)
    client = client_for(world.a_manager)
    job = prepare(client, django_capture_on_commit_callbacks)
    streamed = zip_files(client.get(download_url(job)))
    call_command(
        "export", "--organisation", world.org_a.slug, str(tmp_path / "cli"), stdout=io.StringIO()
    )
    written = {
        path.name: path.read_bytes().decode("utf-8") for path in (tmp_path / "cli").iterdir()
    }
    assert streamed == written


def test_chunks_do_not_change_the_files(world, tmp_path, monkeypatch):
    """People and their assessments are read a chunk at a time; with chunks of two rows the
    files are the same as with one chunk."""
    make_records(world.org_a, world.a_manager)
    with system_scope("test: more people, one without assessments between two with"):
        PersonFactory(organisation=world.org_a, external_id="CRM-2")
    whole = tmp_path / "whole"
    call_command("export", "--organisation", world.org_a.slug, str(whole), stdout=io.StringIO())
    monkeypatch.setattr(exporting, "CHUNK_ROWS", 2)
    chunked = tmp_path / "chunked"
    call_command("export", "--organisation", world.org_a.slug, str(chunked), stdout=io.StringIO())
    for path in whole.iterdir():
        assert (chunked / path.name).read_bytes() == path.read_bytes()


def test_each_exported_person_is_audited_as_read_by_the_manager(
    world, django_capture_on_commit_callbacks
):
    make_records(world.org_a, world.a_manager)
    client = client_for(world.a_manager)
    job = prepare(client, django_capture_on_commit_callbacks)
    with system_scope("test"):
        people = set(world.org_a.people.values_list("pk", flat=True))
    reads = AuditEvent.objects.filter(action="person.exported")
    assert {event.person_id for event in reads} == people
    assert {(event.actor_id, event.organisation_id) for event in reads} == {
        (world.a_manager.pk, world.org_a.pk)
    }
    assert {event.extra["export"] for event in reads} == {job.pk}
    client.get(download_url(job))
    actions = list(
        AuditEvent.objects.filter(object_type="transfer.exportjob")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "transfer.export_requested",
        "transfer.exported",
        "transfer.export_downloaded",
    ]


def test_the_page_shows_progress_and_refreshes_itself_while_the_export_runs(world):
    with system_scope("test: an export half done"):
        job = ExportJob.objects.create(
            organisation=world.org_a,
            created_by=world.a_manager,
            status=ExportStatus.RUNNING,
            total_rows=40,
            processed_rows=10,
        )
    page = client_for(world.a_manager).get(reverse("transfer:export")).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'max="40" value="10"' in page
    assert "Written 10 of 40 rows" in page
    assert f'href="{reverse("transfer:export")}">Refresh now</a>' in page
    assert reverse("transfer:export_discard", args=[job.pk]) in page
    assert download_url(job) not in page
    assert "Prepare export" not in page


def test_a_second_press_shows_the_export_under_way(world, django_capture_on_commit_callbacks):
    client = client_for(world.a_manager)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("transfer:export"))
    first = only_export()
    assert first.status == ExportStatus.QUEUED
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("transfer:export"), follow=True)
    assert callbacks == []  # nothing more queued
    assert only_export() == first
    page = response.content.decode()
    assert "An export is already being prepared" in page
    assert "Waiting to start." in page


def test_the_database_allows_one_export_under_way_per_organisation(world):
    with system_scope("test"):
        ExportJob.objects.create(organisation=world.org_a, status=ExportStatus.RUNNING)
        ExportJob.objects.create(organisation=world.org_b, status=ExportStatus.QUEUED)
        ExportJob.objects.create(organisation=world.org_a, status=ExportStatus.READY)
        with pytest.raises(IntegrityError), transaction.atomic():
            ExportJob.objects.create(organisation=world.org_a, status=ExportStatus.QUEUED)


def test_a_failed_export_says_so_and_leaves_no_file(
    world, django_capture_on_commit_callbacks, private_media
):
    make_records(world.org_a, world.a_manager)
    with system_scope("test: an assessment whose stored answers are not a mapping"):
        Assessment.objects.filter(organisation=world.org_a).update(answers=["not", "answers"])
    job = prepare(client_for(world.a_manager), django_capture_on_commit_callbacks)
    assert job.status == ExportStatus.FAILED
    assert job.failure == "Something went wrong, so no file was kept. Try again later."
    assert job.stored_file == ""
    assert job.finished_at is not None
    assert stored_files(private_media) == []
    assert AuditEvent.objects.filter(action="transfer.export_failed").count() == 1
    assert client_for(world.a_manager).get(download_url(job)).status_code == 404
    page = client_for(world.a_manager).get(reverse("transfer:export")).content.decode()
    assert "Something went wrong, so no file was kept." in page
    assert "Prepare export" in page  # a failed export does not block the next


def test_others_may_not_download_or_delete_an_export(world, django_capture_on_commit_callbacks):
    make_records(world.org_a, world.a_manager)
    job = prepare(client_for(world.a_manager), django_capture_on_commit_callbacks)
    others = [*world.everyone_outside(world.org_a), None]
    others += [world.member(world.org_a, role) for role in Role.values if role != Role.MANAGER]
    assert_disallowed(download_url(job), others, secret="Ami")
    assert_disallowed(reverse("transfer:export_discard", args=[job.pk]), others, method="post")
    elsewhere = client_for(world.b_manager).get(reverse("transfer:export")).content.decode()
    assert str(job) not in elsewhere
    assert only_export().status == ExportStatus.READY
    assert not AuditEvent.objects.filter(action="transfer.export_downloaded").exists()


def test_another_manager_of_the_organisation_may_download(
    world, django_capture_on_commit_callbacks
):
    from pathmark.testing import MembershipFactory, UserFactory

    job = prepare(client_for(world.a_manager), django_capture_on_commit_callbacks)
    colleague = UserFactory(username="second-manager")
    MembershipFactory(user=colleague, organisation=world.org_a, role=Role.MANAGER)
    response = client_for(colleague).get(download_url(job))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="transfer.export_downloaded")
    assert event.actor == colleague


def test_export_of_one_organisation_holds_none_of_another(
    world, django_capture_on_commit_callbacks
):
    with system_scope("test"):
        PersonFactory(organisation=world.org_b, name="Zeynep Kaya")
        PersonFactory(organisation=world.org_a, name="Amal Example")
    client = client_for(world.a_manager)
    job = prepare(client, django_capture_on_commit_callbacks)
    people = zip_files(client.get(download_url(job)))["people.csv"]
    assert "Amal Example" in people
    assert "Zeynep" not in people


def test_deleting_an_export_deletes_its_file(
    world, django_capture_on_commit_callbacks, private_media
):
    client = client_for(world.a_manager)
    job = prepare(client, django_capture_on_commit_callbacks)
    assert len(stored_files(private_media)) == 1
    client.post(reverse("transfer:export_discard", args=[job.pk]))
    job = only_export()
    assert job.status == ExportStatus.DISCARDED
    assert job.stored_file == ""
    assert stored_files(private_media) == []
    assert client.get(download_url(job)).status_code == 404
    assert AuditEvent.objects.filter(
        action="transfer.export_discarded", actor=world.a_manager
    ).exists()


def test_deleting_an_export_while_it_runs_stops_it_without_a_file(
    world, django_capture_on_commit_callbacks, private_media, monkeypatch
):
    """A manager deletes the export between two chunks of rows: the task stops at the next
    chunk and removes what it had written."""
    make_records(world.org_a, world.a_manager)
    monkeypatch.setattr(exporting, "CHUNK_ROWS", 1)
    real_progress = services._export_progress
    seen = []

    def progress_with_a_manager_deleting_it(job_id: int):  # type: ignore[no-untyped-def]
        report = real_progress(job_id)

        def deleted_first(done: int, total: int) -> None:
            seen.append(ExportJob.objects.get(pk=job_id).status)
            if done == 2:
                services.discard_export_job(
                    by=world.a_manager, organisation=world.org_a, job=ExportJob(pk=job_id)
                )
            report(done, total)

        return deleted_first

    monkeypatch.setattr(services, "_export_progress", progress_with_a_manager_deleting_it)
    job = prepare(client_for(world.a_manager), django_capture_on_commit_callbacks)
    assert seen == [ExportStatus.RUNNING, ExportStatus.RUNNING]
    assert job.status == ExportStatus.DISCARDED
    assert job.processed_rows == 1
    assert stored_files(private_media) == []


def test_an_export_deleted_before_it_starts_never_runs(
    world, django_capture_on_commit_callbacks, private_media
):
    client = client_for(world.a_manager)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("transfer:export"))
    client.post(reverse("transfer:export_discard", args=[only_export().pk]))
    for callback in queued:
        callback()
    assert only_export().status == ExportStatus.DISCARDED
    assert stored_files(private_media) == []
    assert not AuditEvent.objects.filter(action="person.exported").exists()


def test_the_daily_sweep_deletes_an_export_a_day_after_it_was_ready(
    world, django_capture_on_commit_callbacks, private_media
):
    client = client_for(world.a_manager)
    job = prepare(client, django_capture_on_commit_callbacks)
    assert apply_retention(dry_run=True).stale_transfer_files == 0
    with system_scope("test: a day passes"):
        ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    # Past its time, the download is refused even before the sweep deletes the file.
    assert client.get(download_url(job)).status_code == 404
    assert apply_retention(dry_run=True).stale_transfer_files == 1
    assert len(stored_files(private_media)) == 1
    assert apply_retention().stale_transfer_files == 1
    assert stored_files(private_media) == []
    job = only_export()
    assert job.status == ExportStatus.EXPIRED
    assert AuditEvent.objects.filter(
        action="transfer.export_expired", object_id=str(job.pk)
    ).exists()


def test_the_daily_sweep_ends_an_export_that_never_finished(world, private_media):
    stuck = private_media / "exports" / "stuck.zip.part"
    stuck.parent.mkdir(parents=True)
    stuck.write_bytes(b"PK half a zip")
    with system_scope("test: a worker died a day ago"):
        job = ExportJob.objects.create(
            organisation=world.org_a,
            created_by=world.a_manager,
            status=ExportStatus.RUNNING,
            stored_file="exports/stuck.zip",
        )
        ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert apply_retention().stale_transfer_files == 1
    assert not stuck.exists()
    job = only_export()
    assert (job.status, job.failure) == (
        ExportStatus.FAILED,
        "Not finished within a day; prepare a new export.",
    )
    # The organisation may prepare a new one at once.
    with organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_manager.pk):
        _job, created = services.start_export_job(by=world.a_manager, organisation=world.org_a)
    assert created


def test_the_command_fails_with_one_line_and_leaves_no_half_file(world, tmp_path):
    from django.core.management.base import CommandError

    target = tmp_path / "taken"
    target.write_text("a file, not a folder", encoding="utf-8")
    with pytest.raises(CommandError, match=r"taken: cannot write the files there"):
        call_command(
            "export", "--organisation", world.org_a.slug, str(target), stdout=io.StringIO()
        )
    assert [path.name for path in tmp_path.iterdir()] == ["taken"]


def test_the_command_leaves_no_half_file_when_reading_fails(world, tmp_path):
    version = instrument_version_for(JOURNEY)
    with system_scope("test: a stored assessment whose answers are not a mapping"):
        person = PersonFactory(organisation=world.org_a)
        Assessment.objects.create(
            person=person,
            organisation=world.org_a,
            instrument_version=version,
            status=AssessmentStatus.COMPLETED,
            mode=AssessmentMode.CASEWORKER_LED,
            language="en",
            assessed_on=date(2024, 5, 1),
            answers=["not", "answers"],
            completed_at=timezone.now(),
        )
    with pytest.raises(AttributeError):
        call_command(
            "export",
            "--organisation",
            world.org_a.slug,
            str(tmp_path / "out"),
            stdout=io.StringIO(),
        )
    assert list((tmp_path / "out").iterdir()) == []


def test_erasing_a_person_deletes_the_exports_that_hold_them(
    world, django_capture_on_commit_callbacks, private_media
):
    from pathmark.privacy.services import erase_person

    client = client_for(world.a_manager)
    person = PersonFactory(organisation=world.org_a)
    job = prepare(client, django_capture_on_commit_callbacks)
    assert job.status == ExportStatus.READY and stored_files(private_media)
    with organisation_scope(organisation_id=world.org_a.pk):
        counts = erase_person(by=world.a_manager, organisation=world.org_a, person=person)
    assert counts["transfer.exports"] == 1
    assert only_export().status == ExportStatus.DISCARDED
    assert stored_files(private_media) == []
    assert client.get(download_url(job)).status_code == 404
