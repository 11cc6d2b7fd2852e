"""Invoices: the organization's own, newest first, by status, a page at a time; one invoice
with its payments, and a payment the team received."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.admin.conftest import csrf_token, htmx, text
from tests.conftest import NOW
from tests.factories import at, create_booking, make_customer
from webapp.admin.invoices import PAGE_SIZE
from webapp.booking import invoices, lifecycle
from webapp.booking.states import Actor
from webapp.extensions import db
from webapp.models import Booking, BookingType, Invoice, Organization, Payment


def _invoice(session, organization_id: str, number: int, **overrides) -> Invoice:
    values = {
        "currency": "SAR",
        "sub_total": Decimal("150"),
        "total": Decimal("150"),
        "balance": Decimal("150"),
        "status": "UNPAID",
        "created_at": NOW,
    }
    values.update(overrides)
    invoice = Invoice(organization_id=organization_id, number=number, **values)
    session.add(invoice)
    return invoice


def test_the_list_shows_each_invoice_with_its_customer_booking_and_amounts(
    app, owner, clinic, other_clinic
):
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        checkup = db.session.get(BookingType, clinic.type_id)
        layla = make_customer(db.session, organization, first_name="Layla", last_name="Otaibi")
        booking = create_booking(
            db.session,
            organization,
            checkup,
            start=at("2026-11-22 09:00"),
            now=NOW,
            resource_id=clinic.own_resource_id,
            customer=layla,
        )
        _invoice(
            db.session,
            clinic.organization_id,
            1042,
            customer_id=layla.id,
            booking_id=booking.id,
            amount_paid=Decimal("100"),
            balance=Decimal("50"),
            status="PARTIALLY_PAID",
        )
        _invoice(db.session, other_clinic.organization_id, 7001, total=Decimal("999"))
        db.session.commit()

    page = text(owner.get("/admin/invoices"))

    assert ">1042</a></th>" in page
    assert "Layla Otaibi" in page
    assert "Checkup" in page and "November 22, 2026" in page
    assert "SAR" in page and "150.00" in page and "50.00" in page
    assert "Partly paid" in page
    assert "7001" not in page and "999.00" not in page


def test_invoices_are_filtered_by_status_and_htmx_swaps_only_the_list(app, admin, clinic):
    with app.app_context():
        _invoice(db.session, clinic.organization_id, 1, status="PAID", balance=Decimal("0"))
        _invoice(db.session, clinic.organization_id, 2, status="UNPAID")
        db.session.commit()

    response = admin.get("/admin/invoices?status=PAID", headers=htmx(target="invoices"))

    body = text(response)
    assert body.lstrip().startswith('<div id="invoices"')
    assert ">1</a></th>" in body and ">2</a></th>" not in body
    none = text(admin.get("/admin/invoices?status=VOID"))
    assert "No invoices match this filter." in none
    assert '<option value="VOID" selected>' in none


def test_a_long_list_continues_on_the_next_page(app, owner, clinic):
    with app.app_context():
        for number in range(1, PAGE_SIZE + 6):
            _invoice(db.session, clinic.organization_id, number)
        db.session.commit()

    first = text(owner.get("/admin/invoices"))

    assert (
        f">{PAGE_SIZE + 5}</a></th>" in first
        and ">6</a></th>" in first
        and ">5</a></th>" not in first
    )
    assert "/admin/invoices?before=6" in first
    second = text(owner.get("/admin/invoices?before=6"))
    assert ">5</a></th>" in second and ">1</a></th>" in second and ">6</a></th>" not in second
    assert "Older invoices" not in second


def test_no_invoices_yet_says_so(owner, clinic):
    assert "No invoices yet." in text(owner.get("/admin/invoices"))


def test_an_unknown_status_is_marked_rather_than_ignored(owner, clinic):
    response = owner.get("/admin/invoices?status=STOLEN")

    assert response.status_code == 422
    assert "Choose one of the offered values." in text(response)


def test_staff_may_not_see_invoices(staff, clinic):
    assert staff.get("/admin/invoices").status_code == 403


# -- one invoice, and payments the team received ------------------------------------------


@pytest.fixture
def paid_service(app, clinic):
    """The checkup costs 200 with 50 paid up front, online, at a clinic that takes online
    payments: a booking waits for its deposit and has an invoice."""
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        organization.online_payments_enabled = True
        checkup = db.session.get(BookingType, clinic.type_id)
        checkup.price = Decimal("200")
        checkup.deposit_amount = Decimal("50")
        checkup.payment_methods = ["creditCard"]
        db.session.commit()


@pytest.fixture
def unpaid(app, clinic, paid_service) -> tuple[str, str]:
    """(invoice id, booking id) of Layla's booking, waiting for its deposit."""
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        layla = make_customer(db.session, organization, first_name="Layla", last_name="Otaibi")
        booking = create_booking(
            db.session,
            organization,
            db.session.get(BookingType, clinic.type_id),
            start=at("2026-11-22 09:00"),
            now=NOW,
            resource_id=clinic.own_resource_id,
            customer=layla,
        )
        invoice = invoices.invoice_for(db.session, booking)
        db.session.commit()
        return invoice.id, booking.id


def _state(app, invoice_id: str, booking_id: str):
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        payments = list(db.session.scalars(select(Payment).where(Payment.invoice_id == invoice_id)))
        return (
            invoice.status,
            invoice.amount_paid,
            invoice.balance,
            payments,
            (db.session.get(Booking, booking_id).status),
        )


def _pay(client, invoice_id: str, **data):
    page = client.get(f"/admin/invoices/{invoice_id}")
    return client.post(
        f"/admin/invoices/{invoice_id}/pay",
        data={"csrf_token": csrf_token(page), **data},
        headers=htmx(),
    )


