"""What people do with bookings: create, hold, confirm, approve, reject, cancel, complete,
mark paid, reschedule, assign a queued booking to a provider, end one under way. Status
changes go through :mod:`states` (the state machine); expiry by time lives in :mod:`expiry`.

Every write takes the booking lock first (:mod:`locking`), sweeps expired holds, checks, then
writes the booking, its history row and its outbox events in the caller's transaction.
Functions flush; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.booking import availability as av
from webapp.booking import intervals as iv
from webapp.booking import invoices
from webapp.booking import slots as sl
from webapp.booking.errors import (
    BookingConflict,
    BookingError,
    HoldExpired,
    InvalidResource,
    InvalidTimezone,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from webapp.booking.expiry import (  # noqa: F401  (part of this module's interface)
    HOLD_EXPIRED_REASON,
    expire_due,
    is_swept_hold,
    sweep_expired_holds,
)
from webapp.booking.locking import (
    begin_write,
    dialect_name,
    load_booking_for_update,
    lock_resources,
)
from webapp.booking.pricing import booking_price
from webapp.booking.states import (  # noqa: F401  (part of this module's interface)
    EVENT_FOR_STATUS,
    RESCHEDULABLE,
    SYSTEM,
    TRANSITIONS,
    Actor,
    S,
    can_cancel,
    can_reschedule,
    can_transition,
    emit,
    initial_status,
    record,
    transition,
)
from webapp.booking.waiting import announce_positions, enter_queue
from webapp.models import Booking, BookingHistory, BookingStatus, Customer, Organization

EXCLUSION_VIOLATION = "23P01"
HOLD_MINUTES_RANGE = (1, 120)
# Customers may start on any whole five minutes of working time (the grid they were shown is
# the website's or their API request's); staff may book any minute.
CUSTOMER_GRID = sl.SlotGrid(tuple(range(0, 24 * 60, 5)))


@dataclass(frozen=True)
class Carryover:
    """What a rescheduled booking keeps from the booking it replaces."""

    booking_id: str
    status: BookingStatus
    price: Decimal | None
    expires_at: datetime | None


# --- creating ----------------------------------------------------------------------------


def create_booking(
    session: Session,
    organization: Organization,
    *,
    booking_type_id: str,
    start: datetime,
    actor: Actor,
    now: datetime,
    customer: Customer | None = None,
    resource_id: str | None = None,
    resource_ids: Sequence[str] | None = None,
    category_id: str | None = None,
    resource_filters: Mapping[str, object] | None = None,
    time_adjusters: Mapping[str, object] | None = None,
    info: Mapping[str, object] | None = None,
    note: str = "",
    source: str = "api",
    website_id: str | None = None,
    timezone: str | None = None,
    hold_minutes: int | None = None,
    payment_window_minutes: int = 30,
    rescheduled_from: Carryover | None = None,
    suggestion_grid: sl.SlotGrid | None = None,
) -> Booking:
    """Book ``start`` (a hold when ``hold_minutes`` is given). Without ``resource_id`` the
    least-busy free resource is chosen (among ``resource_ids`` when given). Raises
    BOOKING_CONFLICT with ``next_available`` when the time is taken, even when it was taken
    by a concurrent request a moment ago."""
    _require_aware(start, "start")
    if timezone is not None and not iv.is_valid_timezone(timezone):
        raise InvalidTimezone(timezone=str(timezone)[:64])
    if hold_minutes is not None:
        low, high = HOLD_MINUTES_RANGE
        if (
            isinstance(hold_minutes, bool)
            or not isinstance(hold_minutes, int)
            or not low <= hold_minutes <= high
        ):
            raise ValidationFailed(
                f"reservedForMinutes must be a whole number from {low} to {high}.",
                reservedForMinutes=hold_minutes,
            )
    if customer is not None and customer.organization_id != organization.id:
        raise NotFound("Customer not found.")
    on_behalf = actor.is_staff
    ctx = av.load_context(
        session,
        organization,
        booking_type_id,
        resource_ids=[resource_id] if resource_id else resource_ids or None,
        category_id=category_id,
        resource_filters=resource_filters,
        time_adjusters=time_adjusters,
        show_all=on_behalf,
        strict_adjusters=True,
    )
    if not ctx.plans:
        raise InvalidResource(
            "No resource matching this choice offers this service.", type=ctx.booking_type.id
        )
    display_tz = timezone or organization.timezone
    grid = None if on_behalf else CUSTOMER_GRID
    suggest = suggestion_grid or grid or CUSTOMER_GRID
    exclude = rescheduled_from.booking_id if rescheduled_from else None

    lock_resources(session, organization.id, ctx.resource_ids)
    sweep_expired_holds(session, ctx.resource_ids, now)
    plan = _choose_plan(
        session, ctx, start, now, grid=grid, suggest=suggest, timezone=display_tz, exclude=exclude
    )

    if hold_minutes is not None:
        status = S.TEMPORARY
        expires_at = now + timedelta(minutes=hold_minutes)
    elif rescheduled_from is not None:
        # The new booking keeps the old one's standing (a confirmed booking stays confirmed).
        status = rescheduled_from.status
        expires_at = rescheduled_from.expires_at
    else:
        status = initial_status(ctx.booking_type, organization, on_behalf=on_behalf)
        expires_at = (
            now + timedelta(minutes=payment_window_minutes) if status == S.PENDING_PAYMENT else None
        )
    block = ctx.service.block(iv.to_instant(start))
    booking = Booking(
        organization_id=organization.id,
        website_id=website_id,
        booking_type_id=ctx.booking_type.id,
        resource_id=plan.resource.id,
        customer_id=customer.id if customer else None,
        status=status.value,
        start_at=start,
        end_at=start + timedelta(minutes=ctx.service.duration),
        block_start=iv.from_instant(block[0]),
        block_end=iv.from_instant(block[1]),
        duration=ctx.service.duration,
        price=rescheduled_from.price
        if rescheduled_from
        else booking_price(ctx.booking_type, ctx.adjustment, start, now),
        currency=organization.currency,
        info=dict(info or {}),
        time_adjusters=dict(time_adjusters or {}),
        note=note or "",
        source=source,
        created_by_user_id=actor.id if actor.kind == "staff" else None,
        rescheduled_from_id=exclude,
        expires_at=expires_at,
        created_at=now,
        updated_at=now,
    )
    _insert(session, booking, ctx, start, now, suggest=suggest, timezone=display_tz)
    record(session, booking, None, actor, now)
    if status == S.PENDING_PAYMENT and rescheduled_from is None:
        invoices.issue_invoice(session, booking, now)
    if status != S.TEMPORARY and rescheduled_from is None:
        emit(session, booking, EVENT_FOR_STATUS.get(status), now)
    return booking


def hold_slot(
    session: Session, organization: Organization, *, hold_minutes: int, **kwargs
) -> Booking:
    """Place a hold (TEMPORARY booking) that blocks the slot for ``hold_minutes``."""
    return create_booking(session, organization, hold_minutes=hold_minutes, **kwargs)


def _choose_plan(session, ctx, start, now, *, grid, suggest, timezone, exclude) -> av.ResourcePlan:
    if len(ctx.plans) == 1:
        plan = ctx.plans[0]
        try:
            av.check_start(session, ctx, plan, start, now, grid=grid, exclude_booking_id=exclude)
        except BookingConflict as conflict:
            raise _with_next_available(
                session, ctx, conflict, start, now, suggest, timezone, exclude
            ) from None
        return plan
    day = start.astimezone(iv.zone(timezone)).date()
    found = av.find_available_slots(
        session,
        ctx.organization,
        ctx.booking_type.id,
        day,
        day,
        timezone=timezone,
        grid=grid or sl.SlotGrid(tuple(range(24 * 60))),
        now=now,
        reschedule_booking_id=exclude,
        context=ctx,
    )
    slot = next((s for d in found.days for s in d.slots if s.start == start), None)
    if slot is None:
        # Not offered as listed: check each resource to fit a staff start between whole
        # minutes, or to say precisely why it cannot be booked.
        errors, fits = [], []
        for plan in ctx.plans:
            try:
                av.check_start(
                    session, ctx, plan, start, now, grid=grid, exclude_booking_id=exclude
                )
            except BookingError as exc:
                errors.append(exc)
            else:
                fits.append(plan.resource.id)
        if fits:  # a staff start between whole minutes is not in the listing, yet it fits
            load = {r: found.load.get((r, day), 0) for r in fits}
            return ctx.plan(sl.least_busy(fits, load))
        conflict = next((e for e in errors if isinstance(e, BookingConflict)), None)
        if conflict is None:
            raise errors[0] if errors else BookingConflict(requested_time=start.isoformat())
        raise _with_next_available(session, ctx, conflict, start, now, suggest, timezone, exclude)
    return ctx.plan(found.least_busy(slot))


def _with_next_available(session, ctx, conflict, start, now, grid, timezone, exclude):
    nxt = av.next_available(
        session,
        ctx,
        start,
        grid=grid,
        timezone=timezone,
        now=now,
        exclude_booking_id=exclude,
    )
    conflict.details["requested_time"] = start.isoformat()
    if nxt is not None:
        conflict.details["next_available"] = nxt.start.isoformat()
        conflict.details["next_available_resource_ids"] = list(nxt.resource_ids)
    return conflict


def _insert(session, booking, ctx, start, now, *, suggest, timezone) -> None:
    """Insert under a savepoint; PostgreSQL's exclusion constraint is the backstop."""
    if dialect_name(session) != "postgresql":
        # No constraint to trip over: the write lock has already decided.
        session.add(booking)
        session.flush()
        return
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        conflict = BookingConflict(requested_time=start.isoformat())
        raise _with_next_available(
            session, ctx, conflict, start, now, suggest, timezone, None
        ) from exc


