"""Debian's Chromium for the browser tests and the widget benchmark: where it is and how it
starts. Playwright's sync API allows one instance per thread, so the tests of a test process
share one browser (the ``browser`` fixture in tests/conftest.py; one per xdist worker)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def session_browser() -> Iterator[Browser]:
    """Chromium for a test session. Without it the tests are skipped, except under CI
    (``CI`` set), where they must run."""
    if not os.path.exists(CHROMIUM):
        message = f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()
