"""The staff admin and the add-appointment admin widget, end to end in Chromium against the
running demo clinic.

An owner sets up a resource, its hours, a service and a vacation through the admin's own forms
and the booking website offers exactly the times that follow from them; a staff member
approves a booking from the calendar; the add-appointment widget books and moves bookings from
a host page of another site (and is refused on a site the clinic does not allow); and the
admin's pages are screenshot and checked with axe in English and Arabic.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser import steps
from tests.browser.conftest import axe_violations
from tests.browser.test_widget import HostSite, _change_allowed_domains
from webapp import demo
from webapp.auth import tokens
from webapp.booking import availability, lifecycle
from webapp.booking import slots as sl
from webapp.extensions import db
from webapp.i18n import format_day
from webapp.models import (
    Booking,
    BookingType,
    Customer,
    OffRules,
    Organization,
    Resource,
    TimeRules,
    User,
    Website,
)
from webapp.models.types import utcnow
from webapp.public import schedule
from webapp.public.blueprint import status_label

pytestmark = pytest.mark.browser

TZ = ZoneInfo(demo.TIMEZONE)
OWNER_PASSWORD = "owner-browser-pass"
STAFF_PASSWORD = "staff-browser-pass"
SARA = "Dr. Sara Al-Qahtani"
OMAR = "Dr. Omar Haddad"
WORKWEEK = {6, 0, 1, 2, 3}  # Python weekdays of Sunday to Thursday
MONDAY_TO_THURSDAY = ["monday", "tuesday", "wednesday", "thursday"]


# -- the demo clinic as the admin sees it ------------------------------------------------------


@dataclass
class Clinic:
    base_url: str
    organization_id: str
    types: dict[str, str]
    resources: dict[str, str]

    def admin(self, path: str, lang: str = "en", **params) -> str:
        return f"{self.base_url}/admin/{path}?" + urlencode({**params, "lang": lang})


@pytest.fixture(scope="module")
def clinic(live_site) -> Clinic:
    """The demo's ids, with known passwords for its owner and its staff member."""
    with live_site.app.app_context():
        website = db.session.scalars(select(Website).where(Website.slug == demo.SLUG)).one()
        org = website.organization_id
        for email, password in (
            (demo.OWNER_EMAIL, OWNER_PASSWORD),
            (demo.STAFF_EMAIL, STAFF_PASSWORD),
        ):
            db.session.scalars(select(User).where(User.email == email)).one().set_password(password)
        db.session.commit()
        types = db.session.execute(
            select(BookingType.name, BookingType.id).where(BookingType.organization_id == org)
        ).all()
        resources = db.session.execute(
            select(Resource.name, Resource.id).where(Resource.organization_id == org)
        ).all()
        return Clinic(live_site.base_url, org, dict(types), dict(resources))


def sign_in(page: Page, clinic: Clinic, email: str, password: str, lang: str = "en") -> None:
    """Through the sign-in form, as a person does."""
    page.goto(clinic.admin("login", lang))
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form.stack button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("header.topbar .who")).to_be_visible()


def toast(page: Page, site, message: str, lang: str = "en", **params):
    """The toast saying ``message`` (with its ``params`` filled in) in ``lang``."""
    text = steps.text(site, lang, message)
    return page.locator("#toasts .toast", has_text=text % params if params else text)


def status_text(site, status: str, lang: str = "en") -> str:
    """A booking status as the admin shows it."""
    with site.app.test_request_context(), force_locale(lang):
        return status_label(status)


def today() -> date:
    return utcnow().astimezone(TZ).date()


def working_days(after: date, count: int) -> list[date]:
    """The next ``count`` Sundays-to-Thursdays after ``after``."""
    found, day = [], after
    while len(found) < count:
        day += timedelta(days=1)
        if day.weekday() in WORKWEEK:
            found.append(day)
    return found


