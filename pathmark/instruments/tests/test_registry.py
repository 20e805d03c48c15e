"""Finding instrument files, storing their versions, and refusing silent edits."""

from __future__ import annotations

import pytest

from pathmark.instruments.models import InstrumentVersion
from pathmark.instruments.registry import (
    RegistryError,
    UnknownInstrument,
    get_instrument,
    list_instruments,
)
from pathmark.instruments.services import (
    InstrumentChangedError,
    instrument_version_for,
    sync_instruments,
)

from .conftest import MINIMAL


@pytest.fixture
def own_dir(tmp_path, settings):
    settings.PATHMARK_INSTRUMENT_DIRS = [str(tmp_path)]
    return tmp_path


def test_built_in_instruments_are_listed():
    slugs = [instrument.slug for instrument in list_instruments()]
    assert slugs == ["indicators-of-integration", "integration-journey"]


def test_organisation_instruments_are_listed_only_when_asked_for():
    assert [i.slug for i in list_instruments(subject="organisation")] == ["organisational-capacity"]
    assert [i.slug for i in list_instruments(subject=None)] == [
        "indicators-of-integration",
        "integration-journey",
        "organisational-capacity",
    ]


def test_partnership_folder_is_added(own_dir):
    (own_dir / "tiny.yaml").write_text(MINIMAL)
    assert "tiny" in [instrument.slug for instrument in list_instruments()]


def test_latest_version_wins_and_older_stays_reachable(own_dir):
    (own_dir / "tiny-v1.yaml").write_text(MINIMAL)
    (own_dir / "tiny-v2.yaml").write_text(MINIMAL.replace("version: 1", "version: 2"))
    assert get_instrument("tiny").version == 2
    assert get_instrument("tiny", 1).version == 1


def test_unknown_slug_names_the_known_ones():
    with pytest.raises(UnknownInstrument, match="integration-journey"):
        get_instrument("integration-journy")


def test_unknown_version_lists_the_versions():
    with pytest.raises(UnknownInstrument, match=r"has no version 7 \(it has 2\)"):
        get_instrument("integration-journey", 7)


def test_two_files_cannot_claim_one_version_with_different_content(own_dir):
    (own_dir / "a.yaml").write_text(MINIMAL)
    (own_dir / "b.yaml").write_text(MINIMAL.replace("title: {en: Tiny}", "title: {en: Small}"))
    with pytest.raises(RegistryError, match="new version number"):
        list_instruments()


@pytest.mark.django_db
def test_sync_stores_each_version_once(own_dir):
    (own_dir / "tiny.yaml").write_text(MINIMAL)
    added = {(change.slug, change.version) for change in sync_instruments()}
    assert added == {
        ("integration-journey", 2),
        ("indicators-of-integration", 2),
        ("organisational-capacity", 1),
        ("tiny", 1),
    }
    assert sync_instruments() == []


@pytest.mark.django_db
def test_sync_allows_comment_and_layout_changes(own_dir):
    path = own_dir / "tiny.yaml"
    path.write_text(MINIMAL)
    sync_instruments()
    path.write_text("# reviewed\n" + MINIMAL)
    assert sync_instruments() == []


@pytest.mark.django_db
def test_sync_refuses_changed_content_without_a_version_bump(own_dir):
    path = own_dir / "tiny.yaml"
    path.write_text(MINIMAL)
    sync_instruments()
    path.write_text(MINIMAL.replace("score: 50", "score: 60"))
    with pytest.raises(InstrumentChangedError, match="set `version: 2`"):
        sync_instruments()
    stored = InstrumentVersion.objects.get(slug="tiny")
    assert stored.instrument.item("bills").option("some").score == 50


@pytest.mark.django_db
def test_sync_stores_nothing_when_one_file_is_refused(own_dir):
    path = own_dir / "tiny.yaml"
    path.write_text(MINIMAL)
    sync_instruments()
    path.write_text(MINIMAL.replace("score: 50", "score: 60"))
    (own_dir / "other.yaml").write_text(MINIMAL.replace("slug: tiny", "slug: other"))
    with pytest.raises(InstrumentChangedError):
        sync_instruments()
    assert not InstrumentVersion.objects.filter(slug="other").exists()


@pytest.mark.django_db
def test_bumped_version_is_stored_beside_the_old(own_dir):
    path = own_dir / "tiny.yaml"
    path.write_text(MINIMAL)
    sync_instruments()
    path.write_text(MINIMAL.replace("score: 50", "score: 60").replace("version: 1", "version: 2"))
    assert [(c.slug, c.version) for c in sync_instruments()] == [("tiny", 2)]
    assert InstrumentVersion.objects.filter(slug="tiny").count() == 2


@pytest.mark.django_db
def test_instrument_version_for_syncs_when_missing():
    stored = instrument_version_for("integration-journey")
    assert (stored.slug, stored.version, stored.title) == (
        "integration-journey",
        2,
        "Integration journey",
    )
    assert stored.instrument == get_instrument("integration-journey")


@pytest.mark.django_db
def test_instrument_version_for_finds_versions_whose_file_was_removed(own_dir):
    path = own_dir / "tiny.yaml"
    path.write_text(MINIMAL)
    sync_instruments()
    path.unlink()
    assert instrument_version_for("tiny").version == 1
    assert instrument_version_for("tiny", 1).version == 1


@pytest.mark.django_db
def test_instrument_version_for_unknown_slug():
    with pytest.raises(UnknownInstrument):
        instrument_version_for("nothing-here")


@pytest.mark.django_db
def test_a_person_cannot_be_assessed_on_an_organisation_instrument():
    with pytest.raises(UnknownInstrument, match="about an organisation, not a person"):
        instrument_version_for("organisational-capacity")
    stored = instrument_version_for("organisational-capacity", subject="organisation")
    assert stored.instrument.subject == "organisation"


@pytest.mark.django_db
def test_an_organisation_cannot_be_assessed_on_a_person_instrument():
    with pytest.raises(UnknownInstrument, match="about a person, not an organisation"):
        instrument_version_for("integration-journey", subject="organisation")
