"""Time-relative triggers on a simulated clock: each fires once, at its instant, and a
worker that was down catches up without sending what is no longer useful."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import at, create_booking, make_booking_type, make_organization, make_resource
from webapp.booking import lifecycle
from webapp.models import BookingReminder, OutboxMessage
from webapp.notify import reminders, worker

START = at("2026-11-24 10:00")  # a Tuesday; the clinic's clock is Riyadh's
END = START + timedelta(minutes=30)


@pytest.fixture
def clinic(app, session):
    app.config["MESSAGES_CAPTURE"] = []
    organization = make_organization(session)
    checkup = make_booking_type(session, organization, name="Checkup")
    make_resource(session, organization, checkup)
    return organization, checkup


def book(session, clinic, now, start=START):
    booking = create_booking(session, clinic[0], clinic[1], start=start, now=now)
    session.commit()
    return booking


def fired(session, booking) -> dict[str, object]:
    """Reminder events in the outbox: trigger -> the worker time it was written at."""
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.booking_id == booking.id, OutboxMessage.event.in_(reminders.TRIGGERS)
        )
    ).all()
    return {row.event: row.created_at for row in rows}


def test_each_reminder_fires_once_at_its_instant(session, clinic, now):
    booking = book(session, clinic, now)
    moment = now
    while moment <= END + timedelta(days=2):
        reminders.fire_due(session, moment)
        session.commit()
        moment += timedelta(minutes=5)

    events = session.scalars(
        select(OutboxMessage.event).where(OutboxMessage.event.in_(reminders.TRIGGERS))
    ).all()
    assert sorted(events) == sorted(reminders.TRIGGERS), "each once"
    assert fired(session, booking) == {
        "oneDayBeforeAppointment": START - timedelta(days=1),
        "oneHourBeforeAppointment": START - timedelta(hours=1),
        "tenMinutesBeforeAppointment": START - timedelta(minutes=10),
        "beforeAppointment": START,
        "afterAppointment": END,
        "oneDayAfterAppointment": END + timedelta(days=1),
    }


def test_a_worker_back_after_a_long_outage_sends_only_what_is_still_useful(session, clinic, now):
    booking = book(session, clinic, now)
    # Down from before the day-before reminder until 30 minutes before the start.
    reminders.fire_due(session, START - timedelta(minutes=30))
    session.commit()

    assert list(fired(session, booking)) == ["oneHourBeforeAppointment"]
    skipped = session.scalars(
        select(BookingReminder.trigger).where(BookingReminder.skipped.is_(True))
    ).all()
    assert skipped == ["oneDayBeforeAppointment"]

    # Down again until two days after: only the day-after one is still worth sending.
    reminders.fire_due(session, END + timedelta(days=1, hours=2))
    session.commit()
    assert sorted(fired(session, booking)) == [
        "oneDayAfterAppointment",
        "oneHourBeforeAppointment",
    ]
    # Everything is settled: later rounds add nothing.
    before = session.scalars(select(BookingReminder)).all()
    reminders.fire_due(session, END + timedelta(days=3))
    session.commit()
    assert len(session.scalars(select(BookingReminder)).all()) == len(before) == 6


def test_a_booking_made_shortly_before_its_start_gets_no_earlier_reminders(session, clinic):
    made = START - timedelta(minutes=40)
    booking = book(session, clinic, made)
    for minutes in range(40, -1, -5):
        reminders.fire_due(session, START - timedelta(minutes=minutes))
        session.commit()
    assert sorted(fired(session, booking)) == ["beforeAppointment", "tenMinutesBeforeAppointment"]


def test_canceled_bookings_get_none_and_completed_ones_only_the_after_ones(session, clinic, now):
    organization = clinic[0]
    canceled = book(session, clinic, now)
    completed = book(session, clinic, now, start=at("2026-11-24 11:00"))
    lifecycle.cancel_booking(
        session, organization, canceled.id, actor=lifecycle.Actor("customer"), now=now
    )
    session.commit()
    moment = now
    while moment <= at("2026-11-24 11:30") + timedelta(days=2):
        if moment == at("2026-11-24 11:05"):
            lifecycle.complete_booking(
                session, organization, completed.id, actor=lifecycle.Actor("staff"), now=moment
            )
            session.commit()
        reminders.fire_due(session, moment)
        session.commit()
        moment += timedelta(minutes=5)

    assert fired(session, canceled) == {}
    assert sorted(fired(session, completed)) == [
        "afterAppointment",
        "beforeAppointment",
        "oneDayAfterAppointment",
        "oneDayBeforeAppointment",
        "oneHourBeforeAppointment",
        "tenMinutesBeforeAppointment",
    ]


def test_the_worker_round_fires_reminders(session, clinic, now):
    booking = book(session, clinic, now)
    worker.run_once(now=START - timedelta(days=1))
    assert list(fired(session, booking)) == ["oneDayBeforeAppointment"]