def test_the_detail_shows_amounts_booking_and_a_form_for_the_amount_due_now(
    app, admin, clinic, unpaid
):
    invoice_id, booking_id = unpaid

    page = text(admin.get(f"/admin/invoices/{invoice_id}"))

    assert "Invoice 1" in page and "Unpaid" in page
    assert "Layla Otaibi" in page and f"/admin/bookings/{booking_id}" in page
    assert "SAR" in page and "200.00" in page and "50.00" in page  # total, deposit
    assert 'name="amount" type="text" value="50.00"' in page  # the deposit is due now
    assert "No payments yet." in page
    listed = text(admin.get("/admin/invoices"))
    assert f'href="/admin/invoices/{invoice_id}"' in listed


def test_marking_the_deposit_paid_moves_the_booking_on_and_lists_the_payment(
    app, admin, clinic, unpaid
):
    invoice_id, booking_id = unpaid

    response = _pay(admin, invoice_id, amount="50", reference="RCPT-77")

    assert response.status_code == 200
    assert response.headers["HX-Location"] == f"/admin/invoices/{invoice_id}"
    assert "The payment of SAR" in response.headers["HX-Trigger"]
    status, paid, balance, payments, booking_status = _state(app, invoice_id, booking_id)
    assert (status, paid, balance, booking_status) == (
        "PARTIALLY_PAID",
        Decimal("50.00"),
        Decimal("150.00"),
        "CONFIRMED",
    )
    [payment] = payments
    assert (payment.provider, payment.amount, payment.status, payment.reference) == (
        "manual",
        Decimal("50.00"),
        "SUCCEEDED",
        "RCPT-77",
    )
    assert payment.actor == f"staff:{clinic.admin_id}"
    page = text(admin.get(f"/admin/invoices/{invoice_id}"))
    assert "Partly paid" in page and "Marked paid by the team" in page and "RCPT-77" in page
    assert 'name="amount" type="text" value="150.00"' in page  # the rest is due now


def test_marking_the_whole_balance_paid_settles_the_invoice(app, owner, clinic, unpaid):
    invoice_id, booking_id = unpaid

    _pay(owner, invoice_id, amount="200")

    status, paid, balance, _payments, booking_status = _state(app, invoice_id, booking_id)
    assert (status, paid, balance, booking_status) == (
        "PAID",
        Decimal("200.00"),
        Decimal("0.00"),
        "CONFIRMED",
    )
    page = text(owner.get(f"/admin/invoices/{invoice_id}"))
    assert "invoice-pay-form" not in page  # nothing left to pay


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("250", "This is more than the balance of SAR"),
        ("0", "Enter an amount above 0."),
        ("-5", "Enter an amount from 0 to"),
        ("ten", "Enter an amount such as 150 or 99.50."),
        ("", "Enter the amount received."),
    ],
)
def test_a_wrong_amount_comes_back_marked_and_records_nothing(app, admin, unpaid, amount, message):
    invoice_id, booking_id = unpaid

    response = _pay(admin, invoice_id, amount=amount)

    assert response.status_code == 422
    assert message in text(response)
    assert f'value="{amount}"' in text(response)
    status, paid, _balance, payments, booking_status = _state(app, invoice_id, booking_id)
    assert (status, paid, payments, booking_status) == (
        "UNPAID",
        Decimal("0.00"),
        [],
        "PENDING_PAYMENT",
    )


def test_a_canceled_bookings_invoice_cannot_be_paid(app, admin, clinic, unpaid):
    invoice_id, booking_id = unpaid
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        lifecycle.cancel_booking(
            db.session, organization, booking_id, actor=Actor("staff", clinic.admin_id), now=NOW
        )
        db.session.commit()

    response = _pay(admin, invoice_id, amount="50")

    assert response.status_code == 422
    assert "invoice-pay-form" not in text(admin.get(f"/admin/invoices/{invoice_id}"))


def test_the_booking_action_mark_paid_records_a_manual_payment_of_the_amount_due(
    app, owner, clinic, unpaid, nocsrf
):
    invoice_id, booking_id = unpaid
    detail = text(owner.get(f"/admin/bookings/{booking_id}"))
    assert f'href="/admin/invoices/{invoice_id}"' in detail

    response = owner.post(f"/admin/bookings/{booking_id}/paid", headers=htmx())

    assert response.status_code == 200
    status, paid, balance, [payment], booking_status = _state(app, invoice_id, booking_id)
    assert (status, paid, balance, booking_status) == (
        "PARTIALLY_PAID",
        Decimal("50.00"),
        Decimal("150.00"),
        "CONFIRMED",
    )
    assert (payment.provider, payment.amount) == ("manual", Decimal("50.00"))


def test_another_organizations_invoice_answers_404(app, owner, other_clinic, nocsrf):
    with app.app_context():
        foreign = _invoice(db.session, other_clinic.organization_id, 9)
        db.session.commit()
        foreign_id = foreign.id

    assert owner.get(f"/admin/invoices/{foreign_id}").status_code == 404
    assert owner.get("/admin/invoices/unknown").status_code == 404
    paid = owner.post(f"/admin/invoices/{foreign_id}/pay", data={"amount": "10"})
    assert paid.status_code == 404
    with app.app_context():
        assert db.session.get(Invoice, foreign_id).amount_paid == Decimal("0")


def test_staff_may_not_open_or_pay_an_invoice(staff, unpaid, nocsrf):
    invoice_id, _booking_id = unpaid

    assert staff.get(f"/admin/invoices/{invoice_id}").status_code == 403
    assert staff.post(f"/admin/invoices/{invoice_id}/pay", data={"amount": "50"}).status_code == 403
