"""The embeddable widget's weight and speed, in headless Chromium on loopback.

The demo clinic is served by a real threaded WSGI server at ``http://127.0.0.1:<port>``; a
host page on another origin (``http://localhost:<other port>``) holds the seed's native
snippet for a service and a resource, so the frame opens on the time step. It prints:

  size      ``/scheduling-sdk.js`` as served: source, minified, gzipped (target <= 8 KB
            gzipped), and the seed's popup and native snippets (target <= 1 KB each);
  requests  what the browser fetches between the moment the SDK's script tag starts
            loading and the first free time being visible, besides the iframe document
            (target <= 2);
  time      from that moment to the first free time visible on screen (an
            IntersectionObserver inside the frame, against the host page's viewport), p50 /
            p95 / max over ``--runs`` loads: "cold" in a fresh browser context (nothing
            cached) and "warm" reloading the same page (target p95 <= 300 ms).

    .venv/bin/python bench/widget.py
    .venv/bin/python bench/widget.py --runs 50
"""

from __future__ import annotations

import argparse
import gzip
import logging
import multiprocessing
import socket
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.request import Request, urlopen

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from webapp import create_app, demo  # noqa: E402
from webapp.embed.assets import SDK_SOURCE  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Website  # noqa: E402
from webapp.models.types import utcnow  # noqa: E402

SERVICE, RESOURCE = "checkup", "sara"  # a service with no questions before its times
TARGET_SDK_GZIP = 8 * 1024
TARGET_SNIPPET = 1024
TARGET_REQUESTS = 2
TARGET_P95_MS = 300.0

POPUP_SNIPPET = """<div
  class="scheduling-button"
  data-app-id="{app_id}"
  data-type="{type_id}"
>
</div>

<script
  async
  src="{base}/scheduling-sdk.js"
  charset="utf-8"
></script>
"""
NATIVE_SNIPPET = POPUP_SNIPPET.replace("scheduling-button", "scheduling-native")
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A clinic's own site</title></head>
<body>
<h1>Book a checkup</h1>
<div class="scheduling-native" data-app-id="{app_id}" data-type="{type_id}"
     data-resource="{resource_id}"></div>
<script async src="{base}/scheduling-sdk.js" charset="utf-8"></script>
</body></html>
"""
# Runs in every frame; inside the widget's frame it notes when the first free time shows.
FIRST_SLOT_WATCH = """
if (location.pathname.startsWith("/embed/")) {
  document.addEventListener("DOMContentLoaded", () => {
    const slot = document.querySelector("#times .time");
    if (!slot) return;
    new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting && !window.firstSlot) {
          window.firstSlot = performance.timeOrigin + entry.time;
        }
      }
    }).observe(slot);
  });
}
"""


# The floor: a host page whose script only inserts a cross-site frame holding one time.
FLOOR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Floor</title></head>
<body><div class="scheduling-native"></div>
<script async src="{other}/floor/scheduling-sdk.js" charset="utf-8"></script>
</body></html>
"""
FLOOR_SCRIPT = """var frame = document.createElement("iframe");
frame.style.cssText = "display:block;width:100%;height:600px;border:0";
frame.src = "{other}/embed/floor";
document.querySelector(".scheduling-native").appendChild(frame);
"""
FLOOR_FRAME = '<!doctype html><div id="times"><button class="time">09:00</button></div>'


class HostPage(BaseHTTPRequestHandler):
    """The host page at ``/``; the floor's page, script and frame at the other paths."""

    body = b""
    pages: dict[str, tuple[str, bytes]] = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        kind, body = self.pages.get(self.path, ("text/html", self.body))
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(server) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


def app_config(folder: str) -> dict:
    return {
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/widget.sqlite3",
        "RATELIMIT_ENABLED": False,
    }


