"""Bookings, customers and invoices as seed 002 writes them.

A booking's time is the website's ``startDate`` + military ``startTime`` and also ISO-8601
instants with their offset, next to ``timeZone``; names are in the request's language and
amounts are ``"150.00"`` strings. The embedded ``type`` and ``resource`` are short:
``{id, name, ...}``; their full objects come from the availability calls."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal

from webapp.api.shapes.catalog import money, photo
from webapp.booking import intervals as iv
from webapp.booking import queue
from webapp.booking.pricing import deposit_due
from webapp.i18n import format_day, format_money, format_time, translated
from webapp.models import Booking, BookingType, Customer, Invoice, Payment, Resource
from webapp.public.blueprint import status_label


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _kept(values: object, keys: Collection[str] | None) -> dict:
    """A JSON document cut down to the keys the reader may see (None: all of them)."""
    if not isinstance(values, Mapping):
        return {}
    return {k: v for k, v in values.items() if keys is None or k in keys}


def service(row: BookingType | None) -> dict | None:
    """The short booking type a booking embeds."""
    if row is None:
        return None
    return {
        "id": row.id,
        "name": translated(row.name, row.name_translations),
        "color": row.color,
        "minutes": row.minutes,
    }


def resource(row: Resource | None) -> dict | None:
    """The short resource a booking embeds."""
    if row is None:
        return None
    return {
        "id": row.id,
        "name": translated(row.name, row.name_translations),
        "category": row.category_id,
        "photo": photo(row.photo),
    }


def payment(
    booking: Booking, invoice: Invoice | None, links: Mapping[str, str | None] | None = None
) -> dict | None:
    """What there is to pay for a booking: its invoice's amounts, or the booking's price
    while no invoice was issued; None when the booking costs nothing. ``links``: the payment
    page's, while the booking waits for its payment (else null)."""
    if invoice is None and not (booking.price and booking.price > 0):
        return None
    price = booking.price or Decimal("0")
    if invoice is not None:
        deposit = invoice.deposit
    else:
        deposit = deposit_due(booking.booking_type, price) if booking.booking_type else None
    links = links or {}
    return {
        "invoiceId": invoice.id if invoice else None,
        "invoiceNumber": invoice.number if invoice else None,
        "paymentLink": links.get("paymentLink"),
        "paymentWebViewLink": links.get("paymentWebViewLink"),
        "currency": invoice.currency if invoice else booking.currency,
        "subTotal": money(invoice.sub_total if invoice else price),
        "discount": money(invoice.discount if invoice else Decimal("0")),
        "total": money(invoice.total if invoice else price),
        "balance": money(invoice.balance if invoice else price),
        "deposit": money(deposit),
    }


def booking(
    row: Booking,
    *,
    timezone: str,
    invoice: Invoice | None = None,
    queue_position: int | None = None,
    info_keys: Collection[str] | None = None,
    links: Mapping[str, str | None] | None = None,
) -> dict:
    """A booking in ``timezone`` (the website's). ``info_keys``: the answers the reader may
    see (customers: the public fields), None for all. The queue fields are null unless the
    booking waits in a queue (``queue_position``); ``links``: see :func:`payment`."""
    tz = iv.zone(timezone)
    start = row.start_at.astimezone(tz) if row.start_at else None
    end = row.end_at.astimezone(tz) if row.end_at else None
    pay = payment(row, invoice, links)
    return {
        "id": row.id,
        "status": row.status,
        "startDate": start.date().isoformat() if start else None,
        "startTime": start.hour * 100 + start.minute if start else None,
        "startDateTime": _iso(start),
        "endDateTime": _iso(end),
        "timeZone": timezone,
        "duration": row.duration,
        "typeId": row.booking_type_id,
        "type": service(row.booking_type),
        "resourceId": row.resource_id,
        "resource": resource(row.resource),
        "info": _kept(row.info, info_keys),
        "payment": pay,
        "queuePosition": queue_position,
        "estimatedWaitMinutes": queue.estimated_wait(row.duration, queue_position),
        "display": {
            "status": status_label(row.status),
            "date": format_day(start) if start else None,
            "time": format_time(start, tz) if start else None,
            "total": format_money(Decimal(pay["total"]), pay["currency"]) if pay else None,
        },
        "cancelReason": row.cancel_reason if row.status == "CANCELED" else None,
        "rescheduledFrom": row.rescheduled_from_id,
        "createdAt": _iso(row.created_at),
        "updatedAt": _iso(row.updated_at),
    }


def customer(row: Customer, *, data_keys: Collection[str] | None = None) -> dict:
    """A customer's profile; ``data_keys``: the custom answers the reader may see."""
    return {
        "id": row.id,
        "firstName": row.first_name or "",
        "lastName": row.last_name or "",
        "email": row.email,
        "phone": row.phone,
        "note": row.note or "",
        "lang": row.lang,
        "data": _kept(row.data, data_keys),
        "createdAt": _iso(row.created_at),
        "updatedAt": _iso(row.updated_at),
    }


def invoice(
    row: Invoice,
    *,
    booking_row: Booking | None = None,
    timezone: str,
    links: Mapping[str, str | None] | None = None,
    payments: list[Payment] | None = None,
) -> dict:
    """An invoice with the short booking it bills, when there is one; ``links``: the
    payment page's while it is open; ``payments``: the attempts to pay it, oldest first."""
    links = links or {}
    return {
        "id": row.id,
        "number": row.number,
        "status": row.status,
        "currency": row.currency,
        "subTotal": money(row.sub_total),
        "discount": money(row.discount),
        "tax": money(row.tax),
        "total": money(row.total),
        "amountPaid": money(row.amount_paid),
        "balance": money(row.balance),
        "deposit": money(row.deposit),
        "paidAt": _iso(row.paid_at),
        "paymentLink": links.get("paymentLink"),
        "paymentWebViewLink": links.get("paymentWebViewLink"),
        "payments": [payment_attempt(p) for p in payments or ()],
        "bookingId": row.booking_id,
        "booking": _booking_summary(booking_row, timezone) if booking_row else None,
        "display": {"total": format_money(row.total, row.currency)},
        "createdAt": _iso(row.created_at),
        "updatedAt": _iso(row.updated_at),
    }


def payment_attempt(row: Payment) -> dict:
    """One attempt to pay an invoice, failed ones too."""
    return {
        "id": row.id,
        "status": row.status,
        "provider": row.provider,
        "amount": money(row.amount),
        "currency": row.currency,
        "reference": row.reference,
        "cardLast4": row.card_last4,
        "failureReason": row.failure_reason,
        "createdAt": _iso(row.created_at),
    }


def _booking_summary(row: Booking, timezone: str) -> dict:
    tz = iv.zone(timezone)
    start = row.start_at.astimezone(tz) if row.start_at else None
    return {
        "id": row.id,
        "status": row.status,
        "startDate": start.date().isoformat() if start else None,
        "startTime": start.hour * 100 + start.minute if start else None,
        "startDateTime": _iso(start),
        "timeZone": timezone,
        "typeId": row.booking_type_id,
        "type": service(row.booking_type),
    }
