"""Browser tests: the demo clinic served by a real server on a free port, driven in Chromium.

One server and one browser serve the whole run; each test gets fresh browser contexts. Pages
use the real clock, so the data is made relative to now. Without Chromium the tests are
skipped, except under CI (``CI`` set), where they must run.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from tests.browser.steps import FILE_FIELD, LiveSite
from webapp import create_app, demo
from webapp.extensions import db
from webapp.models import CustomField
from webapp.models.types import utcnow

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "ar-SA",
}
# The clinic's own zone: times read the same in the browser and in the service layer.
BROWSER_TIMEZONE = demo.TIMEZONE


def _add_file_field(session, organization_id: str) -> None:
    """A file question on every service, so the details form has an upload."""
    session.add(
        CustomField(
            organization_id=organization_id,
            scope="booking",
            key=FILE_FIELD,
            name="Referral letter or X-ray",
            name_translations={"ar": "خطاب الإحالة أو صورة الأشعة"},
            type="file",
            optional=True,
            visibility="public",
            position=20,
        )
    )


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live-site")
    messages: list = []
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'site.sqlite3'}",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "RATELIMIT_ENABLED": False,
            "MESSAGES_CAPTURE": messages,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base_url
    with app.app_context():
        db.create_all()
        loaded = demo.load_demo(db.session, now=utcnow(), base_url=base_url)
        _add_file_field(db.session, loaded["organizationId"])
        db.session.commit()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveSite(app=app, base_url=base_url, captured=messages)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


def _page(browser: Browser, options: dict, timezone: str = BROWSER_TIMEZONE):
    context = browser.new_context(timezone_id=timezone, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def desktop_page(browser) -> Page:
    yield from _page(browser, DESKTOP)


@pytest.fixture
def phone_page(browser) -> Page:
    yield from _page(browser, PHONE)


@pytest.fixture
def page_without_javascript(browser) -> Page:
    """A desktop browser with JavaScript switched off: plain links and forms only."""
    yield from _page(browser, {**DESKTOP, "java_script_enabled": False})


@pytest.fixture
def desktop_page_in_london(browser) -> Page:
    """A desktop browser whose clock is in London, three hours behind the clinic."""
    yield from _page(browser, DESKTOP, timezone="Europe/London")


@pytest.fixture
def snap(request):
    """``snap(page, name)``: a full-page screenshot into $SCREENSHOT_DIR, when it is set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    prefix = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")

    def take(page: Page, name: str) -> None:
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{prefix}--{name}.png"), full_page=True)

    return take


def axe_violations(page: Page) -> list[dict]:
    """Serious and critical WCAG 2.2 AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_SOURCE)
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: tags});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        AXE_TAGS,
    )
    return [v for v in found if v["impact"] in BLOCKING_IMPACTS]


@pytest.fixture
def check_step(snap):
    """``check_step(page, name)``: the step is accessible (axe), then screenshot it."""

    def check(page: Page, name: str) -> None:
        page.wait_for_load_state()
        expect(page.locator("#flow")).to_be_visible()
        violations = axe_violations(page)
        snap(page, name)
        # Against the device's width: a phone widens its layout to fit content that overflows.
        wide = page.evaluate("document.documentElement.scrollWidth")
        screen = page.viewport_size["width"]
        assert wide <= screen, f"{name} scrolls sideways: {wide}px on a {screen}px screen"
        assert not violations, f"axe on {name} ({page.url}):\n" + "\n".join(
            f"- {v['id']} [{v['impact']}] {v['help']}: {', '.join(v['targets'][:5])}"
            for v in violations
        )

    return check
