"""The virtual queue inside the widget, in Chromium: a walk-in clinic's host page embeds the
widget; inside its frame the customer joins the queue instead of choosing a time, the host page
hears ``scheduling:bookingComplete`` for the booking waiting for a provider, and the frame
moves up the line by itself as a provider takes the one ahead, until the customer leaves.

The app runs on ``http://127.0.0.1:<port>``, the host pages on ``http://localhost:<port>``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask_babel import force_locale, ngettext
from playwright.sync_api import Frame, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.browser import steps
from tests.browser.conftest import axe_violations
from tests.factories import make_booking_type, make_customer, make_organization, make_resource
from tests.widget.conftest import HOST_TIMEZONE, HostPage, Sites, _start
from webapp import create_app
from webapp.booking import lifecycle, queue
from webapp.extensions import db
from webapp.i18n import digits
from webapp.models import Booking, Organization, Website
from webapp.models.types import utcnow

pytestmark = pytest.mark.browser

POLL_SECONDS = 1
# Several polls, so a missed one never fails the test; still far from the 5 s default.
WAIT_MS = 6_000
CHECKUP = "Walk-in check-up"
CHECKUP_AR = "فحص بدون موعد"


class QueueServer:
    """An app of its own, served for real, with a host site beside it."""

    def __init__(self, tmp_path):
        self.app = create_app(
            {
                "SECRET_KEY": "widget-queue-secret",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
                "UPLOAD_FOLDER": str(tmp_path / "uploads"),
                "RATELIMIT_ENABLED": False,
                "MESSAGES_CAPTURE": [],
            }
        )
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{self.server.server_port}"
        self.sites = Sites(self.server.server_port)
        self.host_server, self.host_thread = _start(self.sites.route)
        self.sites.host = f"http://localhost:{self.host_server.server_port}"
        with self.app.app_context():
            db.create_all()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        for server, thread in ((self.server, self.thread), (self.host_server, self.host_thread)):
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        with self.app.app_context():
            db.engine.dispose()


@dataclass
class WalkInClinic:
    """A clinic whose walk-in check-up has a queue, two doctors, and the host site allowed to
    frame its widget."""

    app: Flask
    organization_id: str
    app_id: str
    type_id: str
    doctors: list[str]

    def join(self, name: str, minutes_ago: int) -> str:
        """Someone joins the queue from the test's own thread, ``minutes_ago``; the booking id."""
        with self.app.app_context():
            organization = db.session.get(Organization, self.organization_id)
            customer = make_customer(
                db.session, organization, first_name=name, email=f"{name.lower()}@example.com"
            )
            booking = queue.join_queue(
                db.session,
                organization,
                booking_type_id=self.type_id,
                actor=lifecycle.Actor("customer", customer.id),
                now=utcnow() - timedelta(minutes=minutes_ago),
                customer=customer,
                source="website",
            )
            db.session.commit()
            return booking.id

    def assign(self, booking_id: str, doctor: int) -> None:
        """A doctor takes the booking, from the test's own thread."""
        with self.app.app_context():
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

    def waiting(self) -> dict[str, str]:
        """The clinic's bookings waiting for a provider: id -> customer's email."""
        with self.app.app_context():
            found = db.session.scalars(
                select(Booking).where(
                    Booking.organization_id == self.organization_id,
                    Booking.status == "PENDING_ASSIGNMENT",
                )
            ).all()
            return {booking.id: booking.customer.email for booking in found}

    def status(self, booking_id: str) -> tuple[str, str | None]:
        with self.app.app_context():
            booking = db.session.get(Booking, booking_id)
            return booking.status, booking.canceled_by


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    found = QueueServer(tmp_path_factory.mktemp("widget-queue"))
    yield found
    found.stop()


@pytest.fixture
def clinic(served):
    """A new walk-in clinic for each test, with the queue pages polling every second."""
    app = served.app
    usual = app.config["QUEUE_POLL_SECONDS"]
    app.config["QUEUE_POLL_SECONDS"] = POLL_SECONDS
    with app.app_context():
        organization = make_organization(db.session, name="Walk-in Clinic")
        checkup = make_booking_type(
            db.session,
            organization,
            name=CHECKUP,
            name_translations={"ar": CHECKUP_AR},
            minutes=20,
            queue_enabled=True,
        )
        huda = make_resource(db.session, organization, checkup, name="Dr Huda")
        omar = make_resource(db.session, organization, checkup, name="Dr Omar")
        website = db.session.scalars(
            select(Website).where(Website.organization_id == organization.id)
        ).one()
        website.allowed_domains = [served.sites.host]
        db.session.commit()
        found = WalkInClinic(app, organization.id, website.app_id, checkup.id, [huda.id, omar.id])
    yield found
    app.config["QUEUE_POLL_SECONDS"] = usual


