"""Manage Bookings (seed 002): the organization's bookings page by page, one booking, and
what providers do with one (cancel, approve, reject, end one under way); the queue and
taking a booking from it are in :mod:`management_queue`.

Every member reads; a staff member only the bookings of the resources they provide, and the
queued bookings those resources could take (any other answers 404, like an unknown id), and
acts only on those. Writes accept an ``Idempotency-Key``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import joinedload

from webapp.api import billing, inputs
from webapp.api.access import management
from webapp.api.blueprint import answer_once, body, bp, ok
from webapp.api.pagination import decode, pagination, read_limit
from webapp.api.shapes import bookings as shapes
from webapp.booking import lifecycle, queue
from webapp.booking.errors import BookingError, NotFound, ValidationFailed
from webapp.extensions import db
from webapp.manage import bookings as manage
from webapp.models import Booking, resource_types
from webapp.public.blueprint import now

LIST_NAME = "management.bookings"
DATE_TYPES = {"dateTime": "start", "createdAt": "created"}
DIRECTIONS = ("desc", "asc")
INCLUDES = frozenset({"customer", "type", "resource", "invoice"})
MAX_IDS = 100
REASON_LIMIT = 1000
# A listed booking is written whole: its service, resource and customer come with it.
FULL_ROWS = (
    joinedload(Booking.booking_type),
    joinedload(Booking.resource),
    joinedload(Booking.customer),
)


# --- how staff read bookings ------------------------------------------------------------------


def bookings_json(rows: list[Booking], *, with_invoice: bool = False) -> list[dict]:
    """Bookings as staff see them: every answer, the customer, the place in the queue."""
    invoices = billing.invoices_by_booking([row.id for row in rows])
    links = billing.booking_links(rows, invoices)
    places = queue.positions(db.session, rows, now())
    attempts = billing.payments_of([i.id for i in invoices.values()]) if with_invoice else {}
    shaped = []
    for row in rows:
        invoice = invoices.get(row.id)
        item = shapes.booking(
            row,
            timezone=g.site.timezone,
            invoice=invoice,
            queue_position=places.get(row.id),
            links=links.get(row.id),
        )
        item["customerId"] = row.customer_id
        item["customer"] = shapes.customer(row.customer) if row.customer else None
        # When a hold lets go, an unpaid booking is dropped or a queued one runs out.
        item["expiresAt"] = row.expires_at.isoformat() if row.expires_at else None
        item["note"] = row.note or ""
        if with_invoice:
            item["invoice"] = (
                shapes.invoice(
                    invoice,
                    timezone=g.site.timezone,
                    links=billing.invoice_links(invoice, row),
                    payments=attempts.get(invoice.id, []),
                )
                if invoice
                else None
            )
        shaped.append(item)
    return shaped


def booking_json(row: Booking) -> dict:
    return bookings_json([row], with_invoice=True)[0]


def waiting(moment: datetime):
    """Bookings still in a queue: waiting for a provider, their time not yet run out."""
    return and_(Booking.organization_id == g.organization.id, queue.waiting_filter(moment))


def visible_booking(booking_id: object, *, field: str | None = None) -> Booking:
    """The booking, if the caller may see it; any other id answers like an unknown one."""
    if not isinstance(booking_id, str) or not booking_id:
        raise NotFound(_("Booking not found."), field=field)
    scope = g.caller.resource_scope
    try:
        return manage.get_booking(db.session, g.organization, booking_id, resource_scope=scope)
    except NotFound:
        queued = queued_for(scope, booking_id) if scope is not None else None
        if queued is None:
            raise NotFound(_("Booking not found."), field=field) from None
        return queued


def queued_for(scope: list[str], booking_id: str, *, unassigned: bool = True) -> Booking | None:
    """A booking of a service one of the staff member's resources offers (``unassigned``:
    one still without a resource, as in the queue)."""
    offered = exists().where(
        resource_types.c.booking_type_id == Booking.booking_type_id,
        resource_types.c.resource_id.in_(scope),
    )
    statement = select(Booking).where(
        Booking.organization_id == g.organization.id, Booking.id == booking_id[:64], offered
    )
    if unassigned:
        statement = statement.where(Booking.resource_id.is_(None))
    return db.session.scalar(statement)


def idempotent(operation: str, data: dict, action: Callable[[], dict], status: int = 200):
    """Run ``action`` (which answers the result object) once per ``Idempotency-Key``: a
    retry gets the first answer byte for byte (``Idempotent-Replayed: true``), the key with
    another body 422. Commits."""

    def answer() -> tuple[int, str]:
        return status, ok(action(), status).get_data(as_text=True)

    # Another caller's key is not theirs to replay (it may show what they cannot see).
    payload = {"caller": g.caller.actor.label, "body": data}
    return answer_once(g.organization.id, operation, payload, answer)


# --- the list -----------------------------------------------------------------------------------


def _choice(name: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    value = request.args.get(name) or allowed[0]
    if value not in allowed:
        raise ValidationFailed(
            _("%(field)s must be one of: %(values)s.", field=name, values=", ".join(allowed)),
            field=name,
        )
    return value


def _csv(name: str, allowed: Iterable[str] | None = None) -> tuple[str, ...]:
    values = tuple(
        dict.fromkeys(v.strip() for v in (request.args.get(name) or "").split(",") if v.strip())
    )
    if len(values) > MAX_IDS:
        raise ValidationFailed(
            _("%(field)s lists at most %(n)d values.", field=name, n=MAX_IDS), field=name
        )
    known = set(allowed) if allowed is not None else None
    for value in values:
        if known is not None and value not in known:
            raise ValidationFailed(
                _(
                    "%(field)s: %(value)s is not one of %(values)s.",
                    field=name,
                    value=value[:40],
                    values=", ".join(sorted(known)),
                ),
                field=name,
            )
    return tuple(v[:64] for v in values)


def _filters(dates_of: str) -> manage.BookingFilters:
    timezone = g.site.timezone
    since = inputs.list_bound(request.args.get("from"), "from", timezone)
    until = inputs.list_bound(request.args.get("to"), "to", timezone)
    if since and until and until[0] < since[0]:
        raise ValidationFailed(_("to must not be before from."), field="to")
    return manage.BookingFilters(
        first=since[0].date() if since and since[1] else None,
        last=until[0].date() if until and until[1] else None,
        since=since[0] if since and not since[1] else None,
        until=until[0] if until and not until[1] else None,
        dates_of=dates_of,
        statuses=_csv("status", manage.STATUSES),
        resource_ids=_csv("resources"),
        type_id=(request.args.get("type") or None),
        customer_id=(request.args.get("customerId") or None),
    )


def read_cursor(position: list | None) -> manage.Cursor | None:
    if position is None:
        return None
    try:
        start, booking_id = position
        moment = datetime.fromisoformat(start)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("This nextPageToken is not valid."), field="nextPageToken"
        ) from None
    return manage.Cursor(moment, str(booking_id))


@bp.get("/management/bookings")
@management()
def management_bookings_list():
    dates_of = DATE_TYPES[_choice("dateType", DATE_TYPES)]
    direction = _choice("orderDirection", DIRECTIONS)
    includes = set(_csv("includes", INCLUDES))
    limit = read_limit(request.args.get("limit"), default=100)
    list_name = f"{LIST_NAME}.{direction}"
    page = manage.list_bookings(
        db.session,
        g.organization,
        _filters(dates_of),
        resource_scope=g.caller.resource_scope,
        after=read_cursor(decode(list_name, request.args.get("nextPageToken"))),
        limit=limit,
        descending=direction == "desc",
        timezone=g.site.timezone,
        columns=FULL_ROWS,
    )
    following = page.next_cursor
    position = [following.start.isoformat(), following.booking_id] if following else None
    return ok(
        bookings_json(page.bookings, with_invoice="invoice" in includes),
        pagination=pagination(position, list_name),
    )


@bp.get("/management/bookings/<booking_id>")
@management()
def management_booking_get(booking_id: str):
    return ok(booking_json(visible_booking(booking_id)))


# --- what providers do with a booking -------------------------------------------------------


def _booking_id(data: dict) -> str:
    return inputs.text(data, "bookingId", limit=64, required=True)


def act(
    operation: str,
    data: dict,
    change: Callable[[Booking], Booking],
    find: Callable[..., Booking] = visible_booking,
):
    """Change a booking the caller may act on, answering it as it is then."""
    booking_id = _booking_id(data)

    def action() -> dict:
        booking = find(booking_id, field="bookingId")
        try:
            changed = change(booking)
        except BookingError as error:
            raise in_words(error, booking) from None
        return booking_json(changed)

    return idempotent(operation, data, action)


@bp.post("/management/bookings/cancel")
@management()
def management_booking_cancel():
    data = body()
    reason = inputs.text(data, "reason", limit=REASON_LIMIT)
    return act(
        "management.bookings.cancel",
        data,
        lambda booking: lifecycle.cancel_booking(
            db.session, g.organization, booking.id, actor=g.caller.actor, now=now(), reason=reason
        ),
    )


@bp.post("/management/bookings/approve")
@management()
def management_booking_approve():
    return act(
        "management.bookings.approve",
        body(),
        lambda booking: lifecycle.approve_booking(
            db.session, g.organization, booking.id, actor=g.caller.actor, now=now()
        ),
    )


@bp.post("/management/bookings/reject")
@management()
def management_booking_reject():
    data = body()
    reason = inputs.text(data, "reason", limit=REASON_LIMIT)
    return act(
        "management.bookings.reject",
        data,
        lambda booking: lifecycle.reject_booking(
            db.session, g.organization, booking.id, actor=g.caller.actor, now=now(), reason=reason
        ),
    )


@bp.post("/management/bookings/end")
@management()
def management_booking_end():
    return act(
        "management.bookings.end",
        body(),
        lambda booking: queue.end_booking(
            db.session, g.organization, booking.id, actor=g.caller.actor, now=now()
        ),
    )


def in_words(error: BookingError, booking: Booking) -> BookingError:
    """The booking service's refusals in the reader's language, naming the field."""
    status = booking.status
    if error.code == "INVALID_TRANSITION" and "start" in error.details:
        error.message = _("This booking has not started yet.")
    elif error.code == "INVALID_TRANSITION":
        error.message = _("This booking cannot do that: it is %(status)s.", status=status)
    elif error.code == "SCH-ALREADY_ASSIGNED":
        error.message = _("Another provider has already taken this booking.")
    elif error.code == "BKS-110":
        error.message = _("This booking waited too long in the queue and has expired.")
    elif error.code == "BOOKING_CONFLICT":
        error.message = _("This resource already has a booking at this time.")
    elif error.code in ("INVALID_RESOURCE", "INVALID_SERVICE"):
        error.message = _("This resource does not offer this booking's service.")
        error.details["field"] = "resourceId"
    error.details.setdefault("field", "bookingId")
    return error
