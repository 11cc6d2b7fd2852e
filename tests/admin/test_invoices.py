"""Invoices: the organization's own, newest first, by status, a page at a time."""

from __future__ import annotations

from decimal import Decimal

from tests.admin.conftest import htmx, text
from tests.conftest import NOW
from tests.factories import at, create_booking, make_customer
from webapp.admin.invoices import PAGE_SIZE
from webapp.extensions import db
from webapp.models import BookingType, Invoice, Organization


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

    assert ">1042</th>" in page
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
    assert ">1</th>" in body and ">2</th>" not in body
    none = text(admin.get("/admin/invoices?status=VOID"))
    assert "No invoices match this filter." in none
    assert '<option value="VOID" selected>' in none


def test_a_long_list_continues_on_the_next_page(app, owner, clinic):
    with app.app_context():
        for number in range(1, PAGE_SIZE + 6):
            _invoice(db.session, clinic.organization_id, number)
        db.session.commit()

    first = text(owner.get("/admin/invoices"))

    assert f">{PAGE_SIZE + 5}</th>" in first and ">6</th>" in first and ">5</th>" not in first
    assert "/admin/invoices?before=6" in first
    second = text(owner.get("/admin/invoices?before=6"))
    assert ">5</th>" in second and ">1</th>" in second and ">6</th>" not in second
    assert "Older invoices" not in second


def test_no_invoices_yet_says_so(owner, clinic):
    assert "No invoices yet." in text(owner.get("/admin/invoices"))


def test_an_unknown_status_is_marked_rather_than_ignored(owner, clinic):
    response = owner.get("/admin/invoices?status=STOLEN")

    assert response.status_code == 422
    assert "Choose one of the offered values." in text(response)


def test_staff_may_not_see_invoices(staff, clinic):
    assert staff.get("/admin/invoices").status_code == 403
