"""Races on the no-double-booking guard, with real threads, on SQLite and PostgreSQL.

Every client is a thread with its own application context, so its own session and its own
connection, like two requests served at the same moment. A client commits when its booking
went through and rolls back on a BookingError, as the request layer does. A lost race must
answer BOOKING_CONFLICT, never "database is locked", an IntegrityError or a second booking.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from tests.factories import at, make_booking_type, make_organization, make_resource
from webapp.booking import idempotency, integrity, lifecycle
from webapp.booking.errors import BookingConflict, IdempotencyInProgress
from webapp.booking.locking import begin_write
from webapp.extensions import db
from webapp.models import Booking, BookingStatus, Organization
from webapp.models.bookings import NO_OVERLAP_DDL, OCCUPYING_STATUSES

SLOT = at("2026-11-22 09:00")  # a Sunday, the day after the fixed "now"
SOAK_DAYS = [date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24)]  # Sunday..Tuesday
WORKING_PERIODS = [(9 * 60, 13 * 60), (14 * 60, 17 * 60)]  # the factories' default day
# (minutes, buffer before, buffer after) of the booking types the soak mixes.
SOAK_TYPES = [(15, 0, 0), (30, 5, 0), (45, 0, 10), (60, 10, 5)]
SOAK_CLIENTS = 8
SOAK_ATTEMPTS = 40
STAFF = lifecycle.Actor("staff")
# The window the unguarded variant leaves open between its check and its insert.
CHECK_TO_INSERT_SECONDS = 0.003


@dataclass(frozen=True)
class Clinic:
    organization_id: str
    type_ids: list[str]
    resource_ids: list[str]


def make_clinic(app, *, types=((30, 0, 0),), resources=1) -> Clinic:
    """An organization whose resources (Sunday-Thursday 09-13, 14-17) offer every type."""
    with app.app_context():
        organization = make_organization(db.session)
        booking_types = [
            make_booking_type(
                db.session,
                organization,
                name=f"Service {minutes}",
                minutes=minutes,
                leave_minutes_before=before,
                leave_minutes_after=after,
            )
            for minutes, before, after in types
        ]
        rows = [make_resource(db.session, organization, *booking_types) for _ in range(resources)]
        db.session.commit()
        return Clinic(organization.id, [t.id for t in booking_types], [r.id for r in rows])


def book(clinic: Clinic, *, start: datetime, now: datetime, type_index=0, **kwargs) -> str:
    """One booking through the service layer in this thread's session; its id."""
    organization = db.session.get(Organization, clinic.organization_id)
    kwargs.setdefault("actor", lifecycle.Actor("customer"))
    booking = lifecycle.create_booking(
        db.session,
        organization,
        booking_type_id=clinic.type_ids[type_index],
        start=start,
        now=now,
        **kwargs,
    )
    return booking.id


def run_clients(app, attempt: Callable[[int, int], object], *, clients: int, attempts: int = 1):
    """Run ``attempt(client, n)`` in ``clients`` threads released together by a barrier, each
    attempt its own transaction. The outcomes: what an attempt returned, or what it raised."""
    barrier = threading.Barrier(clients)
    outcomes: list[object] = []

    def client(number: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                for n in range(attempts):
                    try:
                        result = attempt(number, n)
                        db.session.commit()
                    except Exception as exc:  # every kind is recorded; the test sorts them
                        db.session.rollback()
                        result = exc
                    outcomes.append(result)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    assert len(outcomes) == clients * attempts
    return outcomes


def split(outcomes, success_type=str):
    """(successes, conflicts, anything else) among the outcomes."""
    successes = [o for o in outcomes if isinstance(o, success_type)]
    conflicts = [o for o in outcomes if isinstance(o, BookingConflict)]
    others = [o for o in outcomes if not isinstance(o, success_type | BookingConflict)]
    return successes, conflicts, others


def overlapping_pairs(app) -> list[tuple[str, str]]:
    with app.app_context():
        return integrity.overlapping_pairs(db.session)


def occupying_count(app) -> int:
    occupying = [s.value for s in OCCUPYING_STATUSES]
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Booking).where(Booking.status.in_(occupying))
        )


# --- one slot, many clients ----------------------------------------------------------------


def test_fifty_clients_racing_for_one_slot_get_one_booking(any_app, now):
    clinic = make_clinic(any_app)

    outcomes = run_clients(any_app, lambda _c, _n: book(clinic, start=SLOT, now=now), clients=50)

    booked, conflicts, others = split(outcomes)
    assert others == []
    assert len(booked) == 1
    assert len(conflicts) == 49
    assert {c.code for c in conflicts} == {"BOOKING_CONFLICT"}
    # Every loser is offered the next free time: right after the winner's half hour.
    assert {c.details["next_available"] for c in conflicts} == {at("2026-11-22 09:30").isoformat()}
    assert occupying_count(any_app) == 1


# --- randomized soak -----------------------------------------------------------------------


def random_start(rng: random.Random, day: date, minutes: int, before: int, after: int):
    """A start on the five-minute grid whose whole block lies in one working period."""
    first, last = rng.choice(WORKING_PERIODS)
    earliest = first + before
    latest = last - minutes - after
    offset = rng.randrange(earliest, latest + 1, 5)
    return at(f"{day.isoformat()} 00:00") + timedelta(minutes=offset)


