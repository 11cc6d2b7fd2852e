"""The booking operations integrations offer: list the services, read free times, hold a
time, confirm the hold for a customer, reschedule and cancel. The hold/confirm API
(``/api/v1``) and the MCP server's tools both call these, so both answer alike.

Each takes the caller (an :class:`Integration`) and the request's fields as the HTTP API
names them, checks them (422 naming the field; 404 for an id that is not the caller's
organization's), calls the booking service and answers the HTTP API's answer. They flush and
never commit; scopes are checked by the surfaces. They run in a request of that caller
(``g.organization`` is the caller's organization, as ``@integration`` sets it).

Integrations book for customers, on the website's terms: its services and resources, the
customers' time grid, minimum notice and horizon. Times are ISO-8601 with the offset of the
website's timezone. A public client (anyone holding its id may call) sees only the holds
and appointments it made itself; other credentials see all of their organization's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.api import inputs
from webapp.api.shapes.catalog import money
from webapp.booking import availability as av
from webapp.booking import lifecycle
from webapp.booking import slots as sl
from webapp.booking.errors import BookingError, NotFound, ValidationFailed
from webapp.booking.intervals import zone
from webapp.customers import record_customer
from webapp.extensions import db
from webapp.i18n import current_lang, translated
from webapp.integrations import booking_inputs as read
from webapp.integrations.access import Integration, default_website
from webapp.integrations.booking_inputs import MAX_DAYS  # noqa: F401  (the tools' limit too)
from webapp.models import Booking, BookingHistory, BookingType
from webapp.public import fields as form_fields
from webapp.public.blueprint import now
from webapp.public.catalog import load_catalog
from webapp.public.schedule import website_grid

ID_LIMIT = 64
REASON_LIMIT = 500
# Reschedules a client may have followed since it kept an id; a longer chain is not followed.
CHAIN_LIMIT = 100


@dataclass(frozen=True)
class Terms:
    """The website integration bookings belong to: its id, clock, time grid and holds."""

    website_id: str | None
    timezone: str
    grid: sl.SlotGrid
    hold_minutes: int


def terms_of(integration: Integration) -> Terms:
    hold_minutes = current_app.config["HOLD_MINUTES_DEFAULT"]
    website = integration.website or default_website(integration.organization)
    if website is None:
        timezone = integration.organization.timezone
        return Terms(None, timezone, lifecycle.CUSTOMER_GRID, hold_minutes)
    site = website.settings
    return Terms(website.id, site.timezone, website_grid(site), hold_minutes)


# --- the operations ---------------------------------------------------------------------------


def list_services(integration: Integration) -> dict:
    """The services customers may book on the website (offered by a bookable resource)."""
    catalog = load_catalog(db.session, integration.organization)
    currency = integration.organization.currency
    return {"services": [_service(row, currency) for row in catalog.types_for(catalog.resources)]}


def find_slots(integration: Integration, data: Mapping) -> dict:
    """Free starts of a service on ``days`` dates from ``date``, one entry per start and
    resource. Dates outside the booking window have none."""
    catalog = load_catalog(db.session, integration.organization)
    service = read.service_of(catalog, data)
    resource_id = read.resource_of(catalog, service, data)
    first = read.first_day(data.get("date"))
    days = read.day_count(data.get("days"))
    terms = terms_of(integration)
    found = av.find_available_slots(
        db.session,
        integration.organization,
        service.id,
        first,
        first + timedelta(days=days - 1),
        timezone=terms.timezone,
        grid=terms.grid,
        now=now(),
        resource_ids=[resource_id] if resource_id else None,
    )
    slots = [
        {"start": slot.start.isoformat(), "end": slot.end.isoformat(), "resource_id": rid}
        for day in found.days
        for slot in day.slots
        for rid in slot.resource_ids
    ]
    return {"service_id": service.id, "timezone": terms.timezone, "slots": slots}


def hold(integration: Integration, data: Mapping) -> dict:
    """Hold a start for a few minutes; without ``resource_id`` the least busy free resource
    takes it."""
    catalog = load_catalog(db.session, integration.organization)
    service = read.service_of(catalog, data)
    resource_id = read.resource_of(catalog, service, data)
    start = read.start_time(data.get("start"))
    terms = terms_of(integration)
    try:
        booking = lifecycle.hold_slot(
            db.session,
            integration.organization,
            hold_minutes=terms.hold_minutes,
            booking_type_id=service.id,
            start=start,
            actor=integration.actor,
            now=now(),
            resource_id=resource_id,
            source="api",
            website_id=terms.website_id,
            timezone=terms.timezone,
            suggestion_grid=terms.grid,
        )
    except BookingError as error:
        raise _explained(error, start=start) from None
    tz = zone(terms.timezone)
    return {
        "hold_id": booking.id,
        "status": booking.status,
        "expires_at": booking.expires_at.astimezone(tz).isoformat(),
        **_times(booking, terms),
    }


def confirm(integration: Integration, data: Mapping) -> dict:
    """Book a held time for the customer in ``contact``, with the answers to the booking
    questions the website asks."""
    held = _booking_of(integration, data, "hold_id", follow=False)
    details = read.contact(integration, data.get("contact"))
    catalog = load_catalog(db.session, integration.organization)
    specs = form_fields.booking_specs(catalog.booking_fields, held.booking_type_id)
    g.organization = integration.organization  # where uploaded answers are kept
    answers = inputs.answers(specs, data.get("answers"), member="answers")
    try:
        customer = record_customer(
            db.session, integration.organization, details, now=now(), lang=current_lang()
        )
        booking = lifecycle.confirm_hold(
            db.session,
            integration.organization,
            held.id,
            actor=integration.actor,
            now=now(),
            customer=customer,
            info=answers,
            payment_window_minutes=current_app.config["PAYMENT_WINDOW_MINUTES"],
        )
    except BookingError as error:
        inputs.forget_uploads(specs, answers)
        refused = _("Only a hold can be confirmed; this booking is %(status)s.", status=held.status)
        raise _explained(error, id_field="hold_id", refused=refused) from None
    return _appointment(booking, terms_of(integration))


def reschedule(integration: Integration, data: Mapping) -> dict:
    """Move an appointment to ``start`` (and ``resource_id`` when given): the new
    appointment replaces it."""
    current = _booking_of(integration, data, "appointment_id", follow=True)
    start = read.start_time(data.get("start"))
    resource_id = None
    if data.get("resource_id") not in (None, ""):
        catalog = load_catalog(db.session, integration.organization)
        service = catalog.type(current.booking_type_id)
        if service is None:
            raise ValidationFailed(
                _("This service can no longer be booked online."), field="appointment_id"
            )
        resource_id = read.resource_of(catalog, service, data)
    terms = terms_of(integration)
    try:
        moved = lifecycle.reschedule_booking(
            db.session,
            integration.organization,
            current.id,
            start=start,
            actor=integration.actor,
            now=now(),
            resource_id=resource_id,
            timezone=terms.timezone,
        )
    except BookingError as error:
        refused = _(
            "This appointment is %(status)s; it cannot be rescheduled.", status=current.status
        )
        raise _explained(error, start=start, refused=refused) from None
    return {**_appointment(moved, terms), "previous_appointment_id": current.id}


def cancel(integration: Integration, data: Mapping) -> dict:
    """Cancel an appointment (or let go of a hold) for the customer."""
    current = _booking_of(integration, data, "appointment_id", follow=True)
    reason = read.text(data, "reason", REASON_LIMIT)
    try:
        booking = lifecycle.cancel_booking(
            db.session,
            integration.organization,
            current.id,
            actor=integration.actor,
            now=now(),
            reason=reason,
        )
    except BookingError as error:
        refused = _("This appointment is %(status)s; it cannot be canceled.", status=current.status)
        raise _explained(error, refused=refused) from None
    return {"appointment_id": booking.id, "status": booking.status}


# --- answers ----------------------------------------------------------------------------------


def _service(row: BookingType, currency: str | None) -> dict:
    return {
        "id": row.id,
        "name": translated(row.name, row.name_translations),
        "description": translated(row.description, row.description_translations),
        "duration_minutes": row.minutes,
        "price": money(row.price),
        "currency": currency,
    }


def _times(booking: Booking, terms: Terms) -> dict:
    tz = zone(terms.timezone)
    return {
        "start": booking.start_at.astimezone(tz).isoformat(),
        "end": booking.end_at.astimezone(tz).isoformat(),
        "resource_id": booking.resource_id,
        "service_id": booking.booking_type_id,
    }


def _appointment(booking: Booking, terms: Terms) -> dict:
    return {"appointment_id": booking.id, "status": booking.status, **_times(booking, terms)}


# --- whose bookings --------------------------------------------------------------------------


def _booking_of(integration: Integration, data: Mapping, name: str, *, follow: bool) -> Booking:
    """The booking ``data[name]`` names, if this caller may act on it; with ``follow``, the
    booking that replaced it when it was rescheduled, however often."""
    booking_id = read.required_id(data, name)
    booking = _load(integration, booking_id) if len(booking_id) <= ID_LIMIT else None
    if booking is None or not _may_act_on(integration, booking):
        raise NotFound(_("Booking not found."), field=name)
    for _step in range(CHAIN_LIMIT if follow else 0):
        successor = db.session.scalar(
            select(Booking)
            .where(
                Booking.organization_id == integration.organization.id,
                Booking.rescheduled_from_id == booking.id,
            )
            .order_by(Booking.created_at.desc(), Booking.id.desc())
            .limit(1)
        )
        if successor is None:
            break
        booking = successor
    return booking


def _load(integration: Integration, booking_id: str | None) -> Booking | None:
    if not booking_id:
        return None
    return db.session.scalar(
        select(Booking).where(
            Booking.organization_id == integration.organization.id, Booking.id == booking_id
        )
    )


def _may_act_on(integration: Integration, booking: Booking) -> bool:
    """Keys and confidential clients act on every booking of their organization; a public
    client only on those it made (the first booking of the chain was made by it)."""
    client = integration.client
    if client is None or not client.is_public:
        return True
    first = booking
    for _step in range(CHAIN_LIMIT):
        earlier = _load(integration, first.rescheduled_from_id)
        if earlier is None:
            break
        first = earlier
    maker = db.session.scalar(
        select(BookingHistory.actor)
        .where(BookingHistory.booking_id == first.id)
        .order_by(BookingHistory.id)
        .limit(1)
    )
    return maker == integration.actor.label


# --- the booking service's refusals, for the caller ---------------------------------------------


def _explained(
    error: BookingError,
    *,
    start: datetime | None = None,
    id_field: str = "appointment_id",
    refused: str | None = None,
) -> BookingError:
    """The service's refusal in the reader's language, naming the field at fault."""
    code = error.code
    if code == "BOOKING_CONFLICT":
        error.message = (
            _("This time has just been taken. The nearest free time is in next_available.")
            if "next_available" in error.details
            else _("Sorry, that time was just booked, and no later time is free.")
        )
        error.details.setdefault("field", "start")
    elif code == "OUTSIDE_WINDOW":
        if start is not None and start <= now():
            error.message = _("This time has already passed.")
        elif "earliest" in error.details:
            error.message = _("This time is too soon to book.")
        else:
            error.message = _("This time is too far ahead to book.")
        error.details.setdefault("field", "start")
    elif code == "INVALID_TIME":
        error.message = _("This is not a time that can be booked. Choose an available time.")
        error.details.setdefault("field", "start")
    elif code == "INVALID_RESOURCE":
        error.message = _("No resource with this id offers this service here.")
        error.details.setdefault("field", "resource_id")
    elif code == "INVALID_SERVICE":
        error.message = _("No service with this id can be booked here.")
        error.details.setdefault("field", "service_id")
    elif code == "HOLD_EXPIRED":
        error.message = _("This hold has run out; book the time again.")
        error.details.setdefault("field", id_field)
    elif code == "INVALID_TRANSITION" and refused:
        error.message = refused
        error.details.setdefault("field", id_field)
    elif code == "NOT_FOUND":
        error.message = _("Booking not found.")
        error.details.setdefault("field", id_field)
    elif isinstance(error, ValidationFailed) and "field" not in error.details:
        # A required question that changes the service's length, which holds cannot answer.
        error.message = _(
            "This service asks a question before a time is chosen; book it on the website."
        )
        error.details["field"] = "service_id"
    return error
