"""The providers' queue: a customer joins a service's queue without a date or time
(instant booking), a provider takes a booking waiting for one, and ends a booking under way
at the time actually served. Who waits where is in :mod:`waiting`.

Like :mod:`lifecycle`, each function takes the booking lock first, changes status only
through :mod:`states`, writes its events to the outbox, and flushes; the caller commits."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.booking import availability as av
from webapp.booking import intervals as iv
from webapp.booking.busy import load_busy
from webapp.booking.errors import (
    AlreadyAssigned,
    BookingConflict,
    BookingExpired,
    InvalidResource,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from webapp.booking.expiry import sweep_expired_holds
from webapp.booking.invoices import issue_invoice
from webapp.booking.lifecycle import EXCLUSION_VIOLATION, _load, _require
from webapp.booking.locking import begin_write, dialect_name, lock_resources
from webapp.booking.pricing import Adjustment, booking_price
from webapp.booking.states import Actor, S, emit, initial_status, record, transition
from webapp.booking.waiting import (  # noqa: F401  (part of this module's interface)
    announce_positions,
    clamp_timeout,
    enter_queue,
    estimated_wait,
    next_for_resource,
    pending_counts,
    position,
    positions,
    waiting_filter,
    waiting_for_resource,
)
from webapp.models import Booking, Customer, Organization, Resource


def join_queue(
    session: Session,
    organization: Organization,
    *,
    booking_type_id: str,
    actor: Actor,
    now: datetime,
    customer: Customer | None = None,
    info: Mapping[str, object] | None = None,
    note: str = "",
    source: str = "api",
    website_id: str | None = None,
    assignment_timeout: int | None = None,
    payment_window_minutes: int = 30,
) -> Booking:
    """Join the service's queue (``assign: false``): no date, time or resource yet. A
    service paid online waits for payment first (PENDING_PAYMENT, with its invoice);
    otherwise the booking waits for a provider (PENDING_ASSIGNMENT) for ``assignment_timeout``
    minutes (clamped to 5..180) and the providers who offer the service hear of it."""
    if customer is not None and customer.organization_id != organization.id:
        raise NotFound("Customer not found.")
    if assignment_timeout is not None and (
        isinstance(assignment_timeout, bool) or not isinstance(assignment_timeout, int)
    ):
        raise ValidationFailed(
            "assignmentTimeout must be a whole number of minutes.",
            field="assignmentTimeout",
        )
    ctx = av.load_context(session, organization, booking_type_id, show_all=actor.is_staff)
    if not ctx.plans:
        raise InvalidResource(
            "No resource offers this service, so no one could take the booking.",
            type=ctx.booking_type.id,
        )
    begin_write(session)
    paid_first = (
        initial_status(ctx.booking_type, organization, on_behalf=False) == S.PENDING_PAYMENT
    )
    booking = Booking(
        organization_id=organization.id,
        website_id=website_id,
        booking_type_id=ctx.booking_type.id,
        customer_id=customer.id if customer else None,
        status=(S.PENDING_PAYMENT if paid_first else S.PENDING_ASSIGNMENT).value,
        duration=ctx.service.duration,
        price=booking_price(ctx.booking_type, Adjustment(), None, now),
        currency=organization.currency,
        info=dict(info or {}),
        note=note or "",
        source=source,
        created_by_user_id=actor.id if actor.kind == "staff" else None,
        assignment_timeout=clamp_timeout(assignment_timeout),
        expires_at=now + timedelta(minutes=payment_window_minutes) if paid_first else None,
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    session.flush()
    record(session, booking, None, actor, now)
    if paid_first:
        issue_invoice(session, booking, now)
    else:
        enter_queue(session, booking, now)
    return booking


def assign_booking(
    session: Session,
    organization: Organization,
    booking_id: str,
    *,
    resource_id: str,
    actor: Actor,
    now: datetime,
) -> Booking:
    """A provider takes a booking from the queue: it is confirmed on ``resource_id``, from
    now (or at its own time, when it has one) for its duration. Of providers taking it at
    once, one wins; the others hear SCH-ALREADY_ASSIGNED. A booking whose time in the queue
    ran out answers BKS-110."""
    booking = _load(session, organization, booking_id)
    if booking.status != S.PENDING_ASSIGNMENT:
        if booking.status in (S.CONFIRMED, S.COMPLETED):
            raise AlreadyAssigned(status=booking.status, resourceId=booking.resource_id)
        if booking.status == S.REJECTED and booking.expires_at and booking.expires_at <= now:
            raise BookingExpired(expired_at=booking.expires_at.isoformat())
        _require(booking, S.PENDING_ASSIGNMENT, "assigned")
    if booking.expires_at is not None and booking.expires_at <= now:
        raise BookingExpired(expired_at=booking.expires_at.isoformat())
    ctx = av.load_context(
        session, organization, booking.booking_type_id, resource_ids=[resource_id], show_all=True
    )
    lock_resources(session, organization.id, [resource_id])
    sweep_expired_holds(session, [resource_id], now)
    start = booking.start_at or now
    end = start + timedelta(minutes=booking.duration)
    before = timedelta(minutes=ctx.service.before)
    after = timedelta(minutes=ctx.service.after)
    block = (iv.to_instant(start - before), iv.to_instant(end + after))
    busy = load_busy(session, [resource_id], start - before, end + after, now)[resource_id]
    if iv.overlaps_any(busy, block):
        raise BookingConflict(requested_time=start.isoformat(), resourceId=resource_id)
    booking.resource_id = resource_id
    booking.start_at, booking.end_at = start, end
    booking.block_start, booking.block_end = start - before, end + after
    booking.expires_at = None
    if dialect_name(session) == "postgresql":
        try:
            with session.begin_nested():
                transition(session, booking, S.CONFIRMED, actor, now)
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
                raise
            raise BookingConflict(requested_time=start.isoformat()) from exc
    else:
        transition(session, booking, S.CONFIRMED, actor, now)
    emit(session, booking, "bookingAssigned", now, resourceId=resource_id)
    announce_positions(session, organization.id, booking.booking_type_id, now)
    return booking


def end_booking(session, organization, booking_id, *, actor: Actor, now: datetime) -> Booking:
    """The provider ends a booking under way: it is completed and ends now, so its resource
    is free again from now on (after the service's buffer); ``duration`` counts the time
    served in whole minutes, rounded up."""
    booking = _load(session, organization, booking_id)
    _require(booking, S.CONFIRMED, "ended")
    if booking.start_at is None or booking.start_at > now:
        raise InvalidTransition(
            "A booking can be ended only once it has started.",
            start=booking.start_at.isoformat() if booking.start_at else None,
        )
    # A booking's time is never empty: one ended the moment it started keeps a second.
    end = max(now, booking.start_at + timedelta(seconds=1))
    if booking.end_at is not None and end < booking.end_at:
        if booking.block_end is not None:
            booking.block_end = end + (booking.block_end - booking.end_at)
        booking.end_at = end
        booking.duration = max(1, math.ceil((now - booking.start_at).total_seconds() / 60))
    transition(session, booking, S.COMPLETED, actor, now)
    resource = session.get(Resource, booking.resource_id) if booking.resource_id else None
    following = next_for_resource(session, organization.id, resource, now) if resource else None
    if following is not None:  # the provider is free: offer them the next customer again
        emit(
            session,
            following,
            "bookingUnassigned",
            now,
            typeId=following.booking_type_id,
            resourceIds=[resource.id],
            offeredAgain=True,
        )
    return booking
