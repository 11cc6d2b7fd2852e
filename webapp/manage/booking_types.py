"""Booking types ("Services"): what customers book, how long it takes, what it costs and
which resources offer it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.booking.intervals import RuleError
from webapp.booking.slots import MAX_BLOCK_MINUTES, grid_for_flags
from webapp.models import Booking, BookingType, CustomField, Organization, Resource
from webapp.models.booking_types import PAYMENT_METHODS

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_MINUTES = 24 * 60 * 14
MAX_BUFFER_MINUTES = 24 * 60
# The show* flags of the slot grid a service may set for itself (showAll is the staff's
# per-request switch, not a property of a service).
TIME_FLAGS = (
    "showOclock",
    "showHalfHour",
    "showThirdHour",
    "showQuarterHour",
    "showSixthHour",
    "showInBetweenSlots",
    "showAfterMidnight",
)


@dataclass
class BookingTypeValues:
    name: str
    name_translations: dict = field(default_factory=dict)
    description: str = ""
    description_translations: dict = field(default_factory=dict)
    minutes: int = 30
    leave_minutes_before: int = 0
    leave_minutes_after: int = 0
    category: str | None = None
    color: str | None = None
    on: bool = True
    price: Decimal | None = None
    old_price: Decimal | None = None
    price_increase: Decimal | None = None
    price_increase_days: int | None = None
    deposit_amount: Decimal | None = None
    deposit_percentage: Decimal | None = None
    # {} follows the website's slot splitting; otherwise every TIME_FLAGS flag and
    # optionally "showFixedTimes" ("800,1230").
    time_options: dict = field(default_factory=dict)
    auto_confirm: bool = False
    payment_methods: list[str] = field(default_factory=list)
    book_from_website: bool = True
    # The website and widget offer to join its queue (no date or time).
    queue_enabled: bool = False
    position: int = 0
    resource_ids: list[str] = field(default_factory=list)
    # None keeps what is stored (the admin's form has neither).
    schedule: dict | None = None
    photos: list[dict] | None = None


def get_booking_type(session: Session, organization: Organization, type_id: str) -> BookingType:
    booking_type = session.scalar(
        select(BookingType).where(
            BookingType.organization_id == organization.id, BookingType.id == type_id
        )
    )
    if booking_type is None:
        raise NotFound(_("Service not found."))
    return booking_type


def problems_of(values: BookingTypeValues) -> dict[str, str]:
    """Every rule ``values`` breaks, as {field: message}; empty when they may be saved."""
    problems: dict[str, str] = {}
    if not values.name.strip() or len(values.name) > 200:
        problems["name"] = _("The service needs a name (at most 200 characters).")
    if not 1 <= values.minutes <= MAX_MINUTES:
        problems["minutes"] = _("The duration must be from 1 to %(n)d minutes.", n=MAX_MINUTES)
    for name, minutes in (
        ("leave_minutes_before", values.leave_minutes_before),
        ("leave_minutes_after", values.leave_minutes_after),
    ):
        if not 0 <= minutes <= MAX_BUFFER_MINUTES:
            problems[name] = _("Leave from 0 to %(n)d minutes free.", n=MAX_BUFFER_MINUTES)
    block = values.minutes + values.leave_minutes_before + values.leave_minutes_after
    if "minutes" not in problems and block > MAX_BLOCK_MINUTES:
        problems["minutes"] = _("A booking and its free time may last at most 14 days.")
    if values.category and len(values.category) > 100:
        problems["category"] = _("Use at most %(n)d characters.", n=100)
    if values.color and not COLOR.match(values.color):
        problems["color"] = _("Choose a colour such as #2a7ab0.")
    problems.update(_price_problems(values))
    if any(method not in PAYMENT_METHODS for method in values.payment_methods):
        problems["payment_methods"] = _("Choose from the offered payment methods.")
    if not 0 <= values.position <= 10_000:
        problems["position"] = _("Enter a number from %(a)d to %(b)d.", a=0, b=10_000)
    if values.time_options:
        problem = _time_options_problem(values.time_options)
        if problem:
            problems["time_options"] = problem
    return problems


def _price_problems(values: BookingTypeValues) -> dict[str, str]:
    problems: dict[str, str] = {}
    for name in ("price", "old_price", "price_increase", "deposit_amount", "deposit_percentage"):
        amount = getattr(values, name)
        if amount is not None and amount < 0:
            problems[name] = _("Amounts cannot be negative.")
    if values.old_price is not None and values.price is None:
        problems["old_price"] = _("An old price is shown next to the price: enter the price too.")
    increase, days = values.price_increase, values.price_increase_days
    if (increase is None) != (days is None):
        name = "price_increase_days" if days is None else "price_increase"
        problems[name] = _("Give both the percentage and the number of days, or neither.")
    if days is not None and not 1 <= days <= 365:
        problems["price_increase_days"] = _("Enter a number from %(a)d to %(b)d.", a=1, b=365)
    if increase is not None and increase > 1000:
        problems["price_increase"] = _("Enter a percentage from 0 to 1000.")
    if values.deposit_amount is not None and values.deposit_percentage is not None:
        problems["deposit_percentage"] = _("Ask for a deposit amount or a percentage, not both.")
    elif values.deposit_amount is not None or values.deposit_percentage is not None:
        name = "deposit_amount" if values.deposit_amount is not None else "deposit_percentage"
        if not values.price:
            problems[name] = _("A deposit is part of the price: enter the price first.")
        elif values.deposit_amount is not None and values.deposit_amount > values.price:
            problems[name] = _("The deposit cannot be more than the price.")
        elif values.deposit_percentage is not None and not (0 < values.deposit_percentage <= 100):
            problems[name] = _("Enter a percentage above 0 and at most 100.")
    return problems


def _time_options_problem(options: dict) -> str | None:
    unknown = set(options) - {*TIME_FLAGS, "showFixedTimes"}
    if unknown:
        return _("Unknown time options: %(names)s.", names=", ".join(sorted(unknown)))
    try:
        grid_for_flags(options)
    except RuleError:
        fixed = options.get("showFixedTimes")
        if fixed and not all(part.strip().isdigit() for part in str(fixed).split(",")):
            return _("Write fixed times as 24-hour times such as 800, 1230, 1600.")
        if fixed:
            return _("Fixed times must be real times of day, such as 800 or 1630.")
        return _("Turn on at least one kind of start time, or add fixed times.")
    return None


def save_booking_type(
    session: Session,
    organization: Organization,
    values: BookingTypeValues,
    booking_type: BookingType | None = None,
) -> BookingType:
    """Create a service (``booking_type`` None) or update it, with the resources offering it."""
    problems = problems_of(values)
    if problems:
        name, message = next(iter(problems.items()))
        raise ValidationFailed(message, field=name, errors=problems)
    resources = organization_resources(session, organization)
    unknown = set(values.resource_ids) - {r.id for r in resources}
    if unknown:
        raise ValidationFailed(_("Choose resources of this organization."), field="resource_ids")

    if booking_type is None:
        booking_type = BookingType(organization_id=organization.id, name=values.name)
        session.add(booking_type)
    booking_type.name = values.name.strip()
    booking_type.name_translations = values.name_translations
    booking_type.description = values.description
    booking_type.description_translations = values.description_translations
    booking_type.minutes = values.minutes
    booking_type.leave_minutes_before = values.leave_minutes_before
    booking_type.leave_minutes_after = values.leave_minutes_after
    booking_type.category = (values.category or "").strip() or None
    booking_type.color = values.color.lower() if values.color else None
    booking_type.on = values.on
    booking_type.price = values.price
    booking_type.old_price = values.old_price
    booking_type.price_increase = values.price_increase
    booking_type.price_increase_days = values.price_increase_days
    booking_type.deposit_amount = values.deposit_amount
    booking_type.deposit_percentage = values.deposit_percentage
    booking_type.time_options = dict(values.time_options)
    booking_type.auto_confirm = values.auto_confirm
    booking_type.payment_methods = [m for m in PAYMENT_METHODS if m in values.payment_methods]
    booking_type.book_from_website = values.book_from_website
    booking_type.queue_enabled = values.queue_enabled
    booking_type.position = values.position
    if values.schedule is not None:
        booking_type.schedule = dict(values.schedule)
    if values.photos is not None:
        booking_type.photos = list(values.photos)
    session.flush()
    _offer(resources, booking_type, set(values.resource_ids))
    session.flush()
    return booking_type


def organization_resources(session: Session, organization: Organization) -> list[Resource]:
    return list(
        session.scalars(
            select(Resource)
            .where(Resource.organization_id == organization.id)
            .order_by(Resource.position, Resource.name)
        )
    )


def _offer(resources: list[Resource], booking_type: BookingType, chosen: set[str]) -> None:
    """Make exactly the ``chosen`` resources offer the service."""
    for resource in resources:
        offers = any(t.id == booking_type.id for t in resource.booking_types)
        if resource.id in chosen and not offers:
            resource.booking_types.append(booking_type)
        elif resource.id not in chosen and offers:
            resource.booking_types = [t for t in resource.booking_types if t.id != booking_type.id]


def resources_offering(
    session: Session, organization: Organization, type_ids: list[str] | None = None
) -> dict[str, list[Resource]]:
    """{service id: the resources offering it}, for the organization's services."""
    offered: dict[str, list[Resource]] = {}
    for resource in organization_resources(session, organization):
        for booking_type in resource.booking_types:
            if type_ids is None or booking_type.id in type_ids:
                offered.setdefault(booking_type.id, []).append(resource)
    return offered


