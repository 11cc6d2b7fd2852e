"""Manage Scheduling (seed 002): staff book for a customer (``new``), hold a time for a few
minutes (``temporary``) and confirm a hold (``confirm``). With ``rescheduleBookingId`` the
booking named is canceled and a new one (or a hold) made at the new time, in one go.

Staff book on the organization's terms rather than the website's: any active service and
resource (bookable from the website or not), any minute inside working hours, every booking
question (those shown only to staff too). A staff member books their own resources only.
The customer is ``customerIdentifier``: ``{"id"}``, or ``{"email"}`` and/or ``{"phone"}``
with ``firstName`` and ``lastName`` to create one not known yet. Every call accepts an
``Idempotency-Key``. With ``assign: false`` (``new`` only) the customer joins the service's
queue instead, as a walk-in does: no date, time or resource."""

from __future__ import annotations

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.api import inputs, offer
from webapp.api.access import management
from webapp.api.blueprint import body, bp
from webapp.api.management_bookings import booking_json, idempotent, visible_booking
from webapp.api.management_values import JsonReader, fail
from webapp.booking import lifecycle, queue
from webapp.booking.errors import (
    BookingError,
    HoldExpired,
    InvalidResource,
    NotFound,
    ValidationFailed,
)
from webapp.customers import find_customer, record_customer
from webapp.extensions import db
from webapp.i18n import current_lang
from webapp.manage.customers import MAX_NAME, normalized_contact
from webapp.models import Customer
from webapp.public import fields as form_fields
from webapp.public.blueprint import now

NOTE_LIMIT = 2000
HOLD_MINUTES = 15  # a hold's length when reservedForMinutes is left out
HOLD_RANGE = lifecycle.HOLD_MINUTES_RANGE
IDENTIFIER_KEYS = {"id", "email", "phone", "firstName", "lastName"}
QUEUE_REFUSES = (
    *inputs.TIME_MEMBERS,
    "rescheduleBookingId",
    "resourceFilters",
    "resourceFiltersCustomFields",
    "timeAdjustersCustomFields",
)


@bp.put("/management/scheduling/new")
@management()
def management_scheduling_new():
    data = body()
    return idempotent("management.scheduling.new", data, lambda: _schedule(data), 201)


@bp.put("/management/scheduling/temporary")
@management()
def management_scheduling_temporary():
    data = body()
    minutes = _hold_minutes(data)
    return idempotent(
        "management.scheduling.temporary",
        data,
        lambda: _schedule(data, hold_minutes=minutes),
        201,
    )


@bp.post("/management/scheduling/confirm")
@management()
def management_scheduling_confirm():
    data = body()
    booking_id = inputs.text(data, "bookingId", limit=64, required=True)

    def confirm() -> dict:
        hold = visible_booking(booking_id, field="bookingId")
        try:
            booking = lifecycle.confirm_hold(
                db.session,
                g.organization,
                hold.id,
                actor=g.caller.actor,
                now=now(),
                payment_window_minutes=current_app.config["PAYMENT_WINDOW_MINUTES"],
            )
        except HoldExpired as error:
            error.message = _("This hold has run out; book the time again.")
            error.details["field"] = "bookingId"
            raise
        except BookingError as error:
            if error.code == "INVALID_TRANSITION":
                error.message = _(
                    "Only a hold can be confirmed; this booking is %(status)s.", status=hold.status
                )
            error.details.setdefault("field", "bookingId")
            raise
        return booking_json(booking)

    return idempotent("management.scheduling.confirm", data, confirm)


def _hold_minutes(data: dict) -> int:
    value = data.get("reservedForMinutes")
    if value is None:
        return HOLD_MINUTES
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    low, high = HOLD_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(
            _(
                "reservedForMinutes must be a whole number from %(low)d to %(high)d.",
                low=low,
                high=high,
            ),
            field="reservedForMinutes",
        )
    return value


