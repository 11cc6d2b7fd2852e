"""The booking widget end to end: the SDK's snippets on host pages of another site, the real
booking flow inside their iframes, in Chromium with third-party cookies blocked.

The host pages are served at ``http://localhost:<port>`` while the app is at
``http://127.0.0.1:<port>``: another origin and another site, as a customer's website would be.
One host origin is added to the demo website's allowed domains; a second one is not.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Frame, Locator, Page, expect
from sqlalchemy import select

from tests.browser import steps
from tests.browser.conftest import DESKTOP, PHONE, axe_violations
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from webapp import demo
from webapp.embed.origins import allowed_origins
from webapp.extensions import db
from webapp.models import Booking, BookingType, Resource, Website

pytestmark = pytest.mark.browser

# The browser blocks third-party cookies, as browsers are moving to do by default.
WIDGET_ARGS = [*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"]
HOST_TIMEZONE = "Asia/Riyadh"
EVENT_NAMES = ["ready", "bookingComplete", "paymentFailed", "open", "close"]

# The seed document's snippets, word for word but for the placeholders.
POPUP_SNIPPET = """
<div class="scheduling-button" data-app-id="<APP ID>" data-type="<TYPE ID>"></div>
<script async src="https://FRONTEND_DOMAIN/scheduling-sdk.js" charset="utf-8"></script>
"""
NATIVE_SNIPPET = """
<div class="scheduling-native" data-app-id="<APP ID>" data-type="<TYPE ID>"></div>
<script async src="https://FRONTEND_DOMAIN/scheduling-sdk.js" charset="utf-8"></script>
"""
# The native snippet as widget/README.md shows it, in Arabic.
NATIVE_SNIPPET_AR = """
<div class="scheduling-native" data-app-id="<APP ID>" data-type="<TYPE ID>" data-lang="ar"></div>
<script async src="https://FRONTEND_DOMAIN/scheduling-sdk.js" charset="utf-8"></script>
"""

# Every scheduling:* event each widget's container hears, with the container's position in
# the page; and how many forged booking messages reached the page at all.
RECORDER = """<script>
window.events = [];
window.forged = 0;
document.querySelectorAll(".scheduling-button, .scheduling-native").forEach((box, widget) => {
  for (const name of EVENT_NAMES) {
    box.addEventListener("scheduling:" + name, (event) => {
      window.events.push({name, widget, detail: event.detail});
    });
  }
});
window.addEventListener("message", (event) => {
  const booking = event.data && event.data.booking;
  if (booking && booking.bookingId === "forged") window.forged += 1;
});
</script>""".replace("EVENT_NAMES", json.dumps(EVENT_NAMES))

FORGED = {
    "protocol": "scheduling/1",
    "type": "bookingComplete",
    "booking": {"bookingId": "forged", "status": "CONFIRMED"},
}
# A page of another site, framed by the host page, that poses as the booking frame.
FORGER_PAGE = (
    "<!doctype html><title>Forger</title><p>Not the booking frame.</p>"
    f"<script>parent.postMessage({json.dumps(FORGED)}, '*');</script>"
)
FILLER = '<div style="height: 2400px; background: linear-gradient(#f8fafc, #cbd5e1)"></div>'
POPUP_DIALOG = ".scheduling-sdk-popup dialog"
POPUP_FRAME = ".scheduling-sdk-popup iframe"


# -- host sites ------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the name http.server calls)
        html = self.server.pages.get(urlsplit(self.path).path)
        data = (html if html is not None else "not found").encode("utf-8")
        self.send_response(200 if html is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


class HostSite:
    """A customer's website: serves the pages a test registers, by path."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.pages = {}
        # The browser reaches it by name: another site than the app's 127.0.0.1.
        self.origin = f"http://localhost:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, html: str) -> str:
        self.server.pages[path] = html
        return self.origin + path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@dataclass
class Clinic:
    """The demo clinic as the widget sees it: the app's address, its app id, its ids."""

    base_url: str
    app_id: str
    types: dict[str, str]
    resources: dict[str, str]

    def snippet(self, template: str, type_name: str) -> str:
        return (
            template.replace("https://FRONTEND_DOMAIN", self.base_url)
            .replace("<APP ID>", self.app_id)
            .replace("<TYPE ID>", self.types[type_name])
        )


@dataclass
class Hosts:
    allowed: HostSite
    refused: HostSite


