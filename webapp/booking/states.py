"""The booking states and the one guarded way to move between them.

Every status change goes through :func:`transition`, which checks the table, records the
change in the booking's history and flushes; :func:`emit` writes the event to the outbox in
the same transaction. Callers: :mod:`lifecycle` (people's actions) and :mod:`expiry` (time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from webapp.booking.errors import InvalidTransition
from webapp.models import Booking, BookingHistory, BookingStatus, Organization, OutboxMessage

S = BookingStatus

TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    S.TEMPORARY: frozenset({S.CONFIRMED, S.PENDING_APPROVAL, S.PENDING_PAYMENT, S.CANCELED}),
    S.PENDING_PAYMENT: frozenset({S.CONFIRMED, S.PENDING_ASSIGNMENT, S.CANCELED}),
    S.PENDING_APPROVAL: frozenset({S.CONFIRMED, S.REJECTED, S.CANCELED}),
    S.PENDING_ASSIGNMENT: frozenset({S.CONFIRMED, S.REJECTED, S.CANCELED}),
    S.CONFIRMED: frozenset({S.COMPLETED, S.CANCELED}),
    S.COMPLETED: frozenset(),
    S.CANCELED: frozenset(),
    S.REJECTED: frozenset(),
}
RESCHEDULABLE = frozenset({S.CONFIRMED, S.PENDING_APPROVAL, S.PENDING_PAYMENT})


# Webhook trigger ids of the scheduling API.
EVENT_FOR_STATUS = {
    S.PENDING_APPROVAL: "newBooking",
    S.CONFIRMED: "newAppointment",
    S.REJECTED: "bookingRejected",
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a customer, a staff member, a management API caller or the system (worker)
    on the business's side; on the customer's side an integration booking for customers: an
    OAuth client, an organization key used on the booking APIs, a booking partner."""

    kind: str  # "customer" | "staff" | "api" | "system" | "client" | "key" | "partner"
    id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind in {"staff", "api", "system"}

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}" if self.id else self.kind


SYSTEM = Actor("system")


def can_transition(booking: Booking, to: BookingStatus) -> bool:
    return to in TRANSITIONS[S(booking.status)]


def can_cancel(booking: Booking) -> bool:
    return can_transition(booking, S.CANCELED)


def can_reschedule(booking: Booking) -> bool:
    return S(booking.status) in RESCHEDULABLE


def initial_status(booking_type, organization: Organization, *, on_behalf: bool) -> BookingStatus:
    """A priced type with an online payment method on an organization that takes
    online payments waits for payment; otherwise auto-confirm (or staff booking on a
    customer's behalf) confirms; otherwise the booking waits for approval."""
    if (
        booking_type.is_paid
        and booking_type.takes_online_payment
        and organization.online_payments_enabled
    ):
        return S.PENDING_PAYMENT
    if booking_type.auto_confirm or on_behalf:
        return S.CONFIRMED
    return S.PENDING_APPROVAL


def transition(
    session: Session,
    booking: Booking,
    to: BookingStatus,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Move ``booking`` to ``to`` if the table allows it, with a history row; flush."""
    if not can_transition(booking, to):
        raise InvalidTransition(
            f"A {booking.status} booking cannot become {to.value}.",
            status=booking.status,
            to=to.value,
        )
    previous = booking.status
    booking.status = to.value
    booking.updated_at = now
    record(session, booking, previous, actor, now, reason)
    session.flush()


def record(
    session: Session,
    booking: Booking,
    previous: str | None,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
) -> None:
    """A history row for the booking's current status (``previous`` None: just created)."""
    session.execute(
        _INSERT_HISTORY,
        {
            "organization_id": booking.organization_id,
            "booking_id": booking.id,
            "from_status": previous,
            "to_status": booking.status,
            "actor": actor.label,
            "reason": reason,
            "at": now,
        },
    )


def emit(session: Session, booking: Booking, event: str | None, now: datetime, **extra) -> None:
    """The event, for webhooks and emails, in the outbox of the booking's transaction."""
    if event:
        emit_each(session, event, [(booking, extra)], now)


def emit_each(session: Session, event: str, items, now: datetime) -> None:
    """The same event for several bookings, each ``(booking, extra payload)``, in one
    statement."""
    rows = [
        {
            "organization_id": booking.organization_id,
            "event": event,
            "booking_id": booking.id,
            "payload": {"bookingId": booking.id, "status": booking.status, **extra},
            "created_at": now,
            "available_at": now,
            "attempts": 0,
        }
        for booking, extra in items
    ]
    if rows:
        session.execute(_INSERT_OUTBOX, rows)


# Plain inserts, built once: every booking write adds a history row and usually an event.
_INSERT_HISTORY = insert(BookingHistory.__table__)
_INSERT_OUTBOX = insert(OutboxMessage.__table__)