# --- transitions -------------------------------------------------------------------------


def confirm_hold(
    session: Session,
    organization: Organization,
    booking_id: str,
    *,
    actor: Actor,
    now: datetime,
    customer: Customer | None = None,
    info: Mapping[str, object] | None = None,
    payment_window_minutes: int = 30,
) -> Booking:
    """Turn a hold into a booking; its status follows the type's settings (a hold that
    reschedules a booking takes that booking's standing)."""
    if customer is not None and customer.organization_id != organization.id:
        raise NotFound("Customer not found.")
    booking = _load(session, organization, booking_id)
    if is_swept_hold(booking):
        raise HoldExpired(expired_at=booking.expires_at.isoformat() if booking.expires_at else None)
    if booking.status != S.TEMPORARY:
        raise InvalidTransition(
            f"Only a hold can be confirmed; this booking is {booking.status}.",
            status=booking.status,
        )
    if booking.expires_at is None or booking.expires_at <= now:
        raise HoldExpired(expired_at=booking.expires_at.isoformat() if booking.expires_at else None)
    status = _standing_before_reschedule(session, booking) or initial_status(
        booking.booking_type, organization, on_behalf=actor.is_staff
    )
    if customer is not None:
        booking.customer_id = customer.id
    if info:
        booking.info = {**(booking.info or {}), **info}
    booking.expires_at = (
        now + timedelta(minutes=payment_window_minutes) if status == S.PENDING_PAYMENT else None
    )
    transition(session, booking, status, actor, now)
    if booking.rescheduled_from_id is None:
        if status == S.PENDING_PAYMENT:
            invoices.issue_invoice(session, booking, now)
        emit(session, booking, EVENT_FOR_STATUS.get(status), now)
    else:
        invoices.move_invoices(session, booking.rescheduled_from_id, booking.id)
        emit(
            session,
            booking,
            "appointmentRescheduled",
            now,
            previous_booking_id=booking.rescheduled_from_id,
        )
    return booking


