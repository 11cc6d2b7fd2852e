"""Factories: build realistic rows with a line per test, overriding only what matters."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from webapp import accounts
from webapp.booking import lifecycle
from webapp.models import (
    BookingType,
    Customer,
    CustomField,
    OffRules,
    Resource,
    TimeRules,
)

WORKWEEK = ["sunday", "monday", "tuesday", "wednesday", "thursday"]
DAY_WITH_BREAK = [{"start": 900, "end": 1300}, {"start": 1400, "end": 1700}]
_counter = {"n": 0}


def _n() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_organization(session, *, timezone="Asia/Riyadh", name=None, **overrides):
    n = _n()
    owner = accounts.create_user(
        session, email=f"owner{n}@example.com", password="correct horse", name="Owner"
    )
    organization, website = accounts.create_organization(
        session, owner=owner, name=name or f"Clinic {n}", timezone=timezone, slug=f"clinic-{n}"
    )
    for key, value in overrides.items():
        setattr(organization, key, value)
    session.flush()
    return organization


def make_booking_type(session, organization, **overrides):
    values = {
        "name": "Consultation",
        "minutes": 30,
        "leave_minutes_before": 0,
        "leave_minutes_after": 0,
        "auto_confirm": True,
    }
    values.update(overrides)
    for key in ("price", "old_price", "deposit_amount", "deposit_percentage", "price_increase"):
        if isinstance(values.get(key), int | float | str):
            values[key] = Decimal(str(values[key]))
    booking_type = BookingType(organization_id=organization.id, **values)
    session.add(booking_type)
    session.flush()
    return booking_type


def make_resource(
    session,
    organization,
    *types,
    name=None,
    rules=None,
    off_rules=None,
    depth_of_days=60,
    notice_hours=0,
    **overrides,
):
    """A resource offering ``types``; by default it works Sunday-Thursday 09-13 and 14-17."""
    resource = Resource(organization_id=organization.id, name=name or f"Dr {_n()}", **overrides)
    resource.booking_types.extend(types)
    session.add(resource)
    session.flush()
    session.add(
        TimeRules(
            resource_id=resource.id,
            organization_id=organization.id,
            depth_of_days=depth_of_days,
            schedule_after_hours_from_now=notice_hours,
            rules=rules if rules is not None else [{"days": WORKWEEK, "times": DAY_WITH_BREAK}],
        )
    )
    if off_rules:
        session.add(
            OffRules(resource_id=resource.id, organization_id=organization.id, rules=off_rules)
        )
    session.flush()
    return resource


def make_customer(session, organization, **overrides):
    n = _n()
    values = {"first_name": "Sara", "last_name": f"Customer{n}", "email": f"sara{n}@example.com"}
    values.update(overrides)
    customer = Customer(organization_id=organization.id, **values)
    session.add(customer)
    session.flush()
    return customer


def make_field(session, organization, key, **overrides):
    values = {"scope": "booking", "name": key.title(), "type": "text", "visibility": "public"}
    values.update(overrides)
    field = CustomField(organization_id=organization.id, key=key, **values)
    session.add(field)
    session.flush()
    return field


def at(text: str, tz: str = "Asia/Riyadh") -> datetime:
    """``at("2026-11-22 09:00")``: an aware datetime in ``tz``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def create_booking(session, organization, booking_type, *, start, now, **overrides):
    """Book through the service layer, as a customer unless ``actor`` says otherwise."""
    overrides.setdefault("actor", lifecycle.Actor("customer"))
    return lifecycle.create_booking(
        session,
        organization,
        booking_type_id=booking_type.id,
        start=start,
        now=now,
        **overrides,
    )
