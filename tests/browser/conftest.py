"""Playwright driving the system's Chromium (Debian's `chromium` package) against a live server.

Without Chromium these tests are skipped with the reason shown, never passed silently.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = (
    os.environ.get("PATHMARK_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to
# set up data are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    if CHROMIUM:
        return
    skip = pytest.mark.skip(
        reason="Chromium not found: install Debian's `chromium` package (.ci/run does) to run browser tests"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page):  # type: ignore[no-untyped-def]
    from pathmark.testing import PASSWORD

    def sign_in_as(user):  # type: ignore[no-untyped-def]
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")

    return sign_in_as
