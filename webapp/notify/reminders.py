"""Time-relative triggers: a day, an hour and ten minutes before a booking, at its start,
after its end and a day later. Each fires once per booking, as an outbox event.

A worker that was down catches up, but only with what is still useful: a reminder before
the start is sent only until the start, and of several overdue ones only the latest (a
customer booked for this afternoon gets "in an hour", not also "tomorrow"). Reminders due
before the booking was made are never sent. Skipped ones are recorded like fired ones, so
nothing is considered twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from webapp.booking.locking import begin_write, dialect_name
from webapp.booking.states import S, emit
from webapp.models import Booking, BookingReminder


@dataclass(frozen=True)
class Reminder:
    trigger: str
    from_end: bool  # counted from the end of the booking, else from its start
    offset: timedelta
    useful_for: timedelta  # how long after it is due it may still go out

    def due(self, booking: Booking) -> datetime:
        return (booking.end_at if self.from_end else booking.start_at) + self.offset

    @property
    def before_start(self) -> bool:
        return not self.from_end and self.offset < timedelta(0)


REMINDERS = (
    Reminder("oneDayBeforeAppointment", False, timedelta(days=-1), timedelta(days=1)),
    Reminder("oneHourBeforeAppointment", False, timedelta(hours=-1), timedelta(hours=1)),
    Reminder("tenMinutesBeforeAppointment", False, timedelta(minutes=-10), timedelta(minutes=10)),
    Reminder("beforeAppointment", False, timedelta(0), timedelta(minutes=15)),
    Reminder("afterAppointment", True, timedelta(0), timedelta(hours=12)),
    Reminder("oneDayAfterAppointment", True, timedelta(days=1), timedelta(days=1)),
)
TRIGGERS = tuple(reminder.trigger for reminder in REMINDERS)
_LATEST_START = max(-r.offset for r in REMINDERS if not r.from_end)
_EARLIEST_END = max(r.offset + r.useful_for for r in REMINDERS if r.from_end)
# Any number: it names the reminder scan among PostgreSQL's advisory locks.
_SCAN_LOCK = 0x6D61_7769_6401
_ACTIVE = (S.CONFIRMED.value, S.COMPLETED.value)


def fire_due(session: Session, now: datetime, limit: int = 1000) -> dict[str, int]:
    """Fire (or skip as stale) every reminder due by ``now``; the caller commits."""
    begin_write(session)
    if dialect_name(session) == "postgresql" and not session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _SCAN_LOCK}
    ):
        return {"fired": 0, "skipped": 0}  # another worker is scanning
    recorded = (
        select(func.count())
        .where(BookingReminder.booking_id == Booking.id)
        .correlate(Booking)
        .scalar_subquery()
    )
    bookings = session.scalars(
        select(Booking)
        .where(
            Booking.status.in_(_ACTIVE),
            Booking.start_at <= now + _LATEST_START,
            Booking.end_at >= now - _EARLIEST_END,
            recorded < len(REMINDERS),
        )
        .order_by(Booking.start_at)
        .limit(limit)
    ).all()
    fired = skipped = 0
    done = _recorded(session, [booking.id for booking in bookings])
    for booking in bookings:
        for reminder, send in decide(booking, done.get(booking.id, set()), now):
            session.add(
                BookingReminder(
                    organization_id=booking.organization_id,
                    booking_id=booking.id,
                    trigger=reminder.trigger,
                    due_at=reminder.due(booking),
                    fired_at=now,
                    skipped=not send,
                )
            )
            if send:
                emit(session, booking, reminder.trigger, now)
                fired += 1
            else:
                skipped += 1
    session.flush()
    return {"fired": fired, "skipped": skipped}


def decide(booking: Booking, recorded: set[str], now: datetime) -> list[tuple[Reminder, bool]]:
    """The reminders of ``booking`` to record now, each with whether it is sent."""
    due = [r for r in REMINDERS if r.trigger not in recorded and r.due(booking) <= now]
    if booking.status != S.CONFIRMED:
        # A completed booking has nothing left to remind of before or at its start.
        return [(r, r.from_end and _useful(r, booking, now)) for r in due]
    latest_before = max(
        (r for r in due if r.before_start and _useful(r, booking, now)),
        key=lambda r: r.due(booking),
        default=None,
    )
    return [
        (r, _useful(r, booking, now) and (not r.before_start or r is latest_before)) for r in due
    ]


def _useful(reminder: Reminder, booking: Booking, now: datetime) -> bool:
    due = reminder.due(booking)
    if now > due + reminder.useful_for:
        return False
    if reminder.before_start:
        return booking.created_at <= due and now < booking.start_at
    return True


def _recorded(session: Session, booking_ids: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for start in range(0, len(booking_ids), 500):
        for booking_id, trigger in session.execute(
            select(BookingReminder.booking_id, BookingReminder.trigger).where(
                BookingReminder.booking_id.in_(booking_ids[start : start + 500])
            )
        ):
            found.setdefault(booking_id, set()).add(trigger)
    return found
