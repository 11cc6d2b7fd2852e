"""The wire format of the booking server (seed 004, the Booking Server API v3): reading its
requests and writing its answers.

Field names are snake_case. int64 values (``start_sec``, ``duration_sec``) travel as JSON
strings, as proto3 writes them, and are read from numbers too. Every field is checked here,
before anything is booked, so a malformed request answers 400 and writes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import phonenumbers
from flask_babel import gettext as _

from webapp.auth.otp import normalize_identifier
from webapp.booking.errors import BookingError, ValidationFailed
from webapp.booking.states import initial_status
from webapp.manage.customers import PHONE_CHANNEL
from webapp.models import Booking, BookingStatus, BookingType, Organization, PartnerBooking

S = BookingStatus
MAX_ID = 64
MAX_TOKEN = 255
MAX_TAG = 255
MAX_NAME = 100
MAX_EMAIL = 254
MAX_PHONE = 40
MAX_PAYMENT_JSON = 4000
# Starts are read up to 2100: later ones are surely a mistake, and dates stay far from
# datetime's limits.
LATEST_SEC = 4102444800
_INT64 = re.compile(r"[0-9]{1,19}")

SYNCHRONOUS = "CONFIRMATION_MODE_SYNCHRONOUS"
ASYNCHRONOUS = "CONFIRMATION_MODE_ASYNCHRONOUS"
NOT_PROVIDED = "PREPAYMENT_NOT_PROVIDED"
RESOURCE_TEXTS = ("staff_id", "staff_name", "room_id", "room_name")

# The lifecycle's statuses as a partner reads them. A booking waiting for a provider waits
# on the merchant; one the system ended (unpaid past its payment window) failed, nobody
# canceled it; a hold is never a partner's booking.
STATUS_FOR = {
    S.CONFIRMED: "CONFIRMED",
    S.COMPLETED: "CONFIRMED",
    S.PENDING_APPROVAL: "PENDING_MERCHANT_CONFIRMATION",
    S.PENDING_ASSIGNMENT: "PENDING_MERCHANT_CONFIRMATION",
    S.PENDING_PAYMENT: "PENDING_CLIENT_CONFIRMATION",
    S.CANCELED: "CANCELED",
    S.REJECTED: "DECLINED_BY_MERCHANT",
    S.TEMPORARY: "FAILED",
}


class InvalidArgument(BookingError):
    code = "INVALID_ARGUMENT"
    http_status = 400
    default_message = "The request is malformed."


def invalid(name: str, message: str) -> InvalidArgument:
    return InvalidArgument(message, field=name)


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


# --- reading -------------------------------------------------------------------------------


def read_object(data: Mapping, key: str, where: str = "", *, required=False) -> dict | None:
    value = data.get(key)
    name = _path(where, key)
    if value is None:
        if required:
            raise invalid(name, _("%(field)s is required.", field=name))
        return None
    if not isinstance(value, dict):
        raise invalid(name, _("%(field)s must be a JSON object.", field=name))
    return value


def read_text(
    data: Mapping, key: str, where: str = "", *, limit: int, required=False
) -> str | None:
    """A string member, trimmed (ids sent as numbers are read as their digits)."""
    value = data.get(key)
    name = _path(where, key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is not None and not isinstance(value, str):
        raise invalid(name, _("%(field)s must be a string.", field=name))
    value = (value or "").strip()
    if not value:
        if required:
            raise invalid(name, _("%(field)s is required.", field=name))
        return None
    if len(value) > limit:
        raise invalid(
            name, _("%(field)s must be at most %(limit)d characters.", field=name, limit=limit)
        )
    return value


def read_seconds(
    data: Mapping, key: str, where: str = "", *, minimum: int = 0, required=True
) -> int | None:
    """An int64 count of seconds, as a string of digits or a JSON number."""
    value = data.get(key)
    name = _path(where, key)
    if value is None:
        if required:
            raise invalid(name, _("%(field)s is required.", field=name))
        return None
    if isinstance(value, str) and _INT64.fullmatch(value.strip()):
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value < LATEST_SEC:
        raise invalid(name, _("%(field)s must be a whole number of seconds.", field=name))
    return value


@dataclass(frozen=True)
class SlotRequest:
    """A slot as a partner names it, and the echo of it the answers carry."""

    service_id: str | None
    start_sec: int
    duration_sec: int | None
    merchant_id: str | None
    resource_id: str | None  # staff_id, or room_id (a room is a resource too)
    fits_one_booking: bool  # False: two different resources, or a party of several
    availability_tag: str | None
    echo: dict

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.start_sec, UTC)


def read_slot(data: object, where: str, *, resources_key: str, change=False) -> SlotRequest:
    """A ``SlotTime`` (lookup, ``resource_ids``) or a ``Slot`` (bookings, ``resources``). A
    ``change`` (UpdateBooking) needs only the new ``start_sec``."""
    if not isinstance(data, dict):
        raise invalid(where, _("%(field)s must be a JSON object.", field=where))
    service_id = read_text(data, "service_id", where, limit=MAX_ID, required=not change)
    start_sec = read_seconds(data, "start_sec", where)
    duration_sec = read_seconds(data, "duration_sec", where, minimum=1, required=not change)
    merchant_id = read_text(data, "merchant_id", where, limit=MAX_ID)
    tag = read_text(data, "availability_tag", where, limit=MAX_TAG)
    mode = read_text(data, "confirmation_mode", where, limit=MAX_ID)
    # A Slot names its resources "resources"; a partner sending SlotTime's name is understood.
    key = resources_key if resources_key in data else "resource_ids"
    given = read_object(data, key, where)
    resources = _resources(given, _path(where, key)) if given is not None else None
    echo = {
        "service_id": service_id,
        "start_sec": str(start_sec),
        "duration_sec": str(duration_sec) if duration_sec is not None else None,
        "merchant_id": merchant_id,
        "availability_tag": tag,
        "confirmation_mode": mode,
        resources_key: resources,
    }
    staff, room = (resources or {}).get("staff_id"), (resources or {}).get("room_id")
    party = (resources or {}).get("party_size")
    return SlotRequest(
        service_id=service_id,
        start_sec=start_sec,
        duration_sec=duration_sec,
        merchant_id=merchant_id,
        resource_id=staff or room,
        fits_one_booking=not (staff and room and staff != room) and party in (None, 1),
        availability_tag=tag,
        echo={k: v for k, v in echo.items() if v is not None},
    )


def _resources(given: dict, where: str) -> dict:
    found: dict = {k: read_text(given, k, where, limit=MAX_NAME) for k in RESOURCE_TEXTS}
    party = given.get("party_size")
    if party is not None:
        if isinstance(party, bool) or not isinstance(party, int) or not 0 < party < 10_000:
            name = _path(where, "party_size")
            raise invalid(name, _("%(field)s must be a positive whole number.", field=name))
        found["party_size"] = party
    return {k: v for k, v in found.items() if v is not None}


@dataclass(frozen=True)
class UserInformation:
    """The partner's user: ``sent`` is kept and answered back as it came; the email and
    phone are normalized to find or make the customer."""

    user_id: str
    given_name: str | None
    family_name: str | None
    email: str | None
    phone: str | None
    sent: dict


def read_user(data: Mapping, default_country: str | None) -> UserInformation:
    where = "user_information"
    given = read_object(data, where, required=True)
    user_id = read_text(given, "user_id", where, limit=MAX_TOKEN, required=True)
    given_name = read_text(given, "given_name", where, limit=MAX_NAME)
    family_name = read_text(given, "family_name", where, limit=MAX_NAME)
    email = read_text(given, "email", where, limit=MAX_EMAIL)
    telephone = read_text(given, "telephone", where, limit=MAX_PHONE)
    if not email and not telephone:
        raise invalid(
            where, _("Give the user's email or telephone, so the business can reach them.")
        )
    sent = {
        "user_id": user_id,
        "given_name": given_name,
        "family_name": family_name,
        "email": email,
        "telephone": telephone,
    }
    return UserInformation(
        user_id=user_id,
        given_name=given_name,
        family_name=family_name,
        email=_email(email, f"{where}.email") if email else None,
        phone=_phone(telephone, default_country, f"{where}.telephone") if telephone else None,
        sent={k: v for k, v in sent.items() if v is not None},
    )


def _email(value: str, name: str) -> str:
    try:
        return normalize_identifier("email", value)
    except ValidationFailed:
        raise invalid(name, _("Enter a valid email address.")) from None


def _phone(value: str, default_country: str | None, name: str) -> str:
    try:
        return normalize_identifier(PHONE_CHANNEL, value, default_country)
    except ValidationFailed:
        pass
    # The partner has checked its user's number; one the numbering plan does not list (yet)
    # is kept when it has a possible length for its country.
    try:
        number = phonenumbers.parse(value, default_country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise invalid(
            name, _("Enter a valid phone number with its country code, such as +966501234567.")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def read_payment(data: Mapping) -> dict:
    """``payment_information``, kept as sent (bounded) to answer back; no payment is taken."""
    given = read_object(data, "payment_information")
    if given is None:
        return {}
    if len(json.dumps(given)) > MAX_PAYMENT_JSON:
        raise invalid(
            "payment_information",
            _(
                "payment_information must be at most %(limit)d characters of JSON.",
                limit=MAX_PAYMENT_JSON,
            ),
        )
    return given


# --- answering -----------------------------------------------------------------------------


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def confirmation_mode(booking_type: BookingType, organization: Organization) -> str:
    """Synchronous when a customer's booking of this service is confirmed at once."""
    status = initial_status(booking_type, organization, on_behalf=False)
    return SYNCHRONOUS if status == S.CONFIRMED else ASYNCHRONOUS


