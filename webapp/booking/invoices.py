"""Invoices of paid bookings and the payments made against them.

A booking that must be paid online gets its invoice in the transaction that makes it wait
for payment. Numbers run 1, 2, 3... per organization with no gaps and no repeats: the
organization's counter is raised by the same transaction, so a booking that fails takes its
number back with it, and concurrent bookings queue on the counter's row.

A successful payment lowers the balance; once the amount due up front (the deposit, or the
whole total) is paid, a booking waiting for payment moves on (``lifecycle.mark_paid``).
Failed attempts are kept as payments too."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.booking.errors import InvalidTransition, NotFound, ValidationFailed
from webapp.booking.locking import begin_write, dialect_name, load_booking_for_update
from webapp.booking.pricing import CENT, deposit_due
from webapp.booking.states import Actor, S, emit
from webapp.models import Booking, BookingType, Invoice, Organization, Payment

ZERO = Decimal("0.00")
SETTLED = frozenset({"PAID", "VOID", "REFUNDED"})
_NEXT_NUMBER = (
    update(Organization.__table__)
    .values(invoice_counter=Organization.__table__.c.invoice_counter + 1)
    .returning(Organization.__table__.c.invoice_counter)
)


def issue_invoice(session: Session, booking: Booking, now: datetime) -> Invoice:
    """The booking's invoice, numbered next in its organization, nothing paid yet."""
    number = session.execute(
        _NEXT_NUMBER.where(Organization.__table__.c.id == booking.organization_id)
    ).scalar_one()
    total = (booking.price or ZERO).quantize(CENT)
    booking_type = session.get(BookingType, booking.booking_type_id)
    deposit = deposit_due(booking_type, total) if booking_type else None
    invoice = Invoice(
        organization_id=booking.organization_id,
        booking_id=booking.id,
        customer_id=booking.customer_id,
        number=number,
        currency=booking.currency or "SAR",
        sub_total=total,
        discount=ZERO,
        tax=ZERO,
        total=total,
        amount_paid=ZERO,
        balance=total,
        deposit=deposit if deposit is not None and deposit < total else None,
        status="UNPAID",
        created_at=now,
        updated_at=now,
    )
    session.add(invoice)
    session.flush()
    return invoice


def invoice_for(session: Session, booking: Booking) -> Invoice | None:
    """The booking's latest invoice, if it has one."""
    return session.scalars(
        select(Invoice)
        .where(Invoice.organization_id == booking.organization_id, Invoice.booking_id == booking.id)
        .order_by(Invoice.number.desc())
        .limit(1)
    ).first()


def amount_due_now(invoice: Invoice) -> Decimal:
    """What to pay next: the rest of the deposit while it is not paid, else the balance."""
    if invoice.status in SETTLED:
        return ZERO
    if invoice.deposit is not None and invoice.amount_paid < invoice.deposit:
        return (invoice.deposit - invoice.amount_paid).quantize(CENT)
    return invoice.balance.quantize(CENT)


def move_invoices(session: Session, from_booking_id: str, to_booking_id: str) -> None:
    """A rescheduled booking keeps the invoices of the booking it replaces."""
    session.execute(
        update(Invoice)
        .where(Invoice.booking_id == from_booking_id)
        .values(booking_id=to_booking_id)
    )


def void_unpaid(session: Session, booking: Booking, now: datetime) -> None:
    """A booking canceled before anything was paid leaves nothing to pay."""
    session.execute(
        update(Invoice)
        .where(
            Invoice.organization_id == booking.organization_id,
            Invoice.booking_id == booking.id,
            Invoice.status == "UNPAID",
        )
        .values(status="VOID", balance=ZERO, updated_at=now)
    )