def _standing_before_reschedule(session: Session, booking: Booking) -> BookingStatus | None:
    """The status the booking a hold reschedules had before it was canceled for it."""
    if booking.rescheduled_from_id is None:
        return None
    previous = session.scalar(
        select(BookingHistory.from_status)
        .where(
            BookingHistory.booking_id == booking.rescheduled_from_id,
            BookingHistory.to_status == S.CANCELED.value,
        )
        .order_by(BookingHistory.id.desc())
        .limit(1)
    )
    return S(previous) if previous in RESCHEDULABLE else None


def approve_booking(session, organization, booking_id, *, actor: Actor, now: datetime) -> Booking:
    booking = _load(session, organization, booking_id)
    _require(booking, S.PENDING_APPROVAL, "approved")
    transition(session, booking, S.CONFIRMED, actor, now)
    # Staff were told of the request already; "approved" spares them a second email.
    emit(session, booking, "newAppointment", now, approved=True)
    return booking


def reject_booking(
    session, organization, booking_id, *, actor: Actor, now: datetime, reason: str | None = None
) -> Booking:
    booking = _load(session, organization, booking_id)
    _require(booking, S.PENDING_APPROVAL, "rejected")
    booking.cancel_reason = reason
    transition(session, booking, S.REJECTED, actor, now, reason=reason)
    emit(session, booking, "bookingRejected", now)
    return booking


def cancel_booking(
    session,
    organization,
    booking_id,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
) -> Booking:
    """Cancel; a customer's cancel and a provider's cancel raise different events."""
    booking = _load(session, organization, booking_id)
    if not can_cancel(booking):
        raise InvalidTransition(
            f"A {booking.status} booking cannot be canceled.", status=booking.status
        )
    by_customer = not actor.is_staff  # the customer, or an integration acting for them
    booking.cancel_reason = reason
    booking.canceled_by = "customer" if by_customer else "provider"
    was = booking.status
    transition(session, booking, S.CANCELED, actor, now, reason=reason)
    if was != S.TEMPORARY:
        emit(session, booking, "customerCanceled" if by_customer else "providerCanceled", now)
    if was == S.PENDING_PAYMENT:
        invoices.void_unpaid(session, booking, now)
    if was == S.PENDING_ASSIGNMENT:  # left the queue: the people behind move up
        announce_positions(session, organization.id, booking.booking_type_id, now)
    return booking


