"""The virtual queue on the website: joining a service's queue without a date or time (the
same details and code as booking), the customer's place in line, live, leaving it, and the
service counter's screen for a waiting room.

The customer's queue page has the booking's private link (the manage token); the booking
page sends a booking still waiting for a provider here."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, g, make_response, render_template, request, url_for
from flask_babel import gettext as _

from webapp import customers
from webapp.booking import intervals as iv
from webapp.booking import lifecycle
from webapp.booking import queue as booking_queue
from webapp.booking.errors import BookingError, InvalidTransition, ValidationFailed
from webapp.extensions import db
from webapp.i18n import current_lang
from webapp.models import Booking, BookingStatus, BookingType
from webapp.public import catalog as cat
from webapp.public.blueprint import bp, customer_timezone, go, now, render
from webapp.public.details import check_code, form_specs, read_details, send_code, typed_values
from webapp.public.pay import payment_url
from webapp.public.tokens import MANAGE_SALT, booking_from_token, manage_token
from webapp.security import limiter

S = BookingStatus
# htmx stops polling an element whose answer has this status (the booking is settled).
STOP_POLLING = 286
OTP_PURPOSE = "verify_booking"


def poll_seconds() -> int:
    """How often the live parts ask again (app config ``QUEUE_POLL_SECONDS``)."""
    return current_app.config["QUEUE_POLL_SECONDS"]


@dataclass(frozen=True)
class QueueLength:
    """A service's queue as someone about to join sees it."""

    waiting: int
    wait_minutes: int | None  # if one joined now


def queue_services() -> list[BookingType]:
    """The website's services that can be joined as a queue."""
    catalog = cat.load_catalog(db.session, g.organization)
    return catalog.queue_types()


def queue_length(service: BookingType) -> QueueLength | None:
    """How long ``service``'s queue is now; None when it has no queue. Counted once per
    request, for all the services at once."""
    if not service.queue_enabled:
        return None
    if "queue_counts" not in g:
        g.queue_counts = booking_queue.pending_counts(db.session, g.organization.id, now())
    waiting = g.queue_counts.get(service.id, 0)
    return QueueLength(waiting, booking_queue.estimated_wait(service.minutes, waiting + 1))


@bp.context_processor
def _queue_context():
    if "site" not in g:
        return {}
    return dict(queue_length=queue_length, queue_services=queue_services)


def _service_or_404(type_id: str) -> BookingType:
    service = next((t for t in queue_services() if t.id == type_id), None)
    if service is None:
        abort(404, description=_("This service has no queue to join."))
    return service


# -- joining --------------------------------------------------------------------------------


def _join_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


@bp.route("/queue/join/<type_id>", methods=["GET", "POST"])
@limiter.limit(_join_limit, scope="booking", methods=["POST"])
def queue_join(type_id: str):
    """The details form for joining a service's queue; then, as for a booking, the code."""
    service = _service_or_404(type_id)
    customer_specs, booking_specs = form_specs(service.id)
    values: dict = {}
    errors: dict = {}
    if request.method == "POST":
        customer_answers, booking_answers, errors = read_details(customer_specs, booking_specs)
        if not errors and g.site.require_verification:
            payload = {"queueTypeId": service.id, "customer": customer_answers}
            challenge_id, errors, status = send_code(
                customer_answers, {**payload, "info": booking_answers}
            )
            if challenge_id:
                return go(url_for(".queue_join_verify", type_id=service.id, challenge=challenge_id))
            return _join_page(service, _typed(service), errors, status=status)
        if not errors:
            return _join(service, customer_answers, booking_answers, verified=False)
        values = _typed(service)
    return _join_page(service, values, errors)


def _typed(service: BookingType) -> dict:
    """What the customer typed, by field key, to fill the form in again."""
    return typed_values(*form_specs(service.id))


def _join_page(service, values, errors, status=None, message=None):
    customer_specs, booking_specs = form_specs(service.id)
    return render(
        "public/queue_join.html",
        status or (422 if errors else 200),
        service=service,
        line=queue_length(service),
        customer_specs=customer_specs,
        booking_specs=booking_specs,
        values=values,
        errors=errors,
        message=message,
    )


@bp.route("/queue/join/<type_id>/verify", methods=["GET", "POST"])
def queue_join_verify(type_id: str):
    service = _service_or_404(type_id)
    challenge_id = (request.values.get("challenge") or "")[:32]
    error = None
    if request.method == "POST":
        challenge, error = check_code(challenge_id, OTP_PURPOSE)
        if challenge is not None:
            payload = challenge.payload or {}
            if payload.get("queueTypeId") != service.id:
                abort(404, description=_("This code is for another booking."))
            customer_answers = payload.get("customer") or {}
            return _join(service, customer_answers, payload.get("info") or {}, verified=True)
    return render(
        "public/verify.html",
        422 if error else 200,
        token=None,
        resend_url=url_for(".queue_join", type_id=service.id),
        challenge_id=challenge_id,
        error=error,
    )


