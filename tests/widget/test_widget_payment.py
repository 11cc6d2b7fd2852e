"""Paying inside the widget, in Chromium: the demo clinic's teeth whitening takes a deposit by
card, so the widget's frame goes on to the payment page; the host page hears
``scheduling:paymentFailed`` for a declined card and ``scheduling:bookingComplete`` only once
the payment went through. And the payment web view, framed by a host page, tells it how the
payment went (seed 002's paymentInitialized, paymentSuccess, paymentFailed).

The app runs on ``http://127.0.0.1:<port>``, the host pages on ``http://localhost:<port>``.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Frame, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.browser import conftest as browser_fixtures
from tests.browser import steps
from tests.widget.conftest import HOST_TIMEZONE, HostPage, Sites, _start
from webapp import create_app, demo
from webapp.extensions import db
from webapp.models import Booking, BookingType, Invoice, Payment, Website
from webapp.models.types import utcnow

pytestmark = pytest.mark.browser

DECLINED = "4000 0000 0000 0002"
PAID = "4242 4242 4242 4242"
WHITENING = "Teeth whitening"


# The browser tests' ``snap(page, name)``: screenshots into $SCREENSHOT_DIR when it is set.
shots = browser_fixtures.snap


class PaidClinic:
    """The demo clinic served for real, with its payment pages, and a host site beside it."""

    def __init__(self, tmp_path):
        self.app = create_app(
            {
                "SECRET_KEY": "widget-payment-secret",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'clinic.sqlite3'}",
                "UPLOAD_FOLDER": str(tmp_path / "uploads"),
                "RATELIMIT_ENABLED": False,
                "MESSAGES_CAPTURE": [],
            }
        )
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.app.config["PUBLIC_BASE_URL"] = self.base_url
        self.sites = Sites(self.server.server_port)
        self.host_server, self.host_thread = _start(self.sites.route)
        self.sites.host = f"http://localhost:{self.host_server.server_port}"
        with self.app.app_context():
            db.create_all()
            loaded = demo.load_demo(db.session, now=utcnow(), base_url=self.base_url)
            website = db.session.get(Website, _website_id(loaded["appId"]))
            website.allowed_domains = [*website.allowed_domains, self.sites.host]
            self.app_id = loaded["appId"]
            self.whitening = db.session.scalars(
                select(BookingType.id).where(BookingType.name == WHITENING)
            ).one()
            db.session.commit()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        for server, thread in ((self.server, self.thread), (self.host_server, self.host_thread)):
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        with self.app.app_context():
            db.engine.dispose()

    def booking(self, booking_id: str) -> tuple[str, str, list[str]]:
        """The booking's status, its invoice's status and its payments' statuses."""
        with self.app.app_context():
            booking = db.session.get(Booking, booking_id)
            invoice = db.session.scalars(
                select(Invoice).where(Invoice.booking_id == booking_id)
            ).one()
            payments = db.session.scalars(
                select(Payment.status)
                .where(Payment.invoice_id == invoice.id)
                .order_by(Payment.created_at)
            ).all()
            return booking.status, invoice.status, list(payments)


def _website_id(app_id: str) -> str:
    return db.session.scalars(select(Website.id).where(Website.app_id == app_id)).one()


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    found = PaidClinic(tmp_path_factory.mktemp("paid-clinic"))
    yield found
    found.stop()


@pytest.fixture
def host(browser, clinic):
    """A tab on the host site whose SDK comes from the real app."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id=HOST_TIMEZONE
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = HostPage(page, clinic.sites)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()
    assert not tab.errors, f"JavaScript errors on the host page: {tab.errors}"


def pay_with(frame: Frame, number: str) -> None:
    frame.locator("#card-number").fill(number)
    frame.locator("#card-expiry").fill("12/30")
    frame.locator("#card-cvc").fill("123")
    frame.locator("form.pay-form button[type=submit]").click()


def test_the_widget_takes_the_payment_before_the_booking_is_complete(host, clinic, shots):
    host.open(
        f'<div class="scheduling-native" id="widget" data-app-id="{clinic.app_id}"'
        f' data-type="{clinic.whitening}"></div>'
    )
    host.wait_events("ready")
    frame = host.page.frame_locator("#widget iframe")
    inner = host.page.locator("#widget iframe").element_handle().content_frame()
    steps.choose_resource(inner, None)
    steps.choose_day(inner)
    steps.choose_time(inner)
    inner.locator("#c_firstName").fill("Noura")
    inner.locator("#c_lastName").fill("Al-Qahtani")
    inner.locator("#c_phoneNumber").fill("+966501234567")
    inner.locator("#c_email").fill("noura@example.com")
    inner.locator("form.details-form button[type=submit]").click()

    # The frame goes on to pay; the host page has heard of no booking yet.
    expect(frame.locator("form.pay-form")).to_be_visible()
    expect(frame.locator(".sandbox-note")).to_contain_text("Sandbox: test cards only")
    assert re.search(r"/embed/[^/]+/pay/", inner.url), inner.url
    assert host.events("bookingComplete") == []
    shots(host.page, "payment-in-widget")

    pay_with(inner, DECLINED)
    [failed] = host.wait_events("paymentFailed")
    booking_id = failed["detail"]["bookingId"]
    assert failed["detail"] == {"bookingId": booking_id, "reason": "card_declined"}
    assert failed["target"] == "widget"
    expect(frame.locator(".notice-error")).to_contain_text("declined")
    assert host.events("bookingComplete") == []
    assert clinic.booking(booking_id) == ("PENDING_PAYMENT", "UNPAID", ["FAILED"])

    pay_with(inner, PAID)
    [complete] = host.wait_events("bookingComplete")
    assert complete["detail"]["bookingId"] == booking_id
    assert complete["detail"]["status"] == "CONFIRMED"
    expect(frame.locator(".notice-success")).to_contain_text("Payment received")
    # The deposit (50 of 150) was taken: the booking is confirmed.
    assert clinic.booking(booking_id) == ("CONFIRMED", "PARTIALLY_PAID", ["FAILED", "SUCCEEDED"])
    assert len(host.events("paymentFailed")) == 1


WEBVIEW_HOST = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>An app's payment screen</title></head><body>
<script>
  window.messages = [];
  window.addEventListener("message", (event) => {
    if (event.source !== document.getElementById("payment").contentWindow) return;
    window.messages.push({origin: event.origin, data: event.data});
  });
</script>
<iframe id="payment" title="Payment" src="SRC" style="width: 100%; height: 700px"></iframe>
</body></html>
"""


