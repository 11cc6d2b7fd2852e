"""The widget SDK on its own: a stub app and a host site on two origins, driven in Chromium.

The "app" (``http://127.0.0.1:<port>``) serves ``widget/scheduling-sdk.js`` and a stub booking
frame that speaks the frame's half of the ``scheduling/1`` protocol. The "host"
(``http://localhost:<other port>``) serves whatever page a test hands it. One browser serves
the module; each test gets a fresh context.
"""

from __future__ import annotations

import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
SDK_PATH = ROOT / "widget" / "scheduling-sdk.js"
EVENT_NAMES = ["ready", "bookingComplete", "paymentFailed", "open", "close"]

# Behaves like the real frame: posts ready and resize to the origin named in its URL, takes
# prefill only from its parent on that origin, and forwards Escape as "close".
# The app id "tall" asks for a different height, so two widgets can be told apart.
STUB_FRAME = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Stub booking frame</title></head>
<body>
<h1>Stub booking frame</h1>
<pre id="prefill"></pre>
<a id="next" href="#">Next step</a>
<button id="complete" type="button">Complete booking</button>
<button id="fail" type="button">Fail payment</button>
<script>
  const params = new URLSearchParams(location.search);
  const origin = params.get("origin");
  const appId = decodeURIComponent(location.pathname.split("/")[2]);
  const post = (message) => parent.postMessage({protocol: "scheduling/1", ...message}, origin);
  window.addEventListener("message", (event) => {
    if (event.source !== parent || event.origin !== origin) return;
    const data = event.data;
    if (data && data.protocol === "scheduling/1" && data.type === "prefill") {
      document.getElementById("prefill").textContent = JSON.stringify(data.customer);
    }
  });
  const booking = {
    bookingId: "bk-" + appId,
    status: "CONFIRMED",
    bookingTypeId: params.get("type") || "bt-1",
    bookingTypeName: "Consultation",
    resourceId: "res-1",
    resourceName: "Dr. Hana",
    startDateTime: "2026-11-22T09:00:00+03:00",
    endDateTime: "2026-11-22T09:30:00+03:00",
    timeZone: "Asia/Riyadh",
    price: 150,
    currency: "SAR",
  };
  document.getElementById("complete").addEventListener("click", () => {
    // The confirmation page may say it twice (a reload): the host must hear it once.
    post({type: "bookingComplete", booking});
    post({type: "bookingComplete", booking});
  });
  document.getElementById("fail").addEventListener("click", () => {
    post({type: "paymentFailed", bookingId: booking.bookingId, reason: "declined"});
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") post({type: "close"});
  });
  const next = new URLSearchParams(params);
  next.set("step", "2");
  document.getElementById("next").href = "?" + next;
  post({type: "ready", step: params.get("step") || "service"});
  post({type: "resize", height: appId === "tall" ? 901 : 777});
