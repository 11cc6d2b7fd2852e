"""The organization's invoices, newest first, by status."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from webapp.admin.blueprint import bp, render, requires
from webapp.admin.forms import FormReader
from webapp.extensions import db
from webapp.models import Booking, BookingType, Customer, Invoice
from webapp.models.invoices import INVOICE_STATUSES

PAGE_SIZE = 50
INVOICE_STATUS_LABELS = {
    "UNPAID": _l("Unpaid"),
    "PARTIALLY_PAID": _l("Partly paid"),
    "PAID": _l("Paid"),
    "VOID": _l("Void"),
    "REFUNDED": _l("Refunded"),
}


def invoice_page(organization_id: str, status: str | None, before: int | None):
    """One page of invoices (numbers below ``before``), with the customer and booking of
    each; and the number to continue from, or None on the last page."""
    service = aliased(BookingType)
    statement = (
        select(Invoice, Customer, Booking, service)
        .outerjoin(
            Customer,
            (Customer.id == Invoice.customer_id) & (Customer.organization_id == organization_id),
        )
        .outerjoin(
            Booking,
            (Booking.id == Invoice.booking_id) & (Booking.organization_id == organization_id),
        )
        .outerjoin(service, service.id == Booking.booking_type_id)
        .where(Invoice.organization_id == organization_id)
        .order_by(Invoice.number.desc())
        .limit(PAGE_SIZE + 1)
    )
    if status:
        statement = statement.where(Invoice.status == status)
    if before is not None:
        statement = statement.where(Invoice.number < before)
    rows = db.session.execute(statement).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1][0].number if more else None)


@bp.get("/invoices")
@requires("admin")
def invoices_list():
    reader = FormReader(request.args)
    status = reader.choice("status", {"", *INVOICE_STATUSES}, default="") or None
    before = reader.optional_integer("before", minimum=1, maximum=2**31 - 1)
    rows, next_before = invoice_page(g.organization.id, status, before)
    return render(
        "admin/invoices/list.html",
        200 if reader else 422,
        partial="admin/invoices/_rows.html",
        target="invoices",
        rows=rows,
        chosen_status=status or "",
        before=before,
        next_before=next_before,
        errors=reader.errors,
        status_options=[(s, INVOICE_STATUS_LABELS[s]) for s in INVOICE_STATUSES],
        invoice_status_label=lambda s: INVOICE_STATUS_LABELS.get(s, s),
        tz=ZoneInfo(g.organization.timezone),
    )