@pytest.fixture(scope="module")
def clinic(live_site) -> Clinic:
    with live_site.app.app_context():
        website = db.session.scalars(select(Website).where(Website.slug == demo.SLUG)).one()
        org = website.organization_id
        types = db.session.execute(
            select(BookingType.name, BookingType.id).where(BookingType.organization_id == org)
        ).all()
        resources = db.session.execute(
            select(Resource.name, Resource.id).where(Resource.organization_id == org)
        ).all()
        return Clinic(live_site.base_url, website.app_id, dict(types), dict(resources))


def _change_allowed_domains(live_site, change) -> list[str]:
    """Give the demo website ``change(its allowed domains)``; answer the ones it had."""
    with live_site.app.app_context():
        website = db.session.scalars(select(Website).where(Website.slug == demo.SLUG)).one()
        before = list(website.allowed_domains or [])
        website.allowed_domains = change(before)
        db.session.commit()
        return before


@pytest.fixture(scope="module")
def hosts(live_site):
    """Two host sites: the first on the website's allowed domains, the second not."""
    allowed, refused = HostSite(), HostSite()
    before = _change_allowed_domains(live_site, lambda domains: [*domains, allowed.origin])
    assert refused.origin not in allowed_origins(before)
    yield Hosts(allowed, refused)
    _change_allowed_domains(live_site, lambda _domains: before)
    allowed.stop()
    refused.stop()


@pytest.fixture(scope="module")
def widget_browser(browser) -> Browser:
    """A Chromium of its own, blocking third-party cookies, started by the session's Playwright
    (which also skips, or fails under CI, without Chromium)."""
    blocking = browser.browser_type.launch(executable_path=CHROMIUM, args=WIDGET_ARGS)
    yield blocking
    blocking.close()


@pytest.fixture
def new_page(widget_browser):
    """``new_page(device=DESKTOP)``: a tab in a fresh context, on the host's clock. No page of
    it (host page or frame) may throw."""
    contexts = []
    errors: list[str] = []

    def watch(page: Page) -> None:
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

    def make(device: dict = DESKTOP) -> Page:
        context = widget_browser.new_context(timezone_id=HOST_TIMEZONE, **device)
        context.set_default_timeout(10_000)
        context.on("page", watch)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def open_host_page(page: Page, site: HostSite, path: str, body: str) -> None:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Riyadh Smiles: book a visit</title></head>"
        f"<body><main><h1>Riyadh Smiles</h1><p>Book your next visit online.</p>{body}</main>"
        f"{RECORDER}</body></html>"
    )
    page.goto(site.add(path, html))
    page.wait_for_function("() => window.SchedulingSDK !== undefined")


def events(page: Page, name: str) -> list[dict]:
    return [e for e in page.evaluate("() => window.events") if e["name"] == name]


def wait_events(page: Page, name: str, count: int = 1) -> list[dict]:
    page.wait_for_function(
        "([name, count]) => window.events.filter((e) => e.name === name).length >= count",
        arg=[name, count],
    )
    return events(page, name)


def frame_in(iframe: Locator) -> Frame:
    frame = iframe.element_handle().content_frame()
    assert frame is not None
    return frame


# -- the booking flow inside a frame ---------------------------------------------------------


def book_in_frame(frame: Frame, resource: str | None, first: str, phone: str, email: str) -> None:
    """Choose a resource, the first free time of a day, fill in the details and confirm."""
    steps.choose_resource(frame, resource)
    steps.choose_day(frame)
    steps.choose_time(frame)
    steps.fill_details(frame, first, "Al-Harbi", phone, email)
    confirm_in_frame(frame)


def confirm_in_frame(frame: Frame) -> None:
    frame.locator("form.details-form button[type=submit]").click()
    frame.wait_for_url(re.compile(r"/embed/[^/]+/bookings/[^/?]+\?.*new=1"))
    expect(frame.locator(".booking-page .notice-success")).to_be_visible()


def stored(live_site, booking_id: str) -> dict:
    with live_site.app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking is not None, f"no booking {booking_id} in the database"
        return {
            "status": booking.status,
            "source": booking.source,
            "bookingTypeId": booking.booking_type_id,
            "resourceId": booking.resource_id,
            "email": booking.customer.email,
        }


# -- heights of native widgets ---------------------------------------------------------------

CONTENT_HEIGHT = "document.body.getBoundingClientRect().height"
NO_INNER_SCROLLBAR = (
    "document.documentElement.scrollHeight <= document.documentElement.clientHeight + 1"
)


