"""The providers' queue: a provider picks one of their resources, sees who waits for it
(oldest first), takes the next customer, and ends a booking under way when it is done. The
list refreshes itself while the page is open."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from htmx_flask import make_response
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.admin.blueprint import after_action, bp, render, requires, scoped_resources
from webapp.admin.bookings import staff_actor
from webapp.booking import queue
from webapp.booking.errors import BookingError, NotFound
from webapp.booking.states import S
from webapp.extensions import db
from webapp.manage import bookings as manage
from webapp.models import Booking, Resource
from webapp.public.blueprint import now

# What a provider reads when taking a customer did not work out.
TAKE_FAILURES = {
    "SCH-ALREADY_ASSIGNED": _l("Someone else has already taken this customer."),
    "BKS-110": _l("This customer waited too long and left the queue; it cannot be taken now."),
    "BOOKING_CONFLICT": _l(
        "This resource is busy right now. End the booking under way first, or try again later."
    ),
    "INVALID_RESOURCE": _l("This resource does not offer that service."),
    "INVALID_TRANSITION": _l("This booking is no longer waiting in the queue."),
}


@dataclass
class Waiting:
    booking: Booking
    position: int | None  # in its service's queue; 1 = served next
    waited: int  # minutes since joining
    left: int | None  # minutes before it expires


def _tz() -> ZoneInfo:
    return ZoneInfo(g.organization.timezone)


def _chosen(resources: list[Resource], resource_id: str | None) -> Resource | None:
    """The resource asked for (another's or an unknown one answers 404), else the first."""
    if not resource_id:
        return resources[0] if resources else None
    for resource in resources:
        if resource.id == resource_id:
            return resource
    abort(404)


def _minutes(delta_seconds: float) -> int:
    return max(0, math.ceil(delta_seconds / 60))


def _waiting(resource: Resource, current: datetime) -> list[Waiting]:
    bookings = queue.waiting_for_resource(db.session, g.organization.id, resource, current)
    positions = queue.positions(db.session, bookings, current)
    return [
        Waiting(
            booking=b,
            position=positions.get(b.id),
            waited=_minutes((current - b.created_at).total_seconds()) if b.created_at else 0,
            left=_minutes((b.expires_at - current).total_seconds()) if b.expires_at else None,
        )
        for b in bookings
    ]


def _under_way(resource: Resource, current: datetime) -> list[Booking]:
    """The resource's confirmed bookings that have started and not yet ended."""
    return list(
        db.session.scalars(
            select(Booking)
            .options(joinedload(Booking.customer), joinedload(Booking.booking_type))
            .where(
                Booking.organization_id == g.organization.id,
                Booking.resource_id == resource.id,
                Booking.status == S.CONFIRMED.value,
                Booking.start_at <= current,
                Booking.end_at > current,
            )
            .order_by(Booking.start_at, Booking.id)
        )
    )


def _fingerprint(waiting: list[Waiting], under_way: list[Booking]) -> str:
    """Changes whenever what the board shows changes: a poll that finds the same answers 204
    and the page keeps its focus."""
    shown = [(w.booking.id, w.position, w.left, w.waited) for w in waiting]
    shown += [(b.id, b.end_at.isoformat()) for b in under_way]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def _board(resource: Resource | None) -> dict:
    current = now()
    waiting = _waiting(resource, current) if resource else []
    under_way = _under_way(resource, current) if resource else []
    return {
        "resource": resource,
        "waiting": waiting,
        "under_way": under_way,
        "seen": _fingerprint(waiting, under_way),
        "tz": _tz(),
        "poll_seconds": current_app.config["QUEUE_POLL_SECONDS"],
    }


@bp.get("/queue")
@requires("staff")
def queue_page():
    resources = scoped_resources()
    resource = _chosen(resources, request.args.get("resource"))
    board = _board(resource)
    if request.htmx and request.htmx.target == "queue-board":
        if request.args.get("seen") == board["seen"]:
            return make_response("", 204)
        return render("admin/queue/_board.html", **board)
    return render("admin/queue/page.html", resources=resources, **board)


def _resource_from_form() -> Resource:
    """The resource a form acts for: one the member may use (any other answers 404)."""
    resource_id = request.form.get("resource")
    if not resource_id:
        abort(400, description=_("Choose one of your resources first."))
    return _chosen(scoped_resources(), resource_id)


@bp.post("/queue/<booking_id>/take")
@requires("staff")
def queue_take(booking_id: str):
    resource = _resource_from_form()
    try:
        booking = queue.assign_booking(
            db.session,
            g.organization,
            booking_id,
            resource_id=resource.id,
            actor=staff_actor(),
            now=now(),
        )
    except NotFound:
        raise
    except BookingError as error:
        db.session.rollback()
        message = TAKE_FAILURES.get(error.code) or error.message
        return _answer(resource, str(message), "error", 409)
    db.session.commit()
    name = booking.customer.full_name if booking.customer else ""
    message = (
        _("You are now serving %(name)s.", name=name) if name else _("The booking is yours now.")
    )
    return _answer(resource, message)


@bp.post("/queue/<booking_id>/end")
@requires("staff")
def queue_end(booking_id: str):
    resource = _resource_from_form()
    booking = manage.get_booking(
        db.session, g.organization, booking_id, resource_scope=[resource.id]
    )
    try:
        queue.end_booking(db.session, g.organization, booking.id, actor=staff_actor(), now=now())
    except NotFound:
        raise
    except BookingError:
        db.session.rollback()
        return _answer(resource, _("This booking is not under way any more."), "error", 409)
    db.session.commit()
    return _answer(resource, _("The booking is ended. The next customer can be taken."))


def _answer(resource: Resource, message: str, kind: str = "success", status: int = 200):
    """HTMX: the board as it is now, with a toast; a plain form: back to the page."""
    if request.htmx:
        body = render("admin/queue/_board.html", **_board(resource))[0]
        trigger = {"toast": {"message": message, "kind": kind}, "bookingsChanged": True}
        return make_response(body, status, trigger=trigger)
    return after_action(url_for("admin.queue_page", resource=resource.id), message, kind)
