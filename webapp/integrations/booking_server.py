"""The booking server of seed 004 at ``/rwg/v3/``: the Booking Server API (v3) that a
reservation partner such as Reserve with Google calls to read free times and to book, cancel
and move bookings for its users.

A partner signs every call with HTTP Basic credentials (made by ``mawid
create-booking-partner`` or in the admin) and serves one organization: ``merchant_id`` is the
organization id, ``service_id`` a booking type id, ``staff_id`` a resource id. It books as
customers do on the organization's first website: its services and resources, the
customers' five-minute grid, notice, horizon and change notice; bookings carry the source
``partner``.

Answers follow that API. Business outcomes (the slot was taken, the booking is already
canceled) are HTTP 200 with a ``booking_failure``. Errors are ``{"error": {"code",
"message", "details"}}`` with Google's canonical status names: 400 INVALID_ARGUMENT for a
malformed request, 401 UNAUTHENTICATED without valid credentials (HealthCheck too, so a
passing health check proves the credentials), 403 PERMISSION_DENIED for another merchant,
404 NOT_FOUND for an unknown booking, 409 ABORTED while a retry of the same request runs.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from webapp.booking import idempotency
from webapp.booking.errors import BookingError, IdempotencyKeyReused
from webapp.booking.locking import begin_write
from webapp.errors import KEPT_HEADERS, envelope
from webapp.extensions import db
from webapp.i18n import current_lang
from webapp.integrations import booking_server_bookings as bookings
from webapp.integrations import booking_server_shapes as shapes
from webapp.integrations.access import default_website
from webapp.integrations.booking_server_slots import SlotChecker
from webapp.manage.booking_partners import authenticate_partner
from webapp.manage.customers import phone_country
from webapp.models import Organization
from webapp.public.blueprint import now
from webapp.security import limiter

bp = Blueprint("booking_server", __name__, url_prefix="/rwg/v3")

MAX_SLOTS = 100
LAST_USED_STEP_SECONDS = 60  # how precisely a partner's last use is kept
CHALLENGE = 'Basic realm="booking server"'
# Google's canonical status names for the HTTP statuses this API answers.
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
}


class Unauthenticated(BookingError):
    code = "UNAUTHENTICATED"
    http_status = 401
    default_message = "Sign the request with the partner's username and password (HTTP Basic)."


class PermissionDenied(BookingError):
    code = "PERMISSION_DENIED"
    http_status = 403
    default_message = "This partner may not act for this merchant."


# --- errors --------------------------------------------------------------------------------


@bp.errorhandler(BookingError)
def _booking_error(error: BookingError):
    # The API knows no 422: a request the booking service finds invalid is a bad request.
    status = 400 if error.http_status == 422 else error.http_status
    code = STATUS_NAMES.get(status, error.code)
    details = dict(error.details)
    if code != error.code:
        details["reason"] = error.code
    return _error(code, error.message, status, details)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    status = error.code or 500
    name = (error.name or "error").upper().replace(" ", "_")
    response = _error(STATUS_NAMES.get(status, name), error.description or "", status, {})
    for header, value in error.get_headers():
        if header in KEPT_HEADERS:
            response.headers[header] = value
    return response


def _error(code: str, message: str, status: int, details: dict):
    db.session.rollback()
    response = envelope(code, message, status, details)
    if status == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    return response


# --- the partner ---------------------------------------------------------------------------


def _rate_key() -> str:
    raw = request.headers.get("Authorization", "")
    return "booking-partner:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def partner_required(view):
    """The view runs for an active partner (``g.partner``, ``g.organization``); calls are
    limited per credential (``INTEGRATION_RATE_LIMIT``)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        auth = request.authorization
        partner = None
        if auth is not None and auth.type == "basic":
            partner = authenticate_partner(db.session, auth.username, auth.password)
        if partner is None:
            raise Unauthenticated(
                _("Sign the request with the partner's username and password (HTTP Basic).")
            )
        _note_use(partner)
        g.partner = partner
        g.organization = db.session.get(Organization, partner.organization_id)
        return view(*args, **kwargs)

    return limiter.limit(
        lambda: current_app.config["INTEGRATION_RATE_LIMIT"],
        key_func=_rate_key,
        scope="booking-partner",
    )(wrapped)


def _note_use(partner) -> None:
    """When the partner last called, in a short write of its own (taken before the call's
    own work, so a lookup never holds the write lock)."""
    moment = now()
    last = partner.last_used_at
    if last is not None and (moment - last).total_seconds() < LAST_USED_STEP_SECONDS:
        return
    begin_write(db.session)
    partner.last_used_at = moment
    db.session.commit()


def _own_merchant(merchant_id: str | None, name: str) -> None:
    if merchant_id is None:
        raise shapes.invalid(name, _("%(field)s is required.", field=name))
    if merchant_id != g.partner.organization_id:
        raise PermissionDenied(
            _("This partner may not act for merchant %(merchant)s.", merchant=merchant_id),
            field=name,
        )


def _terms() -> bookings.Terms:
    website = default_website(g.organization)
    site = website.settings if website is not None else None
    return bookings.Terms(
        organization=g.organization,
        partner=g.partner,
        website_id=website.id if website is not None else None,
        timezone=site.timezone if site is not None else g.organization.timezone,
        change_notice_hours=(site.change_notice_hours or 0) if site is not None else 0,
        payment_window_minutes=current_app.config["PAYMENT_WINDOW_MINUTES"],
        now=now(),
        lang=current_lang(),
    )


def _body() -> dict:
    """The request's JSON object (an empty body counts as ``{}``)."""
    if not request.get_data(cache=True):
        return {}
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise shapes.InvalidArgument(_("The body must be a JSON object."))
    return data


