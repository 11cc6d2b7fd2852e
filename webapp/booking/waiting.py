"""Who waits in which queue, and in what order (seed 002, Instant and Queue Booking).

A queue is a service's: its bookings in PENDING_ASSIGNMENT whose time to wait has not run
out, first come first served (``created_at``, then id). Any resource that offers the service
may take the booking at the head. Reads only, plus the events that tell the queue's people
where they stand; :mod:`queue` and :mod:`lifecycle` change bookings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from webapp.booking.states import S, emit, emit_each
from webapp.models import Booking, Resource
from webapp.models.resources import resource_types

TIMEOUT_RANGE = (5, 180)  # minutes, as seed 002 clamps ``assignmentTimeout``
DEFAULT_TIMEOUT = 60


def clamp_timeout(minutes: int | None) -> int:
    """The minutes a queued booking may wait: the asked value within 5..180, or 60."""
    if minutes is None:
        return DEFAULT_TIMEOUT
    low, high = TIMEOUT_RANGE
    return max(low, min(high, int(minutes)))


def waiting_filter(now: datetime):
    """Bookings still in a queue: waiting for a provider, their time not yet run out."""
    return and_(
        Booking.status == S.PENDING_ASSIGNMENT.value,
        or_(Booking.expires_at.is_(None), Booking.expires_at > now),
    )


def positions(session: Session, bookings: Iterable[Booking], now: datetime) -> dict[str, int]:
    """Each waiting booking's place in its service's queue (1: served next)."""
    wanted = {
        (b.organization_id, b.booking_type_id)
        for b in bookings
        if b.status == S.PENDING_ASSIGNMENT and (b.expires_at is None or b.expires_at > now)
    }
    places: dict[str, int] = {}
    for organization_id, type_ids in _by_organization(wanted).items():
        places.update(_places(session, organization_id, type_ids, now))
    return places


def position(session: Session, booking: Booking, now: datetime) -> int | None:
    return positions(session, [booking], now).get(booking.id)


def estimated_wait(minutes: int, place: int | None) -> int | None:
    """Minutes until someone at ``place`` is likely served: the place times the service's
    length (``minutes``), as seed 002 estimates it."""
    return place * minutes if place else None


def pending_counts(session: Session, organization_id: str, now: datetime) -> dict[str, int]:
    """How many wait in each service's queue, by booking type id (empty queues left out)."""
    rows = session.execute(
        select(Booking.booking_type_id, func.count())
        .where(Booking.organization_id == organization_id, waiting_filter(now))
        .group_by(Booking.booking_type_id)
    )
    return {type_id: count for type_id, count in rows}


def waiting_for_resource(
    session: Session, organization_id: str, resource: Resource, now: datetime, limit: int = 100
) -> list[Booking]:
    """The waiting bookings ``resource`` could take (services it offers), oldest first."""
    return list(
        session.scalars(
            select(Booking)
            .where(
                Booking.organization_id == organization_id,
                waiting_filter(now),
                Booking.booking_type_id.in_(_offered_by(resource.id)),
            )
            .order_by(Booking.created_at, Booking.id)
            .limit(limit)
        )
    )


def next_for_resource(
    session: Session, organization_id: str, resource: Resource, now: datetime
) -> Booking | None:
    """The booking ``resource`` would serve next, if anyone waits for it."""
    found = waiting_for_resource(session, organization_id, resource, now, limit=1)
    return found[0] if found else None


def offering_resource_ids(session: Session, organization_id: str, booking_type_id: str):
    """The active resources that offer the service: the providers a queued booking is
    offered to."""
    return list(
        session.scalars(
            select(Resource.id)
            .join(resource_types, resource_types.c.resource_id == Resource.id)
            .where(
                Resource.organization_id == organization_id,
                resource_types.c.booking_type_id == booking_type_id,
                Resource.on.is_(True),
                Resource.activated.is_(True),
            )
            .order_by(Resource.id)
        )
    )


def enter_queue(session: Session, booking: Booking, now: datetime, **extra) -> None:
    """The booking has just reached PENDING_ASSIGNMENT: its wait starts now, and the
    providers who could take it hear of it (``bookingUnassigned``)."""
    booking.expires_at = now + timedelta(minutes=clamp_timeout(booking.assignment_timeout))
    emit(
        session,
        booking,
        "bookingUnassigned",
        now,
        typeId=booking.booking_type_id,
        resourceIds=offering_resource_ids(
            session, booking.organization_id, booking.booking_type_id
        ),
        **extra,
    )


def announce_positions(
    session: Session, organization_id: str, booking_type_id: str, now: datetime
) -> None:
    """Everyone still waiting for the service hears their place (after someone ahead left
    the queue, was taken or expired)."""
    rows = session.scalars(
        select(Booking)
        .where(
            Booking.organization_id == organization_id,
            Booking.booking_type_id == booking_type_id,
            waiting_filter(now),
        )
        .order_by(Booking.created_at, Booking.id)
    )
    emit_each(
        session,
        "queuePositionUpdated",
        [
            (
                booking,
                {
                    "queuePosition": place,
                    "estimatedWaitMinutes": estimated_wait(booking.duration, place),
                },
            )
            for place, booking in enumerate(rows, start=1)
        ],
        now,
    )


def _by_organization(pairs: set[tuple[str, str]]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for organization_id, type_id in pairs:
        grouped.setdefault(organization_id, set()).add(type_id)
    return grouped


def _places(session: Session, organization_id: str, type_ids: set[str], now: datetime):
    rows = session.execute(
        select(Booking.id, Booking.booking_type_id)
        .where(
            Booking.organization_id == organization_id,
            Booking.booking_type_id.in_(sorted(type_ids)),
            waiting_filter(now),
        )
        .order_by(Booking.created_at, Booking.id)
    )
    places: dict[str, int] = {}
    counts: dict[str, int] = {}
    for booking_id, type_id in rows:
        counts[type_id] = counts.get(type_id, 0) + 1
        places[booking_id] = counts[type_id]
    return places


def _offered_by(resource_id: str):
    return select(resource_types.c.booking_type_id).where(
        resource_types.c.resource_id == resource_id
    )
