"""The providers' queue page in Chromium: it shows a customer who joins the queue while it is
open, without a reload; Take moves them under way and End frees the provider again. Checked
with axe and screenshot in English and Arabic."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.test_admin import (
    OMAR,
    OWNER_PASSWORD,
    SARA,
    check_accessible,
    clinic,  # noqa: F401  (the demo clinic's ids, a fixture)
    no_sideways_scroll,
    sign_in,
)
from webapp import demo
from webapp.booking import queue
from webapp.booking.states import Actor
from webapp.extensions import db
from webapp.models import Booking, Customer, Organization, Resource
from webapp.models.types import utcnow

pytestmark = pytest.mark.browser


def join_the_queue(site, organization_id: str, resource_id: str, first_name: str) -> str:
    """A customer joins the queue of a service the resource offers (one not paid online), as
    the website does."""
    with site.app.app_context():
        organization = db.session.get(Organization, organization_id)
        service = next(
            t
            for t in db.session.get(Resource, resource_id).booking_types
            if t.on and not (t.is_paid and t.takes_online_payment)
        )
        customer = Customer(
            organization_id=organization_id, first_name=first_name, last_name="Queue"
        )
        db.session.add(customer)
        db.session.flush()
        booking = queue.join_queue(
            db.session,
            organization,
            booking_type_id=service.id,
            actor=Actor("customer", customer.id),
            now=utcnow(),
            customer=customer,
            source="website",
        )
        db.session.commit()
        return booking.id


def status_of(site, booking_id: str) -> str:
    with site.app.app_context():
        return db.session.scalar(select(Booking.status).where(Booking.id == booking_id))


# A provider who has just ended a booking is busy until its last minute is over: each
# language's run serves with a provider of its own.
@pytest.mark.parametrize(("lang", "provider"), [("en", SARA), ("ar", OMAR)])
def test_the_queue_shows_a_new_customer_by_itself_and_take_serves_them(
    desktop_page: Page,
    live_site,
    clinic,  # noqa: F811  (the fixture imported above)
    snap,
    lang,
    provider,
):
    page = desktop_page
    resource_id = clinic.resources[provider]
    sign_in(page, clinic, demo.OWNER_EMAIL, OWNER_PASSWORD, lang)
    page.goto(clinic.admin("queue", lang, resource=resource_id))
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    board = page.locator("#queue-board")
    expect(board).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")

    name = f"Rania{lang.upper()}"
    booking_id = join_the_queue(live_site, clinic.organization_id, resource_id, name)

    row = board.locator("tbody tr", has_text=name)
    expect(row).to_be_visible(timeout=15_000)  # the next poll brings it, within 5 s
    assert page.evaluate("window.stillTheSamePage === true"), "the page did not reload"
    no_sideways_scroll(page, "queue")
    check_accessible(page, f"queue ({lang})")
    snap(page, "waiting")

    row.get_by_role("button").click()

    expect(row).to_have_count(0)
    under_way = board.locator(".queue-now li", has_text=name)
    expect(under_way).to_be_visible()
    expect(page.locator("#toasts .toast-success")).to_be_visible()
    assert status_of(live_site, booking_id) == "CONFIRMED"
    snap(page, "under-way")

    under_way.get_by_role("button").click()

    expect(under_way).to_have_count(0)
    assert status_of(live_site, booking_id) == "COMPLETED"
    assert page.evaluate("window.stillTheSamePage === true")
