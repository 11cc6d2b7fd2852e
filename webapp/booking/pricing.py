"""Duration and price of a booking: the type's own, plus time-adjuster fields, plus the
late-booking increase. Pure functions of their inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from webapp.booking.errors import ValidationFailed

CENT = Decimal("0.01")
MAX_UNITS = 1000


@dataclass(frozen=True)
class Adjustment:
    minutes: int = 0
    price: Decimal = Decimal("0")


def time_adjustment(
    fields: Sequence, values: Mapping[str, object] | None, *, staff: bool = True
) -> Adjustment:
    """Minutes and price added by time-adjuster fields: a number field adds its
    ``minutes``/``price`` per unit, an options field the chosen option's. Fields shown
    only to staff are optional for customers (``staff=False``)."""
    values = values or {}
    by_key = {f.key: f for f in fields}
    unknown = sorted(set(values) - set(by_key))
    if unknown:
        raise ValidationFailed(
            f"unknown time-adjuster field(s): {', '.join(unknown)}", fields=unknown
        )
    minutes, price = 0, Decimal("0")
    errors = {}
    for field in fields:
        value = values.get(field.key)
        if value in (None, ""):
            if not field.optional and (staff or field.visibility == "public"):
                errors[field.key] = "This field is required."
            continue
        if field.type == "number":
            units = _units(value)
            if units is None:
                errors[field.key] = f"Enter a whole number from 0 to {MAX_UNITS}."
                continue
            minutes += units * (field.minutes or 0)
            price += units * (field.price or Decimal("0"))
        elif field.type == "options":
            option = next((o for o in field.options or () if o.get("value") == value), None)
            if option is None:
                errors[field.key] = "Choose one of the listed options."
                continue
            minutes += int(option.get("minutes") or 0)
            price += _decimal(option.get("price"))
    if errors:
        raise ValidationFailed("Some time-adjuster fields are invalid.", fields=errors)
    return Adjustment(minutes, price.quantize(CENT))


def _units(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_UNITS:
        return value
    return None


def _decimal(value: object) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal("0")


def booking_price(
    booking_type, adjustment: Adjustment, start: datetime | None, now: datetime
) -> Decimal | None:
    """The price to pay: the type's price plus adjusters, raised by ``priceIncrease`` percent
    when the appointment starts within ``priceIncreaseDays`` days of booking."""
    base = booking_type.price
    if base is None and not adjustment.price:
        return None
    total = (base or Decimal("0")) + adjustment.price
    increase, days = booking_type.price_increase, booking_type.price_increase_days
    if increase and days and start is not None and start - now < timedelta(days=days):
        total += total * increase / Decimal(100)
    return total.quantize(CENT)


def deposit_due(booking_type, price: Decimal | None) -> Decimal | None:
    """The part of ``price`` payable up front, if the type asks for a deposit."""
    if price is None:
        return None
    if booking_type.deposit_amount:
        return min(booking_type.deposit_amount, price).quantize(CENT)
    if booking_type.deposit_percentage:
        return (price * booking_type.deposit_percentage / Decimal(100)).quantize(CENT)
    return None
