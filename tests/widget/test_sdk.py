"""The embeddable booking widget SDK (widget/scheduling-sdk.js) in Chromium, against a stub
frame on another origin: the embed snippets, the JS API, the message protocol and its
security checks, the accessible popup, and the fallback when the frame is refused."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.widget.conftest import HOST_TIMEZONE

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SDK_SOURCE = (ROOT / "widget" / "scheduling-sdk.js").read_text(encoding="utf-8")

# The seed document's snippets, word for word but for the placeholders.
POPUP_SNIPPET = """
<div class="scheduling-button" data-app-id="<APP ID>" data-type="<TYPE ID>"></div>
<script async src="https://FRONTEND_DOMAIN/scheduling-sdk.js" charset="utf-8"></script>
"""
POPUP_HOST = ".scheduling-sdk-popup"
POPUP_FRAME = ".scheduling-sdk-popup iframe"
FOCUS_IN_FRAME = """() => {
    const host = document.querySelector('.scheduling-sdk-popup');
    return !!host && host.shadowRoot.activeElement?.tagName === 'IFRAME';
}"""


def frame_query(src: str) -> tuple[str, dict[str, str]]:
    url = urlsplit(src)
    return url.path, {key: values[0] for key, values in parse_qs(url.query).items()}


def test_seed_popup_snippet_books_through_a_modal_dialog(host):
    snippet = (
        POPUP_SNIPPET.replace("https://FRONTEND_DOMAIN", host.sites.app)
        .replace("<APP ID>", "demo-clinic")
        .replace("<TYPE ID>", "consultation")
    )
    host.open(f'<main><h1>Our clinic</h1>{snippet}<a href="#x">after</a></main>', sdk=False)

    button = host.page.locator(".scheduling-button button")
    expect(button).to_have_count(1)
    expect(button).to_have_text("Book Now")
    assert button.get_attribute("class") == "scheduling-sdk-button"
    assert button.get_attribute("type") == "button"
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    expect(host.page.locator(POPUP_HOST)).to_have_count(0)

    button.click()
    dialog = host.page.locator(f"{POPUP_HOST} dialog")
    expect(dialog).to_be_visible()
    assert host.page.evaluate("() => document.querySelector('dialog')") is None, "not in shadow"
    assert dialog.get_attribute("aria-label") == "Book an appointment"
    assert dialog.get_attribute("dir") == "ltr"
    assert dialog.evaluate("(d) => d.matches(':modal')")
    close = dialog.locator("button")
    assert close.get_attribute("aria-label") == "Close"
    assert close.text_content() == "\u00d7"

    iframe = dialog.locator("iframe")
    assert iframe.get_attribute("title") == "Book an appointment"
    assert iframe.get_attribute("allow") == "payment"
    path, query = frame_query(iframe.get_attribute("src"))
    assert path == "/embed/demo-clinic/book"
    assert iframe.get_attribute("src").startswith(host.sites.app + "/")
    assert query == {
        "type": "consultation",
        "origin": host.sites.host,
        "mode": "popup",
        "tz": HOST_TIMEZONE,
    }

    # Desktop size: min(720px, 100vw - 32px) by min(860px, 100dvh - 32px).
    size = dialog.bounding_box()
    assert (round(size["width"]), round(size["height"])) == (720, 860)

    ready = host.wait_events("ready")
    assert ready == [
        {
            "name": "ready",
            "target": "scheduling-button",
            "detail": {"appId": "demo-clinic", "mode": "popup"},
        }
    ]
    # Focus went into the dialog, then into the frame once it loaded.
    host.page.wait_for_function(FOCUS_IN_FRAME)
    assert [e["name"] for e in host.events()] == ["open", "ready"]

    close.click()
    expect(host.page.locator(POPUP_HOST)).to_have_count(0)
    assert host.page.evaluate("() => document.activeElement.className") == "scheduling-sdk-button"
    assert [e["name"] for e in host.events()] == ["open", "ready", "close"]

    # The next open is a fresh flow in a fresh frame.
    button.click()
    expect(host.page.locator(POPUP_FRAME)).to_have_count(1)
    assert len(host.wait_events("ready", 2)) == 2


def test_js_api_prefill_callbacks_and_booking_events(host):
    host.open(
        """<div id="book"></div>
        <script>
          window.calls = [];
          window.addEventListener("load", () => {
            window.handle = SchedulingSDK.createButton({
              container: "#book",
              appId: "clinic-1",
              typeId: "bt-9",
              resourceId: "res-4",
              buttonText: "Reserve a visit",
              prefill: {name: "Sara Al Qahtani", email: "sara@example.com", phone: "+966500000001"},
              onReady: (detail) => calls.push(["ready", detail]),
              onBookingComplete: (detail) => calls.push(["bookingComplete", detail]),
              onPaymentFailed: (detail) => calls.push(["paymentFailed", detail]),
            });
          });
        </script>"""
    )
    button = host.page.locator("#book button")
    expect(button).to_have_text("Reserve a visit")
    assert host.page.evaluate("() => window.handle.element.id") == "book"
    button.click()

    src = host.page.locator(POPUP_FRAME).get_attribute("src")
    path, query = frame_query(src)
    assert path == "/embed/clinic-1/book"
    assert query == {
        "type": "bt-9",
        "resource": "res-4",
        "origin": host.sites.host,
        "mode": "popup",
        "tz": HOST_TIMEZONE,
    }
    # Personal data never goes into the URL (logs, referrers, history).
    for personal in ("Sara", "sara", "example.com", "966500000001", "Qahtani"):
        assert personal not in src

    frame = host.page.frame_locator(POPUP_FRAME)
    customer = {
        "firstName": "Sara",
        "lastName": "Al Qahtani",
        "email": "sara@example.com",
        "phone": "+966500000001",
    }
    expect(frame.locator("#prefill")).to_have_text(json.dumps(customer, separators=(",", ":")))

    # Another page of the flow says ready again: the prefill follows, the event does not.
    frame.locator("#next").click()
    inner = next(f for f in host.page.frames if "/embed/clinic-1/book" in f.url)
    inner.wait_for_url(re.compile(r"step=2"))
    expect(frame.locator("#prefill")).to_have_text(json.dumps(customer, separators=(",", ":")))
    frame.locator("#complete").click()
    frame.locator("#fail").click()
    # paymentFailed was posted after both bookingComplete messages, so they are all in.
    failed = host.wait_events("paymentFailed")
    assert failed[0]["detail"] == {"bookingId": "bk-clinic-1", "reason": "declined"}
    assert failed[0]["target"] == "book"

    assert len(host.events("ready")) == 1
    complete = host.events("bookingComplete")
    assert len(complete) == 1, "the same booking is announced once"
    detail = complete[0]["detail"]
    assert complete[0]["target"] == "book"
    assert detail["bookingId"] == "bk-clinic-1"
    assert detail["status"] == "CONFIRMED"
    assert detail["bookingTypeId"] == "bt-9"
    assert detail["price"] == 150 and detail["currency"] == "SAR"
    assert detail["timeZone"] == "Asia/Riyadh"

    calls = host.page.evaluate("() => window.calls")
    assert calls == [
        ["ready", {"appId": "clinic-1", "mode": "popup"}],
        ["bookingComplete", detail],
        ["paymentFailed", {"bookingId": "bk-clinic-1", "reason": "declined"}],
    ]
    # The callback gets the very object the event carries.
    same = host.page.evaluate(
        """() => new Promise((resolve) => {
            let seen = null;
            const w = SchedulingSDK.create({
                container: document.body.appendChild(document.createElement("div")),
                appId: "clinic-2",
                onReady: (detail) => resolve(detail === seen),
            });
            w.element.addEventListener("scheduling:ready", (event) => { seen = event.detail; });
        })"""
    )
    assert same is True


def test_forged_messages_are_ignored(host):
    host.open(
        f"""<div id="real" class="scheduling-native" data-app-id="real"></div>
        <iframe id="foreign" title="foreign"
          src="{host.sites.app}/embed/tall/book?origin={host.sites.host}&mode=native"></iframe>"""
    )
    host.wait_events("ready")
    real = host.page.frame_locator("#real iframe")
    expect(real.locator("#complete")).to_be_visible()

    # The host page itself, a same-origin srcdoc frame, and a frame of the app that the SDK
    # did not create all post a valid-looking booking.
    host.page.evaluate(
        """() => {
            const forged = (id) => ({protocol: "scheduling/1", type: "bookingComplete",
                                      booking: {bookingId: id, status: "CONFIRMED"}});
            window.postMessage(forged("forged-self"), location.origin);
            const srcdoc = document.createElement("iframe");
            srcdoc.title = "srcdoc";
            srcdoc.srcdoc = "<script>parent.postMessage(" +
                JSON.stringify(forged("forged-srcdoc")) + ", '*');<\\/script>";
            document.body.appendChild(srcdoc);
        }"""
    )
    host.page.frame_locator("#foreign").locator("#complete").click()
    host.page.frame_locator("#foreign").locator("#fail").click()
    host.page.wait_for_timeout(300)

    real.locator("#complete").click()
    real.locator("#fail").click()
    host.wait_events("paymentFailed")
    host.page.wait_for_timeout(200)

    assert [e["detail"]["bookingId"] for e in host.events("bookingComplete")] == ["bk-real"]
    assert [e["detail"]["bookingId"] for e in host.events("paymentFailed")] == ["bk-real"]
    assert len(host.events("ready")) == 1
    # The foreign frame asked for 901px; only the SDK's own frame sizes the SDK's iframe.
    assert host.page.locator("#real iframe").evaluate("(f) => f.style.height") == "777px"


def test_escape_inside_the_frame_closes_and_focus_returns_to_the_button(host):
    host.open('<div class="scheduling-button" data-app-id="esc"></div>')
    button = host.page.locator(".scheduling-sdk-button")
    button.click()
    host.wait_events("ready")
    host.page.wait_for_function(FOCUS_IN_FRAME)

    # The key goes down inside the frame, which forwards it as a "close" message, and comes up
    # on the page: the keydown removes the frame, and the driver would wait forever for a
    # removed frame to take the keyup.
    host.page.keyboard.down("Escape")
    expect(host.page.locator(POPUP_HOST)).to_have_count(0)
    host.page.keyboard.up("Escape")
    assert host.page.evaluate("() => document.activeElement.className") == "scheduling-sdk-button"
    assert [e["name"] for e in host.events()] == ["open", "ready", "close"]
    assert host.events("close")[0]["detail"] == {"appId": "esc", "mode": "popup"}


def test_escape_in_the_host_document_closes_and_scroll_lock_is_restored(host):
    host.open(
        '<div style="height:3000px"><div class="scheduling-button" data-app-id="esc"></div></div>',
        html_attrs='lang="en" style="overflow: auto"',
    )
    overflow = "() => document.documentElement.style.overflow"
    assert host.page.evaluate(overflow) == "auto"
    host.page.locator(".scheduling-sdk-button").click()
    expect(host.page.locator(POPUP_HOST)).to_have_count(1)
    assert host.page.evaluate(overflow) == "hidden"
    host.page.wait_for_function(FOCUS_IN_FRAME)

    close = host.page.locator(f"{POPUP_HOST} dialog button")
    close.focus()
    host.page.keyboard.press("Escape")
    expect(host.page.locator(POPUP_HOST)).to_have_count(0)
    assert host.page.evaluate(overflow) == "auto"
    assert host.page.evaluate("() => document.activeElement.className") == "scheduling-sdk-button"


def test_native_widget_takes_the_height_the_frame_asks_for(host):
    host.open(
        '<div id="inline" class="scheduling-native" data-app-id="clinic" data-type="bt-1"'
        ' data-lang="en"></div>'
    )
    iframe = host.page.locator("#inline iframe")
    expect(iframe).to_have_count(1)
    assert iframe.get_attribute("loading") != "lazy"
    path, query = frame_query(iframe.get_attribute("src"))
    assert path == "/embed/clinic/book"
    assert query == {
        "type": "bt-1",
        "lang": "en",
        "origin": host.sites.host,
        "mode": "native",
        "tz": HOST_TIMEZONE,
    }
    host.page.wait_for_function(
        "() => document.querySelector('#inline iframe').style.height === '777px'"
    )
    assert iframe.bounding_box()["height"] == 777
    assert iframe.evaluate("(f) => getComputedStyle(f).borderTopWidth") == "0px"
    assert host.wait_events("ready")[0]["detail"] == {"appId": "clinic", "mode": "native"}
    # Native mode ignores the frame's close request.
    host.page.frame_locator("#inline iframe").locator("body").press("Escape")
    host.page.wait_for_timeout(200)
    expect(iframe).to_have_count(1)


def test_arabic_button_frame_and_dialog(host):
    host.open(
        '<div class="scheduling-button" data-app-id="clinic" data-type="bt-1" data-lang="ar"></div>'
        '<div id="by-page" class="scheduling-button" data-app-id="clinic"></div>',
        html_attrs='lang="ar-SA" dir="rtl"',
    )
    buttons = host.page.locator(".scheduling-sdk-button")
    expect(buttons).to_have_count(2)
    expect(buttons.first).to_have_text("احجز الآن")
    assert buttons.first.get_attribute("lang") == "ar"
    assert buttons.first.get_attribute("dir") == "rtl"
    # Without data-lang the button follows the page, but no language goes to the frame.
    expect(buttons.nth(1)).to_have_text("احجز الآن")

    host.page.set_viewport_size({"width": 390, "height": 844})
    buttons.first.click()
    dialog = host.page.locator(f"{POPUP_HOST} dialog")
    expect(dialog).to_be_visible()
    assert dialog.get_attribute("dir") == "rtl"
    assert dialog.get_attribute("lang") == "ar"
    assert dialog.get_attribute("aria-label") == "احجز موعدًا"
    assert dialog.locator("button").get_attribute("aria-label") == "إغلاق"
    _, query = frame_query(dialog.locator("iframe").get_attribute("src"))
    assert query["lang"] == "ar"
    # A phone gets the whole screen.
    size = dialog.bounding_box()
    assert (size["x"], size["y"], size["width"], size["height"]) == (0, 0, 390, 844)

    host.page.evaluate("() => SchedulingSDK.close()")
    expect(host.page.locator(POPUP_HOST)).to_have_count(0)
    buttons.nth(1).click()
    _, query = frame_query(host.page.locator(POPUP_FRAME).get_attribute("src"))
    assert "lang" not in query


def test_the_host_own_button_opens_the_popup(host):
    host.open(
        '<div id="own" class="scheduling-button" data-app-id="clinic">'
        '<noscript><a href="/book">Book</a></noscript>'
        '<button class="my-custom-button">Book Appointment</button></div>'
    )
    host.page.wait_for_function("() => SchedulingSDK.init('#own') !== null")
    expect(host.page.locator(".scheduling-sdk-button")).to_have_count(0)
    custom = host.page.locator(".my-custom-button")
    custom.click()
    expect(host.page.locator(POPUP_FRAME)).to_have_count(1)
    host.page.evaluate("() => SchedulingSDK.close()")
    expect(host.page.locator(POPUP_HOST)).to_have_count(0)
    assert host.page.evaluate("() => document.activeElement.className") == "my-custom-button"

    # Destroying leaves the host's element as it was, without the SDK's listener.
    assert host.page.evaluate("() => SchedulingSDK.destroy('#own')") is True
    expect(custom).to_have_count(1)
    assert custom.get_attribute("class") == "my-custom-button"
    assert custom.get_attribute("style") is None
    custom.click()
    host.page.wait_for_timeout(200)
    expect(host.page.locator(POPUP_HOST)).to_have_count(0)


def test_containers_added_later_are_initialised_and_removed_ones_destroyed(host):
    host.open("<main id='app'></main>")
    host.page.evaluate(
        """() => {
            const section = document.createElement("section");
            section.innerHTML = '<div><div id="late" class="scheduling-native"' +
                ' data-app-id="late"></div></div>' +
                '<div id="late-button" class="scheduling-button" data-app-id="late"></div>';
            document.getElementById("app").appendChild(section);
        }"""
    )
    expect(host.page.locator("#late iframe")).to_have_count(1)
    expect(host.page.locator("#late-button .scheduling-sdk-button")).to_have_count(1)
    host.wait_events("ready")

    # Taken out of the page, the widget is destroyed; put back, it starts again, once.
    host.page.evaluate(
        """() => {
            window.parked = document.getElementById("late");
            window.parked.parentNode.removeChild(window.parked);
        }"""
    )
    host.page.wait_for_function("() => window.parked.querySelector('iframe') === null")
    host.page.evaluate("() => document.getElementById('app').appendChild(window.parked)")
    expect(host.page.locator("#late iframe")).to_have_count(1)
    assert len(host.wait_events("ready", 2)) == 2


def test_destroy_then_init_again(host):
    host.open('<div id="w" class="scheduling-native" data-app-id="clinic"></div>')
    host.wait_events("ready")
    assert host.page.evaluate("() => SchedulingSDK.destroy('#w')") is True
    expect(host.page.locator("#w iframe")).to_have_count(0)
    assert host.page.evaluate("() => SchedulingSDK.destroy('#w')") is False

    assert host.page.evaluate("() => SchedulingSDK.init(document.getElementById('w')) !== null")
    # init is idempotent: the same handle, no second iframe.
    assert host.page.evaluate(
        "() => SchedulingSDK.init('#w') === SchedulingSDK.init(document.getElementById('w'))"
    )
    assert host.page.evaluate("() => SchedulingSDK.initAll().length") == 0
    expect(host.page.locator("#w iframe")).to_have_count(1)
    assert len(host.wait_events("ready", 2)) == 2

    # A handle destroys too; a popup handle's button goes with it.
    host.page.evaluate(
        """() => {
            const div = document.body.appendChild(document.createElement("div"));
            div.id = "popup";
            SchedulingSDK.createButton({container: div, appId: "clinic"}).destroy();
        }"""
    )
    expect(host.page.locator("#popup")).to_be_empty()


def test_two_native_widgets_keep_their_own_heights_and_events(host):
    host.open(
        '<div id="a" class="scheduling-native" data-app-id="short"></div>'
        '<div id="b" class="scheduling-native" data-app-id="tall"></div>'
    )
    host.page.wait_for_function(
        """() => document.querySelector('#a iframe').style.height === '777px'
              && document.querySelector('#b iframe').style.height === '901px'"""
    )
    ready = host.wait_events("ready", 2)
    assert sorted((e["target"], e["detail"]["appId"]) for e in ready) == [
        ("a", "short"),
        ("b", "tall"),
    ]
    host.page.frame_locator("#b iframe").locator("#complete").click()
    host.page.frame_locator("#b iframe").locator("#fail").click()
    host.wait_events("paymentFailed")
    host.page.frame_locator("#a iframe").locator("#complete").click()
    host.page.frame_locator("#a iframe").locator("#fail").click()
    host.wait_events("paymentFailed", 2)
    assert [(e["target"], e["detail"]["bookingId"]) for e in host.events("bookingComplete")] == [
        ("b", "bk-tall"),
        ("a", "bk-short"),
    ]


def test_floating_button_and_theme(host):
    host.open(
        '<div id="float" class="scheduling-button" data-app-id="clinic" data-floating'
        ' data-primary-color="#112233" data-primary-text-color="#ffeedd"'
        ' data-background-color="red" data-text-color="#000"></div>'
        '<div id="left" class="scheduling-button" data-app-id="clinic" data-floating="left"'
        ' data-button-text="Left"></div>'
    )
    right = host.page.locator(".scheduling-sdk-floating").first
    expect(right).to_have_text("Book Now")
    style = right.evaluate(
        """(b) => { const s = getComputedStyle(b);
            return [s.position, s.zIndex, s.backgroundColor, s.color, b.parentNode.nodeName]; }"""
    )
    assert style == ["fixed", "2147483000", "rgb(17, 34, 51)", "rgb(255, 238, 221)", "BODY"]
    box = right.bounding_box()
    assert box["x"] + box["width"] == pytest.approx(1280 - 20, abs=1)
    assert box["y"] + box["height"] == pytest.approx(900 - 20, abs=1)
    left = host.page.locator(".scheduling-sdk-floating-left")
    expect(left).to_have_text("Left")
    assert left.bounding_box()["x"] == pytest.approx(20, abs=1)

    right.click()
    _, query = frame_query(host.page.locator(POPUP_FRAME).get_attribute("src"))
    # "red" is not a hex colour, so it is dropped.
    assert json.loads(query["theme"]) == {
        "primaryColor": "#112233",
        "primaryTextColor": "#ffeedd",
        "textColor": "#000",
    }
    host.page.evaluate("() => SchedulingSDK.close()")
    # The floating button lives on <body>; destroying the widget removes it.
    host.page.evaluate("() => SchedulingSDK.destroy('#float')")
    expect(host.page.locator(".scheduling-sdk-floating")).to_have_count(1)


def test_fallback_when_the_frame_never_says_ready(host):
    host.open(
        '<div id="silent" class="scheduling-native" data-app-id="silent" data-type="bt 1"></div>'
        '<div id="blocked" class="scheduling-native" data-app-id="blocked" data-lang="ar"></div>'
    )
    for name in ("silent", "blocked"):
        expect(host.page.locator(f"#{name} .scheduling-sdk-fallback")).to_have_count(1)
        expect(host.page.locator(f"#{name} iframe")).to_have_count(0)
    silent = host.page.locator("#silent .scheduling-sdk-fallback")
    expect(silent.locator("p")).to_have_text("The booking form could not be shown here.")
    link = silent.locator("a")
    expect(link).to_have_text("Open the booking page")
    assert link.get_attribute("href") == f"{host.sites.app}/embed/silent/open?type=bt+1"
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("rel") == "noopener"
    blocked = host.page.locator("#blocked .scheduling-sdk-fallback")
    expect(blocked.locator("p")).to_have_text("تعذّر عرض نموذج الحجز هنا.")
    expect(blocked.locator("a")).to_have_text("افتح صفحة الحجز")
    assert blocked.locator("a").get_attribute("href") == (
        f"{host.sites.app}/embed/blocked/open?lang=ar"
    )
    warnings = [text for text in host.warnings() if "allowed domains" in text]
    assert len(warnings) == 2
    assert host.sites.host in warnings[0] and "Settings" in warnings[0]
    assert host.events("ready") == []


def test_open_without_container_and_one_popup_at_a_time(host):
    host.open("<p>No containers here.</p>")
    host.page.evaluate(
        """() => {
            window.first = SchedulingSDK.open({appId: "first"});
            window.second = SchedulingSDK.open({appId: "second", typeId: "bt-2"});
        }"""
    )
    expect(host.page.locator(POPUP_HOST)).to_have_count(1)
    path, query = frame_query(host.page.locator(POPUP_FRAME).get_attribute("src"))
    assert (path, query["type"], query["mode"]) == ("/embed/second/book", "bt-2", "popup")
    ready = host.wait_events("ready")
    assert ready[-1] == {
        "name": "ready",
        "target": "document",
        "detail": {"appId": "second", "mode": "popup"},
    }
    opened = [(e["name"], e["detail"]["appId"]) for e in host.events() if e["name"] != "ready"]
    assert opened == [("open", "first"), ("close", "first"), ("open", "second")]
    assert host.page.evaluate("() => window.second.element") is None

    host.page.evaluate("() => window.second.close()")
    expect(host.page.locator(POPUP_HOST)).to_have_count(0)
    host.page.evaluate("() => window.second.open()")
    expect(host.page.locator(POPUP_HOST)).to_have_count(1)
    host.page.evaluate("() => window.second.destroy()")
    expect(host.page.locator(POPUP_HOST)).to_have_count(0)
    host.page.evaluate("() => window.second.open()")
    host.page.wait_for_timeout(100)
    expect(host.page.locator(POPUP_HOST)).to_have_count(0)


def test_loaded_twice_before_the_containers_exist(host):
    tag = f'<script src="{host.sites.app}/scheduling-sdk.js"></script>'
    host.open(
        '<div id="w" class="scheduling-native" data-app-id="clinic"></div>'
        '<div id="p" class="scheduling-button" data-app-id="clinic">'
        # A script here lets mutation observers run before the parser reaches the link.
        "<script>window.parsing = true;</script>"
        '<a class="my-link" href="/book">Book a visit</a></div>'
        f"{tag}",
        head=tag + tag,
        sdk=False,
    )
    expect(host.page.locator("#w iframe")).to_have_count(1)
    host.wait_events("ready")
    host.page.wait_for_timeout(200)
    assert len(host.events("ready")) == 1
    # The parser had not reached the host's link when the SDK ran: it is still the trigger.
    expect(host.page.locator(".scheduling-sdk-button")).to_have_count(0)
    host.page.locator(".my-link").click()
    expect(host.page.locator(POPUP_FRAME)).to_have_count(1)
    assert host.page.url.endswith(".html"), "the link's own navigation was prevented"


def test_missing_app_id_and_foreign_elements(host):
    host.open(
        '<div id="bad" class="scheduling-button"></div><p id="plain">Hello</p>'
        '<div id="nocontainer"></div>'
    )
    assert host.page.evaluate("() => SchedulingSDK.init('#bad')") is None
    assert host.page.evaluate("() => SchedulingSDK.init('#plain')") is None
    assert host.page.evaluate("() => SchedulingSDK.init('#nothing-here')") is None
    assert host.page.evaluate("() => SchedulingSDK.create({appId: 'x'})") is None
    assert (
        host.page.evaluate("() => SchedulingSDK.createButton({container: '#nocontainer'})") is None
    )
    assert host.page.evaluate("() => SchedulingSDK.version") == "1.0.0"
    expect(host.page.locator("#bad *")).to_have_count(0)
    errors = host.console_errors()
    assert any("appId" in text for text in errors)
    assert any("container" in text for text in errors)


def test_minified_build_works(host):
    pytest.importorskip("rjsmin")
    host.open(
        '<div id="w" class="scheduling-native" data-app-id="clinic"'
        ' data-prefill-first-name="Omar" data-prefill-email="omar@example.com"></div>'
        '<div class="scheduling-button" data-app-id="clinic"></div>'
        f'<script async src="{host.sites.app}/min/scheduling-sdk.js"></script>',
        sdk=False,
    )
    host.wait_events("ready")
    expect(host.page.frame_locator("#w iframe").locator("#prefill")).to_have_text(
        '{"firstName":"Omar","email":"omar@example.com"}'
    )
    host.page.locator(".scheduling-sdk-button").click()
    expect(host.page.locator(POPUP_FRAME)).to_have_count(1)
    assert len(host.wait_events("ready", 2)) == 2