def local_hhmm(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(TZ).strftime("%H:%M")


# -- 1. setting up a resource and a service ----------------------------------------------------

RESOURCE = "Dr. Lina Farouk"
SERVICE = "Implant consultation"


@pytest.fixture
def switched_off_afterwards(live_site):
    """Switch off what the test made, so the demo website is as it was for other tests."""
    yield
    with live_site.app.app_context():
        for model, name in ((Resource, RESOURCE), (BookingType, SERVICE)):
            for row in db.session.scalars(select(model).where(model.name == name)):
                row.on = False
        db.session.commit()


def expected_starts(live_site, minutes: int, opens: int, closes: int) -> list[str]:
    """What the website's own splitting offers for a service of ``minutes`` in one period
    (minutes after midnight); the demo website shows every free time."""
    with live_site.app.app_context():
        website = db.session.scalars(select(Website).where(Website.slug == demo.SLUG)).one()
        site = website.settings
        assert site.booking_time_policy == "displayAll", "every free time is shown"
        grid = schedule.website_grid(site)
    assert not grid.in_between, "no extra in-between times"
    starts = [m for m in grid.minutes if opens <= m and m + minutes <= closes]
    return [f"{m // 60:02d}:{m % 60:02d}" for m in starts]


def test_owner_sets_up_a_resource_and_a_service_and_the_website_offers_exactly_their_times(
    desktop_page, live_site, clinic, switched_off_afterwards
):
    page = desktop_page
    sign_in(page, clinic, demo.OWNER_EMAIL, OWNER_PASSWORD)
    work_day, vacation, after_vacation = working_days(today(), 3)

    # A resource...
    page.goto(clinic.admin("resources/new"))
    page.locator("#f-name").fill(RESOURCE)
    page.locator("#resource-form .form-foot button.primary").click()
    expect(toast(page, live_site, "%(name)s is saved.", name=RESOURCE)).to_be_visible()
    expect(page.locator("main h1")).to_have_text(RESOURCE)
    with live_site.app.app_context():
        resource_id = db.session.scalars(select(Resource.id).where(Resource.name == RESOURCE)).one()

    # ...working Sunday to Thursday, 09:00 to 12:00, set with the hours editor...
    page.locator(".page-head a[href$='/time-rules']").click()
    expect(page.locator("#time-rules-editor")).to_be_visible()
    page.locator("#f-sunday-add").click()
    expect(page.locator("#f-sunday-0-start")).to_be_focused()
    page.locator("#f-sunday-0-start").fill("09:00")
    page.locator("#f-sunday-0-end").fill("12:00")
    for day in MONDAY_TO_THURSDAY:
        page.locator(f"#f-open-{day}").check()
    page.locator("#f-sunday-copy").click()
    for day in MONDAY_TO_THURSDAY:
        expect(page.locator(f"#f-{day}-0-start")).to_have_value("09:00")
        expect(page.locator(f"#f-{day}-0-end")).to_have_value("12:00")
    expect(page.locator("#f-friday-0-start, #f-saturday-0-start")).to_have_count(0)
    page.locator("#time-rules-editor .form-foot button[value=save]").click()
    expect(toast(page, live_site, "Working hours saved.")).to_be_visible()
    with live_site.app.app_context():
        rules = db.session.get(TimeRules, resource_id).rules
    assert rules == [
        {
            "days": ["sunday", *MONDAY_TO_THURSDAY],
            "times": [{"start": 900, "end": 1200}],
        }
    ]

    # ...a one-hour service it offers...
    page.goto(clinic.admin("types/new"))
    page.locator("#f-name").fill(SERVICE)
    page.locator("#f-minutes").fill("60")
    page.locator(f"#type-form input[name=resource_ids][value='{resource_id}']").check()
    page.locator("#type-form .form-foot button.primary").click()
    expect(toast(page, live_site, "%(name)s is saved.", name=SERVICE)).to_be_visible()
    expect(page.locator("main h1")).to_have_text(SERVICE)
    with live_site.app.app_context():
        service = db.session.scalars(select(BookingType).where(BookingType.name == SERVICE)).one()
        type_id = service.id
        assert (service.minutes, service.auto_confirm, service.time_options) == (60, True, {})

    # ...and a day of vacation on a working day.
    page.goto(clinic.admin(f"resources/{resource_id}/off-rules"))
    page.locator("#f-add-range").click()
    expect(page.locator("#f-range-0-from")).to_be_focused()
    page.locator("#f-range-0-from").fill(f"{vacation}T00:00")
    page.locator("#f-range-0-to").fill(f"{vacation + timedelta(days=1)}T00:00")
    page.locator("#f-range-0-note").fill("Conference")
    page.locator("#off-rules-editor .form-foot button[value=save]").click()
    expect(toast(page, live_site, "Time off saved.")).to_be_visible()
    with live_site.app.app_context():
        off = db.session.get(OffRules, resource_id).rules
    assert [(r["type"], r["from"][:10], r["to"][:10]) for r in off] == [
        ("range", vacation.isoformat(), (vacation + timedelta(days=1)).isoformat())
    ]

    # The booking website: the service, its one resource, then the times of a working day.
    page.goto(live_site.home + "?lang=en")
    page.locator(".cards .service h3 a", has_text=SERVICE).click()
    expect(page).to_have_url(re.compile(r"/book\?.*type="))
    steps.choose_resource(page, RESOURCE)
    book = f"{live_site.home}book?" + urlencode({"type": type_id, "resource": resource_id})
    expected = expected_starts(live_site, 60, 9 * 60, 12 * 60)
    assert expected  # 09:00, 09:30, 10:00, 10:30 and 11:00 with the demo's half hours

    page.goto(f"{book}&date={work_day}&lang=en")
    expect(page.locator(".cal-grid a.cal-day.selected")).to_have_attribute(
        "href", re.compile(f"date={work_day}")
    )
    times = page.locator("#times button.time")
    expect(times.first).to_be_visible()
    values = times.evaluate_all("buttons => buttons.map(b => b.value)")
    assert {datetime.fromisoformat(v).astimezone(TZ).date() for v in values} == {work_day}
    assert [local_hhmm(v) for v in values] == expected

    # The vacation day is not offered at all; the working day after it is, as usual.
    page.goto(f"{book}&date={vacation}&lang=en")
    expect(page.locator(".cal-grid a.cal-day").first).to_be_visible()
    expect(page.locator(f".cal-grid a.cal-day[href*='date={vacation}']")).to_have_count(0)
    for day, starts in ((vacation, []), (after_vacation, expected)):
        response = page.request.get(
            f"{book}&date={day}&lang=en".replace("/book?", "/book/times?"),
            headers={"HX-Request": "true"},
        )
        assert response.ok, response.status
        html = response.text()
        found = re.findall(r'name="start" value="([^"]+)"', html)
        assert [local_hhmm(v) for v in found] == starts, day
        if not starts:
            assert steps.text(live_site, "en", "No free times on this day.") in html


# -- 2. approving a booking from the calendar --------------------------------------------------

REVIEW = "Treatment plan review"


@pytest.fixture
def pending_booking(live_site, clinic):
    """A customer's booking with Dr. Sara for a service the clinic approves by hand; the
    service is staff-only afterwards, so the website never offers it to other tests."""
    with live_site.app.app_context():
        session = db.session
        organization = session.get(Organization, clinic.organization_id)
        sara = session.get(Resource, clinic.resources[SARA])
        review = BookingType(
            organization_id=organization.id,
            name=REVIEW,
            name_translations={"ar": "مراجعة خطة العلاج"},
            minutes=30,
            auto_confirm=False,
            color="#7a4fb5",
            position=90,
        )
        session.add(review)
        sara.booking_types.append(review)
        session.flush()
        customer = session.scalars(
            select(Customer).where(
                Customer.organization_id == organization.id, Customer.email == "layla@example.com"
            )
        ).one()
        now = utcnow()
        found = availability.find_available_slots(
            session,
            organization,
            review.id,
            today() + timedelta(days=1),
            today() + timedelta(days=14),
            timezone=demo.TIMEZONE,
            grid=sl.grid_for_website("oclockAndHalf"),
            now=now,
            resource_ids=[sara.id],
        )
        slot = found.days[0].slots[-1]
        booking = lifecycle.create_booking(
            session,
            organization,
            booking_type_id=review.id,
            start=slot.start,
            actor=lifecycle.Actor("customer", customer.id),
            now=now,
            customer=customer,
            resource_id=sara.id,
            timezone=demo.TIMEZONE,
            source="website",
        )
        assert booking.status == "PENDING_APPROVAL"
        review.book_from_website = False
        session.commit()
        booking_id, day = booking.id, booking.start_at.astimezone(TZ).date()
    yield booking_id, day
    with live_site.app.app_context():
        db.session.scalars(select(BookingType).where(BookingType.name == REVIEW)).one().on = False
        db.session.commit()


def test_staff_approves_a_pending_booking_from_the_calendar(
    desktop_page, live_site, clinic, pending_booking
):
    booking_id, day = pending_booking
    page = desktop_page
    sign_in(page, clinic, demo.STAFF_EMAIL, STAFF_PASSWORD)
    # The day before, then "Next": the calendar moves and the admin around it stays.
    page.goto(clinic.admin("calendar", date=(day - timedelta(days=1)).isoformat()))
    page.locator(".cal-toolbar a[rel=next]").click()
    expect(page).to_have_url(re.compile(f"date={day.isoformat()}"))
    expect(page.locator("nav.sidenav")).to_be_visible()
    # Staff see their own resource only.
    expect(page.locator(".cal-desktop .cal-head:not([aria-hidden])")).to_have_text([SARA])
    event = page.locator(f".cal-desktop a.cal-event[href$='/admin/bookings/{booking_id}']")
    expect(event).to_have_class(re.compile(r"\bpending\b"))
    expect(event).to_contain_text("Layla Al-Otaibi")
    event.click()

    panel = page.locator("#panel-slot aside.panel")
    expect(panel).to_be_visible()
    expect(panel).to_be_focused()
    expect(panel.locator("#panel-title")).to_have_text("Layla Al-Otaibi")
    expect(panel.locator(".facts .badge").first).to_have_text(
        status_text(live_site, "PENDING_APPROVAL")
    )
    assert f"date={day.isoformat()}" in page.url, "the calendar stays put"
    panel.get_by_role("button", name=steps.text(live_site, "en", "Approve")).click()

    expect(toast(page, live_site, "The booking is approved.")).to_be_visible()
    expect(panel.locator(".facts .badge").first).to_have_text(status_text(live_site, "CONFIRMED"))
    expect(panel.get_by_role("button", name=steps.text(live_site, "en", "Approve"))).to_have_count(
        0
    )
    # The calendar heard "bookingsChanged" and drew the booking as confirmed.
    expect(event).not_to_have_class(re.compile(r"\bpending\b"))
    with live_site.app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.status == "CONFIRMED"
        assert [h.to_status for h in booking.history][-1] == "CONFIRMED"
    # Escape closes the panel and gives the focus back to the booking on the calendar.
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(event).to_be_focused()


# -- 3 and 4. the add-appointment admin widget on another site ---------------------------------

# The host page listens before its frame loads: it records every message from the app and
# answers "webview-ready" with a refresh token, as a CRM would.
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Front desk</title></head>
<body>
<h1>Front desk</h1>
<script>
window.messages = [];
window.addEventListener("message", (event) => {
  if (event.origin !== APP_ORIGIN) return;
  window.messages.push(event.data);
  if (event.data && event.data.type === "webview-ready") {
    event.source.postMessage({refreshToken: REFRESH_TOKEN}, event.origin);
  }
});
</script>
<iframe id="admin-widget" title="Add an appointment" src="FRAME_SRC"
  style="inline-size: 100%; block-size: 1100px; border: 0"></iframe>
</body></html>"""


@dataclass
class Hosts:
    allowed: HostSite
    refused: HostSite


@pytest.fixture(scope="module")
def hosts(live_site):
    allowed, refused = HostSite(), HostSite()
    before = _change_allowed_domains(live_site, lambda domains: [*domains, allowed.origin])
    yield Hosts(allowed, refused)
    _change_allowed_domains(live_site, lambda _domains: before)
    allowed.stop()
    refused.stop()


def refresh_token(live_site, clinic: Clinic, email: str) -> str:
    with live_site.app.app_context():
        _row, raw = tokens.issue_refresh_token(
            db.session,
            user=db.session.scalars(select(User).where(User.email == email)).one(),
            organization=db.session.get(Organization, clinic.organization_id),
            now=utcnow(),
            label="Browser test CRM",
        )
        db.session.commit()
        return raw


def open_host(page: Page, host: HostSite, path: str, clinic: Clinic, token: str, **params) -> None:
    src = f"{clinic.base_url}/webviews/add-appointment?" + urlencode(
        {"orgId": clinic.organization_id, "lang": "en", **params}
    )
    html = (
        HOST_PAGE.replace("APP_ORIGIN", json.dumps(clinic.base_url))
        .replace("REFRESH_TOKEN", json.dumps(token))
        .replace("FRAME_SRC", src)
    )
    page.goto(host.add(path, html))


def messages(page: Page) -> list:
    return page.evaluate("() => window.messages")


def wait_message(page: Page, kind: str) -> dict:
    page.wait_for_function("(kind) => window.messages.some((m) => m && m.type === kind)", arg=kind)
    return next(m for m in messages(page) if m.get("type") == kind)


def form_response(page: Page):
    return page.expect_response(lambda r: "/webviews/add-appointment/form" in r.url)


def show_day(page: Page, frame, live_site, day: date) -> None:
    """Type the day; the form comes back with that day's free times."""
    with live_site.app.test_request_context("/?lang=en"):
        legend = steps.text(live_site, "en", "Free times on %(day)s") % {"day": format_day(day)}
    with form_response(page):
        frame.locator("#bf-day").fill(day.isoformat())
    expect(frame.locator("#booking-form fieldset.times legend")).to_have_text(legend)
    expect(frame.locator("#booking-form label.slot").first).to_be_visible()
    expect(
        frame.locator("h1.webview-title"), "one heading, however often the form changed"
    ).to_have_count(1)


def test_add_appointment_widget_books_from_an_allowed_site_and_tells_the_host(
    desktop_page, live_site, clinic, hosts, snap
):
    page = desktop_page
    token = refresh_token(live_site, clinic, demo.OWNER_EMAIL)
    open_host(page, hosts.allowed, "/crm.html", clinic, token)
    frame = page.frame_locator("#admin-widget")
    expect(frame.locator("#bf-type")).to_be_visible()
    assert messages(page) == [{"type": "webview-ready"}]

    with form_response(page):
        frame.locator("#bf-type").select_option(clinic.types["Dental checkup"])
    # The form that answers the choice has replaced the old one (typing the day into the old
    # one would be lost with it).
    expect(frame.locator("#booking-form fieldset.times")).not_to_contain_text(
        steps.text(live_site, "en", "Choose a service to see the free times.")
    )
    expect(frame.locator(f"#bf-resource option[value='{clinic.resources[SARA]}']")).to_be_attached()
    day = working_days(today(), 2)[1]
    show_day(page, frame, live_site, day)
    slot = frame.locator("#booking-form label.slot").nth(2)
    start = slot.locator("input").get_attribute("value")
    slot.click()
    frame.locator("#bf-first_name").fill("Hessa")
    frame.locator("#bf-last_name").fill("Al-Mutairi")
    snap(page, "host-with-widget")
    frame.locator("#booking-form .form-foot button[type=submit]").click()
    expect(frame.locator("#webview [role=status] h1")).to_have_text(
        steps.text(live_site, "en", "The booking is made.")
    )

    created = wait_message(page, "booking-created")["booking"]
    assert [m["type"] for m in messages(page)] == ["webview-ready", "booking-created"]
    assert datetime.fromisoformat(created["startDateTime"]) == datetime.fromisoformat(start)
    assert created["typeId"] == clinic.types["Dental checkup"]
    assert created["customer"]["firstName"] == "Hessa"
    with live_site.app.app_context():
        booking = db.session.get(Booking, created["id"])
        assert booking is not None, "the booking the host heard of is stored"
        assert (booking.status, booking.source) == ("CONFIRMED", "admin-widget")
        assert booking.start_at == datetime.fromisoformat(start)
        assert booking.customer.first_name == "Hessa"


def test_add_appointment_widget_is_refused_on_a_site_not_allowed(
    desktop_page, live_site, clinic, hosts
):
    page = desktop_page
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "frame-ancestors" in message.text else None,
    )
    token = refresh_token(live_site, clinic, demo.OWNER_EMAIL)
    open_host(page, hosts.refused, "/elsewhere.html", clinic, token)
    # The page's load waits for its frame: by now the browser has decided about it.
    page.wait_for_timeout(300)
    assert messages(page) == [], "the refused frame never said ready"
    frame = page.locator("#admin-widget").element_handle().content_frame()
    assert frame.url.startswith("chrome-error://"), frame.url
    assert refused, "Chromium reports the frame-ancestors refusal"


