"""Manage Customers and Manage Invoices (seed 002): finding customers page by page, reading
and correcting one, and the organization's invoices, as owners, admins, API keys and a
doctor who sees only their own patients meet them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.api.management_calls import Desk, book, error, open_desk, result
from tests.conftest import NOW
from tests.factories import at, make_customer, make_field
from webapp.extensions import db
from webapp.models import Customer, Invoice, Organization

CUSTOMERS = "/api/management/customers"
INVOICES = "/api/management/invoices"


@pytest.fixture
def desk(app) -> Desk:
    return open_desk(app)


def _customer(desk: Desk, clinic=None, minutes_ago: int = 0, **values) -> str:
    clinic = clinic or desk.clinic
    with desk.app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        values.setdefault("created_at", NOW - timedelta(minutes=minutes_ago))
        customer_id = make_customer(db.session, organization, **values).id
        db.session.commit()
        return customer_id


def _row(desk: Desk, customer_id: str) -> Customer:
    with desk.app.app_context():
        customer = db.session.get(Customer, customer_id)
        db.session.expunge(customer)
        return customer


def _ids(items) -> list[str]:
    return [item["id"] for item in items]


# --- customers ---------------------------------------------------------------------------------


def test_customers_newest_first_as_the_seed_writes_them(desk):
    older = _customer(desk, minutes_ago=10, first_name="Huda", phone="+966501234567")
    newer = _customer(desk, first_name="Omar")

    found = result(desk.get(CUSTOMERS))

    assert _ids(found) == [newer, older]
    huda = found[1]
    assert (huda["firstName"], huda["phone"], huda["lang"]) == ("Huda", "+966501234567", "en")
    assert set(huda) >= {"id", "lastName", "email", "note", "data", "createdAt", "updatedAt"}


def test_customers_come_in_pages(desk):
    made = [_customer(desk, minutes_ago=m) for m in (1, 2, 3, 4, 5)]
    seen, token = [], ""
    while True:
        answer = desk.get(f"{CUSTOMERS}?limit=2&nextPageToken={token}")
        seen += _ids(result(answer))
        pagination = answer.get_json()["pagination"]
        if not pagination["hasMore"]:
            break
        token = pagination["nextPageToken"]

    assert seen == made


def test_search_by_name_email_or_phone(desk):
    huda = _customer(desk, first_name="Huda", last_name="Saleh", email="huda@example.com")
    omar = _customer(desk, first_name="Omar", phone="+966501234567")

    def found(search: str) -> list[str]:
        return _ids(result(desk.get(f"{CUSTOMERS}?search={search}")))

    assert found("huda saleh") == [huda]
    assert found("HUDA@example") == [huda]
    assert found("0501234567") == [omar]
    assert found("nobody") == []


def test_a_page_token_continues_only_its_own_search(desk):
    for m in (1, 2, 3):
        _customer(desk, minutes_ago=m, first_name="Huda")
    token = desk.get(f"{CUSTOMERS}?search=huda&limit=1").get_json()["pagination"]["nextPageToken"]

    other = desk.get(f"{CUSTOMERS}?search=omar&nextPageToken={token}")

    assert error(other, 422)["details"]["field"] == "nextPageToken"
    assert error(desk.get(f"{CUSTOMERS}?limit=abc"), 422)["details"]["field"] == "limit"
    assert error(desk.get(f"{CUSTOMERS}?search={'x' * 201}"), 422)["details"]["field"] == "search"


def test_a_doctor_sees_only_their_own_patients(desk):
    patient = _customer(desk, first_name="Huda")
    colleagues = _customer(desk, first_name="Omar")
    book(desk, at("2026-11-22 09:00"), customer_id=patient)
    book(desk, at("2026-11-22 09:00"), resource="other", customer_id=colleagues)

    assert _ids(result(desk.get(CUSTOMERS, who="staff"))) == [patient]
    hidden = desk.get(f"{CUSTOMERS}/{colleagues}", who="staff")
    unknown = desk.get(f"{CUSTOMERS}/nobody", who="staff")
    assert error(hidden, 404) == error(unknown, 404)
    assert result(desk.get(f"{CUSTOMERS}/{patient}", who="staff"))["firstName"] == "Huda"


def test_one_customer_and_another_organizations_one(desk):
    mine = _customer(desk, first_name="Huda")
    foreign = _customer(desk, clinic=desk.south)

    assert result(desk.get(f"{CUSTOMERS}/{mine}"))["firstName"] == "Huda"
    assert error(desk.get(f"{CUSTOMERS}/{foreign}"), 404) == error(
        desk.get(f"{CUSTOMERS}/nobody"), 404
    )
    assert error(desk.put(f"{CUSTOMERS}/{foreign}", {"note": "x"}), 404)["code"] == "NOT_FOUND"


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("south", 401)])
def test_customers_need_a_credential_of_this_organization(desk, who, status):
    assert error(desk.get(CUSTOMERS, who=who), status)["code"] == "UNAUTHORIZED"


def test_an_admin_corrects_what_is_sent_and_keeps_the_rest(desk):
    customer_id = _customer(desk, first_name="Huda", last_name="Saleh", email="h@example.com")

    item = result(
        desk.put(
            f"{CUSTOMERS}/{customer_id}",
            {"firstName": "Hoda", "phone": "+966 50 123 4567", "note": "prefers mornings"},
            who="key",
        )
    )

    assert (item["firstName"], item["lastName"]) == ("Hoda", "Saleh")
    assert (item["email"], item["phone"]) == ("h@example.com", "+966501234567")
    assert item["note"] == "prefers mornings"
    assert _row(desk, customer_id).first_name == "Hoda"


def test_answers_to_the_organizations_customer_questions(desk):
    with desk.app.app_context():
        organization = db.session.get(Organization, desk.clinic.organization_id)
        make_field(
            db.session,
            organization,
            "insurer",
            scope="customer",
            type="options",
            visibility="providerOnly",
            optional=True,
            options=[{"value": "bupa", "label": "Bupa"}, {"value": "tawuniya", "label": "T"}],
        )
        db.session.commit()
    customer_id = _customer(desk, data={"allergies": "none"})

    item = result(desk.put(f"{CUSTOMERS}/{customer_id}", {"data": {"insurer": "bupa"}}))
    refused = desk.put(f"{CUSTOMERS}/{customer_id}", {"data": {"insurer": "acme"}})

    assert item["data"] == {"allergies": "none", "insurer": "bupa"}
    assert error(refused, 422)["details"]["field"] == "data.insurer"
    assert (
        error(desk.put(f"{CUSTOMERS}/{customer_id}", {"data": {"x": 1}}), 422)["details"]["field"]
        == "data.x"
    )


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"firstName": "x" * 101}, "firstName"),
        ({"lastName": 5}, "lastName"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "taken@example.com"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"email": None, "phone": None}, "email"),
        ({"lang": "fr"}, "lang"),
        ({"nickname": "H"}, "nickname"),
        ({"data": "none"}, "data"),
    ],
)
def test_bad_corrections_name_the_field_and_keep_nothing(desk, sent, field):
    _customer(desk, email="taken@example.com")
    customer_id = _customer(desk, first_name="Huda", email="huda@example.com")

    refused = error(desk.put(f"{CUSTOMERS}/{customer_id}", sent), 422)

    assert refused["details"]["field"] == field
    row = _row(desk, customer_id)
    assert (row.first_name, row.email, row.phone) == ("Huda", "huda@example.com", None)


def test_staff_may_read_customers_but_not_correct_them(desk):
    customer_id = _customer(desk)
    book(desk, at("2026-11-22 09:00"), customer_id=customer_id)

    assert (
        error(desk.put(f"{CUSTOMERS}/{customer_id}", {"note": "x"}, who="staff"), 403)["code"]
        == "FORBIDDEN"
    )


# --- invoices ----------------------------------------------------------------------------------


def _invoice(desk: Desk, number: int, *, clinic=None, booking_id=None, status="UNPAID") -> str:
    clinic = clinic or desk.clinic
    with desk.app.app_context():
        invoice = Invoice(
            organization_id=clinic.organization_id,
            booking_id=booking_id,
            number=number,
            currency="SAR",
            sub_total=Decimal("150"),
            total=Decimal("150"),
            balance=Decimal("0") if status == "PAID" else Decimal("150"),
            amount_paid=Decimal("150") if status == "PAID" else Decimal("0"),
            status=status,
        )
        db.session.add(invoice)
        db.session.commit()
        return invoice.id


def test_invoices_newest_first_with_what_they_bill(desk):
    booking_id = book(desk, at("2026-11-22 09:00"))
    first = _invoice(desk, 1, booking_id=booking_id, status="PAID")
    second = _invoice(desk, 2)
    _invoice(desk, 1, clinic=desk.south)

    found = result(desk.get(INVOICES))

    assert _ids(found) == [second, first]
    paid = found[1]
    assert (paid["number"], paid["status"], paid["total"]) == (1, "PAID", "150.00")
    assert paid["booking"]["id"] == booking_id and paid["booking"]["startTime"] == 900
    assert result(desk.get(INVOICES, lang="ar"))[1]["booking"]["type"]["name"] == "فحص"


def test_invoices_of_one_status_page_by_page(desk):
    paid = [_invoice(desk, n, status="PAID" if n % 2 else "UNPAID") for n in range(1, 8)]
    wanted = [i for n, i in zip(range(1, 8), paid, strict=True) if n % 2][::-1]
    seen, token = [], ""
    while True:
        answer = desk.get(f"{INVOICES}?status=PAID&limit=3&nextPageToken={token}")
        seen += _ids(result(answer))
        pagination = answer.get_json()["pagination"]
        if not pagination["hasMore"]:
            break
        token = pagination["nextPageToken"]

    assert seen == wanted
    other = desk.get(f"{INVOICES}?status=UNPAID&nextPageToken={token or 'x'}")
    assert error(other, 422)["details"]["field"] == "nextPageToken"


@pytest.mark.parametrize(
    ("query", "who", "status"),
    [
        ("status=LOST", "admin", 422),
        ("limit=500", "admin", 422),
        ("", "staff", 403),
        ("", None, 401),
        ("", "south", 401),
    ],
)
def test_invoices_refuse_bad_input_and_callers_below_admin(desk, query, who, status):
    error(desk.get(f"{INVOICES}?{query}", who=who), status)