def soak(app, clinic: Clinic, day: date, now: datetime, *, seed: int):
    """SOAK_CLIENTS staff clients, SOAK_ATTEMPTS bookings each, of random types and starts on
    ``day``, half of them naming a resource and half letting the service choose one."""

    def attempt(client: int, n: int) -> str:
        rng = random.Random(f"{seed}-{client}-{n}")
        index = rng.randrange(len(SOAK_TYPES))
        start = random_start(rng, day, *SOAK_TYPES[index])
        resource_id = rng.choice(clinic.resource_ids) if rng.random() < 0.5 else None
        return book(
            clinic, start=start, now=now, type_index=index, actor=STAFF, resource_id=resource_id
        )

    return run_clients(app, attempt, clients=SOAK_CLIENTS, attempts=SOAK_ATTEMPTS)


@pytest.mark.slow
def test_randomized_soak_never_double_books(any_app, now):
    clinic = make_clinic(any_app, types=SOAK_TYPES, resources=3)

    outcomes = soak(any_app, clinic, SOAK_DAYS[0], now, seed=1)

    booked, conflicts, others = split(outcomes)
    assert others == []
    assert booked, "no booking went through"
    assert conflicts, "no attempt collided, so nothing was tested"
    assert overlapping_pairs(any_app) == []
    # Every booking a client was told about is on the calendar.
    assert occupying_count(any_app) == len(booked)


@pytest.fixture
def unguarded(any_app, monkeypatch):
    """The application with the no-overlap guard switched off (see the test below)."""
    monkeypatch.setattr(lifecycle, "lock_resources", lambda *_args, **_kwargs: None)
    monkeypatch.setattr(lifecycle, "sweep_expired_holds", lambda *_args, **_kwargs: 0)
    insert = lifecycle._insert

    def insert_after_the_check(session, *args, **kwargs):
        time.sleep(CHECK_TO_INSERT_SECONDS)
        begin_write(session)  # SQLite: the write lock, only now, in a new transaction
        insert(session, *args, **kwargs)

    monkeypatch.setattr(lifecycle, "_insert", insert_after_the_check)
    with any_app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        with any_app.app_context(), db.engine.begin() as conn:
            conn.execute(text("ALTER TABLE bookings DROP CONSTRAINT ex_bookings_no_overlap"))
    try:
        yield any_app
    finally:
        if postgresql:
            # The schema is shared by the whole session: put the backstop back, on an empty
            # table since this test leaves overlapping rows behind.
            with any_app.app_context(), db.engine.begin() as conn:
                conn.execute(text("TRUNCATE bookings CASCADE"))
                for statement in NO_OVERLAP_DDL:
                    conn.execute(text(statement))


@pytest.mark.slow
def test_the_soak_finds_overlaps_when_the_guard_is_off(unguarded, now):
    """The soak has teeth: without the guard it double-books.

    "Guard off" is the classic check-then-act bug: ``lock_resources`` does nothing (no
    ``BEGIN IMMEDIATE`` before the check on SQLite, no ``FOR UPDATE`` on PostgreSQL), the
    exclusion constraint is dropped (PostgreSQL), and the insert runs a few milliseconds
    after the overlap check. On SQLite the check runs in a plain read transaction and the
    write lock is taken only for the insert, in a new transaction (a deferred transaction
    that read and then writes would fail with "database is locked" instead of overlapping).
    The in-transaction sweep is skipped too (it would take the write lock early; there are
    no holds here). Should a round happen to find no overlap, it is rerun on the next day.
    """
    clinic = make_clinic(unguarded, types=SOAK_TYPES, resources=3)

    for seed, day in enumerate(SOAK_DAYS):
        _booked, _conflicts, others = split(soak(unguarded, clinic, day, now, seed=seed))
        assert others == []
        if overlapping_pairs(unguarded):
            break

    assert overlapping_pairs(unguarded) != []


# --- idempotency and holds -----------------------------------------------------------------


def test_a_concurrent_duplicate_key_creates_one_booking(any_app, now):
    clinic = make_clinic(any_app)
    payload = {"start": SLOT.isoformat(), "serviceId": clinic.type_ids[0]}

    def create_with_key(_client: int, _n: int) -> idempotency.Response:
        def action() -> tuple[int, str]:
            booking_id = book(clinic, start=SLOT, now=now)
            return 201, json.dumps({"id": booking_id})

        return idempotency.run_idempotent(
            db.session, clinic.organization_id, "retry-42", "booking.create", payload, action, now
        )

    outcomes = run_clients(any_app, create_with_key, clients=10)

    responses = [o for o in outcomes if isinstance(o, idempotency.Response)]
    in_progress = [o for o in outcomes if isinstance(o, IdempotencyInProgress)]
    assert len(responses) + len(in_progress) == 10, outcomes
    assert {e.http_status for e in in_progress} <= {409}
    assert [r.replayed for r in responses].count(False) == 1
    first = next(r for r in responses if not r.replayed)
    assert first.status == 201
    assert {(r.status, r.body) for r in responses} == {(first.status, first.body)}
    assert occupying_count(any_app) == 1


def test_an_expired_hold_gives_way_to_exactly_one_racing_client(any_app, now):
    clinic = make_clinic(any_app)
    with any_app.app_context():
        hold_id = book(clinic, start=SLOT, now=now, hold_minutes=10)
        db.session.commit()
    later = now + timedelta(minutes=11)

    outcomes = run_clients(any_app, lambda _c, _n: book(clinic, start=SLOT, now=later), clients=20)

    booked, conflicts, others = split(outcomes)
    assert others == []
    assert len(booked) == 1
    assert len(conflicts) == 19
    with any_app.app_context():
        hold = db.session.get(Booking, hold_id)
        assert hold.status == BookingStatus.CANCELED
        assert hold.cancel_reason == "hold expired"
    assert overlapping_pairs(any_app) == []