def test_add_appointment_widget_reschedules_and_tells_the_host(
    desktop_page, live_site, clinic, hosts
):
    day = working_days(today(), 3)[2]
    with live_site.app.app_context():
        session = db.session
        organization = session.get(Organization, clinic.organization_id)
        checkup = clinic.types["Dental checkup"]
        found = availability.find_available_slots(
            session,
            organization,
            checkup,
            day,
            day,
            timezone=demo.TIMEZONE,
            grid=sl.grid_for_website("oclockAndHalf"),
            now=utcnow(),
            resource_ids=[clinic.resources[SARA]],
        )
        customer = session.scalars(
            select(Customer).where(Customer.email == "john@example.com")
        ).one()
        owner = session.scalars(select(User).where(User.email == demo.OWNER_EMAIL)).one()
        old = lifecycle.create_booking(
            session,
            organization,
            booking_type_id=checkup,
            start=found.days[0].slots[0].start,
            actor=lifecycle.Actor("staff", owner.id),
            now=utcnow(),
            customer=customer,
            resource_id=clinic.resources[SARA],
            timezone=demo.TIMEZONE,
            source="admin",
        )
        session.commit()
        old_id, old_start = old.id, old.start_at

    page = desktop_page
    token = refresh_token(live_site, clinic, demo.STAFF_EMAIL)
    open_host(page, hosts.allowed, "/move.html", clinic, token, rescheduleBookingId=old_id)
    frame = page.frame_locator("#admin-widget")
    expect(frame.locator("h1.webview-title")).to_have_text(
        steps.text(live_site, "en", "Reschedule")
    )
    expect(frame.locator("#bf-type")).to_have_count(0)
    expect(frame.locator("#bf-resource")).to_have_value(clinic.resources[SARA])
    show_day(page, frame, live_site, day)
    slots = frame.locator("#booking-form label.slot input")
    values = slots.evaluate_all("inputs => inputs.map(i => i.value)")
    new_start = next(v for v in values if datetime.fromisoformat(v) != old_start)
    frame.locator(f"#booking-form label.slot:has(input[value='{new_start}'])").click()
    frame.locator("#booking-form .form-foot button[type=submit]").click()
    expect(frame.locator("#webview [role=status] h1")).to_have_text(
        steps.text(live_site, "en", "The booking is moved.")
    )

    moved = wait_message(page, "booking-rescheduled")["booking"]
    assert [m["type"] for m in messages(page)] == ["webview-ready", "booking-rescheduled"]
    assert moved["id"] != old_id
    assert datetime.fromisoformat(moved["startDateTime"]) == datetime.fromisoformat(new_start)
    with live_site.app.app_context():
        new = db.session.get(Booking, moved["id"])
        assert (new.status, new.rescheduled_from_id) == ("CONFIRMED", old_id)
        assert new.start_at == datetime.fromisoformat(new_start)
        assert db.session.get(Booking, old_id).status == "CANCELED"