def _paid_booking_link(clinic) -> str:
    """Book teeth whitening on the website (a plain client); its payment web view link."""
    client = clinic.app.test_client()
    slug = demo.SLUG
    page = client.get(f"/{slug}/book?type={clinic.whitening}")
    resource = re.search(r'href="[^"]*[?&;]resource=([^&"]+)', page.get_data(as_text=True))[1]
    page = client.get(f"/{slug}/book?type={clinic.whitening}&resource={resource}")
    html = page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
    start = re.search(r'name="start" value="([^"]+)"', html)[1]
    held = client.post(
        f"/{slug}/book/hold",
        data={"type": clinic.whitening, "resource": resource, "start": start, "csrf_token": token},
    )
    details = urlsplit(held.headers["Location"]).path
    done = client.post(
        details,
        data={
            "csrf_token": token,
            "c_firstName": "Omar",
            "c_lastName": "Saleh",
            "c_phoneNumber": "+966501234568",
            "c_email": "omar@example.com",
        },
    )
    booking = client.get(urlsplit(done.headers["Location"]).path).get_data(as_text=True)
    pay = re.search(r'<a class="button" href="([^"]+)"[^>]*>Pay now</a>', booking)[1]
    return clinic.base_url + pay.replace("&amp;", "&").split("?")[0] + "/webview"


def test_the_payment_web_view_tells_the_page_that_frames_it(host, clinic, shots):
    link = _paid_booking_link(clinic)
    page = host.page
    page.goto(clinic.sites.add(WEBVIEW_HOST.replace("SRC", link)))
    page.wait_for_function("() => window.messages.length >= 1")
    [initialized] = page.evaluate("() => window.messages")
    booking_id = initialized["data"]["bookingId"]
    assert initialized == {
        "origin": clinic.base_url,
        "data": {"type": "paymentInitialized", "bookingId": booking_id},
    }
    inner = page.locator("#payment").element_handle().content_frame()
    expect(inner.locator(".sandbox-note")).to_be_visible()
    shots(page, "payment-web-view")

    pay_with(inner, DECLINED)
    page.wait_for_function("() => window.messages.length >= 2")
    assert page.evaluate("() => window.messages[1].data") == {
        "type": "paymentFailed",
        "bookingId": booking_id,
        "reason": "card_declined",
    }
    pay_with(inner, PAID)
    page.wait_for_function("() => window.messages.length >= 3")
    assert page.evaluate("() => window.messages[2].data") == {
        "type": "paymentSuccess",
        "bookingId": booking_id,
    }
    assert clinic.booking(booking_id)[0] == "CONFIRMED"
    # Only ever to this host's origin: the messages never went to "*".
    origins = {m["origin"] for m in page.evaluate("() => window.messages")}
    assert origins == {clinic.base_url}


def test_an_app_web_view_hears_through_its_bridge(browser, clinic):
    """A Flutter app (flutter_inappwebview) gets the messages through its handler."""
    link = _paid_booking_link(clinic)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(
            "window.calls = [];"
            "window.flutter_inappwebview = {callHandler: (name, data) =>"
            " { window.calls.push([name, data]); }};"
        )
        page.goto(link)
        page.wait_for_function("() => window.calls.length >= 1")
        [[name, data]] = page.evaluate("() => window.calls")
        assert name == "message" and data["type"] == "paymentInitialized"
        pay_with(page.main_frame, PAID)
        page.wait_for_function("() => window.calls.length >= 1 && location.search.includes('paid')")
        calls = page.evaluate("() => window.calls")
        assert calls == [["message", {"type": "paymentSuccess", "bookingId": data["bookingId"]}]]
    finally:
        context.close()
