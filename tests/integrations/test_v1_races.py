"""Integrations racing through the hold/confirm API, with real threads, on SQLite and
PostgreSQL: one hold wins a time and the others hear it was taken; one confirmation retried
at once with its key books once and every retry answers the same."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask

from tests.integrations.conftest import access_token, bearer, register_client
from tests.web.conftest import Site, build_site
from webapp.booking import integrity

CLIENTS = 8
SUNDAY_9 = "2026-11-22T09:00:00+03:00"


@pytest.fixture
def racing_site(any_app: Flask) -> Site:
    any_app.config["MESSAGES_CAPTURE"] = []
    return build_site(any_app)


def race(app: Flask, call: Callable[[object, int], object]) -> list:
    """``call(client, index)`` in CLIENTS threads released together; the answers in order."""
    barrier = threading.Barrier(CLIENTS)
    answers: list = [None] * CLIENTS

    def run(index: int) -> None:
        client = app.test_client()
        barrier.wait(timeout=60)
        answers[index] = call(client, index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    return answers


def test_integrations_holding_one_time_at_once_get_one_hold(racing_site):
    app = racing_site.app
    tokens = [
        access_token(app, register_client(app, racing_site.organization_id, name=f"App {n}"))
        for n in range(CLIENTS)
    ]
    body = {
        "service_id": racing_site.types["consultation"],
        "start": SUNDAY_9,
        "resource_id": racing_site.resources["huda"],
    }

    answers = race(
        app,
        lambda client, i: client.post(
            "/api/v1/appointments/hold", json=body, headers=bearer(tokens[i])
        ),
    )

    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * (CLIENTS - 1), [a.get_json() for a in answers]
    for lost in (a for a in answers if a.status_code == 409):
        assert lost.get_json()["error"]["code"] == "BOOKING_CONFLICT"
        assert lost.get_json()["error"]["details"]["next_available"] == "2026-11-22T09:30:00+03:00"
    [held] = racing_site.bookings()
    assert held.id == next(a for a in answers if a.status_code == 201).get_json()["hold_id"]
    with racing_site.db() as session:
        assert integrity.overlapping_pairs(session, racing_site.organization_id) == []


def test_one_confirmation_retried_at_once_with_its_key_books_once(racing_site):
    app = racing_site.app
    token = access_token(app, register_client(app, racing_site.organization_id))
    held = app.test_client().post(
        "/api/v1/appointments/hold",
        json={"service_id": racing_site.types["consultation"], "start": SUNDAY_9},
        headers=bearer(token),
    )
    body = {
        "hold_id": held.get_json()["hold_id"],
        "contact": {"name": "Sara Haddad", "email": "sara@example.com"},
    }
    headers = {**bearer(token), "Idempotency-Key": "confirm-sara-1"}

    answers = race(
        app,
        lambda client, _i: client.post("/api/v1/appointments/confirm", json=body, headers=headers),
    )

    assert [a.status_code for a in answers] == [200] * CLIENTS, [a.get_json() for a in answers]
    assert len({a.get_data() for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == CLIENTS - 1
    [booked] = racing_site.bookings()
    assert booked.status == "CONFIRMED"
    assert racing_site.subjects_to("sara@example.com").count("Booking confirmed: Consultation") == 1


def test_an_appointment_moves_onto_part_of_its_own_time_on_each_database(racing_site):
    app = racing_site.app
    client = app.test_client()
    headers = bearer(access_token(app, register_client(app, racing_site.organization_id)))
    held = client.post(
        "/api/v1/appointments/hold",
        json={"service_id": racing_site.types["consultation"], "start": SUNDAY_9},
        headers=headers,
    ).get_json()
    client.post(
        "/api/v1/appointments/confirm",
        json={"hold_id": held["hold_id"], "contact": {"name": "Sara", "phone": "+966501234567"}},
        headers=headers,
    )

    moved = client.post(
        "/api/v1/appointments/reschedule",
        json={"appointment_id": held["hold_id"], "start": "2026-11-22T09:15:00+03:00"},
        headers=headers,
    )

    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["end"] == "2026-11-22T09:45:00+03:00"
    assert [b.status for b in racing_site.bookings()] == ["CANCELED", "CONFIRMED"]
