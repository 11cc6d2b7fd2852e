"""Resources, resource categories and booking types as seed 002 writes them (``ResourceBase``,
``BookingTypeBase``): names in the request's language next to their translations, amounts
as ``"150.00"`` strings, photos with absolute URLs."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from decimal import Decimal
from urllib.parse import urljoin

from flask import request

from webapp.i18n import translated
from webapp.models import BookingType, Resource, ResourceCategory
from webapp.models.types import CENT


def money(amount: Decimal | None) -> str | None:
    """An amount with two decimals (the seed's ``d+.d{2}``), or None."""
    return None if amount is None else str(Decimal(amount).quantize(CENT))


def photo(value: object) -> dict | None:
    """A stored photo as ``{"id", "url"}`` with an absolute URL; None when there is none."""
    if not isinstance(value, dict) or not isinstance(value.get("url"), str) or not value["url"]:
        return None
    return {
        "id": value.get("key") or value.get("id"),
        "url": urljoin(request.host_url, value["url"]),
    }


def photos(values: object) -> list[dict]:
    shaped = (photo(v) for v in values) if isinstance(values, list) else ()
    return [p for p in shaped if p is not None]


def _translations(value: object) -> dict:
    return (
        {k: v for k, v in (value or {}).items() if isinstance(v, str)}
        if isinstance(value, dict)
        else {}
    )


def resource(
    row: Resource,
    *,
    type_ids: Collection[str],
    meta_keys: Collection[str] | None,
) -> dict:
    """A resource as customers see it. ``type_ids`` are the services the caller may see;
    ``meta_keys`` the custom data the caller may see (the public resource filters), or None
    for all of it (staff)."""
    meta = row.meta if isinstance(row.meta, dict) else {}
    return {
        "id": row.id,
        "name": translated(row.name, row.name_translations),
        "name_translations": _translations(row.name_translations),
        "description": translated(row.description, row.description_translations),
        "description_translations": _translations(row.description_translations),
        "category": row.category_id,
        "photo": photo(row.photo),
        "photos": photos(row.photos),
        "on": row.on,
        "activated": row.activated,
        "bookFromWebsite": row.book_from_website,
        "meta": {k: v for k, v in meta.items() if meta_keys is None or k in meta_keys},
        "types": [t.id for t in row.booking_types if t.id in type_ids],
        "createdAt": row.created_at.isoformat() if row.created_at else None,
    }


def category(row: ResourceCategory, resources: Iterable[dict]) -> dict:
    """A resource category with its resources (already shaped)."""
    return {
        "id": row.id,
        "name": translated(row.name, row.name_translations),
        "name_translations": _translations(row.name_translations),
        "description": translated(row.description, row.description_translations),
        "description_translations": _translations(row.description_translations),
        "photo": photo(row.photo),
        "resources": list(resources),
    }


def booking_type(row: BookingType, *, currency: str, pending_count: int) -> dict:
    """A service with its prices and ``pendingCount``: how many customers wait in its queue."""
    return {
        "id": row.id,
        "name": translated(row.name, row.name_translations),
        "name_translations": _translations(row.name_translations),
        "description": translated(row.description, row.description_translations),
        "description_translations": _translations(row.description_translations),
        "minutes": row.minutes,
        "leaveMinutesBefore": row.leave_minutes_before or 0,
        "leaveMinutesAfter": row.leave_minutes_after or 0,
        "category": row.category,
        "color": row.color,
        "on": row.on,
        "currency": currency,
        "price": money(row.price),
        "oldPrice": money(row.old_price),
        "priceIncrease": money(row.price_increase),
        "priceIncreaseDays": row.price_increase_days,
        "depositAmount": money(row.deposit_amount),
        "depositPercentage": money(row.deposit_percentage),
        "timeOptions": dict(row.time_options or {}),
        "photos": photos(row.photos),
        "autoConfirm": row.auto_confirm,
        "paymentMethods": list(row.payment_methods or []),
        "bookFromWebsite": row.book_from_website,
        "queueEnabled": row.queue_enabled,
        "pendingCount": pending_count,
    }