def fitted_height(iframe: Locator, frame: Frame) -> float:
    """The iframe's CSS height once it has followed its content; the frame must not scroll."""
    deadline = time.monotonic() + 5
    while True:
        height = iframe.evaluate("(f) => parseFloat(f.style.height)")
        content = frame.evaluate(CONTENT_HEIGHT)
        if abs(height - content) <= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert abs(height - content) <= 2, f"iframe {height}px for {content}px of content"
    assert iframe.evaluate("(f) => f.getBoundingClientRect().height") == pytest.approx(height)
    assert frame.evaluate(NO_INNER_SCROLLBAR), "the frame scrolls inside the page"
    return height


def snap_whole_page(page: Page, snap, name: str) -> None:
    """A screenshot of the whole page through a viewport as tall as the page: a full-page
    screenshot leaves blank the parts of another site's frame that are scrolled out of view."""
    if not os.environ.get("SCREENSHOT_DIR"):
        return
    size = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
    snap(page, name)
    page.set_viewport_size(size)


# -- tests -----------------------------------------------------------------------------------


def test_seed_popup_snippet_books_with_third_party_cookies_blocked(
    new_page, hosts, clinic, live_site, snap
):
    """The seed's popup snippet: the booking is made inside the popup's frame, where the
    browser stores no cookie, and the container hears ``scheduling:bookingComplete``."""
    page = new_page()
    open_host_page(
        page, hosts.allowed, "/popup.html", clinic.snippet(POPUP_SNIPPET, "Dental checkup")
    )
    button = page.locator(".scheduling-button button")
    expect(button).to_have_text("Book Now")
    button.click()
    expect(page.locator(POPUP_DIALOG)).to_be_visible()
    (ready,) = wait_events(page, "ready")
    assert ready["detail"] == {"appId": clinic.app_id, "mode": "popup"}
    frame = frame_in(page.locator(POPUP_FRAME))

    # Third-party cookies are blocked: the frame cannot keep one...
    probe = 'document.cookie = "probe=1; SameSite=None; Secure"; document.cookie'
    assert "probe" not in frame.evaluate(probe)
    # ...although the very same cookie is kept where the app is the site visited.
    first_party = page.context.new_page()
    first_party.goto(live_site.home)
    assert "probe=1" in first_party.evaluate(probe)
    first_party.close()

    steps.choose_resource(frame, "Dr. Sara Al-Qahtani")
    violations = axe_violations(frame)
    assert not violations, "axe on the time step in the frame:\n" + "\n".join(
        f"- {v['id']} [{v['impact']}] {v['help']}: {', '.join(v['targets'][:5])}"
        for v in violations
    )
    snap(page, "popup-time-step")
    steps.choose_day(frame)
    steps.choose_time(frame)
    steps.fill_details(frame, "Reem", "Al-Harbi", "0501230001", "reem.popup@example.com")
    confirm_in_frame(frame)

    (done,) = wait_events(page, "bookingComplete")
    booking = done["detail"]
    assert done["widget"] == 0
    assert booking["status"] == "CONFIRMED"
    assert booking["bookingTypeId"] == clinic.types["Dental checkup"]
    assert booking["resourceName"] == "Dr. Sara Al-Qahtani"
    assert stored(live_site, booking["bookingId"]) == {
        "status": "CONFIRMED",
        "source": "website",
        "bookingTypeId": clinic.types["Dental checkup"],
        "resourceId": clinic.resources["Dr. Sara Al-Qahtani"],
        "email": "reem.popup@example.com",
    }
    assert "probe" not in frame.evaluate("document.cookie"), "the flow set no cookie either"


def test_seed_native_snippet_books_and_its_height_follows_the_flow(
    new_page, hosts, clinic, live_site, snap
):
    """The seed's native snippet: the iframe is always exactly as tall as the step it shows,
    so the page scrolls and the frame never does; the booking is made inside it."""
    page = new_page()
    open_host_page(
        page, hosts.allowed, "/native.html", clinic.snippet(NATIVE_SNIPPET, "Dental checkup")
    )
    (ready,) = wait_events(page, "ready")
    assert ready["detail"] == {"appId": clinic.app_id, "mode": "native"}
    iframe = page.locator(".scheduling-native iframe")
    frame = frame_in(iframe)

    heights = {"resource": fitted_height(iframe, frame)}
    steps.choose_resource(frame, "Nora Al-Harbi")
    heights["time"] = fitted_height(iframe, frame)
    steps.choose_day(frame)
    steps.choose_time(frame)
    heights["details"] = fitted_height(iframe, frame)
    assert heights["time"] != heights["resource"], heights
    assert heights["details"] != heights["time"], heights
    steps.fill_details(frame, "Noura", "Al-Harbi", "0501230002", "noura.native@example.com")
    snap_whole_page(page, snap, "native-details-step")
    confirm_in_frame(frame)
    fitted_height(iframe, frame)

    (done,) = wait_events(page, "bookingComplete")
    booking = done["detail"]
    assert booking["status"] == "CONFIRMED"
    assert stored(live_site, booking["bookingId"]) == {
        "status": "CONFIRMED",
        "source": "website",
        "bookingTypeId": clinic.types["Dental checkup"],
        "resourceId": clinic.resources["Nora Al-Harbi, dental hygienist"],
        "email": "noura.native@example.com",
    }


