"""The per-address limit counts failed attempts only, so an office behind one address can
sign in all morning while guessing from that address is still slowed."""

from __future__ import annotations

from .helpers import sign_in


def test_successful_sign_ins_from_one_address_are_never_limited(world, settings):
    settings.AUTH_RATE_LIMIT_PER_ADDRESS = 3
    office = {"REMOTE_ADDR": "203.0.113.50"}
    staff = [world.a_caseworker, world.a_manager, world.b_caseworker, world.b_manager] * 2
    statuses = [sign_in(user, **office)[1].status_code for user in staff]
    assert statuses == [302] * len(staff)


def test_failures_still_count_between_successes(world, settings):
    settings.AUTH_RATE_LIMIT_PER_ADDRESS = 2
    office = {"REMOTE_ADDR": "203.0.113.51"}
    assert sign_in(world.a_manager, password="wrong", **office)[1].status_code == 200
    assert sign_in(world.a_caseworker, **office)[1].status_code == 302
    assert sign_in(world.b_manager, password="wrong", **office)[1].status_code == 200
    # Two failures in the window: the address must now wait, even with the right password.
    assert sign_in(world.a_caseworker, **office)[1].status_code == 429
