"""A partner's CreateBooking calls racing for one slot, with real threads, on SQLite and
PostgreSQL: users asking at once get one booking and SLOT_UNAVAILABLE for the others; one
request retried at once with its idempotency token books once and every retry hears the
same booking_id."""

from __future__ import annotations

import threading

import pytest

from tests.integrations.test_booking_server import call, make_partner, seed_create, someone
from tests.web.conftest import build_site
from webapp.booking import integrity

CALLS = 8


@pytest.fixture
def clinic(any_app):
    any_app.config["MESSAGES_CAPTURE"] = []
    site = build_site(any_app)
    return site, make_partner(any_app, site.organization_id)


def race(app, partner, bodies: list[dict]) -> list:
    """Every body is sent at once (released together); the answers in body order."""
    barrier = threading.Barrier(len(bodies))
    answers: list = [None] * len(bodies)

    def partner_call(index: int) -> None:
        barrier.wait(timeout=60)
        answers[index] = call(app, partner, "CreateBooking", bodies[index])

    threads = [threading.Thread(target=partner_call, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    return answers


def test_users_racing_for_one_slot_get_one_booking(clinic):
    site, partner = clinic
    bodies = [
        seed_create(site, token=f"token-{n}", user_information=someone(n)) for n in range(CALLS)
    ]

    answers = race(site.app, partner, bodies)

    assert [a.status_code for a in answers] == [200] * CALLS, [a.get_json() for a in answers]
    made = [a.get_json()["booking"] for a in answers if "booking" in a.get_json()]
    failures = [
        a.get_json()["booking_failure"] for a in answers if "booking_failure" in a.get_json()
    ]
    assert len(made) == 1 and made[0]["status"] == "CONFIRMED"
    assert {f["cause"] for f in failures} == {"SLOT_UNAVAILABLE"} and len(failures) == CALLS - 1
    [booking] = site.bookings()
    assert booking.resource_id == site.resources["huda"]
    with site.db() as session:
        assert integrity.overlapping_pairs(session, site.organization_id) == []


def test_one_request_retried_at_once_books_once(clinic):
    site, partner = clinic

    answers = race(site.app, partner, [seed_create(site)] * CALLS)

    assert [a.status_code for a in answers] == [200] * CALLS, [a.get_json() for a in answers]
    ids = {a.get_json()["booking"]["booking_id"] for a in answers}
    assert len(ids) == 1
    assert len({a.get_data() for a in answers}) == 1  # every retry hears the first answer
    assert len(site.bookings()) == 1
