"""What a customer does on the booking website, one function per step, for the browser tests.

Pages are found by structure (ids and classes) rather than by wording, so the same steps run
in English and Arabic; the texts a test checks come from the app's own translations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from tests.conftest import deliver_notifications
from webapp import demo

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SERVICE = "Dental cleaning"
SERVICE_AR = "تنظيف الأسنان"
# A file question the browser tests add to the demo clinic's booking form.
FILE_FIELD = "referralLetter"


@dataclass
class LiveSite:
    """The running demo clinic: its address, the app behind it and the messages it sent."""

    app: Flask
    base_url: str
    captured: list = field(default_factory=list)

    @property
    def messages(self) -> list:
        """What was sent, once the worker has delivered what is waiting."""
        return deliver_notifications(self.app)

    @property
    def home(self) -> str:
        return f"{self.base_url}/{demo.SLUG}/"


def text(site: LiveSite, lang: str, message: str) -> str:
    """``message`` as the website shows it in ``lang``."""
    with site.app.test_request_context(), force_locale(lang):
        return gettext(message)


def step_title(page: Page):
    return page.locator("#flow #step-title")


def url(site: LiveSite, lang: str, path: str = "") -> str:
    return site.home + path + ("?lang=ar" if lang == "ar" else "")


def choose_service(page: Page, lang: str) -> None:
    name = SERVICE_AR if lang == "ar" else SERVICE
    page.locator(".cards .service h3 a", has_text=name).click()
    expect(page).to_have_url(re.compile(r"/book\?.*type="))
    expect(page.locator(".cards .card-link").first).to_be_visible()


def choose_resource(page: Page, resource: str | None) -> None:
    """A resource by its shown name, or "Any available" when ``resource`` is None."""
    if resource is None:
        page.locator(".cards .card.any h3 a").click()
    else:
        page.locator(".cards .card-link h3 a", has_text=resource).click()
    expect(page.locator(".time-step")).to_be_visible()


def answer_cleaning_level(page: Page, level: str) -> str:
    """Choose a cleaning level and answer the duration and price shown after it."""
    summary = page.locator("#service-summary")
    before = summary.inner_text() if summary.count() else None
    page.locator("#a_cleaningLevel").select_option(level)
    expect(page.locator("#a_cleaningLevel")).to_have_value(level)
    if before is None:
        expect(summary).to_be_visible()
    else:
        expect(summary).not_to_have_text(before)
    return summary.inner_text()


def show_a_month_with_free_days(page: Page) -> None:
    """Late in a month its free days may have passed: then the calendar's next month."""
    if page.locator(".cal-grid a.cal-day").count() == 0:
        page.locator(".cal-head a.cal-nav").last.click()
        expect(page.locator(".cal-grid a.cal-day").first).to_be_visible()


def check_calendar_keys(page: Page, rtl: bool) -> None:
    """An arrow key moves focus to the neighbouring day, mirrored in right-to-left pages."""
    show_a_month_with_free_days(page)
    day = page.locator(".cal-grid a.cal-day").first
    day.focus()
    start = _cell_index(page)
    # Towards the month's end unless this is its last day; "forward" is leftward in Arabic.
    forward = page.evaluate(
        """() => {
            const cell = document.activeElement.closest('td');
            const next = cell.nextElementSibling || cell.closest('tr').nextElementSibling?.cells[0];
            return !!next?.querySelector('.cal-day');
        }"""
    )
    ahead, back = ("ArrowLeft", "ArrowRight") if rtl else ("ArrowRight", "ArrowLeft")
    key = ahead if forward else back
    page.keyboard.press(key)
    moved = _cell_index(page)
    assert moved == start + (1 if forward else -1), (start, moved, key)
    assert page.evaluate("document.activeElement.classList.contains('cal-day')")


def _cell_index(page: Page) -> int:
    return page.evaluate(
        """() => {
            const cell = document.activeElement.closest('td');
            return Array.from(cell.closest('tbody').querySelectorAll('td')).indexOf(cell);
        }"""
    )


def choose_day(page: Page) -> None:
    """A free day other than the one shown first when there is one (next month if needed)."""
    show_a_month_with_free_days(page)
    days = page.locator(".cal-grid a.cal-day:not(.selected)")
    day = days.first if days.count() else page.locator(".cal-grid a.cal-day.selected")
    label = day.get_attribute("aria-label")
    day.click()
    expect(page.locator("#times-title")).to_have_text(label)
    selected = page.locator(".cal-grid a.cal-day.selected")
    expect(selected).to_have_count(1)
    expect(selected).to_have_attribute("aria-current", "date")
    # Screen readers hear "selected" on the chosen day, and on no other.
    expect(selected).to_have_attribute("aria-label", re.compile("^" + re.escape(label) + ".+"))
    suffix = selected.get_attribute("aria-label")[len(label) :]
    labels = page.locator(".cal-grid a.cal-day").evaluate_all(
        "links => links.map(link => link.getAttribute('aria-label'))"
    )
    assert [x for x in labels if x.endswith(suffix)] == [label + suffix]


def choose_time(page: Page, index: int = 0) -> str:
    """Click a time; answer its start (ISO) and wait for the details form."""
    button = page.locator("#times button.time").nth(index)
    start = button.get_attribute("value")
    button.click()
    expect(page.locator("form.details-form")).to_be_visible()
    return start


def fill_details(page: Page, first: str, last: str, phone: str, email: str = "") -> None:
    page.locator("#c_firstName").fill(first)
    page.locator("#c_lastName").fill(last)
    page.locator("#c_phoneNumber").fill(phone)
    page.locator("#c_email").fill(email)
    page.locator("#b_reasonForVisit").fill("Routine cleaning, sensitive on the left side.")
    page.locator("#b_" + FILE_FIELD).set_input_files(
        {"name": "referral.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )


def confirm(page: Page) -> None:
    page.locator("form.details-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/bookings/[^/?]+\?.*new=1"))
    expect(page.locator(".notice-success")).to_be_visible()


def status(page: Page):
    return page.locator(".booking-page p.status")


def reschedule(page: Page, site: LiveSite, lang: str) -> None:
    """Move the booking to another free time from its manage page."""
    current = page.locator(".summary time").get_attribute("datetime")
    page.locator(".booking-page a.button[href*='/reschedule']").click()
    expect(page.locator(".time-step .cal-grid")).to_be_visible()
    choose_day(page)
    times = page.locator("#times button.time")
    other = next(
        i
        for i in range(times.count())
        if not _same_start(times.nth(i).get_attribute("value"), current)
    )
    times.nth(other).click()
    expect(page).to_have_url(re.compile(r"/bookings/[^/?]+\?.*rescheduled=1"))
    expect(page.locator(".summary time")).not_to_have_attribute("datetime", current)
    expect(step_title(page)).to_have_text(text(site, lang, "Your booking has been moved"))
    expect(status(page)).to_have_text(text(site, lang, "Confirmed"))


def _same_start(a: str | None, b: str | None) -> bool:
    return bool(a and b) and datetime.fromisoformat(a) == datetime.fromisoformat(b)


def cancel(page: Page, reason: str) -> None:
    page.locator(".cancel-box summary").click()
    page.locator("#reason").fill(reason)
    page.locator(".cancel-box button[type=submit]").click()
    expect(page.locator(".cancel-box")).to_have_count(0)