</script>
</body>
</html>
"""
# What the browser shows when the app refuses to be framed: a page that never says ready.
SILENT_FRAME = "<!doctype html><title>Silent</title><p>Nothing to say.</p>"
OPEN_PAGE = "<!doctype html><title>Booking page</title><p>The public booking page.</p>"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the name http.server calls)
        status, content_type, body, headers = self.server.route(urlsplit(self.path).path)
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def _minified_sdk() -> str | None:
    try:
        import rjsmin
    except ImportError:
        return None
    return rjsmin.jsmin(SDK_PATH.read_text(encoding="utf-8"))


def _app_route(path: str):
    html = "text/html; charset=utf-8"
    if path == "/scheduling-sdk.js":
        return 200, "text/javascript; charset=utf-8", SDK_PATH.read_text(encoding="utf-8"), {}
    if path == "/min/scheduling-sdk.js":
        minified = _minified_sdk()
        if minified is not None:
            return 200, "text/javascript; charset=utf-8", minified, {}
    parts = path.split("/")
    if len(parts) == 4 and parts[1] == "embed":
        app_id, page = unquote(parts[2]), parts[3]
        if page == "book" and app_id == "silent":
            return 200, html, SILENT_FRAME, {}
        if page == "book" and app_id == "blocked":
            # The real refusal: the browser shows its own error page inside the iframe.
            return 200, html, STUB_FRAME, {"Content-Security-Policy": "frame-ancestors 'none'"}
        if page == "book":
            return 200, html, STUB_FRAME, {}
        if page == "open":
            return 200, html, OPEN_PAGE, {}
    return 404, "text/plain", "not found", {}


def _start(route) -> tuple[ThreadingHTTPServer, threading.Thread]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.route = route
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


class Sites:
    """The app's origin, the host's origin, and the host's pages by path."""

    def __init__(self, app_port: int):
        self.app = f"http://127.0.0.1:{app_port}"
        self.host = ""
        self.pages: dict[str, str] = {}
        self._numbers = itertools.count(1)

    def add(self, html: str) -> str:
        path = f"/page-{next(self._numbers)}.html"
        self.pages[path] = html
        return self.host + path

    def route(self, path: str):
        if path in self.pages:
            return 200, "text/html; charset=utf-8", self.pages[path], {}
        return 404, "text/plain", "not found", {}


# The host page's browser clock; the SDK passes it on so times show in it.
HOST_TIMEZONE = "Asia/Riyadh"


@pytest.fixture(scope="module")
def sites():
    app_server, app_thread = _start(_app_route)
    found = Sites(app_server.server_port)
    host_server, host_thread = _start(found.route)
    found.host = f"http://localhost:{host_server.server_port}"
    yield found
    for server, thread in ((app_server, app_thread), (host_server, host_thread)):
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class HostPage:
    """A browser tab on the host site, recording every ``scheduling:*`` event it sees."""

    def __init__(self, page: Page, sites: Sites):
        self.page = page
        self.sites = sites
        self.errors: list[str] = []
        self.console: list[tuple[str, str]] = []

    @property
    def sdk_tag(self) -> str:
        return f'<script async src="{self.sites.app}/scheduling-sdk.js" charset="utf-8"></script>'

    def open(self, body: str, *, head: str = "", html_attrs: str = 'lang="en"', sdk: bool = True):
        """Serve and load a host page; the SDK snippet goes last in <body> unless ``sdk=False``."""
        recorder = (
            "<script>window.events = [];"
            f"for (const name of {EVENT_NAMES!r}) {{"
            "document.addEventListener('scheduling:' + name, (event) => {"
            "const target = event.target;"
            "window.events.push({name, detail: event.detail,"
            " target: target === document ? 'document' : target.id || target.className});"
            "});}</script>"
        )
        html = (
            f'<!doctype html><html {html_attrs}><head><meta charset="utf-8">'
            f"<title>Host page</title>{recorder}{head}</head>"
            f"<body>{body}{self.sdk_tag if sdk else ''}</body></html>"
        )
        self.page.goto(self.sites.add(html))
        self.page.wait_for_function("() => window.SchedulingSDK !== undefined")

    def events(self, name: str | None = None) -> list[dict]:
        found = self.page.evaluate("() => window.events")
        return [event for event in found if name is None or event["name"] == name]

    def wait_events(self, name: str, count: int = 1) -> list[dict]:
        self.page.wait_for_function(
            "([name, count]) => window.events.filter((e) => e.name === name).length >= count",
            arg=[name, count],
        )
        return self.events(name)

    def warnings(self) -> list[str]:
        return [text for kind, text in self.console if kind == "warning"]

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"]


@pytest.fixture
def host(browser, sites):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id=HOST_TIMEZONE
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = HostPage(page, sites)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    page.on("console", lambda message: tab.console.append((message.type, message.text)))
    yield tab
    context.close()
    assert not tab.errors, f"JavaScript errors on the host page: {tab.errors}"
