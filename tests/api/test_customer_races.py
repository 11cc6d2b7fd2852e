"""Customers of an app racing through the API for one time, with real threads, on SQLite and
PostgreSQL: one of them books it, every other one hears 409 with the nearest free time, and
the calendar never holds two bookings at once. A client retrying one request at once with
its idempotency key books once."""

from __future__ import annotations

import threading

import pytest

from tests.api.customer_calls import book, new_customer
from tests.api.shifa import Api, api_for
from webapp.booking import integrity

CUSTOMERS = 6  # under the 10 bookings a minute one client address may make


@pytest.fixture
def api(any_app) -> Api:
    any_app.config["MESSAGES_CAPTURE"] = []
    return api_for(any_app, "Shifa Clinic")


def race(api: Api, tokens: list[str], **body) -> list:
    """Every token books at once (released together); the answers in token order."""
    barrier = threading.Barrier(len(tokens))
    answers: list = [None] * len(tokens)

    def customer(index: int) -> None:
        client_api = Api(api.site, api.site.app.test_client(), api.app_id)
        barrier.wait(timeout=60)
        answers[index] = book(client_api, tokens[index], **body)

    threads = [threading.Thread(target=customer, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a customer hung"
    return answers


def test_one_customer_books_the_time_the_others_hear_it_was_taken(api):
    tokens = [new_customer(api)[1] for _ in range(CUSTOMERS)]

    answers = race(api, tokens)

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201] + [409] * (CUSTOMERS - 1), [a.get_json() for a in answers]
    for lost in (a for a in answers if a.status_code == 409):
        problem = lost.get_json()["error"]
        assert problem["code"] == "BOOKING_CONFLICT"
        assert problem["details"]["next_available"] == "2026-11-22T09:30:00+03:00"
    [booked] = api.site.bookings()
    winner = next(a for a in answers if a.status_code == 201)
    assert booked.id == winner.get_json()["result"]["id"]
    with api.site.db() as session:
        assert integrity.overlapping_pairs(session, api.site.organization_id) == []


def test_one_request_retried_at_once_with_its_key_books_once(api):
    token = new_customer(api)[1]

    answers = race(api, [token] * CUSTOMERS, key="same-request")

    booked = [a for a in answers if a.status_code == 201]
    waiting = [a for a in answers if a.status_code == 409]
    assert booked and len(booked) + len(waiting) == CUSTOMERS, [a.get_json() for a in answers]
    assert len({a.get_data() for a in booked}) == 1  # replays are the first answer exactly
    assert all(a.get_json()["error"]["code"] == "IDEMPOTENCY_IN_PROGRESS" for a in waiting)
    assert len(api.site.bookings()) == 1
