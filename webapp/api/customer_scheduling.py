"""Customer Scheduling (seed 002): the signed-in customer books a time of a service the
website offers, on the website's terms: only its services and resources, its booking policy,
its questions (answered and checked as on the website), its rate limit. The answer is the
booking; a time taken a moment ago answers 409 with the nearest free time. With
``assign: false`` the customer joins the service's queue instead (instant booking): no date,
time or resource, the first provider free takes the booking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app, g
from flask_babel import gettext as _

from webapp.api import inputs
from webapp.api.blueprint import body, bp, customer_required
from webapp.api.customer import apply_answers, booking_json, envelope_text, field_rows, idempotent
from webapp.booking import lifecycle, queue
from webapp.booking.errors import (
    BookingError,
    InvalidResource,
    InvalidService,
    NotFound,
    ValidationFailed,
)
from webapp.booking.pricing import MAX_UNITS, time_adjustment
from webapp.extensions import db
from webapp.i18n import translated
from webapp.models import Booking
from webapp.public import catalog as cat
from webapp.public import fields as form_fields
from webapp.public import schedule
from webapp.public.blueprint import now
from webapp.security import limiter

FILTER_TEXT_LIMIT = 200
MAX_RESOURCES = 50
RESOURCE_CHOICES = ("resource", "resources", "category")
QUEUE_REFUSES = (
    *inputs.TIME_MEMBERS,
    "resourceFilters",
    "resourceFiltersCustomFields",
    "timeAdjustersCustomFields",
)


def _booking_limit() -> str:
    return current_app.config.get("BOOKING_RATE_LIMIT", "10/minute")


def _customer_key() -> str:
    return f"customer:{g.customer.id}"


@bp.put("/customer/scheduling/new")
@customer_required
@limiter.limit(_booking_limit, scope="api-booking")
@limiter.limit(_booking_limit, key_func=_customer_key, scope="api-booking-customer")
def scheduling_new():
    data = body()
    response, _done_now = idempotent("customer.scheduling.new", data, lambda: _schedule(data))
    return response


def _schedule(data: dict) -> tuple[int, str]:
    type_id = inputs.text(data, "type", limit=64, required=True)
    queued = not inputs.flag(data, "assign", True)
    if inputs.flag(data, "showAll", False):
        raise ValidationFailed(
            _("showAll is for staff: customers book what the website offers."), field="showAll"
        )
    catalog = cat.load_catalog(db.session, g.organization)
    if catalog.type(type_id) is None:
        raise InvalidService(_("This service cannot be booked on this website."), field="type")
    if queued:
        return _book(data, type_id, _queue_joiner(data, type_id))
    start = inputs.start_time(data, g.site.timezone)
    resource_ids, category_id = _resource_choice(data, catalog, type_id)
    filters = _filter_answers(data, catalog, type_id)
    adjusters = _adjuster_answers(data, catalog, type_id)

    def create(info: dict) -> Booking:
        try:
            return lifecycle.create_booking(
                db.session,
                g.organization,
                booking_type_id=type_id,
                start=start,
                actor=lifecycle.Actor("customer", g.customer.id),
                now=now(),
                customer=g.customer,
                # Among several resources asked for, the least busy one free then.
                resource_id=resource_ids[0] if len(resource_ids) == 1 else None,
                resource_ids=resource_ids or None,
                category_id=category_id,
                resource_filters=filters or None,
                time_adjusters=adjusters,
                info={**filters, **adjusters, **info},
                source="api",
                website_id=g.website.id,
                timezone=g.site.timezone,
                payment_window_minutes=current_app.config["PAYMENT_WINDOW_MINUTES"],
                suggestion_grid=schedule.website_grid(g.site),
            )
        except BookingError as error:
            raise _in_words(error, data, start) from None

    return _book(data, type_id, create)


def _book(data: dict, type_id: str, make: Callable[[dict], Booking]) -> tuple[int, str]:
    """Book with ``make`` (given the checked booking answers), keeping the customer's own
    answers in their profile; the booking as the answer."""
    booking_specs = form_fields.booking_specs(field_rows("booking"), type_id)
    customer_specs = form_fields.customer_specs(field_rows("customer"))
    info = inputs.answers(
        booking_specs, data.get("bookingInfoCustomFields"), member="bookingInfoCustomFields"
    )
    profile: dict = {}
    try:
        profile = inputs.answers(
            customer_specs,
            data.get("customerCustomFields"),
            member="customerCustomFields",
            partial=True,
        )
        booking = make(info)
        apply_answers(g.customer, profile, lambda key: f"customerCustomFields.{key}")
    except BookingError:
        # Nothing is kept of a request that books nothing, its files included.
        inputs.forget_uploads(booking_specs, info)
        inputs.forget_uploads(customer_specs, profile)
        raise
    return envelope_text(booking_json(booking), 201)


def _queue_joiner(data: dict, type_id: str) -> Callable[[dict], Booking]:
    """``assign: false``: join the service's queue, no date, time or resource; the first
    provider free takes the booking. ``assignmentTimeout``: minutes to wait (5..180)."""
    inputs.refuse_for_queue(data, QUEUE_REFUSES)
    timeout = inputs.whole_number(data, "assignmentTimeout")

    def join(info: dict) -> Booking:
        try:
            return queue.join_queue(
                db.session,
                g.organization,
                booking_type_id=type_id,
                actor=lifecycle.Actor("customer", g.customer.id),
                now=now(),
                customer=g.customer,
                info=info,
                source="api",
                website_id=g.website.id,
                assignment_timeout=timeout,
                payment_window_minutes=current_app.config["PAYMENT_WINDOW_MINUTES"],
            )
        except InvalidResource as error:
            error.message = _("No one offers this service now, so no one could take it.")
            error.details["field"] = "type"
            raise

    return join


def _resource_choice(data: dict, catalog: cat.Catalog, type_id: str):
    """``resourceFilters``: ``{"resource": id}``, ``{"resources": [ids]}`` or
    ``{"category": id}``; the resources must offer the service on this website."""
    choice = inputs.obj(data, "resourceFilters")
    for key in choice:
        if key not in RESOURCE_CHOICES:
            raise ValidationFailed(
                _("resourceFilters takes resource, resources or category."),
                field=f"resourceFilters.{str(key)[:64]}",
            )
    ids = _ids(choice)
    category_id = choice.get("category")
    if category_id is not None and (
        not isinstance(category_id, str) or catalog.category(category_id) is None
    ):
        raise NotFound(_("Category not found."), field="resourceFilters.category")
    if ids and g.site.booking_policy == "leastFirst":
        raise ValidationFailed(
            _("This website assigns the resource itself: leave resource out."),
            field="resourceFilters.resource",
        )
    offered = {r.id for r in catalog.resources_for(type_id, category_id)}
    if any(rid not in offered for rid in ids):
        raise InvalidResource(
            _("This resource does not offer this service on this website."),
            field="resourceFilters.resource",
        )
    return ids, category_id


def _ids(choice: dict) -> list[str]:
    single, several = choice.get("resource"), choice.get("resources")
    if single not in (None, "") and several not in (None, []):
        raise ValidationFailed(
            _("Send either resource or resources, not both."), field="resourceFilters.resources"
        )
    if single not in (None, ""):
        if not isinstance(single, str):
            raise ValidationFailed(
                _("resource must be a resource id."), field="resourceFilters.resource"
            )
        return [single[:64]]
    if several in (None, []):
        return []
    valid = (
        isinstance(several, list)
        and len(several) <= MAX_RESOURCES
        and all(isinstance(r, str) and r for r in several)
    )
    if not valid:
        raise ValidationFailed(
            _("resources must be a list of at most %(n)d resource ids.", n=MAX_RESOURCES),
            field="resourceFilters.resources",
        )
    return list(dict.fromkeys(r[:64] for r in several))


def _filter_answers(data: dict, catalog: cat.Catalog, type_id: str) -> dict:
    """``resourceFiltersCustomFields``: text, or option values, matched against resources."""
    given = inputs.obj(data, "resourceFiltersCustomFields")
    fields = {f.key: f for f in catalog.filter_fields(type_id)}
    found = {}
    for key, value in given.items():
        name = f"resourceFiltersCustomFields.{str(key)[:64]}"
        field = fields.get(key)
        if field is None:
            raise ValidationFailed(
                _("There is no field %(key)s to answer here.", key=str(key)[:64]), field=name
            )
        if value is None or value == "" or value == []:
            continue
        wanted = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and 0 < len(v) <= FILTER_TEXT_LIMIT for v in wanted):
            raise ValidationFailed(_("Give a text or a list of texts."), field=name)
        known = {str(o.get("value")) for o in field.options or ()}
        if field.type == "options" and any(v not in known for v in wanted):
            raise ValidationFailed(_("Choose one of the options shown."), field=name)
        found[key] = value
    return found


def _adjuster_answers(data: dict, catalog: cat.Catalog, type_id: str) -> dict:
    """``timeAdjustersCustomFields``, checked before anything is booked, so a problem names
    its field."""
    given = inputs.obj(data, "timeAdjustersCustomFields")
    fields = catalog.adjuster_fields(type_id)
    by_key = {f.key: f for f in fields}
    for key in given:
        if key not in by_key:
            raise ValidationFailed(
                _("There is no field %(key)s to answer here.", key=str(key)[:64]),
                field=f"timeAdjustersCustomFields.{str(key)[:64]}",
            )
    try:
        time_adjustment(fields, given, staff=False)
    except ValidationFailed as error:
        problems = error.details.get("fields") or {}
        key = next(iter(problems))
        field = by_key[key]
        if "required" in str(problems[key]):
            message = _("This field is required.")
        elif field.type == "options":
            message = _("Choose one of the options shown.")
        else:
            message = _("Enter a whole number from 0 to %(max)d.", max=MAX_UNITS)
        raise ValidationFailed(
            f"{translated(field.name, field.name_translations)}: {message}",
            field=f"timeAdjustersCustomFields.{key}",
        ) from None
    return {k: v for k, v in given.items() if v is not None and v != ""}


def _in_words(error: BookingError, data: dict, start: datetime) -> BookingError:
    """The booking service's refusals in the reader's language, naming the time field."""
    time_field = "startDateTime" if data.get("startDateTime") else "time"
    if error.code == "BOOKING_CONFLICT":
        error.message = (
            _("Sorry, that time was just booked. The nearest free time is in next_available.")
            if "next_available" in error.details
            else _("Sorry, that time was just booked, and no later time is free.")
        )
    elif error.code == "OUTSIDE_WINDOW":
        if start <= now():
            error.message = _("This time has already passed.")
        elif "earliest" in error.details:
            error.message = _("This time is too soon to book.")
        else:
            error.message = _("This time is too far ahead to book.")
        error.details.setdefault("field", time_field)
    elif error.code == "INVALID_TIME":
        error.message = _("This is not a time that can be booked. Choose an available time.")
        error.details.setdefault("field", time_field)
    elif error.code == "INVALID_RESOURCE":
        error.message = _("No resource matching this choice offers this service.")
    return error
