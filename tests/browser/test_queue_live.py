"""The virtual queue in Chromium: the customer's queue page moves up the line by itself as
the provider serves the people ahead, then says it is their turn; the counter screen follows
the queue too. Both are checked for accessibility in English and Arabic."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import LiveSite
from tests.factories import make_booking_type, make_customer, make_organization, make_resource
from webapp.booking import lifecycle, queue
from webapp.extensions import db
from webapp.models import Organization, Website
from webapp.models.types import utcnow
from webapp.public.tokens import manage_token

pytestmark = pytest.mark.browser

POLL_SECONDS = 1
# Several polls, so a missed one never fails the test; still far from the 5 s default.
WAIT_MS = 6_000


@dataclass
class WalkInClinic:
    """A clinic of its own on the live server, with a queue for its walk-in check-up."""

    site: LiveSite
    organization_id: str
    slug: str
    website_id: str
    type_id: str
    doctors: list[str]

    def url(self, path: str, lang: str = "en") -> str:
        return f"{self.site.base_url}/{self.slug}{path}" + ("?lang=ar" if lang == "ar" else "")

    def join(self, name: str) -> str:
        """A customer joins the queue; the booking's id."""
        with self.site.app.app_context():
            organization = db.session.get(Organization, self.organization_id)
            customer = make_customer(db.session, organization, first_name=name)
            booking = queue.join_queue(
                db.session,
                organization,
                booking_type_id=self.type_id,
                actor=lifecycle.Actor("customer", customer.id),
                now=utcnow(),
                customer=customer,
                source="website",
                website_id=self.website_id,
            )
            db.session.commit()
            return booking.id

    def assign(self, booking_id: str, doctor: int) -> None:
        """A doctor takes the booking, from the test's own thread."""
        with self.site.app.app_context():
            organization = db.session.get(Organization, self.organization_id)
            queue.assign_booking(
                db.session,
                organization,
                booking_id,
                resource_id=self.doctors[doctor],
                actor=lifecycle.Actor("staff"),
                now=utcnow(),
            )
            db.session.commit()

    def queue_page(self, booking_id: str, lang: str = "en") -> str:
        with self.site.app.test_request_context():
            token = manage_token(self.website_id, booking_id)
        return self.url(f"/queue/{token}", lang)


@pytest.fixture
def clinic(live_site):
    """A new walk-in clinic for each test (the shared demo clinic stays as it is), with the
    pages polling every second."""
    usual = live_site.app.config["QUEUE_POLL_SECONDS"]
    live_site.app.config["QUEUE_POLL_SECONDS"] = POLL_SECONDS
    with live_site.app.app_context():
        organization = make_organization(db.session, name="Walk-in Clinic")
        checkup = make_booking_type(
            db.session,
            organization,
            name="Walk-in check-up",
            name_translations={"ar": "فحص بدون موعد"},
            minutes=20,
            queue_enabled=True,
        )
        huda = make_resource(db.session, organization, checkup, name="Dr Huda")
        omar = make_resource(db.session, organization, checkup, name="Dr Omar")
        website = db.session.query(Website).filter_by(organization_id=organization.id).one()
        db.session.commit()
        clinic = WalkInClinic(
            live_site, organization.id, website.slug, website.id, checkup.id, [huda.id, omar.id]
        )
    yield clinic
    live_site.app.config["QUEUE_POLL_SECONDS"] = usual


def test_the_queue_page_moves_up_the_line_by_itself(desktop_page: Page, clinic, check_step):
    page = desktop_page
    ahead = clinic.join("Amal")
    mine = clinic.join("Sara")
    page.goto(clinic.queue_page(mine))
    status = page.locator("#queue-status")
    expect(status).to_contain_text("You are number 2 in line")
    expect(status).to_contain_text("about 40 minutes")
    check_step(page, "queue-number-2")
    page.evaluate("window.stillTheSamePage = true")

    clinic.assign(ahead, doctor=0)

    expect(status).to_contain_text("You are number 1 in line", timeout=WAIT_MS)
    expect(status).to_contain_text("about 20 minutes")

    clinic.assign(mine, doctor=1)

    expect(status).to_contain_text(
        "It's your turn: Dr Omar has taken your booking", timeout=WAIT_MS
    )
    expect(page.locator("#queue-leave")).not_to_contain_text("Leave the queue")
    assert page.evaluate("window.stillTheSamePage") is True
    check_step(page, "queue-your-turn")


def test_the_queue_page_in_arabic(phone_page: Page, clinic, check_step):
    page = phone_page
    clinic.join("Amal")
    mine = clinic.join("Sara")
    page.goto(clinic.queue_page(mine, "ar"))

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".queue-number")).to_have_text("٢")
    page.locator("#queue-leave summary").click()
    check_step(page, "queue-ar")

    page.locator("#queue-leave button[type=submit]").click()
    expect(page.locator(".queue-ended")).to_be_visible()
    expect(page.locator("#queue-leave summary")).to_have_count(0)


def test_leaving_moves_the_next_one_up(desktop_page: Page, clinic):
    page = desktop_page
    ahead_page = clinic.queue_page(clinic.join("Amal"))
    mine = clinic.join("Sara")
    page.goto(clinic.queue_page(mine))
    status = page.locator("#queue-status")
    expect(status).to_contain_text("You are number 2 in line")

    other = page.context.new_page()
    other.goto(ahead_page)
    other.locator("#queue-leave summary").click()
    other.locator("#queue-leave button[type=submit]").click()
    expect(other.locator(".queue-ended")).to_be_visible()

    expect(status).to_contain_text("You are number 1 in line", timeout=WAIT_MS)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_counter_screen_follows_the_queue(desktop_page: Page, clinic, check_step, lang):
    page = desktop_page
    clinic.join("Amal")
    page.goto(clinic.url("/counter", lang))
    waiting = page.locator(".counter-waiting strong")
    expect(waiting).to_have_text("١" if lang == "ar" else "1")

    clinic.join("Badr")

    expect(waiting).to_have_text("٢" if lang == "ar" else "2", timeout=WAIT_MS)
    expect(page.locator(".counter-item h3")).to_have_text(
        "فحص بدون موعد" if lang == "ar" else "Walk-in check-up"
    )
    assert not re.search("Amal|Badr", page.content())
    check_step(page, f"counter-{lang}")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_joining_from_the_front_page(desktop_page: Page, clinic, check_step, lang):
    page = desktop_page
    clinic.join("Amal")
    page.goto(clinic.url("/", lang))
    offer = page.locator(".cards .service .queue-join")
    expect(offer).to_contain_text("شخص واحد في الانتظار" if lang == "ar" else "1 waiting")
    check_step(page, f"front-page-{lang}")

    offer.locator("a").click()
    expect(page.locator("form.details-form")).to_be_visible()
    check_step(page, f"join-form-{lang}")
    page.locator("#c_firstName").fill("Sara")
    page.locator("#c_lastName").fill("Haddad")
    page.locator("#c_email").fill("sara@example.com")
    page.locator("form.details-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/queue/[^/?]+\?.*new=1"))
    expect(page.locator(".notice-success")).to_be_visible()
    expect(page.locator(".queue-number")).to_have_text("٢" if lang == "ar" else "2")