def test_two_native_widgets_on_one_page_work_apart(new_page, hosts, clinic, live_site):
    """A checkup in English and the README's Arabic snippet for an orthodontic consultation
    (which the clinic approves by hand) side by side: each has its own height, and only the
    container of the one that booked hears of the booking."""
    page = new_page()
    body = (
        '<section class="left">'
        + clinic.snippet(NATIVE_SNIPPET, "Dental checkup")
        + '</section><section class="right">'
        + clinic.snippet(NATIVE_SNIPPET_AR, "Orthodontic consultation")
        + "</section>"
    )
    open_host_page(page, hosts.allowed, "/two.html", body)
    wait_events(page, "ready", 2)
    iframes = page.locator(".scheduling-native iframe")
    expect(iframes).to_have_count(2)
    (checkup, ortho) = (iframes.nth(0), iframes.nth(1))
    checkup_frame, ortho_frame = frame_in(checkup), frame_in(ortho)
    expect(ortho_frame.locator("html")).to_have_attribute("dir", "rtl")

    checkup_height = fitted_height(checkup, checkup_frame)
    before = fitted_height(ortho, ortho_frame)
    assert checkup_height != before, "one doctor to choose from, against three and any"
    # Only Dr. Omar offers it: the frame asks for him by his Arabic name.
    steps.choose_resource(ortho_frame, "د. عمر حداد")
    steps.choose_day(ortho_frame)
    steps.choose_time(ortho_frame)
    assert fitted_height(ortho, ortho_frame) != before
    steps.fill_details(ortho_frame, "Omar", "Al-Harbi", "0501230003", "omar.two@example.com")
    confirm_in_frame(ortho_frame)

    (done,) = wait_events(page, "bookingComplete")
    assert done["widget"] == 1, "only the widget that booked hears of it"
    booking = done["detail"]
    assert booking["status"] == "PENDING_APPROVAL"
    assert booking["bookingTypeId"] == clinic.types["Orthodontic consultation"]
    assert stored(live_site, booking["bookingId"])["status"] == "PENDING_APPROVAL"
    # The other widget did not move.
    assert fitted_height(checkup, checkup_frame) == checkup_height
    fitted_height(ortho, ortho_frame)
    expect(checkup_frame.locator("#flow")).to_have_attribute("data-step", "resource")


def test_a_host_not_allowed_gets_a_link_to_the_booking_website(new_page, hosts, clinic):
    """The browser refuses the frame on a site the website does not allow; after a few
    seconds the container offers a link to the booking website instead."""
    page = new_page()
    open_host_page(
        page, hosts.refused, "/elsewhere.html", clinic.snippet(NATIVE_SNIPPET, "Dental checkup")
    )
    fallback = page.locator(".scheduling-native .scheduling-sdk-fallback")
    expect(fallback).to_contain_text("The booking form could not be shown here.")
    expect(page.locator(".scheduling-native iframe")).to_have_count(0)
    assert events(page, "ready") == [], "the refused frame never said ready"

    link = fallback.locator("a")
    expect(link).to_have_text("Open the booking page")
    href = link.get_attribute("href")
    expected = f"{clinic.base_url}/embed/{clinic.app_id}/open?type={clinic.types['Dental checkup']}"
    assert href == expected
    page.goto(href)
    expect(page).to_have_url(re.compile(rf"/{demo.SLUG}/book\?type="))
    expect(page.locator(".cards .card-link").first).to_be_visible()


