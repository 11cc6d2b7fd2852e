"""Signed tokens in the website's URLs: a hold being completed and a booking's private
manage link. They are HMAC-signed with the app's secret key, so they cannot be guessed or
forged, and they name the website so one website's token is refused by another."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Booking

HOLD_SALT = "mawid.hold"
MANAGE_SALT = "mawid.manage"


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(salt: str, website_id: str, booking_id: str) -> str:
    return _serializer(salt).dumps([website_id, booking_id])


def read_token(salt: str, website_id: str, token: str) -> str | None:
    """The booking id in ``token`` when it is genuine and belongs to this website."""
    try:
        value = _serializer(salt).loads(token)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and value[0] == website_id):
        return None
    return str(value[1])


def hold_token(website_id: str, booking_id: str) -> str:
    return make_token(HOLD_SALT, website_id, booking_id)


def manage_token(website_id: str, booking_id: str) -> str:
    return make_token(MANAGE_SALT, website_id, booking_id)


def booking_from_token(
    session: Session, salt: str, website_id: str, organization_id: str, token: str
) -> Booking | None:
    """The organization's booking that a genuine token of this website names, if any."""
    booking_id = read_token(salt, website_id, token)
    if booking_id is None:
        return None
    return session.scalars(
        select(Booking).where(Booking.organization_id == organization_id, Booking.id == booking_id)
    ).first()
