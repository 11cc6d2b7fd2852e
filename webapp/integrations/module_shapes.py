"""The module API's objects as seed 001 writes them: ``BOOKING_TEMPLATE`` (a booking type),
``BOOKING_SLOT``, ``APPOINTMENT``, lists in ``{"messageList", "content"}`` and errors as
``MESSAGE`` items; and the booking slot ids, which carry the slot itself.

A slot id is signed with the app's secret key, so ``appointment/add`` needs no stored state
to know which time and resources it names: it cannot be forged or moved to another
organization, and it is refused a day after it was handed out. Only fields Mawid can fill
truthfully are written; the template lists it has no counterpart for are empty."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from flask import current_app, jsonify
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from webapp.api.shapes.catalog import photos
from webapp.booking.errors import BookingError, NotFound
from webapp.booking.intervals import zone
from webapp.i18n import translated
from webapp.models import Booking, BookingType, Customer, Organization, Resource, WebsiteVersion

SLOT_SALT = "mawid.module.booking-slot"
SLOT_LIFETIME_SECONDS = 24 * 3600
SLOT_ID_LIMIT = 2000
RECORD_LIMIT = 9999
# Mawid keeps gross prices and no tax rate: every price is answered with taxRate 0.
TAX_RATE = 0


class SlotExpired(BookingError):
    code = "SLOT_EXPIRED"
    http_status = 410
    default_message = "This booking slot id is more than a day old."


# --- envelopes ---------------------------------------------------------------------------


def listing(records: Sequence[dict], total: int | None = None) -> dict:
    return {
        "messageList": [],
        "content": {
            "class": "LIST",
            "recordTotal": len(records) if total is None else total,
            "recordLimit": RECORD_LIMIT,
            "recordList": list(records),
        },
    }


def error_response(code: str, text: str, status: int, details: Mapping | None = None):
    """``{"messageList": [MESSAGE], "content": null}`` with the HTTP status."""
    message = {"class": "MESSAGE", "type": "ERROR", "code": code, "text": text}
    if details:
        message["details"] = dict(details)
    response = jsonify({"messageList": [message], "content": None})
    response.status_code = status
    return response


# --- booking templates -------------------------------------------------------------------


@dataclass(frozen=True)
class BookingWindow:
    """When a template can be booked, counted from today: ``day_earliest`` (0 = today,
    1 = from tomorrow), ``day_latest`` (the last day, None without a horizon) and
    ``lead_minutes`` of minimum notice."""

    day_earliest: int = 0
    day_latest: int | None = None
    lead_minutes: int = 0


def booking_window(rules: Iterable[tuple[int, int]]) -> BookingWindow:
    """The widest window the resources give, from their (``depth_of_days``,
    ``schedule_after_hours_from_now``): a customer may book as soon as the least strict
    resource allows, as late as the farthest horizon."""
    rules = list(rules)
    if not rules:
        return BookingWindow()
    # -1 hours of notice means "from tomorrow"; n hours is a lead time on any day.
    notice = min((1, 0) if hours == -1 else (0, max(hours, 0) * 60) for _depth, hours in rules)
    depths = [depth for depth, _hours in rules]
    latest = None if any(d <= 0 for d in depths) else max(depths) - 1
    return BookingWindow(notice[0], latest, notice[1])


def price(amount: Decimal | None, currency: str) -> dict:
    return {
        "class": "PRICE",
        "priceGross": float(amount or 0),
        "taxRate": TAX_RATE,
        "currency": currency,
    }


def _i18n(translations: Mapping | None) -> list[dict]:
    return [
        {"class": "I18N", "locale": lang, "value": text}
        for lang, text in sorted((translations or {}).items())
        if isinstance(text, str) and text.strip()
    ]


def address(organization: Organization, site: WebsiteVersion) -> dict | None:
    """What the website's map says of where the business is; None when it says nothing."""
    place = site.map or {}
    label = place.get("label") if isinstance(place.get("label"), str) else ""
    coordinates = [place.get("lat"), place.get("lng")]
    located = all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
    if not label and not located:
        return None
    shaped = {"class": "ADDRESS", "name": site.display_name or organization.name, "extra": label}
    if located:
        shaped["geoCoordinates"] = {
            "class": "GEO_COORDINATES",
            "latitude": float(coordinates[0]),
            "longitude": float(coordinates[1]),
        }
    return shaped


