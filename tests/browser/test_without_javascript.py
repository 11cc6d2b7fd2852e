"""The core flow needs no JavaScript: with it switched off, a customer still books through
plain links and forms (answers applied with the "Update" button, days as links), and
cancels from the manage page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import steps
from webapp.extensions import db
from webapp.models import Booking, Customer

pytestmark = pytest.mark.browser

EMAIL = "no.script@example.com"


def test_booking_and_canceling_work_without_javascript(page_without_javascript, live_site):
    page = page_without_javascript
    page.goto(steps.url(live_site, "en"))
    steps.choose_service(page, "en")
    steps.choose_resource(page, None)

    # No script submits the answer on change: the form's own button does.
    update = page.locator("form.filters button[type=submit]")
    expect(update).to_be_visible()
    page.locator("#a_cleaningLevel").select_option("deep")
    update.click()
    expect(page).to_have_url(re.compile(r"a_cleaningLevel=deep"))
    expect(page.locator("#service-summary")).to_contain_text("45 minutes")

    # Days are links to full pages.
    steps.show_a_month_with_free_days(page)
    day = page.locator(".cal-grid a.cal-day").last
    label = day.get_attribute("aria-label")
    day.click()
    expect(page).to_have_url(re.compile(r"date=\d{4}-\d{2}-\d{2}"))
    expect(page.locator("#times-title")).to_have_text(label)

    page.locator("#times button.time").first.click()
    expect(page.locator("form.details-form")).to_be_visible()
    steps.fill_details(page, "Nasser", "Al-Otaibi", "0561234567", EMAIL)
    steps.confirm(page)

    page.locator(".cancel-box summary").click()
    page.locator("#reason").fill("Booked by mistake.")
    page.locator(".cancel-box button[type=submit]").click()
    expect(steps.status(page)).to_have_text("Canceled")

    with live_site.app.app_context():
        (booking,) = db.session.scalars(
            select(Booking).join(Customer).where(Customer.email == EMAIL)
        ).all()
        assert booking.status == "CANCELED"
        assert booking.duration == 45
        assert booking.cancel_reason == "Booked by mistake."
