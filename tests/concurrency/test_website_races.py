"""Customers racing for one time on the booking website, with real threads, on SQLite and
PostgreSQL: one of them holds it, every other one gets the times page again (409) with the
nearest free times offered, and the calendar never holds two bookings at once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.web.conftest import build_site, starts, text
from webapp.booking import integrity
from webapp.models import Booking

# Fewer than the website's 10 holds a minute per client address: every client here is
# 127.0.0.1, and the race is what is under test, not the rate limit.
CUSTOMERS = 8


@pytest.fixture
def racing_site(any_app):
    any_app.config.update(WTF_CSRF_ENABLED=False, MESSAGES_CAPTURE=[])
    return build_site(any_app)


def test_one_customer_holds_a_time_the_others_are_offered_the_nearest(racing_site):
    site = racing_site
    wanted = starts(site.time_step())[0]
    barrier = threading.Barrier(CUSTOMERS)
    answers: list = [None] * CUSTOMERS

    def customer(index: int) -> None:
        client = site.app.test_client()
        form = {"type": site.types["consultation"], "resource": site.resources["huda"]}
        barrier.wait()
        answers[index] = client.post(site.url("/book/hold"), data={**form, "start": wanted})

    threads = [threading.Thread(target=customer, args=(i,)) for i in range(CUSTOMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [303] + [409] * (CUSTOMERS - 1)
    for lost in (a for a in answers if a.status_code == 409):
        assert "someone has just booked that time" in text(lost)
        offered = starts(lost)
        assert offered and wanted not in offered
    with site.db() as session:
        held = session.scalars(
            select(Booking).where(Booking.organization_id == site.organization_id)
        ).all()
        assert [b.status for b in held] == ["TEMPORARY"]
        assert integrity.overlapping_pairs(session, site.organization_id) == []