def record_payment(
    session: Session,
    organization: Organization,
    invoice_id: str,
    *,
    provider: str,
    actor: Actor,
    now: datetime,
    amount: Decimal | None = None,
    reference: str | None = None,
    card_last4: str | None = None,
) -> Payment:
    """A payment received (``amount``: the amount due now when None). Moves a booking that
    waited for this payment on; refuses when nothing is due or the time to pay ran out (the
    customer's side only: money staff or a gateway already took is always recorded)."""
    invoice, booking = _load(session, organization, invoice_id)
    if booking is not None and booking.status in (S.CANCELED, S.REJECTED):
        raise InvalidTransition(
            "This booking was canceled, so its invoice can no longer be paid.",
            status=booking.status,
        )
    if booking is not None and _window_closed(booking, now) and not actor.is_staff:
        raise InvalidTransition(
            "The time to pay for this booking ran out.",
            status=booking.status,
            expired_at=booking.expires_at.isoformat(),
        )
    due = amount_due_now(invoice)
    amount = due if amount is None else Decimal(amount).quantize(CENT)
    if due <= ZERO:
        raise InvalidTransition("Nothing is due on this invoice.", status=invoice.status)
    if amount <= ZERO or amount > invoice.balance:
        raise ValidationFailed(
            f"The amount must be more than 0 and at most the balance, {invoice.balance}.",
            field="amount",
        )
    invoice.amount_paid = (invoice.amount_paid + amount).quantize(CENT)
    invoice.balance = (invoice.total - invoice.amount_paid).quantize(CENT)
    invoice.status = "PAID" if invoice.balance <= ZERO else "PARTIALLY_PAID"
    invoice.paid_at = now if invoice.status == "PAID" else None
    invoice.updated_at = now
    payment = _payment(
        invoice, provider, actor, now, amount, "SUCCEEDED", reference=reference, last4=card_last4
    )
    session.add(payment)
    session.flush()
    if booking is not None:
        emit(session, booking, "paymentReceived", now, invoiceId=invoice.id, amount=str(amount))
        if booking.status == S.PENDING_PAYMENT and _up_front_paid(invoice):
            # Imported here: lifecycle issues invoices, so it imports this module.
            from webapp.booking.lifecycle import mark_paid

            mark_paid(session, organization, booking.id, actor=actor, now=now)
    return payment


def record_failure(
    session: Session,
    organization: Organization,
    invoice_id: str,
    *,
    provider: str,
    reason: str,
    actor: Actor,
    now: datetime,
    amount: Decimal | None = None,
    card_last4: str | None = None,
) -> Payment:
    """A payment attempt that failed (a declined card): kept for staff; nothing changes."""
    invoice, booking = _load(session, organization, invoice_id)
    payment = _payment(
        invoice,
        provider,
        actor,
        now,
        amount_due_now(invoice) if amount is None else amount,
        "FAILED",
        last4=card_last4,
        reason=reason[:300],
    )
    session.add(payment)
    session.flush()
    if booking is not None:
        emit(session, booking, "paymentFailed", now, invoiceId=invoice.id, reason=reason[:300])
    return payment


def _window_closed(booking: Booking, now: datetime) -> bool:
    """Unpaid past its payment window: the worker cancels it on its next round."""
    return (
        booking.status == S.PENDING_PAYMENT
        and booking.expires_at is not None
        and booking.expires_at <= now
    )


def _up_front_paid(invoice: Invoice) -> bool:
    required = invoice.deposit if invoice.deposit is not None else invoice.total
    return invoice.amount_paid >= required


def _payment(
    invoice, provider, actor, now, amount, status, *, reference=None, last4=None, reason=None
) -> Payment:
    return Payment(
        organization_id=invoice.organization_id,
        invoice_id=invoice.id,
        booking_id=invoice.booking_id,
        provider=provider,
        amount=Decimal(amount).quantize(CENT),
        currency=invoice.currency,
        status=status,
        reference=reference,
        card_last4=last4,
        failure_reason=reason,
        actor=actor.label,
        created_at=now,
    )


def _load(session: Session, organization: Organization, invoice_id: str):
    """The invoice and its booking, both locked for this transaction (booking first, as
    every booking write locks it)."""
    begin_write(session)
    invoice = session.scalars(
        select(Invoice).where(
            Invoice.organization_id == organization.id, Invoice.id == str(invoice_id)[:64]
        )
    ).one_or_none()
    if invoice is None:
        raise NotFound("Invoice not found.", invoiceId=str(invoice_id)[:64])
    booking = None
    if invoice.booking_id is not None:
        booking = load_booking_for_update(session, organization.id, invoice.booking_id)
    statement = (
        select(Invoice).where(Invoice.id == invoice.id).execution_options(populate_existing=True)
    )
    if dialect_name(session) == "postgresql":
        statement = statement.with_for_update()
    return session.scalars(statement).one(), booking


def paid_at_desk(
    session: Session, organization: Organization, booking_id: str, *, actor: Actor, now: datetime
) -> Booking:
    """Staff received what a booking waiting for payment owes: a manual payment of the
    amount due now on its invoice (so invoice and booking agree), or, for a booking without
    an invoice, the booking simply moves on."""
    from webapp.booking.lifecycle import mark_paid  # lifecycle imports this module

    booking = load_booking_for_update(session, organization.id, str(booking_id)[:64])
    invoice = invoice_for(session, booking) if booking is not None else None
    if invoice is None or amount_due_now(invoice) <= ZERO:
        return mark_paid(session, organization, booking_id, actor=actor, now=now)
    if booking.status != S.PENDING_PAYMENT:
        raise InvalidTransition(
            f"Only a PENDING_PAYMENT booking can be marked paid; this one is {booking.status}.",
            status=booking.status,
        )
    record_payment(session, organization, invoice.id, provider="manual", actor=actor, now=now)
    return booking