def _schedule(data: dict, *, hold_minutes: int | None = None) -> dict:
    if not inputs.flag(data, "assign", True):
        if hold_minutes is not None:
            raise ValidationFailed(
                _("A hold keeps a time: to queue a customer, use scheduling/new."),
                field="assign",
            )
        return _join_queue(data)
    inputs.flag(data, "showAll", False)  # staff see every resource and service anyway
    note = inputs.text(data, "note", limit=NOTE_LIMIT) or ""
    start = inputs.start_time(data, g.site.timezone)
    catalog = offer.staff_catalog(db.session, g.organization.id)
    moving = inputs.text(data, "rescheduleBookingId", limit=64)
    if moving:
        return _reschedule(data, catalog, moving, start, hold_minutes)
    booking_type = offer.booking_type_of(catalog, data.get("type"), required=True)
    resource_ids, category_id = _resources(catalog, data)
    filters = offer.filter_values(catalog, data.get("resourceFiltersCustomFields"), staff=True)
    adjusters = inputs.obj(data, "timeAdjustersCustomFields")
    customer = _customer(data)
    specs = form_fields.booking_specs(catalog.booking_fields, booking_type.id, staff=True)
    info = inputs.answers(
        specs, data.get("bookingInfoCustomFields"), member="bookingInfoCustomFields"
    )
    try:
        booking = lifecycle.create_booking(
            db.session,
            g.organization,
            booking_type_id=booking_type.id,
            start=start,
            actor=g.caller.actor,
            now=now(),
            customer=customer,
            # Among several resources, the least busy one free then.
            resource_id=resource_ids[0] if resource_ids and len(resource_ids) == 1 else None,
            resource_ids=resource_ids,
            category_id=category_id,
            resource_filters=filters or None,
            time_adjusters=adjusters,
            info={**filters, **adjusters, **info},
            note=note,
            source="api",
            website_id=g.website.id,
            timezone=g.site.timezone,
            hold_minutes=hold_minutes,
            payment_window_minutes=current_app.config["PAYMENT_WINDOW_MINUTES"],
        )
    except BookingError as error:
        inputs.forget_uploads(specs, info)  # nothing is kept of a request that books nothing
        raise in_words(error, data) from None
    return booking_json(booking)


def _join_queue(data: dict) -> dict:
    """``assign: false``: the customer (a walk-in, say) joins the service's queue, with no
    date, time or resource; the first provider free takes the booking. A staff member
    queues for a service one of their resources offers."""
    inputs.refuse_for_queue(data, QUEUE_REFUSES)
    note = inputs.text(data, "note", limit=NOTE_LIMIT) or ""
    timeout = inputs.whole_number(data, "assignmentTimeout")
    catalog = offer.staff_catalog(db.session, g.organization.id)
    booking_type = offer.booking_type_of(catalog, data.get("type"), required=True)
    scope = g.caller.resource_scope
    if scope is not None and not any(r.id in scope for r in catalog.resources_for(booking_type.id)):
        raise InvalidResource(_("None of your resources offers this service."), field="type")
    customer = _customer(data)
    specs = form_fields.booking_specs(catalog.booking_fields, booking_type.id, staff=True)
    info = inputs.answers(
        specs, data.get("bookingInfoCustomFields"), member="bookingInfoCustomFields"
    )
    try:
        booking = queue.join_queue(
            db.session,
            g.organization,
            booking_type_id=booking_type.id,
            actor=g.caller.actor,
            now=now(),
            customer=customer,
            info=info,
            note=note,
            source="api",
            website_id=g.website.id,
            assignment_timeout=timeout,
            payment_window_minutes=current_app.config["PAYMENT_WINDOW_MINUTES"],
        )
    except BookingError as error:
        inputs.forget_uploads(specs, info)
        if error.code != "INVALID_RESOURCE":
            raise in_words(error, data) from None
        error.message = _("No one offers this service now, so no one could take it.")
        error.details["field"] = "type"
        raise
    return booking_json(booking)


def _reschedule(data: dict, catalog, booking_id: str, start, hold_minutes) -> dict:
    """Move a booking the caller may act on; it keeps its service, customer and answers."""
    old = visible_booking(booking_id, field="rescheduleBookingId")
    if data.get("type") not in (None, "", old.booking_type_id):
        raise ValidationFailed(
            _("A booking keeps its service when it moves: leave type out or send its own."),
            field="type",
        )
    resource_ids, category_id = _resources(catalog, data, default=[old.resource_id])
    if category_id is not None or len(resource_ids or ()) > 1:
        raise ValidationFailed(
            _("A booking moves to one resource: name it in resourceFilters.resource."),
            field="resourceFilters",
        )
    try:
        booking = lifecycle.reschedule_booking(
            db.session,
            g.organization,
            old.id,
            start=start,
            actor=g.caller.actor,
            now=now(),
            resource_id=resource_ids[0] if resource_ids else None,
            timezone=g.site.timezone,
            hold_minutes=hold_minutes,
        )
    except BookingError as error:
        if error.code == "INVALID_TRANSITION":
            error.message = _("A %(status)s booking cannot be moved.", status=old.status)
            error.details["field"] = "rescheduleBookingId"
        raise in_words(error, data) from None
    return booking_json(booking)


