"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live_server.

Every test gets a :class:`Site`, a Chromium page with three guards that run on every page
the test visits:

- **accessibility**: axe-core (vendored in ``vendor/``) is injected after every navigation
  and a serious or critical violation fails the test, listed rule by rule;
- **no third-party requests**: every request the page makes is recorded, and anything not
  addressed to the live server fails the test at teardown;
- **Content-Security-Policy**: a console message about a CSP violation ("Refused to ..."
  in older Chromium, "... violates the following Content Security Policy directive" in
  Chromium 156) or an uncaught script error fails the test at teardown.

The browser is never downloaded: without ``/usr/bin/chromium`` every test here skips.
Chromium keeps ``Secure`` cookies on http://localhost, so these tests run with the
production cookie settings (HARBORLIGHT_SECURE_COOKIES left at its default, true).
"""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# in a thread with a running loop unless told that this is safe (it is: the loop only
# drives the browser, and the live server answers in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from browser_support import (CHROMIUM, CHROMIUM_ARGS, VENDOR, Site,  # noqa: E402
                             give_password, sign_in)


@pytest.fixture(autouse=True)
def forget_failed_sign_ins():
    """Start and end each browser test with no failed sign-ins counted.

    Lockout counts per client live in the in-memory cache, which outlives the test
    database: without this, the lockout test would lock its user out of every later test
    in the same process.
    """
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return (VENDOR / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}, so the browser tests "
                    "skip. Install it with `apt-get install chromium` (./scripts/test does "
                    "this when it runs as root or with passwordless sudo).")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                         args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_site(chromium, live_server, transactional_db, axe_source):
    """``new_site()`` opens a fresh browser context (no shared cookies) as a :class:`Site`."""
    contexts, sites = [], []

    def make() -> Site:
        context = chromium.new_context(locale="en-GB", service_workers="block")
        context.set_default_timeout(15_000)
        contexts.append(context)
        site = Site(context.new_page(), live_server.url, axe_source)
        sites.append(site)
        return site

    yield make
    try:
        for site in sites:
            site.verify_guards()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def site(new_site) -> Site:
    return new_site()


@pytest.fixture
def signed_in(new_site, cast):
    """``signed_in(user)`` gives the user a password and returns a Site signed in as them."""

    def make(user) -> Site:
        give_password(user)
        site = new_site()
        sign_in(site, user)
        return site

    return make
