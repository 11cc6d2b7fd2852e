"""Time ends what people left open: holds past their expiry, bookings unpaid past their
payment window and queued bookings no provider took in time. The booking transaction sweeps
the holds on its resources before it checks; the worker sweeps everything else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from webapp.booking import invoices
from webapp.booking.states import SYSTEM, S, emit, transition
from webapp.booking.waiting import announce_positions
from webapp.models import Booking, BookingHistory
from webapp.models.types import UTCDateTime

HOLD_EXPIRED_REASON = "hold expired"
QUEUE_EXPIRED_REASON = "not assigned in time"
PAYMENT_EXPIRED_REASON = "payment not completed in time"


def sweep_expired_holds(session: Session, resource_ids, now: datetime) -> int:
    """Expired holds stop occupying their slot, inside the booking transaction."""
    if not resource_ids:
        return 0
    return _cancel_expired_holds(
        session, _SWEEP_HOLDS_OF, {"now": now, "resource_ids": list(resource_ids)}
    )


def _expired_holds_update(*criteria):
    table = Booking.__table__
    now = bindparam("now", type_=UTCDateTime())
    return (
        update(table)
        .where(*criteria, table.c.status == S.TEMPORARY.value, table.c.expires_at <= now)
        .values(
            status=S.CANCELED.value,
            cancel_reason=HOLD_EXPIRED_REASON,
            canceled_by="system",
            updated_at=now,
        )
        .returning(table.c.id, table.c.organization_id)
    )


# Built once: every booking write runs the sweep, and building a statement costs more than
# running it.
_SWEEP_HOLDS_OF = _expired_holds_update(
    Booking.__table__.c.resource_id.in_(bindparam("resource_ids", expanding=True))
)
_SWEEP_ALL_HOLDS = _expired_holds_update()


def _cancel_expired_holds(session: Session, statement, params: dict) -> int:
    """One UPDATE for every expired hold, and a history row for each (the audit trail)."""
    expired = session.execute(statement, params).all()
    now = params["now"]
    session.add_all(
        BookingHistory(
            organization_id=organization_id,
            booking_id=booking_id,
            from_status=S.TEMPORARY.value,
            to_status=S.CANCELED.value,
            actor=SYSTEM.label,
            reason=HOLD_EXPIRED_REASON,
            at=now,
        )
        for booking_id, organization_id in expired
    )
    return len(expired)


def expire_due(session: Session, now: datetime) -> dict[str, int]:
    """The worker's sweep: expired holds, unpaid bookings past their payment window (their
    invoices voided) and queued bookings past their wait (REJECTED, seed 002's
    ``bookingExpired``; the rest of their queue hears its new places)."""
    holds = _cancel_expired_holds(session, _SWEEP_ALL_HOLDS, {"now": now})
    unpaid = 0
    for booking in _due(session, S.PENDING_PAYMENT, now):
        booking.cancel_reason = PAYMENT_EXPIRED_REASON
        booking.canceled_by = "system"
        transition(session, booking, S.CANCELED, SYSTEM, now, reason=booking.cancel_reason)
        # Not a seed trigger (that one is for unassigned queue bookings): an internal event.
        emit(session, booking, "paymentExpired", now)
        invoices.void_unpaid(session, booking, now)
        unpaid += 1
    queues, unassigned = set(), 0
    for booking in _due(session, S.PENDING_ASSIGNMENT, now):
        booking.cancel_reason = QUEUE_EXPIRED_REASON
        transition(session, booking, S.REJECTED, SYSTEM, now, reason=QUEUE_EXPIRED_REASON)
        emit(session, booking, "bookingExpired", now)
        queues.add((booking.organization_id, booking.booking_type_id))
        unassigned += 1
    for organization_id, booking_type_id in sorted(queues):
        announce_positions(session, organization_id, booking_type_id, now)
    session.flush()
    return {"holds": holds, "unpaid": unpaid, "unassigned": unassigned}


def _due(session: Session, status: S, now: datetime) -> list[Booking]:
    """Bookings in ``status`` whose time ran out, locked (PostgreSQL: ones a booking write
    holds right now are left for the next sweep, which then sees them as they became)."""
    statement = (
        select(Booking)
        .where(Booking.status == status.value, Booking.expires_at <= now)
        .order_by(Booking.created_at, Booking.id)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.scalars(statement))


def is_swept_hold(booking: Booking) -> bool:
    """A hold the sweep canceled when it expired (it is no longer TEMPORARY)."""
    return (
        booking.status == S.CANCELED
        and booking.canceled_by == "system"
        and booking.cancel_reason == HOLD_EXPIRED_REASON
    )