def has_bookings(session: Session, booking_type: BookingType) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.booking_type_id == booking_type.id)
        )
    )


def delete_or_switch_off(session: Session, organization: Organization, type_id: str) -> bool:
    """Delete a service that was never booked (True). One with bookings is kept for their
    history and switched off instead (False), so nobody can book it any more."""
    booking_type = get_booking_type(session, organization, type_id)
    if has_bookings(session, booking_type):
        booking_type.on = False
        session.flush()
        return False
    for resource in organization_resources(session, organization):
        if any(t.id == booking_type.id for t in resource.booking_types):
            resource.booking_types = [t for t in resource.booking_types if t.id != type_id]
    _forget_in_fields(session, organization, type_id)
    session.flush()
    session.delete(booking_type)
    session.flush()
    return True


def _forget_in_fields(session: Session, organization: Organization, type_id: str) -> None:
    """Custom fields limited to the deleted service stop naming it. A field that was asked
    for that service only is switched off rather than left to apply to every service."""
    fields = session.scalars(
        select(CustomField).where(CustomField.organization_id == organization.id)
    )
    for custom_field in fields:
        if type_id not in (custom_field.types or ()):
            continue
        remaining = [t for t in custom_field.types if t != type_id]
        if not remaining:
            custom_field.enabled = False
        custom_field.types = remaining
