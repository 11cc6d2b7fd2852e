"""My Bookings (seed 002): the signed-in customer's bookings, page by page, one of them, and
canceling one within the website's notice (``change_notice_hours``), as the booking's own
page allows."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import g, request
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select

from webapp.api import inputs
from webapp.api.blueprint import body, bp, customer_required, ok
from webapp.api.customer import (
    booking_json,
    bookings_json,
    envelope_text,
    field_rows,
    idempotent,
    own_booking,
    public_keys,
)
from webapp.api.pagination import decode, pagination, read_limit
from webapp.api.shapes import bookings as shapes
from webapp.booking import intervals as iv
from webapp.booking import lifecycle
from webapp.booking.errors import InvalidTransition, OutsideWindow, ValidationFailed
from webapp.extensions import db
from webapp.models import Booking, BookingStatus, Invoice
from webapp.public.blueprint import now
from webapp.public.manage import can_change, change_deadline

REASON_LIMIT = 500
DATE_TYPES = ("dateTime", "createdAt")
DIRECTIONS = ("desc", "asc")
INCLUDES = frozenset({"customer", "type", "resource", "invoice"})
LISTED = [s for s in BookingStatus if s != BookingStatus.TEMPORARY]


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    value = request.args.get(name) or allowed[0]
    if value not in allowed:
        raise ValidationFailed(
            _("%(field)s must be one of: %(values)s.", field=name, values=", ".join(allowed)),
            field=name,
        )
    return value


def _csv(name: str, allowed) -> list[str]:
    values = [v.strip() for v in (request.args.get(name) or "").split(",") if v.strip()]
    for value in values:
        if value not in allowed:
            raise ValidationFailed(
                _(
                    "%(field)s: %(value)s is not one of %(values)s.",
                    field=name,
                    value=value[:40],
                    values=", ".join(sorted(allowed)),
                ),
                field=name,
            )
    return values


@bp.get("/customer/bookings")
@customer_required
def bookings_list():
    date_type = _choice("dateType", DATE_TYPES)
    direction = _choice("orderDirection", DIRECTIONS)
    statuses = _csv("status", set(LISTED))
    includes = set(_csv("includes", INCLUDES))
    limit = read_limit(request.args.get("limit"), default=10)
    list_name = f"customer.bookings.{date_type}.{direction}"
    position = decode(list_name, request.args.get("nextPageToken"))

    # Queue bookings have no start yet: they sort by when they were made.
    key = (
        Booking.created_at
        if date_type == "createdAt"
        else func.coalesce(Booking.start_at, Booking.created_at)
    )
    statement = select(Booking).where(
        Booking.organization_id == g.organization.id,
        Booking.customer_id == g.customer.id,
        Booking.status.in_(statuses or LISTED),
    )
    if request.args.get("resource"):
        statement = statement.where(Booking.resource_id == request.args["resource"][:64])
    statement = _bounded(statement, key)
    if position:
        statement = statement.where(_after(key, position, direction))
    order = (key.desc(), Booking.id.desc()) if direction == "desc" else (key, Booking.id)
    rows = list(db.session.scalars(statement.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    following = None
    if more:
        last = rows[-1]
        moment = last.created_at if date_type == "createdAt" else last.start_at or last.created_at
        following = [moment.isoformat(), last.id]
    shaped = bookings_json(rows)
    if includes & {"customer", "invoice"}:
        _include(shaped, rows, includes)
    return ok(shaped, pagination=pagination(following, list_name))


def _bounded(statement, key):
    since = inputs.list_bound(request.args.get("from"), "from", g.site.timezone)
    until = inputs.list_bound(request.args.get("to"), "to", g.site.timezone)
    if since is not None:
        statement = statement.where(key >= since[0])
    if until is not None:
        moment, whole_day = until
        if whole_day:  # up to the end of that day
            statement = statement.where(key < moment + timedelta(days=1))
        else:
            statement = statement.where(key <= moment)
    return statement


def _after(key, position: list, direction: str):
    """Rows after the page's last one, by the list's order (ties broken by id)."""
    try:
        moment, last_id = datetime.fromisoformat(position[0]), str(position[1])
    except (IndexError, TypeError, ValueError):
        raise ValidationFailed(
            _("This nextPageToken is not valid."), field="nextPageToken"
        ) from None
    if direction == "desc":
        return or_(key < moment, and_(key == moment, Booking.id < last_id))
    return or_(key > moment, and_(key == moment, Booking.id > last_id))


def _include(shaped: list[dict], rows: list[Booking], includes: set[str]) -> None:
    """The related objects asked for with ``includes`` (type and resource are always there)."""
    customer = None
    if "customer" in includes:
        customer = shapes.customer(g.customer, data_keys=public_keys(field_rows("customer")))
    invoices = {}
    if "invoice" in includes and rows:
        found = db.session.scalars(
            select(Invoice)
            .where(
                Invoice.organization_id == g.organization.id,
                Invoice.booking_id.in_([r.id for r in rows]),
            )
            .order_by(Invoice.number)
        )
        invoices = {i.booking_id: i for i in found}
    for item, row in zip(shaped, rows, strict=True):
        if "customer" in includes:
            item["customer"] = customer
        if "invoice" in includes:
            invoice = invoices.get(row.id)
            item["invoice"] = shapes.invoice(invoice, timezone=g.site.timezone) if invoice else None


@bp.get("/customer/bookings/<booking_id>")
@customer_required
def booking_get(booking_id: str):
    return ok(booking_json(own_booking(booking_id)))


@bp.post("/customer/bookings/cancel")
@customer_required
def booking_cancel():
    data = body()
    booking_id = inputs.text(data, "bookingId", limit=64, required=True)
    reason = inputs.text(data, "reason", limit=REASON_LIMIT)
    response, _done_now = idempotent(
        "customer.bookings.cancel", data, lambda: _cancel(booking_id, reason)
    )
    return response


def _cancel(booking_id: str, reason: str | None) -> tuple[int, str]:
    booking = own_booking(booking_id)
    if not lifecycle.can_cancel(booking):
        raise InvalidTransition(
            _("This booking can no longer be canceled: it is %(status)s.", status=booking.status),
            status=booking.status,
        )
    # A booking waiting in a queue has no time yet: the customer may leave at any point.
    if booking.start_at is not None and not can_change(booking):
        deadline = change_deadline(booking).astimezone(iv.zone(g.site.timezone))
        raise OutsideWindow(_too_late_message(), deadline=deadline.isoformat(), field="bookingId")
    booking = lifecycle.cancel_booking(
        db.session,
        g.organization,
        booking.id,
        actor=lifecycle.Actor("customer", g.customer.id),
        now=now(),
        reason=reason,
    )
    return envelope_text(booking_json(booking))


def _too_late_message() -> str:
    hours = g.site.change_notice_hours or 0
    if hours:
        return ngettext(
            "This booking can no longer be canceled online: changes are possible until "
            "%(num)s hour before it starts. Please contact us.",
            "This booking can no longer be canceled online: changes are possible until "
            "%(num)s hours before it starts. Please contact us.",
            hours,
        )
    return _("This booking can no longer be canceled online. Please contact us.")