def test_forged_booking_messages_are_ignored(new_page, hosts, clinic, live_site):
    """Booking messages from anything but the widget's own frame fire no event; a real
    booking afterwards fires exactly one."""
    page = new_page()
    hosts.refused.add("/forger.html", FORGER_PAGE)
    open_host_page(
        page, hosts.allowed, "/forged.html", clinic.snippet(NATIVE_SNIPPET, "Dental checkup")
    )
    wait_events(page, "ready")
    # Only now, with the SDK listening: a frame of the host's own, a frame of another site,
    # and the host page itself claim a booking was made.
    page.evaluate(
        """([message, forger]) => {
            const own = document.createElement("iframe");
            own.srcdoc = `<script>parent.postMessage(${JSON.stringify(message)}, "*")</script>`;
            const other = document.createElement("iframe");
            other.src = forger;
            document.body.append(own, other);
            window.postMessage(message, location.origin);
        }""",
        [FORGED, hosts.refused.origin + "/forger.html"],
    )
    page.wait_for_function("() => window.forged === 3")
    assert events(page, "bookingComplete") == []

    frame = frame_in(page.locator(".scheduling-native iframe"))
    book_in_frame(frame, None, "Lama", "0501230004", "lama.forged@example.com")
    (done,) = wait_events(page, "bookingComplete")
    page.wait_for_timeout(300)
    assert len(events(page, "bookingComplete")) == 1
    assert done["detail"]["bookingId"] != "forged"
    assert stored(live_site, done["detail"]["bookingId"])["email"] == "lama.forged@example.com"


def test_escape_in_the_popup_frame_closes_it_and_gives_the_page_back(new_page, hosts, clinic):
    """The page behind the popup does not scroll; Escape pressed in the frame closes the popup
    and gives focus back to the button and scrolling back to the page. (On a phone the popup
    fills the screen: see the Arabic test below.)"""
    page = new_page()
    body = clinic.snippet(POPUP_SNIPPET, "Dental checkup") + FILLER
    open_host_page(page, hosts.allowed, "/escape.html", body)
    page.evaluate("() => window.scrollTo(0, 40)")
    button = page.locator(".scheduling-button button")
    button.click()
    wait_events(page, "ready")
    assert page.evaluate("() => document.documentElement.style.overflow") == "hidden"
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.scrollY") == 40, "the page behind scrolled"

    # Focus moves into the frame once it has loaded; Escape there closes the popup.
    page.wait_for_function(
        "() => document.querySelector('.scheduling-sdk-popup')"
        "?.shadowRoot.activeElement?.tagName === 'IFRAME'"
    )
    frame = frame_in(page.locator(POPUP_FRAME))
    frame.locator(".cards .card-link h3 a").first.focus()
    # The key goes down in the frame and comes up on the page: its keydown removes the frame,
    # and the driver would wait forever for a removed frame to take the keyup.
    page.keyboard.down("Escape")
    expect(page.locator(".scheduling-sdk-popup")).to_have_count(0)
    expect(button).to_be_focused()
    page.keyboard.up("Escape")
    assert [e["name"] for e in page.evaluate("() => window.events")] == ["open", "ready", "close"]
    assert page.evaluate("() => document.documentElement.style.overflow") == ""
    page.mouse.wheel(0, 600)
    page.wait_for_function("() => window.scrollY > 40")


def test_arabic_popup_on_a_phone_fills_the_screen(new_page, hosts, clinic, live_site, snap):
    """``data-lang="ar"`` on an English page: an Arabic button, a right-to-left popup and frame,
    which on a phone take the whole screen."""
    page = new_page(PHONE)
    snippet = clinic.snippet(POPUP_SNIPPET, "Dental checkup").replace(
        'data-type="', 'data-lang="ar" data-type="'
    )
    open_host_page(page, hosts.allowed, "/arabic.html", snippet)
    button = page.locator(".scheduling-button button")
    expect(button).to_have_text("احجز الآن")
    button.click()
    wait_events(page, "ready")
    dialog = page.locator(POPUP_DIALOG)
    expect(dialog).to_have_attribute("dir", "rtl")
    box = dialog.bounding_box()
    assert (box["x"], box["y"]) == (0, 0)
    assert (box["width"], box["height"]) == (390, 844)

    frame = frame_in(page.locator(POPUP_FRAME))
    expect(frame.locator("html")).to_have_attribute("dir", "rtl")
    expect(frame.locator("html")).to_have_attribute("lang", "ar")
    expect(frame.locator("#step-title")).to_have_text(
        steps.text(live_site, "ar", "Choose who you would like to see")
    )
    wide = frame.evaluate("document.documentElement.scrollWidth")
    assert wide <= frame.evaluate("document.documentElement.clientWidth"), "sideways scroll"
    snap(page, "phone-arabic-popup")