def booking_template(
    row: BookingType,
    *,
    organization: Organization,
    site: WebsiteVersion,
    window: BookingWindow,
    required: Mapping[str, bool],
) -> dict:
    """A booking type customers may book, as a ``BOOKING_TEMPLATE``."""
    images = photos(row.photos)
    cost = price(row.price, organization.currency)
    return {
        "class": "BOOKING_TEMPLATE",
        "id": row.id,
        "customId": "",
        "name": translated(row.name, row.name_translations),
        "nameI18nList": _i18n(row.name_translations),
        "image": images[0]["url"] if images else "",
        "duration": row.minutes,
        "leadTime": row.leave_minutes_before or 0,
        "followupTime": row.leave_minutes_after or 0,
        "price": cost,
        "showPrice": row.price is not None,
        "priceGross": cost["priceGross"],
        "currency": cost["currency"],
        "taxRate": cost["taxRate"],
        "description": translated(row.description, row.description_translations),
        "descriptionI18nList": _i18n(row.description_translations),
        "appointmentAddressRequired": False,
        "customerAddressRequired": False,
        "customerEmailRequired": bool(required.get("email")),
        "customerMobileRequired": bool(required.get("phoneNumber")),
        "additionalCustomerCountMax": 0,
        "bookingDayEarliest": window.day_earliest,
        "bookingDayLatest": window.day_latest,
        "bookingLeadTime": window.lead_minutes,
        "address": address(organization, site),
        "bookingStepList": [],
        "emailTemplateList": [],
        "smsTemplateList": [],
        "extraFieldList": [],
        "additionalData": None,
    }


# --- slots -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotRef:
    """What a booking slot id names."""

    organization_id: str
    template_id: str
    start: datetime
    resource_ids: tuple[str, ...]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SLOT_SALT)


def slot_id(ref: SlotRef, issued: datetime) -> str:
    return _serializer().dumps(
        [
            ref.organization_id,
            ref.template_id,
            int(ref.start.timestamp()),
            list(ref.resource_ids),
            int(issued.timestamp()),
        ]
    )


def read_slot_id(value: object, organization_id: str, now: datetime) -> SlotRef:
    """The slot a genuine id of this organization names. Forged, foreign and malformed ids
    answer alike (404); one handed out more than a day ago answers 410."""
    unknown = NotFound(_("There is no booking slot with this id."), field="bookingSlotId")
    if not isinstance(value, str) or not value or len(value) > SLOT_ID_LIMIT:
        raise unknown
    try:
        fields = _serializer().loads(value)
    except BadSignature:
        raise unknown from None
    if not (isinstance(fields, list) and len(fields) == 5 and fields[0] == organization_id):
        raise unknown
    _org, template_id, start, resource_ids, issued = fields
    if not (isinstance(start, int) and isinstance(issued, int) and isinstance(resource_ids, list)):
        raise unknown
    if now.timestamp() - issued > SLOT_LIFETIME_SECONDS:
        raise SlotExpired(
            _("This booking slot id is more than a day old: ask for the slots again."),
            field="bookingSlotId",
        )
    return SlotRef(
        organization_id,
        str(template_id),
        datetime.fromtimestamp(start, UTC),
        tuple(str(r) for r in resource_ids),
    )


def booking_slot(ref: SlotRef, *, timezone: str, issued: datetime) -> dict:
    return {
        "class": "BOOKING_SLOT",
        "id": slot_id(ref, issued),
        "timestamp": ref.start.astimezone(zone(timezone)).isoformat(),
        "bookingResourceCombination": list(ref.resource_ids),
    }


# --- appointments ------------------------------------------------------------------------


def appointment(
    booking: Booking,
    *,
    booking_type: BookingType,
    customer: Customer,
    resource: Resource | None,
    timezone: str,
) -> dict:
    tz = zone(timezone)
    resources = [resource] if resource is not None else []
    return {
        "class": "APPOINTMENT",
        "id": booking.id,
        "start": booking.start_at.astimezone(tz).isoformat(),
        "end": booking.end_at.astimezone(tz).isoformat(),
        "timeZone": timezone,
        "duration": booking.duration,
        "name": translated(booking_type.name, booking_type.name_translations),
        "status": booking.status,
        "notes": booking.note or "",
        "price": price(booking.price, booking.currency or "")
        if booking.price is not None
        else None,
        "customer": {
            "class": "CUSTOMER",
            "id": customer.id,
            "firstName": customer.first_name or "",
            "lastName": customer.last_name or "",
            "email": customer.email or "",
            "mobile": customer.phone or "",
        },
        "bookingTemplateId": booking.booking_type_id,
        "bookingResourceList": [
            {
                "class": "BOOKING_RESOURCE",
                "id": r.id,
                "name": translated(r.name, r.name_translations),
            }
            for r in resources
        ],
        "bookingResourceCombination": [r.id for r in resources],
    }
