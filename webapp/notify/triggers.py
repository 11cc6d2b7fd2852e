"""What webhooks are sent for, and what they carry.

Subscriptions name a seed-002 trigger id (``newBooking``...) or one of the short event names
of seed 000 (``booking.created``...), which stand for several triggers. Deliveries for a
trigger id carry the seed-002 booking payload; deliveries for an event name carry the
seed-000 envelope ``{"event", "data"}``. A booking waiting in the queue has no time yet: its
time fields are null.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

# Seed-002 trigger ids with the status the booking has when each fires.
TRIGGERS: dict[str, str] = {
    "newBooking": "PENDING_APPROVAL",
    "newAppointment": "CONFIRMED",
    "appointmentRescheduled": "CONFIRMED",
    "bookingRejected": "REJECTED",
    "customerCanceled": "CANCELED",
    "providerCanceled": "CANCELED",
    "bookingUnassigned": "PENDING_ASSIGNMENT",
    "bookingAssigned": "CONFIRMED",
    "bookingExpired": "REJECTED",
    "queuePositionUpdated": "PENDING_ASSIGNMENT",
    "oneDayBeforeAppointment": "CONFIRMED",
    "oneHourBeforeAppointment": "CONFIRMED",
    "tenMinutesBeforeAppointment": "CONFIRMED",
    "beforeAppointment": "CONFIRMED",
    "afterAppointment": "CONFIRMED",
    "oneDayAfterAppointment": "CONFIRMED",
}
# Seed-000 event names and the triggers each stands for.
ALIASES: dict[str, tuple[str, ...]] = {
    "booking.created": ("newBooking", "newAppointment", "bookingUnassigned"),
    "booking.confirmed": ("newAppointment", "bookingAssigned"),
    "booking.cancelled": ("customerCanceled", "providerCanceled"),
    "booking.completed": ("afterAppointment",),
    "booking.rescheduled": ("appointmentRescheduled",),
}
ALL_TRIGGERS = (*TRIGGERS, *ALIASES)
CENT = Decimal("0.01")
# What the queue's events add to ``info``, as the booking service wrote it in the event.
QUEUE_INFO = ("queuePosition", "estimatedWaitMinutes", "resourceIds", "offeredAgain")


def is_trigger(name: object) -> bool:
    return isinstance(name, str) and (name in TRIGGERS or name in ALIASES)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def booking_payload(
    trigger: str,
    *,
    booking_id: str,
    status: str,
    start: datetime | None,
    minutes: int,
    timezone: str,
    customer: dict,
    provider: dict,
    resource: dict,
    page: dict,
    booking_type: dict,
    info: dict | None = None,
    data: dict | None = None,
) -> dict:
    """The seed-002 body of a delivery: ``dateTime`` is a JSON string of the UTC start, as
    the seed writes it; ``info`` adds the booking's own times (date + military time in the
    website's zone, ISO-8601 with offset)."""
    return {
        "id": booking_id,
        "trigger": trigger,
        "customer": customer,
        "provider": provider,
        "resource": resource,
        "page": page,
        "type": booking_type,
        "dateTime": json.dumps(_utc_text(start)) if start is not None else None,
        "info": {
            "status": status,
            **_times(start, minutes, timezone),
            "timeZone": timezone,
            "duration": minutes,
            **(info or {}),
        },
        "data": data or {},
    }


def _times(start: datetime | None, minutes: int, timezone: str) -> dict:
    if start is None:  # waiting in the queue
        return dict.fromkeys(("startDate", "startTime", "startDateTime", "endDateTime"))
    zone = ZoneInfo(timezone)
    local_start = start.astimezone(zone)
    local_end = (start + timedelta(minutes=minutes)).astimezone(zone)
    return {
        "startDate": local_start.date().isoformat(),
        "startTime": local_start.hour * 100 + local_start.minute,
        "startDateTime": local_start.isoformat(),
        "endDateTime": local_end.isoformat(),
    }


def queue_info(extra: dict) -> dict:
    """The queue's part of ``info``: the place in line and the expected wait of a position
    update, the resources a waiting booking is offered to, whether it is offered again."""
    return {key: extra[key] for key in QUEUE_INFO if key in extra}


def aliases_hear(extra: dict) -> bool:
    """A booking offered to the providers again (the one before it ended) is not a new
    booking: the seed-000 event names do not hear it twice."""
    return not extra.get("offeredAgain")


def resource_parts(resource, name: str, *, missing_id: str | None = None) -> tuple[dict, dict]:
    """The ``provider`` and ``resource`` parts of a booking payload: the resource is the
    provider (its contact details included). ``missing_id`` stands in when there is none."""
    resource_id = resource.id if resource is not None else missing_id
    provider = {
        "id": resource_id,
        "name": name,
        "email": resource.provider_email if resource is not None else None,
        "phone": resource.provider_phone if resource is not None else None,
    }
    category = resource.category_id if resource is not None else None
    return provider, {"id": resource_id, "name": name, "category": category}


def page_part(website, name: str, base_url: str, timezone: str) -> dict:
    """The ``page`` part: the booking website, with its public address."""
    return {
        "id": website.id,
        "appId": website.app_id,
        "slug": website.slug,
        "name": name,
        "url": f"{base_url.rstrip('/')}/{website.slug}/",
        "timeZone": timezone,
    }


def type_part(
    type_id: str, name: str, minutes: int, price: Decimal | None, currency: str | None
) -> dict:
    """The ``type`` part: the service, its length and price (two decimals, as text)."""
    return {
        "id": type_id,
        "name": name,
        "duration": minutes,
        "price": None if price is None else str(Decimal(price).quantize(CENT)),
        "currency": currency,
    }


def event_payload(
    event: str,
    *,
    booking_id: str,
    service: str,
    start: datetime | None,
    minutes: int,
    customer: dict,
) -> dict:
    """The seed-000 body of a delivery for an event name (``scheduled_at`` null while the
    booking waits in the queue)."""
    scheduled = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if start else None
    return {
        "event": event,
        "data": {
            "id": booking_id,
            "service": service,
            "duration": minutes,
            "scheduled_at": scheduled,
            "customer": {"email": customer.get("email"), "name": customer.get("name")},
        },
    }