# --- the methods ---------------------------------------------------------------------------


@bp.route("/HealthCheck", methods=["GET", "POST"])
@partner_required
def health_check():
    return jsonify({})


@bp.post("/BatchAvailabilityLookup")
@partner_required
def batch_availability_lookup():
    data = _body()
    _own_merchant(shapes.read_text(data, "merchant_id", limit=shapes.MAX_ID), "merchant_id")
    items = data.get("slot_time")
    if not isinstance(items, list) or not 0 < len(items) <= MAX_SLOTS:
        raise shapes.invalid("slot_time", _("slot_time must list 1 to %(n)d slots.", n=MAX_SLOTS))
    slots = [
        shapes.read_slot(item, f"slot_time[{i}]", resources_key="resource_ids")
        for i, item in enumerate(items)
    ]
    checker = SlotChecker(db.session, _terms())
    answers = []
    for slot in slots:
        available, mode = checker.check(slot)
        echo = dict(slot.echo)
        if mode is not None:
            echo["confirmation_mode"] = mode
        answers.append({"available": available, "slot_time": echo})
    return jsonify({"slot_time_availability": answers})


@bp.post("/CreateBooking")
@partner_required
def create_booking():
    data = _body()
    token = shapes.read_text(data, "idempotency_token", limit=shapes.MAX_TOKEN)
    slot = shapes.read_slot(
        shapes.read_object(data, "slot", required=True), "slot", resources_key="resources"
    )
    _own_merchant(slot.merchant_id, "slot.merchant_id")
    user = shapes.read_user(data, phone_country(db.session, g.organization))
    payment = shapes.read_payment(data)
    operation, payload = "rwg.CreateBooking", {"partner": g.partner.id, "body": data}
    fingerprint = idempotency.request_hash(operation, payload)
    terms = _terms()

    def book() -> tuple[int, str]:
        result = bookings.create(
            db.session,
            terms,
            slot=slot,
            user=user,
            payment=payment,
            token=token,
            fingerprint=fingerprint,
        )
        return 200, jsonify(result).get_data(as_text=True)

    if token is None:
        status, text = book()
    else:
        # The partner's token, kept apart from every other caller's idempotency keys.
        key = "rwg-" + hashlib.sha256(f"{g.partner.id}\n{token}".encode()).hexdigest()
        try:
            result = idempotency.run_idempotent(
                db.session, g.organization.id, key, operation, payload, book, terms.now
            )
        except IdempotencyKeyReused as error:
            error.message = _("This idempotency_token was already used with a different request.")
            error.details = {"field": "idempotency_token"}
            raise
        status, text = result.status, result.body
    db.session.commit()
    return current_app.response_class(text, status=status, mimetype="application/json")


@bp.post("/UpdateBooking")
@partner_required
def update_booking():
    data = _body()
    given = shapes.read_object(data, "booking", required=True)
    booking_id = shapes.read_text(
        given, "booking_id", "booking", limit=shapes.MAX_ID, required=True
    )
    fields = _update_mask(data.get("update_mask"))
    wanted = shapes.read_text(given, "status", "booking", limit=shapes.MAX_ID)
    slot_data = given.get("slot")
    if fields is not None:
        wanted = wanted if "status" in fields else None
        slot_data = slot_data if "slot" in fields else None
    slot = None
    if slot_data is not None:
        slot = shapes.read_slot(slot_data, "booking.slot", resources_key="resources", change=True)
        if slot.merchant_id is not None:
            _own_merchant(slot.merchant_id, "booking.slot.merchant_id")
    if fields is None and slot is not None and wanted != "CANCELED":
        wanted = None  # a whole booking sent back to move it: its status is not a change
    if wanted is not None and wanted != "CANCELED":
        raise shapes.invalid("booking.status", _("A partner may set status to CANCELED only."))
    if wanted is None and slot is None:
        raise shapes.invalid(
            "booking", _("Send status CANCELED to cancel, or a slot with a new start_sec to move.")
        )
    terms = _terms()
    link = bookings.find_link(db.session, g.partner, booking_id, for_update=True)
    if wanted == "CANCELED":
        result = bookings.cancel(db.session, terms, link)
    else:
        result = bookings.move(db.session, terms, link, slot)
    db.session.commit()
    return jsonify(result)


def _update_mask(value: object) -> set[str] | None:
    """The top-level fields an ``update_mask`` names ("status", "slot.start_sec", ... as a
    comma-separated string or a ``{"paths": [...]}`` object); None without a mask."""
    if value is None:
        return None
    paths = value.get("paths") if isinstance(value, dict) else value
    if isinstance(paths, str):
        paths = paths.split(",")
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise shapes.invalid("update_mask", _("update_mask must name the fields to change."))
    fields = {_snake(p.strip()).split(".")[0] for p in paths if p.strip()}
    if not fields or not fields <= {"status", "slot"}:
        raise shapes.invalid(
            "update_mask", _("A partner may change a booking's status or its slot only.")
        )
    return fields


def _snake(path: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in path)


@bp.post("/GetBookingStatus")
@partner_required
def get_booking_status():
    data = _body()
    booking_id = shapes.read_text(data, "booking_id", limit=shapes.MAX_ID, required=True)
    link = bookings.find_link(db.session, g.partner, booking_id)
    return jsonify(bookings.status(db.session, link))


@bp.post("/ListBookings")
@partner_required
def list_bookings():
    data = _body()
    user_id = shapes.read_text(data, "user_id", limit=shapes.MAX_TOKEN, required=True)
    return jsonify(bookings.user_bookings(db.session, _terms(), user_id))
