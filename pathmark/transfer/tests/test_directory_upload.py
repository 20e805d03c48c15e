"""The host's administrators upload an HSDS package: checked in the background, previewed,
confirmed, imported; a package with problems is refused whole with file, row and field; no
other organisation reaches any of it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pathmark.directory.models import DirectoryImportJob, DirectoryImportStatus, Service
from pathmark.directory.tests.conftest import EXAMPLE
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.testing import assert_disallowed, client_for


@pytest.fixture
def host_admin(world):  # type: ignore[no-untyped-def]
    world.org_b.is_partnership_host = True
    world.org_b.save(update_fields=["is_partnership_host"])
    return world.member(world.org_b, Role.ADMINISTRATOR)


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"package/{path.name}")
    return buffer.getvalue()


def only_job() -> DirectoryImportJob:
    with system_scope("test"):
        return DirectoryImportJob.objects.get()


def test_host_administrator_uploads_previews_confirms(
    host_admin, django_capture_on_commit_callbacks, private_media
):
    client = client_for(host_admin)
    document = (EXAMPLE / "service_full.json").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("transfer:directory_upload"),
            {"file": SimpleUploadedFile("services.json", document, "application/json")},
        )
    job = only_job()
    assert response["Location"] == reverse("transfer:directory_job", args=[job.pk])
    assert job.status == DirectoryImportStatus.READY, job.failure
    assert job.created == 19 and job.preview[0]["change"] == "new"
    page = client.get(response["Location"]).content.decode()
    assert "Community Counselling" in page and "Import these services" in page
    with system_scope("test"):
        assert not Service.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("transfer:directory_confirm", args=[job.pk]))
    job = only_job()
    assert job.status == DirectoryImportStatus.COMPLETE
    with system_scope("test"):
        assert Service.objects.filter(name="Community Counselling").exists()
    assert not any(private_media.rglob("*.json"))  # the upload is deleted


def test_a_package_with_problems_is_refused_with_file_row_and_field(
    host_admin, django_capture_on_commit_callbacks, private_media
):
    client = client_for(host_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("transfer:directory_upload"),
            {"file": SimpleUploadedFile("package.zip", zipped(EXAMPLE / "csv"), "application/zip")},
        )
    job = only_job()
    assert job.status == DirectoryImportStatus.FAILED
    assert {"file": "locations.csv", "row": 2, "field": "organization_id"} in [
        {k: p[k] for k in ("file", "row", "field")} for p in job.problems
    ]
    page = client_for(host_admin).get(reverse("transfer:directory_job", args=[job.pk]))
    assert "locations.csv" in page.content.decode()
    with system_scope("test"):
        assert not Service.objects.exists()


def test_only_the_host_administrators_reach_the_upload(world, host_admin):
    url = reverse("transfer:directory_upload")
    others = [world.member(world.org_a, Role.ADMINISTRATOR), world.b_manager, world.b_caseworker]
    assert_disallowed(url, [None, *others])
    assert client_for(host_admin).get(url).status_code == 200
