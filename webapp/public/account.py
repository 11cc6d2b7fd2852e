"""The customer area: sign in with a one-time code, see bookings and invoices, edit the
profile. A signed-in customer is remembered per organization in the session cookie."""

from __future__ import annotations

from flask import abort, current_app, g, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from webapp import customers
from webapp.auth import otp
from webapp.booking import intervals as iv
from webapp.booking import invoices as billing
from webapp.booking.errors import BookingError
from webapp.extensions import db
from webapp.i18n import current_lang
from webapp.models import Booking, BookingStatus, Customer, CustomField, Invoice
from webapp.payments.links import payment_token
from webapp.public import answers as form_answers
from webapp.public import fields as form_fields
from webapp.public.blueprint import bp, customer_timezone, go, now, render
from webapp.public.details import check_code, deliver_code, json_answers
from webapp.public.tokens import manage_token
from webapp.security import client_ip, limiter

SESSION_KEY = "customers"
IDENTIFIER_LIMIT = 254


def signed_in_customer() -> Customer | None:
    customer_id = (session.get(SESSION_KEY) or {}).get(g.organization.id)
    if not customer_id:
        return None
    return db.session.scalars(
        select(Customer).where(
            Customer.organization_id == g.organization.id, Customer.id == customer_id
        )
    ).first()


@bp.get("/account/")
def account_home():
    customer = signed_in_customer()
    if customer is None:
        return render("public/sign_in.html", identifier="", error=None)
    bookings = db.session.scalars(
        select(Booking)
        .where(
            Booking.organization_id == g.organization.id,
            Booking.customer_id == customer.id,
            Booking.status != BookingStatus.TEMPORARY,
        )
        .order_by(Booking.start_at.desc())
        .limit(200)
    ).all()
    moment = now()
    upcoming = [b for b in bookings if b.start_at and b.start_at >= moment]
    upcoming.reverse()
    past = [b for b in bookings if not b.start_at or b.start_at < moment]
    invoices = db.session.scalars(
        select(Invoice)
        .where(Invoice.organization_id == g.organization.id, Invoice.customer_id == customer.id)
        .order_by(Invoice.number.desc())
    ).all()
    tz = customer_timezone()
    return render(
        "public/account.html",
        customer=customer,
        upcoming=upcoming,
        past=past,
        invoices=invoices,
        manage_link=lambda b: url_for(".booking_manage", token=manage_token(g.website.id, b.id)),
        pay_link=_pay_link,
        tz=tz,
        tz_info=iv.zone(tz),
    )


def _otp_limit() -> str:
    return current_app.config.get("OTP_RATE_LIMIT", "10/minute")


@bp.post("/account/sign-in")
@limiter.limit(_otp_limit, scope="otp")
def account_sign_in():
    raw = (request.form.get("identifier") or "").strip()[:IDENTIFIER_LIMIT]
    channel = "email" if "@" in raw else "sms"
    try:
        identifier = otp.normalize_identifier(channel, raw, _default_country())
        challenge, code = otp.request_code(
            db.session,
            g.organization,
            channel=channel,
            identifier=identifier,
            purpose="sign_in",
            now=now(),
            ip=client_ip(),
        )
    except BookingError as error:
        db.session.rollback()
        if error.code == "RATE_LIMITED":
            message = _("Too many codes were requested. Please wait a few minutes and try again.")
            return render("public/sign_in.html", 429, identifier=raw, error=message)
        message = _("Enter a valid email address or mobile number.")
        return render("public/sign_in.html", 422, identifier=raw, error=message)
    db.session.commit()
    # The same answer whether or not a customer has this address: nothing to enumerate.
    deliver_code(channel, identifier, code)
    return go(url_for(".account_verify", challenge=challenge.id))


def _default_country() -> str | None:
    phone_field = db.session.scalars(
        select(CustomField).where(
            CustomField.organization_id == g.organization.id,
            CustomField.scope == "customer",
            CustomField.key == "phoneNumber",
        )
    ).first()
    return phone_field.default_country if phone_field else None


@bp.route("/account/verify", methods=["GET", "POST"])
def account_verify():
    challenge_id = (request.values.get("challenge") or "")[:32]
    error = None
    if request.method == "POST":
        challenge, error = check_code(challenge_id, "sign_in")
        if challenge is not None:
            if challenge.purpose != "sign_in":
                abort(404)
            key = "email" if challenge.channel == "email" else "phoneNumber"
            customer = customers.record_customer(
                db.session,
                g.organization,
                {key: challenge.identifier},
                now=now(),
                lang=current_lang(),
                verified=True,
            )
            db.session.commit()
            signed_in = dict(session.get(SESSION_KEY) or {})
            signed_in[g.organization.id] = customer.id
            session[SESSION_KEY] = signed_in
            return go(url_for(".account_home"))
    return render(
        "public/verify.html", 422 if error else 200, challenge_id=challenge_id, error=error
    )


@bp.post("/account/sign-out")
def account_sign_out():
    signed_in = dict(session.get(SESSION_KEY) or {})
    signed_in.pop(g.organization.id, None)
    session[SESSION_KEY] = signed_in
    return go(url_for(".account_home"))


@bp.route("/account/profile", methods=["GET", "POST"])
def account_profile():
    customer = signed_in_customer()
    if customer is None:
        return go(url_for(".account_home"))
    rows = db.session.scalars(
        select(CustomField)
        .where(CustomField.organization_id == g.organization.id, CustomField.scope == "customer")
        .order_by(CustomField.position, CustomField.key)
    ).all()
    # The address they signed in with is their identity; changing it is not a profile edit.
    specs = [s for s in form_fields.customer_specs(rows) if s.key not in {"email", "phoneNumber"}]
    errors: dict = {}
    saved = False
    if request.method == "POST":
        answers, errors = form_answers.parse_answers(
            specs,
            request.form,
            request.files,
            organization_id=g.organization.id,
            upload_folder=current_app.config["UPLOAD_FOLDER"],
            max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
        )
        if not errors:
            customer.first_name = answers.get("firstName", customer.first_name)
            customer.last_name = answers.get("lastName", customer.last_name)
            extra = {k: v for k, v in json_answers(answers).items() if k not in customers.CORE_KEYS}
            customer.data = {**(customer.data or {}), **extra}
            customer.updated_at = now()
            db.session.commit()
            saved = True
    values = (
        form_answers.submitted_values(specs, request.form)
        if errors
        else form_answers.answers_to_form(
            specs,
            {
                "firstName": customer.first_name,
                "lastName": customer.last_name,
                **(customer.data or {}),
            },
        )
    )
    return render(
        "public/profile.html",
        422 if errors else 200,
        customer=customer,
        specs=specs,
        values=values,
        errors=errors,
        saved=saved,
    )


def _pay_link(invoice: Invoice) -> str | None:
    """The payment page of an invoice with something left to pay."""
    if billing.amount_due_now(invoice) <= 0:
        return None
    return url_for(".payment_page", token=payment_token(invoice))
