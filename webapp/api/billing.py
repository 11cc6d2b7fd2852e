"""What the readers of a booking see of its bill: the booking's latest invoice and, while
there is something to pay online, the links to the payment page (on the booking's own
website, else on the website asked through)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import g
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Booking, BookingStatus, Invoice, Payment, Website
from webapp.payments import links

# An invoice still open for payment; a canceled or rejected booking's is not.
OPEN_INVOICES = ("UNPAID", "PARTIALLY_PAID")
CLOSED_BOOKINGS = (BookingStatus.CANCELED, BookingStatus.REJECTED)
NO_LINKS = {"paymentLink": None, "paymentWebViewLink": None}


def invoices_by_booking(booking_ids: list[str]) -> dict[str, Invoice]:
    """The latest invoice of each booking."""
    if not booking_ids:
        return {}
    rows = db.session.scalars(
        select(Invoice)
        .where(Invoice.organization_id == g.organization.id, Invoice.booking_id.in_(booking_ids))
        .order_by(Invoice.number)
    )
    return {row.booking_id: row for row in rows}


def booking_links(rows: Iterable[Booking], invoices: Mapping[str, Invoice]) -> dict[str, dict]:
    """The payment page links of each booking waiting for its payment, by booking id."""
    due = [r for r in rows if r.status == BookingStatus.PENDING_PAYMENT and r.id in invoices]
    sites = _websites(r.website_id for r in due)
    return {
        r.id: links.payment_links(sites.get(r.website_id, g.website), invoices[r.id]) for r in due
    }


def invoice_links(invoice: Invoice, booking: Booking | None) -> dict:
    """The payment page links of an invoice while it is open (its booking still stands)."""
    if invoice.status not in OPEN_INVOICES or (booking and booking.status in CLOSED_BOOKINGS):
        return dict(NO_LINKS)
    website_id = booking.website_id if booking else None
    return links.payment_links(_websites([website_id]).get(website_id, g.website), invoice)


def payments_of(invoice_ids: list[str]) -> dict[str, list[Payment]]:
    """The attempts to pay each invoice, oldest first."""
    found: dict[str, list[Payment]] = {}
    if invoice_ids:
        for row in db.session.scalars(
            select(Payment)
            .where(
                Payment.organization_id == g.organization.id, Payment.invoice_id.in_(invoice_ids)
            )
            .order_by(Payment.created_at, Payment.id)
        ):
            found.setdefault(row.invoice_id, []).append(row)
    return found


def _websites(ids: Iterable[str | None]) -> dict[str, Website]:
    """The organization's websites among ``ids`` (the one asked through needs no query)."""
    wanted = {i for i in ids if i and i != g.website.id}
    found = {g.website.id: g.website}
    if wanted:
        found |= {
            row.id: row
            for row in db.session.scalars(
                select(Website).where(
                    Website.organization_id == g.organization.id, Website.id.in_(wanted)
                )
            )
        }
    return found