def booking_status(booking: Booking) -> str:
    if booking.status == S.CANCELED and booking.canceled_by == "system":
        return "FAILED"
    return STATUS_FOR.get(S(booking.status), "FAILED")


def prepayment_status(link: PartnerBooking) -> str:
    value = (link.payment_information or {}).get("prepayment_status")
    return value if isinstance(value, str) and value else NOT_PROVIDED


def booking_json(link: PartnerBooking, booking: Booking, mode: str) -> dict:
    """A ``Booking``: the partner's stable ``booking_id`` with the booking's time now."""
    slot = {
        "merchant_id": booking.organization_id,
        "service_id": booking.booking_type_id,
        "start_sec": str(epoch(booking.start_at)),
        "duration_sec": str(booking.duration * 60),
        "confirmation_mode": mode,
    }
    if booking.resource_id:
        slot["resources"] = {"staff_id": booking.resource_id}
    if link.availability_tag:
        slot["availability_tag"] = link.availability_tag
    return {
        "booking_id": link.id,
        "slot": slot,
        "user_information": dict(link.user_information or {}),
        "payment_information": dict(link.payment_information or {})
        or {"prepayment_status": NOT_PROVIDED},
        "status": booking_status(booking),
    }


def failure(cause: str, description: str) -> dict:
    """A ``BookingFailure``: a business outcome, answered with HTTP 200."""
    return {"booking_failure": {"cause": cause, "description": description}}
