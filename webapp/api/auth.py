"""Authentication (seed 002): one-time codes for customers and, with ``isOrgMember``, for
staff; refresh tokens exchanged for five-minute access tokens.

A code is requested and verified by the same address; the answer to a request never says
whether the address is known (a code is sent only when it is)."""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.api.blueprint import body, bp, ok
from webapp.auth import otp, tokens
from webapp.booking.errors import CodeExpired, CodeInvalid, ValidationFailed
from webapp.customers import find_customer, record_customer
from webapp.extensions import db
from webapp.models import Customer, CustomField, Member, OtpChallenge, User
from webapp.notify import messaging
from webapp.public.blueprint import now
from webapp.security import client_ip, limiter

METHODS = {"email": "email", "sms": "sms", "whatsapp": "whatsapp"}
CODE_ERRORS = (CodeInvalid, CodeExpired)


def _limit(name: str, default: str):
    return limiter.limit(lambda: current_app.config.get(name, default))


def _identity(data: dict) -> tuple[str, str, bool]:
    """(channel, normalized address, staff?) of a request or verify body."""
    method = data.get("method")
    if not isinstance(method, str) or method not in METHODS:
        raise ValidationFailed(_("method must be sms, whatsapp or email."), field="method")
    raw = data.get("email") if method == "email" else data.get("phoneNumber")
    if not isinstance(raw, str) or not raw.strip():
        field = "email" if method == "email" else "phoneNumber"
        raise ValidationFailed(
            _("Give the %(field)s to send the code to.", field=field), field=field
        )
    staff = data.get("isOrgMember", False)
    if not isinstance(staff, bool):
        raise ValidationFailed(_("isOrgMember must be true or false."), field="isOrgMember")
    country = db.session.scalar(
        select(CustomField.default_country).where(
            CustomField.organization_id == g.organization.id,
            CustomField.scope == "customer",
            CustomField.key == "phoneNumber",
        )
    )
    try:
        address = otp.normalize_identifier(METHODS[method], raw, country)
    except ValidationFailed as error:
        field = "email" if method == "email" else "phoneNumber"
        raise ValidationFailed(error.message, field=field) from None
    return METHODS[method], address, staff


def _staff_user(channel: str, address: str) -> User | None:
    """The active user with this address who belongs to the website's organization."""
    column = User.email if channel == "email" else User.phone
    return db.session.scalar(
        select(User)
        .join(Member, Member.user_id == User.id)
        .where(
            column == address,
            Member.organization_id == g.organization.id,
            User.is_active.is_(True),
        )
    )


@bp.post("/auth/otp/request")
@_limit("OTP_REQUEST_RATE_LIMIT", "10/minute")
def otp_request():
    channel, address, staff = _identity(body())
    purpose = "staff_sign_in" if staff else "sign_in"
    _challenge, code = otp.request_code(
        db.session,
        g.organization,
        channel=channel,
        identifier=address,
        purpose=purpose,
        now=now(),
        ip=client_ip(),
    )
    db.session.commit()
    # Customers get a code whether or not they booked before (signing in may create them);
    # staff only when the address belongs to a member. The answer is the same either way.
    if not staff or _staff_user(channel, address) is not None:
        _send(channel, address, code)
    return ok({"method": channel, "sent": True, "expiresInSeconds": 600})


def _send(channel: str, address: str, code: str) -> None:
    name = g.site.display_name or g.site.name or g.organization.name
    messaging.send_code(channel, address, code, name)


@bp.post("/auth/otp/verify")
@_limit("OTP_VERIFY_RATE_LIMIT", "20/minute")
def otp_verify():
    data = body()
    channel, address, staff = _identity(data)
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise ValidationFailed(_("Give the code that was sent."), field="code")
    purpose = "staff_sign_in" if staff else "sign_in"
    current = now()
    challenge_id = db.session.scalar(
        select(OtpChallenge.id)
        .where(
            OtpChallenge.organization_id == g.organization.id,
            OtpChallenge.identifier == address,
            OtpChallenge.purpose == purpose,
            OtpChallenge.consumed_at.is_(None),
        )
        .order_by(OtpChallenge.created_at.desc())
        .limit(1)
    )
    try:
        otp.verify_code(
            db.session, g.organization, challenge_id or "", code, now=current, purpose=purpose
        )
    except CODE_ERRORS:
        db.session.commit()  # the wrong attempt counts
        raise
    if staff:
        user = _staff_user(channel, address)
        if user is None:  # a code never sent cannot be right; kept for safety
            raise CodeInvalid()
        subject, described = {"user": user}, _user_json(user)
    else:
        customer = find_customer(
            db.session,
            g.organization.id,
            email=address if channel == "email" else None,
            phone=address if channel != "email" else None,
        ) or record_customer(
            db.session,
            g.organization,
            {"email" if channel == "email" else "phoneNumber": address},
            now=current,
            lang=g.get("lang") or "en",
            verified=True,
        )
        subject, described = {"customer": customer}, _customer_json(customer)
    row, refresh = tokens.issue_refresh_token(
        db.session, organization=g.organization, now=current, label=f"otp:{channel}", **subject
    )
    access, expires_at = tokens.access_token_for(
        row, secret_key=current_app.config["SECRET_KEY"], now=current
    )
    db.session.commit()
    return ok(_token_answer(refresh, access, expires_at, described))


@bp.get("/auth/token")
@_limit("TOKEN_RATE_LIMIT", "60/minute")
def token_refresh():
    current = now()
    try:
        rotated = tokens.rotate(db.session, request.args.get("refreshToken"), current)
    except tokens.TokenReused:
        db.session.commit()  # the family stays revoked
        raise
    if rotated is None or rotated[0].organization_id != g.organization.id:
        raise tokens.TokenInvalid(_("The refresh token is not valid. Please sign in again."))
    row, refresh = rotated
    access, expires_at = tokens.access_token_for(
        row, secret_key=current_app.config["SECRET_KEY"], now=current
    )
    if row.user_id:
        described = _user_json(db.session.get(User, row.user_id))
    else:
        described = _customer_json(db.session.get(Customer, row.customer_id))
    db.session.commit()
    return ok(_token_answer(refresh, access, expires_at, described))


def _token_answer(refresh: str, access: str, expires_at, user: dict) -> dict:
    return {
        "refreshToken": refresh,
        "accessToken": access,
        "accessTokenExpiresAt": expires_at.isoformat(),
        "user": user,
    }


def _user_json(user: User) -> dict:
    member = db.session.scalar(
        select(Member).where(Member.user_id == user.id, Member.organization_id == g.organization.id)
    )
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "phoneNumber": user.phone,
        "isOrgMember": True,
        "role": member.role if member else None,
        "organizationId": g.organization.id,
    }


def _customer_json(customer: Customer) -> dict:
    return {
        "id": customer.id,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "email": customer.email,
        "phoneNumber": customer.phone,
        "isOrgMember": False,
        "organizationId": g.organization.id,
    }