def _resources(catalog, data: dict, default: list | None = None):
    """``resourceFilters`` (``{"resource"}``, ``{"resources"}`` or ``{"category"}``) as
    resource ids and a category, within a staff member's own resources."""
    choice = offer.resource_choice(catalog, data.get("resourceFilters"))
    ids = list(choice.resource_ids) if choice.resource_ids else None
    scope = g.caller.resource_scope
    if ids is None and choice.category_id is None and default and default[0]:
        ids = default
    if scope is not None:
        if ids is not None and any(i not in scope for i in ids):
            raise InvalidResource(
                _("No resource with this id can be booked here."), field="resourceFilters"
            )
        ids = ids if ids is not None else list(scope)
        if not ids:
            raise InvalidResource(
                _("You provide no resource to book: ask an admin to add you to one."),
                field="resourceFilters",
            )
    return ids, choice.category_id


def _customer(data: dict) -> Customer:
    """The customer ``customerIdentifier`` names, made when an email or phone is new."""
    given = inputs.obj(data, "customerIdentifier")
    if not given:
        raise ValidationFailed(
            _("Name the customer in customerIdentifier: their id, email or phone."),
            field="customerIdentifier",
        )
    reader = JsonReader(given, "customerIdentifier.")
    reader.only(IDENTIFIER_KEYS)
    customer_id = reader.text("id", None, max_length=64)
    email = reader.text("email", None, max_length=254)
    phone = reader.text("phone", None, max_length=40)
    first_name = reader.text("firstName", None, max_length=MAX_NAME)
    last_name = reader.text("lastName", None, max_length=MAX_NAME)
    if customer_id:
        if email or phone:
            raise fail(
                "customerIdentifier",
                _("Name the customer by id, or by email and phone, not both."),
            )
        found = db.session.scalar(
            select(Customer).where(
                Customer.organization_id == g.organization.id, Customer.id == customer_id
            )
        )
        if found is None:
            raise NotFound(_("Customer not found."), field="customerIdentifier.id")
        return found
    if not email and not phone:
        raise fail(
            "customerIdentifier",
            _("Name the customer in customerIdentifier: their id, email or phone."),
        )
    answers = {"firstName": first_name, "lastName": last_name}
    if email:
        answers["email"] = _normalized("email", email)
    if phone:
        answers["phoneNumber"] = _normalized("phone", phone)
    known = find_customer(
        db.session, g.organization.id, email=answers.get("email"), phone=answers.get("phoneNumber")
    )
    if known is None and not first_name:
        raise fail(
            "customerIdentifier.firstName",
            _("This customer is new: give their first name in customerIdentifier.firstName."),
        )
    return record_customer(db.session, g.organization, answers, now=now(), lang=current_lang())


def _normalized(name: str, value: str) -> str:
    return normalized_contact(
        db.session, g.organization, name, value, field=f"customerIdentifier.{name}"
    )


def in_words(error: BookingError, data: dict) -> BookingError:
    """The booking service's refusals in the reader's language, naming the field."""
    time_field = "startDateTime" if data.get("startDateTime") else "time"
    if error.code == "BOOKING_CONFLICT":
        error.message = _(
            "This time has just been taken. The nearest free time is in next_available."
        )
        error.details.setdefault("field", time_field)
    elif error.code == "OUTSIDE_WINDOW":
        error.message = (
            _("This time is too soon to book.")
            if "earliest" in error.details
            else _("This time is too far ahead to book.")
        )
        error.details.setdefault("field", time_field)
    elif error.code == "INVALID_TIME":
        error.message = _("The resource does not work at this time.")
        error.details.setdefault("field", time_field)
    elif error.code in ("INVALID_RESOURCE", "INVALID_SERVICE"):
        error.message = _("No resource matching this choice offers this service.")
        error.details.setdefault("field", "resourceFilters")
    elif isinstance(error, ValidationFailed) and "field" not in error.details:
        # The time adjusters, checked as the booking is made.
        problems = error.details.get("fields") or {}
        key = next(iter(problems), "")
        error.message = _("%(field)s: this answer is missing or not valid.", field=key)
        error.details["field"] = f"timeAdjustersCustomFields.{key}".rstrip(".")
    return error
