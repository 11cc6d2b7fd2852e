"""Completing a hold: the customer's details and booking information, an optional one-time
code, then the booking is confirmed (or waits for approval or payment)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import abort, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from webapp import customers
from webapp.auth import otp
from webapp.booking import intervals as iv
from webapp.booking import lifecycle
from webapp.booking.errors import BookingError, HoldExpired, InvalidTransition
from webapp.extensions import db
from webapp.i18n import current_lang
from webapp.models import Booking, BookingStatus, CustomField, OtpChallenge
from webapp.notify import messaging
from webapp.public import answers as form_answers
from webapp.public import catalog as cat
from webapp.public import fields as form_fields
from webapp.public.blueprint import EMBED, bp, customer_timezone, go, now, render
from webapp.public.pay import payment_url
from webapp.public.tokens import HOLD_SALT, booking_from_token, manage_token
from webapp.public.views import step_page
from webapp.security import client_ip

S = BookingStatus


def _hold_or_404(token: str) -> Booking:
    booking = booking_from_token(db.session, HOLD_SALT, g.website.id, g.organization.id, token)
    if booking is None:
        abort(404, description=_("This booking link is not valid."))
    return booking


def form_specs(booking_type_id: str):
    """The customer and booking questions of the details form, for the service."""
    # Switched-off rows are read too: a core customer field switched off must stay off, not
    # come back as the built-in default (the spec builders leave disabled fields out).
    rows = db.session.scalars(
        select(CustomField)
        .where(CustomField.organization_id == g.organization.id)
        .order_by(CustomField.position, CustomField.key)
    ).all()
    customer_rows = [f for f in rows if f.scope == "customer"]
    booking_rows = [f for f in rows if f.scope == "booking"]
    return (
        form_fields.customer_specs(customer_rows),
        form_fields.booking_specs(booking_rows, booking_type_id),
    )


@bp.route("/hold/<token>", methods=["GET", "POST"])
def hold_details(token: str):
    booking = _hold_or_404(token)
    settled = _settled(booking)
    if settled is not None:
        return settled
    customer_specs, booking_specs = form_specs(booking.booking_type_id)
    values: dict = {}
    errors: dict = {}
    if request.method == "POST":
        customer_answers, booking_answers, errors = read_details(customer_specs, booking_specs)
        if not errors and g.site.require_verification:
            payload = {
                "bookingId": booking.id,
                "customer": customer_answers,
                "info": booking_answers,
            }
            challenge_id, errors, status = send_code(customer_answers, payload)
            if challenge_id:
                return go(url_for(".hold_verify", token=token, challenge=challenge_id))
            values = typed_values(customer_specs, booking_specs)
            return _details_page(
                token, booking, customer_specs, booking_specs, values, errors, status=status
            )
        if not errors:
            return _finish(booking, customer_answers, booking_answers, verified=False)
        values = typed_values(customer_specs, booking_specs)
    return _details_page(token, booking, customer_specs, booking_specs, values, errors)


def read_details(customer_specs, booking_specs) -> tuple[dict, dict, dict]:
    """The customer's and the booking's answers in the posted form (JSON values), and the
    problems found, by field key."""
    answers, errors = [], {}
    for specs in (customer_specs, booking_specs):
        found, problems = form_answers.parse_answers(
            specs,
            request.form,
            request.files,
            organization_id=g.organization.id,
            upload_folder=current_app.config["UPLOAD_FOLDER"],
            max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
        )
        answers.append(json_answers(found))
        errors.update(problems)
    return answers[0], answers[1], errors


def typed_values(customer_specs, booking_specs) -> dict:
    """What the customer typed, by field key, to fill the form in again."""
    return {
        **form_answers.submitted_values(customer_specs, request.form),
        **form_answers.submitted_values(booking_specs, request.form),
    }


def _details_page(token, booking, customer_specs, booking_specs, values, errors, status=None):
    return render(
        "public/details.html",
        status or (422 if errors else 200),
        booking=booking,
        token=token,
        customer_specs=customer_specs,
        booking_specs=booking_specs,
        values=values,
        errors=errors,
        tz=customer_timezone(),
        tz_info=iv.zone(customer_timezone()),
        now=now(),
    )


def _settled(booking: Booking):
    """A hold already completed goes to its booking; an expired one back to the times."""
    if booking.status != S.TEMPORARY:
        if booking.status == S.CANCELED and booking.cancel_reason == lifecycle.HOLD_EXPIRED_REASON:
            return _expired(booking)
        if booking.status == S.CANCELED:
            return _expired(booking)
        return go(url_for(".booking_manage", token=manage_token(g.website.id, booking.id)))
    if booking.expires_at is None or booking.expires_at <= now():
        return _expired(booking)
    return None


def _expired(booking: Booking):
    choice = cat.Choice(
        type_id=booking.booking_type_id,
        resource_id=booking.resource_id if cat.asks_for_resource(g.site) else cat.ANY_RESOURCE,
        adjusters={k: str(v) for k, v in (booking.time_adjusters or {}).items()},
    )
    message = _("Your hold on this time has ended. Please choose a time again.")
    return step_page("public/book.html", 409, choice=choice, message=message, lost=booking.start_at)


@bp.post("/hold/<token>/release")
def hold_release(token: str):
    """Give the held time back and choose another."""
    booking = _hold_or_404(token)
    if booking.status == S.TEMPORARY:
        lifecycle.cancel_booking(
            db.session,
            g.organization,
            booking.id,
            actor=lifecycle.Actor("customer"),
            now=now(),
            reason="released",
        )
        db.session.commit()
    params = cat.Choice(
        type_id=booking.booking_type_id,
        resource_id=booking.resource_id if cat.asks_for_resource(g.site) else cat.ANY_RESOURCE,
    ).params(date=booking.start_at.astimezone(iv.zone(customer_timezone())).date().isoformat())
    return go(url_for(".booking_start", **params))


def send_code(customer_answers: dict, payload: dict) -> tuple[str | None, dict, int]:
    """Send a one-time code to the email (or else the phone) the customer gave; checking it
    later hands back ``payload``. Answers the challenge's id, or no id with the problems
    (by field) and the status to show the form again with."""
    email = customer_answers.get("email")
    phone = customer_answers.get("phoneNumber")
    channel, identifier = ("email", email) if email else (_phone_channel(), phone)
    if not identifier:
        return None, {"email": _("Enter your email or mobile number to receive a code.")}, 422
    try:
        challenge, code = otp.request_code(
            db.session,
            g.organization,
            channel=channel,
            identifier=identifier,
            purpose="verify_booking",
            now=now(),
            payload=payload,
            ip=client_ip(),
        )
    except BookingError as error:
        db.session.rollback()
        limited = error.code == "RATE_LIMITED"
        if limited:
            message = _("Too many codes were requested. Please wait a few minutes and try again.")
        else:
            message = _("We cannot send a code to this address. Please check it.")
        return (
            None,
            {"email" if channel == "email" else "phoneNumber": message},
            (429 if limited else 422),
        )
    db.session.commit()
    deliver_code(channel, challenge.identifier, code)
    return challenge.id, {}, 200


def _phone_channel() -> str:
    """SMS, or WhatsApp when the business lists it first for phone codes."""
    phone_field = db.session.scalars(
        select(CustomField).where(
            CustomField.organization_id == g.organization.id,
            CustomField.scope == "customer",
            CustomField.key == "phoneNumber",
        )
    ).first()
    methods = [m for m in (phone_field.phone_auth_methods if phone_field else []) or []]
    return "whatsapp" if methods and methods[0] == "whatsapp" else "sms"


def deliver_code(channel: str, identifier: str, code: str) -> None:
    messaging.send_code(channel, identifier, code, _site_name())


def _site_name() -> str:
    return g.site.display_name or g.site.name or g.organization.name


@bp.route("/hold/<token>/verify", methods=["GET", "POST"])
def hold_verify(token: str):
    booking = _hold_or_404(token)
    settled = _settled(booking)
    if settled is not None:
        return settled
    challenge_id = (request.values.get("challenge") or "")[:32]
    error = None
    if request.method == "POST":
        challenge, error = check_code(challenge_id, "verify_booking")
        if challenge is not None:
            payload = challenge.payload or {}
            if payload.get("bookingId") != booking.id:
                abort(404, description=_("This code is for another booking."))
            return _finish(
                booking, payload.get("customer") or {}, payload.get("info") or {}, verified=True
            )
    return render(
        "public/verify.html",
        422 if error else 200,
        booking=booking,
        token=token,
        challenge_id=challenge_id,
        error=error,
    )


def check_code(challenge_id: str, purpose: str) -> tuple[OtpChallenge | None, str | None]:
    """The challenge whose code the form gives, or why the code was refused."""
    try:
        challenge = otp.verify_code(
            db.session,
            g.organization,
            challenge_id,
            (request.form.get("code") or "").strip(),
            now=now(),
            purpose=purpose,
        )
    except BookingError as exc:
        db.session.commit()  # a wrong try counts, even though the request fails
        return None, code_message(exc)
    return challenge, None


def code_message(error: BookingError) -> str:
    if error.code == "OTP_INVALID":
        left = error.details.get("attempts_left")
        if left:
            return ngettext(
                "That code is not right. %(num)s try left.",
                "That code is not right. %(num)s tries left.",
                left,
            )
    return _("This code has expired. Please request a new one.")


def _finish(booking: Booking, customer_answers: dict, booking_answers: dict, *, verified: bool):
    try:
        customer = customers.record_customer(
            db.session,
            g.organization,
            customer_answers,
            now=now(),
            lang=current_lang(),
            verified=verified,
        )
        booking = lifecycle.confirm_hold(
            db.session,
            g.organization,
            booking.id,
            actor=lifecycle.Actor("customer", customer.id),
            now=now(),
            customer=customer,
            info=booking_answers,
            payment_window_minutes=current_app.config["PAYMENT_WINDOW_MINUTES"],
        )
    except (HoldExpired, InvalidTransition):
        db.session.rollback()
        return _expired(_hold_or_404_by_id(booking.id))
    db.session.commit()
    pay_url = payment_url(booking) if request.blueprint == EMBED else None
    if pay_url:  # the widget goes on to pay; the host page hears of the booking once paid
        return go(pay_url)
    return go(url_for(".booking_manage", token=manage_token(g.website.id, booking.id), new=1))


def _hold_or_404_by_id(booking_id: str) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.organization_id != g.organization.id:
        abort(404)
    return booking


def json_answers(answers: dict) -> dict:
    """Answers as JSON values (numbers and dates from the form parser become text)."""
    return {key: _json_value(value) for key, value in answers.items()}


def _json_value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value
