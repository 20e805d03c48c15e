"""The host survey upload page: check, preview, publish; host administrators only."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from pathmark.demo.survey import synthetic_survey_csv
from pathmark.instruments.services import instrument_version_for
from pathmark.journeys.models import HostSurvey
from pathmark.organisations.models import Role
from pathmark.testing import client_for


def survey_upload(tmp_path: Path, *, broken: bool = False) -> SimpleUploadedFile:
    instrument = instrument_version_for("integration-journey").instrument
    text = synthetic_survey_csv(
        instrument, true_means={d.id: 60.0 for d in instrument.domains}, respondents=80, seed=3
    )
    if broken:
        lines = text.splitlines()
        lines[2] = lines[2].replace(",woman,", ",robot,").replace(",man,", ",robot,")
        text = "\n".join(lines) + "\n"
    return SimpleUploadedFile("survey.csv", text.encode(), content_type="text/csv")


def form(tmp_path: Path, **changes):  # type: ignore[no-untyped-def]
    data = {
        "instrument": "integration-journey",
        "valid_from": "2024-05-01",
        "source": "Residents' survey 2024 (test)",
        "label": "",
        "min_group": "30",
        "file": survey_upload(tmp_path),
    }
    data.update(changes)
    return data


def test_a_host_administrator_previews_then_publishes(world, tmp_path):
    world.org_b.is_partnership_host = True
    world.org_b.save()
    client = client_for(world.member(world.org_b, Role.ADMINISTRATOR))
    page = client.post("/transfer/host-survey/", form(tmp_path)).content.decode()
    assert "Norms from 80 residents" in page
    assert not HostSurvey.objects.exists()
    token = page.split('name="token" value="')[1].split('"')[0]
    response = client.post("/transfer/host-survey/", {"token": token})
    assert response.status_code == 302 and response["Location"] == "/journeys/norms/"
    survey = HostSurvey.objects.get()
    assert survey.respondents == 80 and survey.source == "Residents' survey 2024 (test)"
    norms = client.get("/journeys/norms/").content.decode()
    assert "Residents surveyed" in norms
    # The same preview again is refused: one survey per questionnaire and date.
    client.post("/transfer/host-survey/", {"token": token})
    assert HostSurvey.objects.count() == 1


def test_a_file_with_problems_lists_them_and_publishes_nothing(world, tmp_path):
    world.org_b.is_partnership_host = True
    world.org_b.save()
    client = client_for(world.member(world.org_b, Role.ADMINISTRATOR))
    page = client.post(
        "/transfer/host-survey/", form(tmp_path, file=survey_upload(tmp_path, broken=True))
    ).content.decode()
    assert "nothing was published" in page
    assert "gender" in page
    assert not HostSurvey.objects.exists()


def test_a_tampered_preview_is_refused(world, tmp_path):
    world.org_b.is_partnership_host = True
    world.org_b.save()
    client = client_for(world.member(world.org_b, Role.ADMINISTRATOR))
    client.post("/transfer/host-survey/", {"token": "e30:forged:signature"})
    assert not HostSurvey.objects.exists()


def test_only_the_host_organisations_administrators_may_upload(world, tmp_path):
    world.org_b.is_partnership_host = True
    world.org_b.save()
    for user in (
        world.member(world.org_a, Role.ADMINISTRATOR),
        world.member(world.org_b, Role.MANAGER),
        world.member(world.org_b, Role.CASEWORKER),
    ):
        client = client_for(user)
        assert client.get("/transfer/host-survey/").status_code == 404
        assert client.post("/transfer/host-survey/", form(tmp_path)).status_code == 404
    assert not HostSurvey.objects.exists()
