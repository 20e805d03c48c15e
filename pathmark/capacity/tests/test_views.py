"""The capacity pages: an organisation completes its own self-assessment; the partnership host
sees who needs which support; no one else sees anything, and reading another organisation's
results is audited."""

from __future__ import annotations

from django.urls import reverse

from pathmark.audit.models import AuditEvent
from pathmark.capacity.models import CapacityAssessment
from pathmark.organisations.models import Role
from pathmark.testing import assert_disallowed, client_for

from .conftest import self_assess

NOTE = "Capacity-note: we need a treasurer"


def test_an_organisation_completes_its_self_assessment_through_the_pages(
    world, capacity_instrument
):
    client = client_for(world.member(world.org_c, Role.ADMINISTRATOR))
    response = client.post(
        reverse("capacity:index"), {"language": "en", "assessed_on": "2026-02-01"}
    )
    assessment = CapacityAssessment.objects.get()
    assert response["Location"] == reverse("capacity:area", args=[assessment.pk, 1])
    for number, domain in enumerate(capacity_instrument.domains, start=1):
        data = {item.id: "starting" for item in domain.scored_items}
        data["go"] = "next"
        response = client.post(reverse("capacity:area", args=[assessment.pk, number]), data)
        assert response.status_code == 302, response.content.decode()[:1500]
    assert response["Location"] == reverse("capacity:review", args=[assessment.pk])
    response = client.post(
        reverse("capacity:review", args=[assessment.pk]),
        {"instrument_version": assessment.instrument_version_id},
    )
    assert response["Location"] == reverse("capacity:result", args=[assessment.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Needs support to start" in page
    assert "never appear in reports, the funder report or the evidence bank" in page
    history = client.get(reverse("capacity:index")).content.decode()
    assert "Feb" in history or "February" in history


def test_another_organisation_sees_none_of_it(world):
    done = self_assess(world.member(world.org_c, Role.MANAGER), world.org_c, note=NOTE)
    draft = self_assess(world.member(world.org_c, Role.MANAGER), world.org_c, complete=False)
    outsiders = [
        world.member(world.org_a, Role.ADMINISTRATOR),
        world.member(world.org_a, Role.MANAGER),
        world.member(world.org_b, Role.ADMINISTRATOR),  # B is not the host here
        world.member(world.org_c, Role.CASEWORKER),
        world.member(world.org_c, Role.ANALYST),
        None,
    ]
    for url in (
        reverse("capacity:result", args=[done.pk]),
        reverse("capacity:review", args=[draft.pk]),
        reverse("capacity:area", args=[draft.pk, 1]),
        reverse("capacity:discard", args=[draft.pk]),
    ):
        assert_disallowed(url, outsiders, secret=NOTE)
    assert_disallowed(
        reverse("capacity:area", args=[draft.pk, 2]),
        outsiders[:-1],
        method="post",
        data={"bank-account": "embedded", "go": "next"},
    )
    draft.refresh_from_db()
    assert draft.answers["bank-account"] == "in-place"
    assert_disallowed(reverse("capacity:partnership"), outsiders)


def test_the_host_reads_a_completed_result_and_both_logs_record_it(world, host):
    done = self_assess(world.member(world.org_c, Role.MANAGER), world.org_c, note=NOTE)
    reader = world.member(host, Role.MANAGER)
    page = client_for(reader).get(reverse("capacity:result", args=[done.pk]))
    assert page.status_code == 200
    assert NOTE in page.content.decode()
    events = AuditEvent.objects.filter(action="capacity.viewed_by_partnership")
    assert sorted(events.values_list("organisation_id", flat=True)) == sorted(
        [host.pk, world.org_c.pk]
    )
    assert all(event.actor_id == reader.pk for event in events)


def test_the_host_never_sees_a_draft_nor_changes_anything(world, host):
    draft = self_assess(world.member(world.org_c, Role.MANAGER), world.org_c, complete=False)
    done = self_assess(world.member(world.org_c, Role.MANAGER), world.org_c)
    admin = world.member(host, Role.ADMINISTRATOR)
    assert_disallowed(reverse("capacity:review", args=[draft.pk]), [admin])
    assert_disallowed(reverse("capacity:result", args=[draft.pk]), [admin])
    assert_disallowed(reverse("capacity:discard", args=[draft.pk]), [admin], method="post", data={})
    # A completed result is read-only to the host: its draft pages answer as for anyone else.
    assert_disallowed(reverse("capacity:review", args=[done.pk]), [admin])
    assert CapacityAssessment.objects.count() == 2


def test_the_hosts_analyst_does_not_see_capacity(world, host):
    self_assess(world.member(world.org_c, Role.MANAGER), world.org_c)
    assert_disallowed(reverse("capacity:partnership"), [world.member(host, Role.ANALYST)])


def test_the_partnership_page_lists_the_latest_result_greatest_need_first(world, host):
    from datetime import date

    c_manager = world.member(world.org_c, Role.MANAGER)
    self_assess(c_manager, world.org_c, default="not-in-place", assessed_on=date(2025, 1, 1))
    self_assess(
        c_manager,
        world.org_c,
        levels={"safeguarding": "not-in-place"},
        default="in-place",
        assessed_on=date(2026, 1, 1),
    )
    self_assess(world.member(world.org_a, Role.MANAGER), world.org_a, default="embedded")
    client = client_for(world.member(host, Role.ADMINISTRATOR))
    page = client.get(reverse("capacity:partnership")).content.decode()
    assert page.index(world.org_c.name) < page.index(world.org_a.name)
    assert "1 Jan 2026" in page and "1 Jan 2025" not in page
    # The chart of needs, drawn with its own title.
    assert '<title id="needs-chart-title">Share of organisations that need support' in page
    # The host has no result of its own yet: named among those not assessed.
    assert "No completed self-assessment yet" in page
    filtered = client.get(
        reverse("capacity:partnership"),
        {"domain": "safeguarding", "stage": "needs-support-to-start"},
    ).content.decode()
    assert world.org_c.name in filtered
    assert f">{world.org_a.name}<" not in filtered
    event = AuditEvent.objects.filter(action="capacity.viewed_partnership").latest("pk")
    assert event.organisation_id == host.pk
    assert event.extra["filters"]["domain"] == "safeguarding"


def test_the_partnership_summary_counts_organisations_per_area_and_stage(world, host):
    from pathmark.capacity.selectors import support_needs

    self_assess(world.member(world.org_c, Role.MANAGER), world.org_c, default="not-in-place")
    self_assess(world.member(world.org_a, Role.MANAGER), world.org_a, default="embedded")
    needs = support_needs(
        actor=world.member(host, Role.MANAGER), organisation=host, role=Role.MANAGER
    )
    governance = needs.summary[0]
    assert governance.counts == (1, 0, 1)
    assert governance.first_stage_percent == 50.0
    only_rcos = support_needs(
        actor=world.member(host, Role.MANAGER),
        organisation=host,
        role=Role.MANAGER,
        kind="community_organisation",
    )
    assert [row.organisation for row in only_rcos.rows] == [world.org_c]
