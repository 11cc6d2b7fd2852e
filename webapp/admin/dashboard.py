"""The first page after signing in: today at a glance and what is waiting for someone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import g
from sqlalchemy import func, select

from webapp.admin.blueprint import bp, own_resource_ids, render
from webapp.booking import queue
from webapp.extensions import db
from webapp.models import Booking, BookingStatus
from webapp.public.blueprint import now

WAITING_LIMIT = 20


def scoped_bookings():
    """Bookings of the organization this member may see (a staff member: their resources)."""
    statement = select(Booking).where(Booking.organization_id == g.organization.id)
    own = own_resource_ids()
    if own is not None:
        statement = statement.where(Booking.resource_id.in_(own))
    return statement


def queue_waiting(current: datetime) -> int:
    """How many customers wait in the queues this member serves (a staff member: the
    services their resources offer)."""
    counts = queue.pending_counts(db.session, g.organization.id, current)
    if own_resource_ids() is None:
        return sum(counts.values())
    offered = {t.id for r in g.member.resources for t in r.booking_types}
    return sum(n for type_id, n in counts.items() if type_id in offered)


def day_bounds(day, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    return start, start + timedelta(days=1)


@bp.get("/")
def dashboard():
    tz = ZoneInfo(g.organization.timezone)
    current = now()
    start, end = day_bounds(current.astimezone(tz).date(), tz)
    active = (BookingStatus.CONFIRMED, BookingStatus.PENDING_APPROVAL, BookingStatus.COMPLETED)
    today = list(
        db.session.scalars(
            scoped_bookings()
            .where(Booking.start_at >= start, Booking.start_at < end, Booking.status.in_(active))
            .order_by(Booking.start_at)
        )
    )

    def waiting(status: BookingStatus):
        rows = db.session.scalars(
            scoped_bookings()
            .where(Booking.status == status)
            .order_by(Booking.start_at.is_(None), Booking.start_at)
            .limit(WAITING_LIMIT)
        )
        count = db.session.scalar(
            select(func.count()).select_from(
                scoped_bookings().where(Booking.status == status).subquery()
            )
        )
        return list(rows), count

    approvals, approvals_count = waiting(BookingStatus.PENDING_APPROVAL)
    payments, payments_count = waiting(BookingStatus.PENDING_PAYMENT)
    return render(
        "admin/dashboard.html",
        tz=tz,
        today=today,
        approvals=approvals,
        approvals_count=approvals_count,
        payments=payments,
        payments_count=payments_count,
        queue_count=queue_waiting(current),
        now=current,
    )
