"""A customer abroad sees the times in their own timezone, with the clinic's beside them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import steps

pytestmark = pytest.mark.browser


def test_times_follow_the_browsers_timezone(desktop_page_in_london, live_site, check_step):
    page = desktop_page_in_london
    page.goto(steps.url(live_site, "en"))
    steps.choose_service(page, "en")
    steps.choose_resource(page, None)
    steps.answer_cleaning_level(page, "standard")

    expect(page.locator("#tz")).to_have_value("Europe/London")
    expect(page.locator(".tz-form .hint")).to_contain_text("Demo Clinic is in")
    first = page.locator("#times button.time").first
    expect(first.locator("small")).to_contain_text("local")
    check_step(page, "time-abroad")

    shown = first.inner_text().splitlines()[0].strip()
    steps.choose_time(page)
    # The hold is summed up in the customer's time too.
    expect(page.locator(".hold-box .summary time")).to_contain_text(shown)
