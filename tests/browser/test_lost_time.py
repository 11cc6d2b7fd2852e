"""Two customers want the same time: the one who clicks second is offered the nearest free
times on the same page, and can book one of them."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser import steps
from webapp import demo
from webapp.booking import lifecycle
from webapp.extensions import db
from webapp.models import Organization, Website
from webapp.models.types import utcnow

pytestmark = pytest.mark.browser


def _hold_elsewhere(live_site, page: Page, start: str) -> None:
    """Another customer holds ``start`` first, with the same choices as the page shows."""
    form = page.locator("#times form.times-form")
    adjusters = {
        name[2:]: form.locator(f"input[name='{name}']").get_attribute("value")
        for name in form.locator("input[name^='a_']").evaluate_all("els => els.map(e => e.name)")
    }
    with live_site.app.app_context():
        organization = db.session.scalars(
            select(Organization).join(Website).where(Website.slug == demo.SLUG)
        ).one()
        lifecycle.hold_slot(
            db.session,
            organization,
            hold_minutes=10,
            booking_type_id=form.locator("input[name=type]").get_attribute("value"),
            start=datetime.fromisoformat(start),
            actor=lifecycle.Actor("customer"),
            now=utcnow(),
            resource_id=form.locator("input[name=resource]").get_attribute("value"),
            time_adjusters=adjusters,
            source="website",
            timezone=demo.TIMEZONE,
        )
        db.session.commit()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_time_taken_meanwhile_offers_the_nearest_free_times(
    lang, desktop_page, live_site, check_step
):
    page = desktop_page
    page.goto(steps.url(live_site, lang))
    steps.choose_service(page, lang)
    steps.choose_resource(page, "Nora" if lang == "en" else "نورة")
    steps.answer_cleaning_level(page, "polish")
    steps.choose_day(page)
    times = page.locator("#times button.time")
    wanted = times.nth(min(2, times.count() - 1)).get_attribute("value")

    _hold_elsewhere(live_site, page, wanted)
    page.locator(f"#times button.time[value='{wanted}']").click()

    notice = page.locator("#flow .notice-warn[role=alert]")
    expect(notice).to_have_text(
        steps.text(live_site, lang, "Sorry, someone has just booked that time.")
    )
    expect(page.locator("#times")).to_contain_text(
        steps.text(live_site, lang, "The nearest free times:")
    )
    alternatives = page.locator("#times button.time")
    expect(alternatives.first).to_be_visible()
    offered = alternatives.evaluate_all("buttons => buttons.map(b => b.value)")
    assert wanted not in offered and 1 <= len(offered) <= 4
    check_step(page, f"lost-time-{lang}")
    # The address stays on the day's times (not the POST's), so Back and reload work.
    assert "/book?" in page.url and "date=" in page.url

    steps.choose_time(page)
    page.go_back()
    expect(page.locator(".time-step .cal-grid")).to_be_visible()
    page.go_forward()
    expect(page.locator("form.details-form")).to_be_visible()
    steps.fill_details(page, "Reem", f"Second-{lang}", f"05612345{6 if lang == 'en' else 7}8")
    steps.confirm(page)
    expect(steps.status(page)).to_have_text(steps.text(live_site, lang, "Confirmed"))
    check_step(page, f"lost-time-booked-{lang}")