def run_server(folder: str, port: int) -> None:
    """The app in its own process, as in production: the browser's work does not share a
    Python interpreter (and its lock) with the server."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    make_server("127.0.0.1", port, create_app(app_config(folder)), threaded=True).serve_forever()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_app(folder: str, base: str, port: int) -> multiprocessing.Process:
    server = multiprocessing.get_context("fork").Process(
        target=run_server, args=(folder, port), daemon=True
    )
    server.start()
    for _ in range(100):
        try:
            urlopen(f"{base}/healthz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the app did not start")


def load_demo(folder: str, base: str, host: str) -> dict:
    app = create_app(app_config(folder))
    with app.app_context():
        db.create_all()
        loaded = demo.load_demo(db.session, now=utcnow(), base_url=base)
        website = db.session.query(Website).filter_by(app_id=loaded["appId"]).one()
        website.allowed_domains = [*website.allowed_domains, host]
        db.session.commit()
        db.engine.dispose()
    by_name = {t["name"]: t["id"] for t in loaded["bookingTypes"]}
    resources = {r["name"]: r["id"] for r in loaded["resources"]}
    return {
        "app_id": loaded["appId"],
        "type_id": by_name[demo.BOOKING_TYPES[SERVICE][0]],
        "resource_id": resources[demo.RESOURCES[RESOURCE][0]],
    }


def sizes(base: str, ids: dict) -> dict:
    served = urlopen(Request(f"{base}/scheduling-sdk.js")).read()
    zipped = urlopen(Request(f"{base}/scheduling-sdk.js", headers={"Accept-Encoding": "gzip"}))
    return {
        "source": len(Path(SDK_SOURCE).read_bytes()),
        "minified": len(served),
        "gzip (served)": len(zipped.read()),
        "gzip -9": len(gzip.compress(served, 9)),
        "popup snippet": len(POPUP_SNIPPET.format(base=base, **ids).encode()),
        "native snippet": len(NATIVE_SNIPPET.format(base=base, **ids).encode()),
    }


def load_once(page, host_url: str) -> tuple[float, list[str]]:
    """One load of the host page: ms to the first visible free time, and what was fetched."""
    finished = []

    def note(request):
        finished.append(request)

    page.on("requestfinished", note)
    page.goto(host_url)
    frame = None
    page.wait_for_function("document.querySelector('.scheduling-native iframe')")
    for _ in range(200):
        frame = next((f for f in page.frames if "/embed/" in f.url), None)
        if frame is not None:
            break
        page.wait_for_timeout(5)
    frame.wait_for_function("window.firstSlot", timeout=10_000)
    shown = frame.evaluate("window.firstSlot")
    start = next(r.timing["startTime"] for r in finished if r.url.endswith("/scheduling-sdk.js"))
    page.remove_listener("requestfinished", note)
    fetched = [
        request.url
        for request in finished
        if start <= request.timing["startTime"] <= shown and request.resource_type != "document"
    ]
    return shown - start, fetched


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(browser, host_url: str, runs: int) -> dict:
    cold, warm, requests = [], [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(FIRST_SLOT_WATCH)
        page = context.new_page()
        elapsed, fetched = load_once(page, host_url)
        cold.append(elapsed)
        requests.append(fetched)
        elapsed, _ = load_once(page, host_url)
        warm.append(elapsed)
        context.close()
    return {"cold": cold, "warm": warm, "requests": requests}


def report(found: dict, measured: dict, floor: dict, runs: int) -> None:
    print("size (bytes)")
    for name, value in found.items():
        target = TARGET_SDK_GZIP if name == "gzip (served)" else None
        if "snippet" in name:
            target = TARGET_SNIPPET
        verdict = f"  target <= {target}: {'ok' if value <= target else 'OVER'}" if target else ""
        print(f"  {name:<16}{value:>8}{verdict}")
    counts = [len(r) for r in measured["requests"]]
    worst = max(measured["requests"], key=len)
    print("\nrequests from script load to the first free time, besides the frame document")
    print(
        f"  max {max(counts)} (target <= {TARGET_REQUESTS}: "
        f"{'ok' if max(counts) <= TARGET_REQUESTS else 'OVER'})"
    )
    for url in worst:
        print(f"    {url}")
    print(f"\nscript load -> first free time visible, ms ({runs} runs each)")
    for name in ("cold", "warm"):
        samples = measured[name]
        p95 = percentile(samples, 0.95)
        print(
            f"  {name:<5} p50 {statistics.median(samples):7.1f}  p95 {p95:7.1f}  "
            f"max {max(samples):7.1f}   target p95 <= {TARGET_P95_MS:.0f}: "
            f"{'ok' if p95 <= TARGET_P95_MS else 'OVER'}"
        )
    print(
        "\nthe floor on this machine: a script that only inserts a cross-site frame with one time"
    )
    for name in ("cold", "warm"):
        samples = floor[name]
        print(
            f"  {name:<5} p50 {statistics.median(samples):7.1f}  "
            f"p95 {percentile(samples, 0.95):7.1f}  max {max(samples):7.1f}"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        host_server = ThreadingHTTPServer(("127.0.0.1", 0), HostPage)
        host = f"http://localhost:{host_server.server_port}"
        ids = load_demo(folder, base, host)
        server = start_app(folder, base, port)
        HostPage.body = HOST_PAGE.format(base=base, **ids).encode()
        other = f"http://127.0.0.1:{host_server.server_port}"
        HostPage.pages = {
            "/floor": ("text/html", FLOOR_PAGE.format(other=other).encode()),
            "/floor/scheduling-sdk.js": (
                "text/javascript",
                FLOOR_SCRIPT.format(other=other).encode(),
            ),
            "/embed/floor": ("text/html", FLOOR_FRAME.encode()),
        }
        serve(host_server)
        found = sizes(base, ids)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            measure(browser, host + "/", 2)  # warm up the server and the browser
            measured = measure(browser, host + "/", args.runs)
            floor = measure(browser, host + "/floor", args.runs)
            browser.close()
        host_server.shutdown()
        server.terminate()
    report(found, measured, floor, args.runs)


if __name__ == "__main__":
    main()