# -- 5. how the admin looks, in English and Arabic ---------------------------------------------


def busiest_day(live_site, clinic: Clinic) -> date:
    """The coming day with the most bookings, for a calendar worth looking at."""
    with live_site.app.app_context():
        starts = db.session.scalars(
            select(Booking.start_at).where(
                Booking.organization_id == clinic.organization_id,
                Booking.status.in_(["CONFIRMED", "PENDING_APPROVAL", "PENDING_PAYMENT"]),
                Booking.start_at > utcnow(),
            )
        ).all()
    days = [s.astimezone(TZ).date() for s in starts]
    return max(sorted(set(days)), key=days.count)


def check_accessible(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {name} ({page.url}):\n" + "\n".join(
        f"- {v['id']} [{v['impact']}] {v['help']}: {', '.join(v['targets'][:5])}"
        for v in violations
    )


def no_sideways_scroll(page: Page, name: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    screen = page.viewport_size["width"]
    assert wide <= screen, f"{name} scrolls sideways: {wide}px on a {screen}px screen"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_admin_pages_in_english_and_arabic(desktop_page, live_site, clinic, snap, lang):
    page = desktop_page
    sign_in(page, clinic, demo.OWNER_EMAIL, OWNER_PASSWORD, lang)
    day = busiest_day(live_site, clinic).isoformat()
    direction = "rtl" if lang == "ar" else "ltr"

    def visit(path: str, name: str, axe: bool = False, **params) -> None:
        page.goto(clinic.admin(path, lang, **params))
        expect(page.locator("html")).to_have_attribute("dir", direction)
        expect(page.locator("main h1").first).to_be_visible()
        no_sideways_scroll(page, name)
        if axe:
            check_accessible(page, name)
        snap(page, name)

    visit("calendar", "calendar-day", axe=True, date=day)
    events = page.locator(".cal-desktop a.cal-event")
    expect(events.first).to_be_visible()
    events.first.click()
    panel = page.locator("#panel-slot aside.panel")
    expect(panel).to_be_visible()
    check_accessible(page, "booking panel")
    snap(page, "booking-panel")
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)

    visit("calendar", "calendar-week", date=day, view="week")
    visit("bookings", "bookings", axe=True)
    visit("resources", "resources")
    visit(f"resources/{clinic.resources[SARA]}/time-rules", "working-hours")
    visit(f"resources/{clinic.resources[OMAR]}/off-rules", "time-off")
    visit(f"types/{clinic.types['Dental cleaning']}", "service-form")
    # Each text reads in its own direction, whatever the page's.
    for field, wanted in (("#f-description", "ltr"), ("#f-description_ar", "rtl")):
        assert page.locator(field).evaluate("(e) => getComputedStyle(e).direction") == wanted
    visit("website", "website-settings", axe=True)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_calendar_on_a_phone(phone_page, live_site, clinic, snap, lang):
    page = phone_page
    sign_in(page, clinic, demo.OWNER_EMAIL, OWNER_PASSWORD, lang)
    page.goto(clinic.admin("calendar", lang, date=busiest_day(live_site, clinic).isoformat()))
    expect(page.locator(".cal-phone .agenda li").first).to_be_visible()
    expect(page.locator(".cal-desktop")).to_be_hidden()
    no_sideways_scroll(page, "calendar on a phone")
    snap(page, "calendar")
