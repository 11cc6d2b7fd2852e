"""A customer books, reschedules and cancels on the booking website, in a real browser, in
English on a desktop and in Arabic on a phone. Every step is checked with axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser import steps
from tests.browser.steps import FILE_FIELD
from webapp.extensions import db
from webapp.models import Booking, Customer

pytestmark = pytest.mark.browser


def _bookings_of(live_site, email: str) -> list[Booking]:
    with live_site.app.app_context():
        found = db.session.scalars(
            select(Booking)
            .join(Customer)
            .where(Customer.email == email)
            .order_by(Booking.created_at)
        ).all()
        db.session.expunge_all()
        return list(found)


def _emails_to(live_site, email: str) -> list[dict]:
    return [m for m in live_site.messages if m["kind"] == "email" and m["to"] == email]


def _book_end_to_end(page: Page, live_site, check_step, lang: str, resource: str | None):
    rtl = lang == "ar"
    page.goto(steps.url(live_site, lang))
    check_step(page, "1-services")

    steps.choose_service(page, lang)
    check_step(page, "2-resources")

    steps.choose_resource(page, resource)
    expect(page.locator("#a_cleaningLevel")).to_be_visible()
    expect(page.locator(".time-step .notice[role=status]")).to_be_visible()
    check_step(page, "3-questions")

    standard = steps.answer_cleaning_level(page, "standard")
    deep = steps.answer_cleaning_level(page, "deep")
    assert standard != deep, "the duration and price follow the cleaning level"
    check_step(page, "4-time")

    steps.check_calendar_keys(page, rtl=rtl)
    steps.choose_day(page)
    check_step(page, "5-day")

    steps.choose_time(page)
    digit = "[٠-٩]" if rtl else "[0-9]"
    countdown = re.compile(rf"^\({digit}+:{digit}{{2}}\)$")
    expect(page.locator(".hold-timer .countdown")).to_have_text(countdown)
    check_step(page, "6-details")
    return deep


def _confirm_details(page: Page, live_site, check_step, lang: str, phone: str, email: str):
    page.locator("form.details-form button[type=submit]").click()
    expect(page.locator(".notice-error")).to_be_focused()
    expect(page.locator("#c_lastName")).to_have_attribute("aria-invalid", "true")
    check_step(page, "6-details-errors")
    steps.fill_details(page, "Hessa", "Al-Mutairi", phone, email)
    steps.confirm(page)
    expect(steps.step_title(page)).to_have_text(steps.text(live_site, lang, "You're booked!"))
    success = {"en": "Thank you! Your appointment", "ar": "شكرًا لك! تم حجز موعدك"}[lang]
    expect(page.locator(".notice-success")).to_contain_text(success)
    ics = page.locator(".actions a[href*='/booking.ics']")
    expect(ics).to_be_visible()
    calendar = page.request.get(ics.evaluate("link => link.href"))
    assert calendar.ok and "BEGIN:VCALENDAR" in calendar.text()
    check_step(page, "7-confirmation")

    (booking,) = _bookings_of(live_site, email)
    assert booking.info[FILE_FIELD]["name"] == "referral.pdf"
    (sent,) = _emails_to(live_site, email)
    assert page.url.split("?")[0] in sent["text"]
    assert [name for name, _type, _data in sent["attachments"]] == ["invite.ics"]


def _reschedule_and_cancel(page: Page, live_site, check_step, lang: str, email: str) -> None:
    steps.reschedule(page, live_site, lang)
    check_step(page, "8-rescheduled")
    steps.cancel(page, "My plans changed.")
    expect(steps.status(page)).to_have_text(steps.text(live_site, lang, "Canceled"))
    check_step(page, "9-canceled")

    first, moved = _bookings_of(live_site, email)
    assert (first.status, moved.status) == ("CANCELED", "CANCELED")
    assert moved.cancel_reason == "My plans changed."
    assert len(_emails_to(live_site, email)) == 3  # booked, moved, canceled


def test_book_reschedule_and_cancel_in_english_on_a_desktop(desktop_page, live_site, check_step):
    page = desktop_page
    deep = _book_end_to_end(page, live_site, check_step, "en", "Dr. Sara Al-Qahtani")
    assert "45 minutes" in deep and "SAR200.00" in deep
    summary = page.locator(".hold-box .summary")
    expect(summary).to_contain_text("Dr. Sara Al-Qahtani")
    expect(summary).to_contain_text("45 minutes")
    email = "hessa.desktop@example.com"
    _confirm_details(page, live_site, check_step, "en", "0501234567", email)
    _reschedule_and_cancel(page, live_site, check_step, "en", email)


def test_book_reschedule_and_cancel_in_arabic_on_a_phone(phone_page, live_site, check_step):
    page = phone_page
    page.goto(steps.url(live_site, "ar"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")

    deep = _book_end_to_end(page, live_site, check_step, "ar", resource=None)
    assert "٤٥" in deep and "٢٠٠" in deep
    email = "hessa.phone@example.com"
    _confirm_details(page, live_site, check_step, "ar", "0551234567", email)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _reschedule_and_cancel(page, live_site, check_step, "ar", email)