def complete_booking(session, organization, booking_id, *, actor: Actor, now: datetime) -> Booking:
    booking = _load(session, organization, booking_id)
    _require(booking, S.CONFIRMED, "marked completed")
    if booking.start_at is not None and booking.start_at > now:
        raise InvalidTransition(
            "A booking can be marked completed only once it has started.",
            start=booking.start_at.isoformat(),
        )
    transition(session, booking, S.COMPLETED, actor, now)
    return booking


def mark_paid(session, organization, booking_id, *, actor: Actor, now: datetime) -> Booking:
    """Payment received: the booking is confirmed (or joins the queue when unassigned)."""
    booking = _load(session, organization, booking_id)
    _require(booking, S.PENDING_PAYMENT, "marked paid")
    to = S.PENDING_ASSIGNMENT if booking.resource_id is None else S.CONFIRMED
    booking.expires_at = None
    transition(session, booking, to, actor, now)
    if to == S.CONFIRMED:
        emit(session, booking, "newAppointment", now)
    else:  # a queued booking joins its queue only once paid
        enter_queue(session, booking, now)
    return booking


def reschedule_booking(
    session: Session,
    organization: Organization,
    booking_id: str,
    *,
    start: datetime,
    actor: Actor,
    now: datetime,
    resource_id: str | None = None,
    timezone: str | None = None,
    reason: str | None = None,
    hold_minutes: int | None = None,
) -> Booking:
    """Move a booking: a new booking linked by ``rescheduled_from``, the old one canceled,
    in one transaction; the old time is free for the new booking itself. With
    ``hold_minutes`` the new booking is a hold, confirmed later with :func:`confirm_hold`."""
    old = _load(session, organization, booking_id)
    if not can_reschedule(old):
        raise InvalidTransition(f"A {old.status} booking cannot be rescheduled.", status=old.status)
    carryover = Carryover(old.id, S(old.status), old.price, old.expires_at)
    with session.begin_nested():  # a failed move leaves the old booking as it was
        # Free the old time first, or PostgreSQL's exclusion constraint refuses a new time
        # that overlaps it; the new booking keeps the old one's standing and price.
        old.cancel_reason = reason or "rescheduled"
        old.canceled_by = "provider" if actor.is_staff else "customer"
        transition(session, old, S.CANCELED, actor, now, reason=old.cancel_reason)
        new = create_booking(
            session,
            organization,
            booking_type_id=old.booking_type_id,
            start=start,
            actor=actor,
            now=now,
            customer=old.customer,
            resource_id=resource_id or old.resource_id,
            time_adjusters=old.time_adjusters or None,
            info=old.info,
            note=old.note,
            source=old.source,
            website_id=old.website_id,
            timezone=timezone,
            hold_minutes=hold_minutes,
            rescheduled_from=carryover,
        )
    if hold_minutes is None:  # a hold tells when it is confirmed (and takes the invoice)
        invoices.move_invoices(session, old.id, new.id)
        emit(session, new, "appointmentRescheduled", now, previous_booking_id=old.id)
    return new


# --- helpers -----------------------------------------------------------------------------


def _load(session: Session, organization: Organization, booking_id: str) -> Booking:
    booking = load_booking_for_update(session, organization.id, str(booking_id))
    if booking is None:
        raise NotFound("Booking not found.", bookingId=str(booking_id)[:64])
    return booking


def _require(booking: Booking, status: BookingStatus, verb: str) -> None:
    if booking.status != status:
        raise InvalidTransition(
            f"Only a {status.value} booking can be {verb}; this one is {booking.status}.",
            status=booking.status,
        )


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationFailed(f"{name} must be a date-time with a timezone offset.", field=name)


__all__ = [
    "Actor",
    "SYSTEM",
    "TRANSITIONS",
    "approve_booking",
    "begin_write",
    "can_cancel",
    "can_reschedule",
    "can_transition",
    "cancel_booking",
    "complete_booking",
    "confirm_hold",
    "create_booking",
    "expire_due",
    "hold_slot",
    "initial_status",
    "mark_paid",
    "reject_booking",
    "reschedule_booking",
    "sweep_expired_holds",
]