def _join(service: BookingType, customer_answers: dict, booking_answers: dict, *, verified: bool):
    try:
        customer = customers.record_customer(
            db.session,
            g.organization,
            customer_answers,
            now=now(),
            lang=current_lang(),
            verified=verified,
        )
        booking = booking_queue.join_queue(
            db.session,
            g.organization,
            booking_type_id=service.id,
            actor=lifecycle.Actor("customer", customer.id),
            now=now(),
            customer=customer,
            info=booking_answers,
            source="website",
            website_id=g.website.id,
            payment_window_minutes=current_app.config["PAYMENT_WINDOW_MINUTES"],
        )
    except ValidationFailed as error:
        db.session.rollback()
        fields = error.details.get("fields") or {}
        errors = {key: _("Enter a valid value.") for key in fields} if fields else {}
        message = None if errors else _("Please check your details and try again.")
        return _join_page(service, _typed(service), errors, status=422, message=message)
    except BookingError:
        db.session.rollback()
        message = _("This queue cannot be joined right now. Please try again later.")
        return _join_page(service, {}, {}, status=409, message=message)
    db.session.commit()
    if booking.status == S.PENDING_PAYMENT:
        return go(payment_url(booking) or _queue_url(booking, new=1))
    return go(_queue_url(booking, new=1))


def _queue_url(booking: Booking, **params) -> str:
    return url_for(".queue_page", token=manage_token(g.website.id, booking.id), **params)


# -- the customer's place in line ------------------------------------------------------------


def is_queued(booking: Booking) -> bool:
    """A booking made by joining a queue (it has no time until a provider takes it)."""
    return booking.assignment_timeout is not None or booking.start_at is None


def _queued_or_404(token: str) -> Booking:
    booking = booking_from_token(db.session, MANAGE_SALT, g.website.id, g.organization.id, token)
    if booking is None or booking.status == S.TEMPORARY or not is_queued(booking):
        abort(404, description=_("This booking link is not valid."))
    return booking


def _state(booking: Booking) -> str:
    """What the queue page says about ``booking``."""
    status = S(booking.status)
    if status == S.PENDING_ASSIGNMENT:
        expired = booking.expires_at is not None and booking.expires_at <= now()
        return "expired" if expired else "waiting"
    if status in (S.CONFIRMED, S.COMPLETED):
        return "assigned"
    if status == S.REJECTED:
        return "expired"
    if status == S.PENDING_PAYMENT:
        return "payment"
    return "left" if booking.canceled_by == "customer" else "canceled"


def _status_context(token: str, booking: Booking) -> dict:
    state = _state(booking)
    position = wait = None
    if state == "waiting":
        position = booking_queue.position(db.session, booking, now())
        wait = booking_queue.estimated_wait(booking.duration, position) if position else None
    tz = customer_timezone()
    ended = state in ("expired", "left", "canceled")
    return dict(
        booking=booking,
        token=token,
        state=state,
        seen=f"{state}:{position or ''}",
        position=position,
        wait_minutes=wait,
        tz=tz,
        tz_info=iv.zone(tz),
        poll_seconds=poll_seconds(),
        live=state in ("waiting", "payment"),
        pay_url=payment_url(booking) if state == "payment" else None,
        booking_url=url_for(".booking_manage", token=token) if booking.start_at else None,
        rejoin_url=_rejoin_url(booking) if ended else None,
    )


def _rejoin_url(booking: Booking) -> str | None:
    if not any(t.id == booking.booking_type_id for t in queue_services()):
        return None
    return url_for(".queue_join", type_id=booking.booking_type_id)


@bp.get("/queue/<token>")
def queue_page(token: str):
    booking = _queued_or_404(token)
    return queue_view(token, booking)


def queue_view(token: str, booking: Booking, status: int = 200, **extra):
    return render(
        "public/queue.html",
        status,
        is_new=request.args.get("new") == "1",
        **_status_context(token, booking),
        **extra,
    )


@bp.get("/queue/<token>/status")
def queue_status(token: str):
    """The live part of the queue page, asked for again every few seconds."""
    booking = _queued_or_404(token)
    if request.headers.get("HX-Request") != "true":
        return queue_view(token, booking)
    context = _status_context(token, booking)
    if context["live"] and request.args.get("seen") == context["seen"]:
        return "", 204  # nothing new to show or to announce
    response = make_response(render_template("public/_queue_status.html", polled=True, **context))
    if not context["live"]:
        response.status_code = STOP_POLLING
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/queue/<token>/leave")
def queue_leave(token: str):
    booking = _queued_or_404(token)
    if booking.status not in (S.PENDING_ASSIGNMENT, S.PENDING_PAYMENT):
        message = _("You are no longer waiting in this queue.")
        return queue_view(token, booking, 422, leave_error=message)
    try:
        lifecycle.cancel_booking(
            db.session,
            g.organization,
            booking.id,
            actor=lifecycle.Actor("customer", booking.customer_id),
            now=now(),
        )
    except InvalidTransition:
        db.session.rollback()
        message = _("You are no longer waiting in this queue.")
        return queue_view(token, db.session.get(Booking, booking.id), 422, leave_error=message)
    db.session.commit()
    return go(url_for(".queue_page", token=token))


# -- the service counter's screen ------------------------------------------------------------


@bp.get("/counter")
def queue_counter():
    """How long each service's queue is, for a screen in the waiting room: no names."""
    context = dict(services=queue_services(), poll_seconds=poll_seconds())
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == (
        "counter-board"
    ):
        response = make_response(render_template("public/_counter_board.html", **context))
        response.headers["Cache-Control"] = "no-store"
        return response
    return render("public/counter.html", **context)
