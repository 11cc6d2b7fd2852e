"""Paying for bookings through the API (seed 002, Online Payments): a priced booking of a
clinic that takes card payments waits for payment, with its invoice (deposit, links to the
payment page) in the answer and in My Invoices; late bookings cost more within the price
increase days; an unpaid booking is dropped after the payment window and its time is free
again."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.api.customer_calls import SUNDAY, book, call, new_customer
from tests.api.shifa import Api, api_for, error, result
from tests.conftest import deliver_notifications
from webapp.booking import invoices, lifecycle
from webapp.extensions import db
from webapp.models import BookingType, Organization

WEDNESDAY = "2026-11-25"  # four days after the tests' fixed "now"


@pytest.fixture
def api(any_app) -> Api:
    any_app.config["MESSAGES_CAPTURE"] = []
    api = api_for(any_app, "Shifa Clinic")
    # The clinic takes card payments; the consultation costs 150 with a deposit of 50.
    api.site.update(Organization, api.site.organization_id, online_payments_enabled=True)
    api.site.update(BookingType, api.site.types["consultation"], payment_methods=["creditCard"])
    return api


@pytest.fixture
def sara(api) -> str:
    return new_customer(api, first_name="Sara", email="sara@example.com")[1]


def consultation(api: Api, **values) -> None:
    api.site.update(BookingType, api.site.types["consultation"], **values)


def invoice_of(api: Api, token: str, invoice_id: str, status: int = 200):
    return call(api, "GET", f"/api/customer/invoices/{invoice_id}", token)


def pay(api: Api, invoice_id: str, amount: str | None = None) -> None:
    with api.site.app.app_context():
        invoices.record_payment(
            db.session,
            db.session.get(Organization, api.site.organization_id),
            invoice_id,
            amount=Decimal(amount) if amount else None,
            provider="sandbox",
            actor=lifecycle.Actor("customer"),
            now=api.site.app.config["MAWID_NOW"],
        )
        db.session.commit()


def test_a_booking_with_a_deposit_waits_for_it_and_shows_its_invoice(api, sara):
    booked = result(book(api, sara), 201)

    assert booked["status"] == "PENDING_PAYMENT"
    payment = booked["payment"]
    assert payment["invoiceNumber"] == 1
    assert (payment["subTotal"], payment["total"], payment["balance"]) == (
        "150.00",
        "150.00",
        "150.00",
    )
    assert (payment["deposit"], payment["discount"]) == ("50.00", "0.00")
    assert payment["paymentLink"].startswith(f"http://localhost/{api.site.slug}/pay/")
    invoice = result(invoice_of(api, sara, payment["invoiceId"]))
    assert (invoice["number"], invoice["status"], invoice["deposit"]) == (1, "UNPAID", "50.00")
    assert invoice["paymentLink"] == payment["paymentLink"]
    assert invoice["paymentWebViewLink"] == payment["paymentWebViewLink"]
    assert invoice["bookingId"] == booked["id"] and invoice["payments"] == []

    pay(api, payment["invoiceId"])

    paid = result(invoice_of(api, sara, payment["invoiceId"]))
    assert (paid["status"], paid["amountPaid"], paid["balance"]) == (
        "PARTIALLY_PAID",
        "50.00",
        "100.00",
    )
    [attempt] = paid["payments"]
    assert (attempt["status"], attempt["amount"], attempt["provider"]) == (
        "SUCCEEDED",
        "50.00",
        "sandbox",
    )
    # The rest can still be paid online; the booking itself is confirmed.
    assert paid["paymentLink"] == payment["paymentLink"]
    mine = result(call(api, "GET", f"/api/customer/bookings/{booked['id']}", sara))
    assert mine["status"] == "CONFIRMED" and mine["payment"]["paymentLink"] is None


def test_a_deposit_percentage_is_a_share_of_the_price(api, sara):
    consultation(api, deposit_amount=None, deposit_percentage=Decimal("20"))

    payment = result(book(api, sara), 201)["payment"]

    assert (payment["total"], payment["deposit"]) == ("150.00", "30.00")
    invoice = result(invoice_of(api, sara, payment["invoiceId"]))
    assert invoice["deposit"] == "30.00"


def test_a_service_without_a_deposit_is_paid_whole_up_front(api, sara):
    consultation(api, deposit_amount=None)

    payment = result(book(api, sara), 201)["payment"]

    assert (payment["total"], payment["deposit"]) == ("150.00", None)


@pytest.mark.parametrize(("day", "price"), [(SUNDAY, "165.00"), (WEDNESDAY, "150.00")])
def test_a_late_booking_costs_more_within_the_price_increase_days(api, sara, day, price):
    consultation(api, price_increase=Decimal("10"), price_increase_days=2)

    payment = result(book(api, sara, date=day), 201)["payment"]

    assert (payment["subTotal"], payment["total"], payment["balance"]) == (price, price, price)


def test_an_unpaid_booking_is_dropped_after_the_payment_window_and_its_time_is_free(api, sara):
    window = api.site.app.config["PAYMENT_WINDOW_MINUTES"]
    booked = result(book(api, sara), 201)
    times = {
        "type": api.site.types["consultation"],
        "resourceFilters": {"resource": api.site.resources["huda"]},
    }

    def sunday_times() -> list[int]:
        days = result(api.post("/api/availability/times", times))
        return [t["time"] for day in days if day["date"] == SUNDAY for t in day["times"]]

    assert 900 not in sunday_times()
    api.site.app.config["MAWID_NOW"] += timedelta(minutes=window - 1)
    deliver_notifications(api.site.app)
    assert api.site.booking(booked["id"]).status == "PENDING_PAYMENT"

    api.site.app.config["MAWID_NOW"] += timedelta(minutes=2)
    deliver_notifications(api.site.app)

    dropped = api.site.booking(booked["id"])
    assert (dropped.status, dropped.canceled_by) == ("CANCELED", "system")
    assert 900 in sunday_times()
    invoice = result(invoice_of(api, sara, booked["payment"]["invoiceId"]))
    assert invoice["status"] == "VOID" and invoice["paymentLink"] is None
    again = result(book(api, new_customer(api)[1]), 201)
    assert again["startTime"] == 900 and again["payment"]["invoiceNumber"] == 2


def test_my_invoices_lists_mine_and_hides_everyone_elses(api, sara):
    mine = result(book(api, sara), 201)["payment"]["invoiceId"]
    other_token = new_customer(api)[1]
    theirs = result(book(api, other_token, time=1000), 201)["payment"]["invoiceId"]

    listed = result(call(api, "GET", "/api/customer/invoices", sara))

    assert [(i["id"], i["number"]) for i in listed] == [(mine, 1)]
    assert listed[0]["paymentLink"] and listed[0]["deposit"] == "50.00"
    assert error(invoice_of(api, sara, theirs), 404)["code"] == "NOT_FOUND"
    assert [i["id"] for i in result(call(api, "GET", "/api/customer/invoices", other_token))] == [
        theirs
    ]


def test_staff_see_every_invoice_with_its_payments(api, sara):
    first = result(book(api, sara), 201)["payment"]["invoiceId"]
    second = result(book(api, new_customer(api)[1], time=1000), 201)["payment"]["invoiceId"]
    pay(api, first, "150.00")

    listed = result(call(api, "GET", "/api/management/invoices", api.token(staff=True)))

    by_id = {i["id"]: i for i in listed}
    assert [i["number"] for i in listed] == [2, 1]
    assert (by_id[first]["status"], by_id[first]["balance"]) == ("PAID", "0.00")
    assert by_id[first]["paidAt"] and by_id[first]["paymentLink"] is None
    assert [p["amount"] for p in by_id[first]["payments"]] == ["150.00"]
    assert by_id[second]["status"] == "UNPAID" and by_id[second]["paymentLink"]
