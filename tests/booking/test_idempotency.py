"""Idempotency keys: a retried request with the same key gets the first
answer byte for byte and books nothing new; the same key with another request is refused; a
failed request leaves no trace; keys belong to one organization and live at least 24 hours."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import (
    at,
    create_booking,
    make_booking_type,
    make_customer,
    make_organization,
    make_resource,
)
from webapp.booking import lifecycle
from webapp.booking.errors import (
    BookingConflict,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
)
from webapp.booking.idempotency import purge_expired, run_idempotent
from webapp.extensions import db
from webapp.models import Booking, IdempotencyRecord

SUNDAY_9 = at("2026-11-22 09:00")
KEY = "9f1c2b7e-booking-retry"


class Clinic:
    """An organization with one service and one resource, and a create-booking request."""

    def __init__(self, session, now):
        self.session, self.now = session, now
        self.organization = make_organization(session)
        self.consultation = make_booking_type(session, self.organization)
        self.resource = make_resource(session, self.organization, self.consultation)
        self.customer = make_customer(session, self.organization)
        self.runs = 0

    def payload(self, start=SUNDAY_9) -> dict:
        return {"type": self.consultation.id, "start": start.isoformat(), "note": "first visit"}

    def action(self, payload):
        """What a view would run: book, then answer 201 with the booking as JSON."""

        def create():
            self.runs += 1
            booking = create_booking(
                self.session,
                self.organization,
                self.consultation,
                start=datetime.fromisoformat(payload["start"]),
                now=self.now,
                customer=self.customer,
                note=payload["note"],
            )
            body = {"result": {"id": booking.id, "status": booking.status, "note": "é ✓"}}
            return 201, json.dumps(body, ensure_ascii=False)

        return create

    def run(self, key=KEY, payload=None, operation="createBooking", now=None):
        payload = payload or self.payload()
        return run_idempotent(
            self.session,
            self.organization.id,
            key,
            operation,
            payload,
            self.action(payload),
            now or self.now,
        )


@pytest.fixture
def clinic(session, now):
    clinic = Clinic(session, now)
    session.commit()
    return clinic


@pytest.fixture
def any_clinic(any_app, now):
    with any_app.app_context():
        clinic = Clinic(db.session, now)
        db.session.commit()
        yield clinic


def bookings(session) -> int:
    return session.scalar(select(func.count()).select_from(Booking))


def records(session) -> int:
    return session.scalar(select(func.count()).select_from(IdempotencyRecord))


def test_a_replay_returns_the_first_answer_and_books_nothing(any_clinic):
    clinic, session = any_clinic, any_clinic.session
    first = clinic.run()
    session.commit()
    assert (first.status, first.replayed) == (201, False)
    assert clinic.runs == 1

    again = clinic.run(now=clinic.now + timedelta(hours=23))
    session.commit()

    assert again.replayed is True
    assert again.status == first.status
    assert again.body.encode() == first.body.encode()
    assert json.loads(again.body)["result"]["note"] == "é ✓"
    assert clinic.runs == 1
    assert bookings(session) == 1
    assert records(session) == 1


def test_payload_key_order_does_not_matter(clinic):
    first = clinic.run(payload={"note": "first visit", **clinic.payload()})
    clinic.session.commit()
    reordered = dict(reversed(list(clinic.payload().items())))
    again = clinic.run(payload=reordered)
    assert again.replayed and again.body == first.body
    assert clinic.runs == 1


@pytest.mark.parametrize(
    ("change", "value"),
    [
        pytest.param("start", at("2026-11-22 10:00").isoformat(), id="another-time"),
        pytest.param("note", "second visit", id="another-note"),
        pytest.param("operation", "rescheduleBooking", id="another-operation"),
    ],
)
def test_the_same_key_with_another_request_is_refused(clinic, change, value):
    clinic.run()
    clinic.session.commit()
    payload, operation = clinic.payload(), "createBooking"
    if change == "operation":
        operation = value
    else:
        payload[change] = value

    with pytest.raises(IdempotencyKeyReused) as caught:
        clinic.run(payload=payload, operation=operation)

    assert (caught.value.code, caught.value.http_status) == ("IDEMPOTENCY_KEY_REUSED", 422)
    assert clinic.runs == 1
    clinic.session.rollback()
    assert bookings(clinic.session) == 1


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("k" * 256, id="256-chars"),
        pytest.param("two words", id="space"),
        pytest.param("tab\there", id="tab"),
        pytest.param("line\n", id="newline"),
        pytest.param("مفتاح-123", id="arabic"),
        pytest.param("clé", id="accented"),
        pytest.param(12345, id="not-a-string"),
    ],
)
def test_malformed_keys_are_refused_before_anything_runs(clinic, key):
    with pytest.raises(InvalidIdempotencyKey) as caught:
        clinic.run(key=key)
    assert (caught.value.code, caught.value.http_status) == ("INVALID_IDEMPOTENCY_KEY", 400)
    assert clinic.runs == 0
    clinic.session.rollback()
    assert (bookings(clinic.session), records(clinic.session)) == (0, 0)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("k" * 255, id="255-chars"),
        pytest.param("a", id="one-char"),
        pytest.param("!#$%&'()*+,-./:;<=>?@[]^_`{|}~", id="punctuation"),
        pytest.param("550e8400-e29b-41d4-a716-446655440000", id="uuid"),
    ],
)
def test_well_formed_keys_are_accepted(clinic, key):
    first = clinic.run(key=key)
    clinic.session.commit()
    assert clinic.run(key=key).body == first.body
    assert clinic.runs == 1


def test_without_a_key_every_request_runs(clinic):
    first = clinic.run(key=None)
    clinic.session.commit()
    with pytest.raises(BookingConflict):
        clinic.run(key=None)
    assert clinic.runs == 2
    assert first.replayed is False
    clinic.session.rollback()
    assert records(clinic.session) == 0


def test_a_failed_request_stores_nothing_and_a_retry_runs_again(clinic):
    session = clinic.session
    other = make_customer(session, clinic.organization)
    taken = create_booking(
        session,
        clinic.organization,
        clinic.consultation,
        start=SUNDAY_9,
        now=clinic.now,
        customer=other,
    )
    session.commit()

    with pytest.raises(BookingConflict):
        clinic.run()
    session.rollback()  # as the request layer does on an error
    assert records(session) == 0
    assert clinic.runs == 1

    lifecycle.cancel_booking(
        session, clinic.organization, taken.id, actor=lifecycle.Actor("customer"), now=clinic.now
    )
    session.commit()
    retry = clinic.run()
    session.commit()
    assert (retry.status, retry.replayed) == (201, False)
    assert clinic.runs == 2
    assert json.loads(retry.body)["result"]["status"] == "CONFIRMED"
    assert records(session) == 1


def test_keys_belong_to_one_organization(session, now):
    riyadh = Clinic(session, now)
    jeddah = Clinic(session, now)
    session.commit()

    first = riyadh.run()
    second = jeddah.run()
    session.commit()

    assert not first.replayed and not second.replayed
    assert first.body != second.body
    assert (riyadh.runs, jeddah.runs) == (1, 1)
    assert bookings(session) == 2
    assert records(session) == 2
    # Each organization's retry replays its own answer.
    assert jeddah.run().body == second.body
    assert riyadh.run().body == first.body


def test_records_are_kept_for_24_hours_then_purged(clinic):
    session, now = clinic.session, clinic.now
    first = clinic.run()
    session.commit()

    assert purge_expired(session, now + timedelta(hours=24)) == 0
    session.commit()
    assert clinic.run(now=now + timedelta(hours=24)).body == first.body

    assert purge_expired(session, now + timedelta(hours=24, seconds=1)) == 1
    session.commit()
    assert records(session) == 0
    # The key is free again: the same request now runs (and finds its time taken).
    with pytest.raises(BookingConflict):
        clinic.run(now=now + timedelta(hours=25))
    assert clinic.runs == 2
