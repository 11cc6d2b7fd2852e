"""The organization's invoices, newest first, by status; one invoice with its payments, and
a payment staff received in person (cash, a bank transfer, a card at the counter)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from webapp.admin.blueprint import after_action, bp, render, requires
from webapp.admin.bookings import staff_actor
from webapp.admin.forms import FormReader
from webapp.booking import invoices as billing
from webapp.booking.errors import InvalidTransition, NotFound, ValidationFailed
from webapp.extensions import db
from webapp.i18n import format_money
from webapp.models import Booking, BookingType, Customer, Invoice, Payment
from webapp.models.invoices import INVOICE_STATUSES
from webapp.public.blueprint import INVOICE_STATUS_LABELS, invoice_status_label, now

PAGE_SIZE = 50
PROVIDER_LABELS = {"manual": _l("Marked paid by the team"), "sandbox": _l("Sandbox (test)")}
PAYMENT_STATUS_LABELS = {"SUCCEEDED": _l("Paid"), "FAILED": _l("Failed")}


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
        invoice_status_label=invoice_status_label,
        tz=ZoneInfo(g.organization.timezone),
    )


def _invoice(invoice_id: str) -> Invoice:
    """One of the organization's invoices; any other id answers 404."""
    invoice = db.session.scalar(
        select(Invoice).where(
            Invoice.organization_id == g.organization.id, Invoice.id == str(invoice_id)[:64]
        )
    )
    if invoice is None:
        raise NotFound(_("Invoice not found."))
    return invoice


def _detail_page(invoice: Invoice, values: dict, errors: dict, status: int = 200):
    booking = (
        db.session.scalar(
            select(Booking).where(
                Booking.organization_id == g.organization.id, Booking.id == invoice.booking_id
            )
        )
        if invoice.booking_id
        else None
    )
    customer = (
        db.session.scalar(
            select(Customer).where(
                Customer.organization_id == g.organization.id, Customer.id == invoice.customer_id
            )
        )
        if invoice.customer_id
        else None
    )
    payments = db.session.scalars(
        select(Payment)
        .where(Payment.organization_id == g.organization.id, Payment.invoice_id == invoice.id)
        .order_by(Payment.created_at, Payment.id)
    )
    return render(
        "admin/invoices/detail.html",
        status,
        invoice=invoice,
        booking=booking,
        customer=customer,
        payments=list(payments),
        due_now=billing.amount_due_now(invoice),
        values=values,
        errors=errors,
        invoice_status_label=invoice_status_label,
        provider_label=lambda p: PROVIDER_LABELS.get(p, p),
        payment_status_label=lambda s: PAYMENT_STATUS_LABELS.get(s, s),
        tz=ZoneInfo(g.organization.timezone),
    )


@bp.get("/invoices/<invoice_id>")
@requires("admin")
def invoice_detail(invoice_id: str):
    invoice = _invoice(invoice_id)
    return _detail_page(invoice, {"amount": billing.amount_due_now(invoice)}, {})


@bp.post("/invoices/<invoice_id>/pay")
@requires("admin")
def invoice_pay(invoice_id: str):
    """A payment the team received: the amount due now unless another is given, never more
    than the balance."""
    invoice = _invoice(invoice_id)
    reader = FormReader(request.form)
    amount = reader.amount("amount")
    reference = reader.optional_text("reference", max_length=100)
    if amount is None and reader:
        reader.fail("amount", _("Enter the amount received."))
    elif amount is not None and amount <= 0:
        reader.fail("amount", _("Enter an amount above 0."))
    elif amount is not None and amount > invoice.balance:
        reader.fail(
            "amount",
            _(
                "This is more than the balance of %(balance)s.",
                balance=format_money(invoice.balance, invoice.currency),
            ),
        )
    if reader:
        try:
            billing.record_payment(
                db.session,
                g.organization,
                invoice.id,
                amount=amount,
                provider="manual",
                actor=staff_actor(),
                now=now(),
                reference=reference,
            )
        except ValidationFailed as error:
            db.session.rollback()
            reader.adopt(error)
        except InvalidTransition:
            db.session.rollback()
            reader.fail("__all__", _("Nothing can be paid on this invoice now."))
        else:
            db.session.commit()
            return after_action(
                url_for("admin.invoice_detail", invoice_id=invoice.id),
                _(
                    "The payment of %(amount)s is recorded.",
                    amount=format_money(amount, invoice.currency),
                ),
            )
    return _detail_page(_invoice(invoice_id), reader.form.to_dict(), reader.errors, 422)
