"""The queue (seed 002, Instant and Queue Booking): the waiting bookings a resource could
serve, first come first served, and a provider taking one of them (assign). Of providers
taking the same booking at once, exactly one wins; the others hear ``SCH-ALREADY_ASSIGNED``.

A staff member sees the queue of their own resources and takes bookings for them only."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from webapp.api import inputs
from webapp.api.access import management
from webapp.api.blueprint import body, bp, ok
from webapp.api.management_bookings import (
    FULL_ROWS,
    act,
    bookings_json,
    queued_for,
    read_cursor,
    visible_booking,
    waiting,
)
from webapp.api.pagination import decode, pagination, read_limit
from webapp.booking import queue
from webapp.booking.errors import NotFound, ValidationFailed
from webapp.extensions import db
from webapp.models import Booking, Resource
from webapp.public.blueprint import now

QUEUE_LIST = "management.bookings.unassigned"


def own_resource(resource_id: str, field: str = "resourceId") -> Resource:
    """One of the organization's resources the caller may use; others answer as unknown."""
    scope = g.caller.resource_scope
    resource = db.session.scalar(
        select(Resource).where(
            Resource.organization_id == g.organization.id, Resource.id == resource_id[:64]
        )
    )
    if resource is None or (scope is not None and resource.id not in scope):
        raise NotFound(_("Resource not found."), field=field)
    return resource


def assignable_booking(booking_id: str) -> Booking:
    """A booking the caller may try to take: for a staff member, one of a service their
    resources offer, assigned or not, so that providers who lose a race for it hear that
    it was taken rather than that it does not exist."""
    scope = g.caller.resource_scope
    if scope is None:
        return visible_booking(booking_id, field="bookingId")
    found = queued_for(scope, booking_id, unassigned=False)
    if found is None:
        raise NotFound(_("Booking not found."), field="bookingId")
    return found


@bp.get("/management/bookings/unassigned")
@management()
def management_bookings_unassigned():
    """Waiting bookings of the services the resource offers, oldest first."""
    resource_id = request.args.get("resourceId") or ""
    if not resource_id:
        raise ValidationFailed(_("Send the resource's id in resourceId."), field="resourceId")
    resource = own_resource(resource_id)
    limit = read_limit(request.args.get("limit"), default=100)
    position = decode(QUEUE_LIST, request.args.get("nextPageToken"))
    offered = [t.id for t in resource.booking_types]
    statement = (
        select(Booking)
        .options(*FULL_ROWS)
        .where(waiting(now()), Booking.booking_type_id.in_(offered))
        .order_by(Booking.created_at, Booking.id)
        .limit(limit + 1)
    )
    if position is not None:
        after = read_cursor(position)
        statement = statement.where(
            or_(
                Booking.created_at > after.start,
                and_(Booking.created_at == after.start, Booking.id > after.booking_id),
            )
        )
    rows = list(db.session.scalars(statement).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    following = [rows[-1].created_at.isoformat(), rows[-1].id] if more else None
    return ok(bookings_json(rows), pagination=pagination(following, QUEUE_LIST))


@bp.post("/management/bookings/assign")
@management()
def management_booking_assign():
    data = body()
    resource_id = inputs.text(data, "resourceId", limit=64, required=True)
    return act(
        "management.bookings.assign",
        data,
        lambda booking: queue.assign_booking(
            db.session,
            g.organization,
            booking.id,
            resource_id=own_resource(resource_id).id,
            actor=g.caller.actor,
            now=now(),
        ),
        find=lambda booking_id, field: assignable_booking(booking_id),
    )