@pytest.fixture
def host(browser, served):
    """A tab on the host site whose SDK comes from the real app; no page of it (host page or
    frame) may throw."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id=HOST_TIMEZONE
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = HostPage(page, served.sites)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()
    assert not tab.errors, f"JavaScript errors on the host page: {tab.errors}"


def said(clinic: WalkInClinic, lang: str, message: str, **values) -> str:
    """``message`` as the frame shows it in ``lang``."""
    return steps.text(clinic, lang, message) % values


def waiting(clinic: WalkInClinic, lang: str, count: int) -> str:
    """How the frame says that ``count`` people wait, in ``lang``."""
    with clinic.app.test_request_context(), force_locale(lang):
        return digits(ngettext("%(num)s waiting", "%(num)s waiting", count), lang)


def in_line(clinic: WalkInClinic, lang: str, number: int) -> str:
    return said(clinic, lang, "You are number %(num)s in line", num=digits(str(number), lang))


def check_frame(frame: Frame, name: str) -> None:
    violations = axe_violations(frame)
    assert not violations, f"axe on {name} in the frame:\n" + "\n".join(
        f"- {v['id']} [{v['impact']}] {v['help']}: {', '.join(v['targets'][:5])}"
        for v in violations
    )


def join_in_frame(frame: Frame, first: str, email: str) -> None:
    """The details form for joining the queue, filled in and sent."""
    expect(frame.locator("form.details-form")).to_be_visible()
    frame.locator("#c_firstName").fill(first)
    frame.locator("#c_lastName").fill("Haddad")
    frame.locator("#c_email").fill(email)
    frame.locator("form.details-form button[type=submit]").click()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_joining_the_queue_inside_the_widget_and_moving_up_the_line(host, clinic, lang):
    ahead = clinic.join("Amal", minutes_ago=2)
    host.open(
        f'<div class="scheduling-native" id="widget" data-app-id="{clinic.app_id}"'
        f' data-type="{clinic.type_id}" data-lang="{lang}"></div>'
    )
    host.wait_events("ready")
    frame = host.page.locator("#widget iframe").element_handle().content_frame()
    expect(frame.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")

    # Instead of a doctor and a time: the queue, with one waiting already.
    offer = frame.locator(".queue-offer")
    expect(offer.locator(".queue-line")).to_contain_text(waiting(clinic, lang, 1))
    offer.locator("a").click()
    expect(frame.locator(".queue-box")).to_contain_text(CHECKUP_AR if lang == "ar" else CHECKUP)
    check_frame(frame, "the join form")
    join_in_frame(frame, "Sara", f"sara.{lang}@example.com")

    # The host page hears of the booking that waits for a provider, once.
    [complete] = host.wait_events("bookingComplete")
    booking_id = complete["detail"]["bookingId"]
    assert complete["target"] == "widget"
    assert complete["detail"]["status"] == "PENDING_ASSIGNMENT"
    assert complete["detail"]["bookingTypeId"] == clinic.type_id
    assert complete["detail"]["startDateTime"] is None
    assert clinic.waiting() == {ahead: "amal@example.com", booking_id: f"sara.{lang}@example.com"}

    status = frame.locator("#queue-status")
    expect(frame.locator(".queue-page .notice-success")).to_be_visible()
    expect(status).to_contain_text(in_line(clinic, lang, 2))
    expect(frame.locator(".queue-number")).to_have_text(digits("2", lang))
    check_frame(frame, "the queue page")
    frame.evaluate("window.stillTheSamePage = true")
    url = frame.url

    clinic.assign(ahead, doctor=0)

    # The frame moves up the line by itself: no reload, no new address.
    expect(status).to_contain_text(in_line(clinic, lang, 1), timeout=WAIT_MS)
    expect(frame.locator(".queue-number")).to_have_text(digits("1", lang))
    assert frame.evaluate("window.stillTheSamePage") is True
    assert frame.url == url

    frame.locator("#queue-leave summary").click()
    frame.locator("#queue-leave button[type=submit]").click()
    expect(frame.locator(".queue-ended")).to_contain_text(said(clinic, lang, "You left the queue."))
    expect(frame.locator("#queue-leave summary")).to_have_count(0)
    assert clinic.status(booking_id) == ("CANCELED", "customer")
    assert clinic.waiting() == {}
    assert len(host.events("bookingComplete")) == 1


def test_joining_from_the_services_of_a_popup_with_no_one_ahead(host, clinic):
    host.open(f'<div class="scheduling-button" id="widget" data-app-id="{clinic.app_id}"></div>')
    host.page.locator("#widget button").click()
    host.wait_events("ready")
    frame = host.page.locator(".scheduling-sdk-popup iframe").element_handle().content_frame()

    service = frame.locator(".cards .service", has_text=CHECKUP)
    expect(service.locator(".queue-join")).to_contain_text("No one waiting")
    service.locator(".queue-join a").click()
    join_in_frame(frame, "Badr", "badr@example.com")

    [complete] = host.wait_events("bookingComplete")
    booking_id = complete["detail"]["bookingId"]
    assert clinic.waiting() == {booking_id: "badr@example.com"}
    status = frame.locator("#queue-status")
    expect(status).to_contain_text(in_line(clinic, "en", 1))
    expect(status).to_contain_text("about 20 minutes")
