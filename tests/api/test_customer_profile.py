"""My Profile and My Invoices through the API (seed 002): a signed-in customer reads and
corrects their details (not the address they sign in with, as on the website) and reads
their invoices page by page; nobody else's."""

from __future__ import annotations

import pytest

from tests.api.customer_calls import call, new_customer
from tests.api.shifa import Api, api_for, error, result
from tests.factories import make_field
from webapp.models import Customer, Invoice, Organization


@pytest.fixture
def api(app) -> Api:
    return api_for(app, "Shifa Clinic")


@pytest.fixture
def sara(api) -> tuple[str, str]:
    return new_customer(
        api,
        first_name="Sara",
        last_name="Haddad",
        email="sara@example.com",
        phone="+966501234567",
        data={"insurer": "Bupa", "risk": "staff remark"},
    )


def add_field(api: Api, key: str, **values) -> None:
    with api.site.db() as session:
        organization = session.get(Organization, api.site.organization_id)
        make_field(session, organization, key, scope="customer", **values)
        session.commit()


def update(api: Api, token: str, **body):
    return call(api, "PUT", "/api/customer/profile", token, body)


def stored(api: Api, customer_id: str) -> Customer:
    with api.site.db() as session:
        return session.get(Customer, customer_id)


# -- profile ---------------------------------------------------------------------------------


def test_a_customer_reads_their_profile_without_staff_only_answers(api, sara):
    add_field(api, "insurer", name="Insurer", visibility="public", optional=True)
    add_field(api, "risk", name="Risk", visibility="providerOnly", optional=True)

    profile = result(call(api, "GET", "/api/customer/profile", sara[1]))

    assert profile["id"] == sara[0]
    assert (profile["firstName"], profile["lastName"]) == ("Sara", "Haddad")
    assert (profile["email"], profile["phone"]) == ("sara@example.com", "+966501234567")
    assert profile["data"] == {"insurer": "Bupa"}
    assert set(profile) >= {"note", "lang", "createdAt", "updatedAt"}


def test_a_customer_corrects_their_name_note_and_answers(api, sara):
    add_field(api, "insurer", name="Insurer", visibility="public", optional=True)
    add_field(
        api,
        "children",
        name="Children",
        type="number",
        visibility="public",
        optional=True,
        info={"max": 12},
    )

    profile = result(
        update(
            api,
            sara[1],
            firstName=" Sarah ",
            note="Prefers mornings",
            email="SARA@example.com",  # the same address, written differently
            phone="+966 50 123 4567",
            data={"children": 2},
        )
    )

    assert profile["firstName"] == "Sarah" and profile["lastName"] == "Haddad"
    assert profile["note"] == "Prefers mornings"
    assert profile["data"] == {"insurer": "Bupa", "children": 2}
    customer = stored(api, sara[0])
    assert customer.first_name == "Sarah" and customer.data["risk"] == "staff remark"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "new@example.com"}, "email"),
        ({"email": None}, "email"),
        ({"phone": "+966509999999"}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"email": "not an address"}, "email"),
        ({"firstName": ""}, "firstName"),
        ({"firstName": 7}, "firstName"),
        ({"lastName": "x" * 101}, "lastName"),
        ({"note": "x" * 5001}, "note"),
        ({"data": {"unknown": 1}}, "data.unknown"),
        ({"data": {"firstName": "Sneaky"}}, "data.firstName"),
        ({"data": {"children": 40}}, "data.children"),
        ({"data": []}, "data"),
    ],
)
def test_bad_profile_input_names_its_field_and_changes_nothing(api, sara, body, field):
    add_field(
        api, "children", name="Children", type="number", visibility="public", info={"max": 12}
    )

    refused = error(update(api, sara[1], **body), 422)

    assert refused["details"]["field"] == field
    customer = stored(api, sara[0])
    assert (customer.first_name, customer.email) == ("Sara", "sara@example.com")


def test_a_customer_signed_in_by_phone_cannot_add_an_email_here(api):
    customer_id, token = new_customer(api, email=None, phone="+966501112222")

    refused = error(update(api, token, email="mine@example.com"), 422)

    assert refused["details"]["field"] == "email"
    assert stored(api, customer_id).email is None


def test_the_profile_needs_a_customer_token(app, api, sara):
    next_door = api_for(app, "Noor Dental")
    for token in (None, api.token(staff=True), new_customer(next_door)[1]):
        assert error(call(api, "GET", "/api/customer/profile", token), 401)["code"] == (
            "UNAUTHORIZED"
        )
        assert update(api, token, firstName="Mallory").status_code == 401
    assert stored(api, sara[0]).first_name == "Sara"


# -- invoices --------------------------------------------------------------------------------


def add_invoice(api: Api, customer_id: str, number: int, booking_id: str | None = None) -> str:
    with api.site.db() as session:
        invoice = Invoice(
            organization_id=api.site.organization_id,
            customer_id=customer_id,
            booking_id=booking_id,
            number=number,
            currency="SAR",
            sub_total=150,
            discount=10,
            total=140,
            amount_paid=40,
            balance=100,
            status="PARTIALLY_PAID",
        )
        session.add(invoice)
        session.commit()
        return invoice.id


def test_a_customer_reads_their_invoices_newest_first_page_after_page(api, sara):
    booking_id = api.site.book_directly("huda", "2026-11-22 09:00", customer_id=sara[0])
    ids = [add_invoice(api, sara[0], n, booking_id if n == 3 else None) for n in (1, 2, 3)]
    add_invoice(api, new_customer(api)[0], 4)

    first = call(api, "GET", "/api/customer/invoices?limit=2", sara[1]).get_json()
    token = first["pagination"]["nextPageToken"]
    second = call(api, "GET", f"/api/customer/invoices?limit=2&nextPageToken={token}", sara[1])

    assert [i["id"] for i in first["result"]] == [ids[2], ids[1]]
    assert first["pagination"]["hasMore"] is True
    assert [i["id"] for i in result(second)] == [ids[0]]
    assert second.get_json()["pagination"] == {"nextPageToken": None, "hasMore": False}
    newest = first["result"][0]
    assert newest["number"] == 3 and newest["status"] == "PARTIALLY_PAID"
    assert (newest["subTotal"], newest["discount"], newest["total"]) == (
        "150.00",
        "10.00",
        "140.00",
    )
    assert (newest["amountPaid"], newest["balance"]) == ("40.00", "100.00")
    assert newest["booking"]["id"] == booking_id and newest["booking"]["startTime"] == 900


def test_one_invoice_and_nobody_elses(app, api, sara):
    mine = add_invoice(api, sara[0], 1)
    theirs = add_invoice(api, new_customer(api)[0], 2)
    next_door = api_for(app, "Noor Dental")
    foreign = add_invoice(next_door, new_customer(next_door)[0], 1)

    found = result(call(api, "GET", f"/api/customer/invoices/{mine}", sara[1], lang="ar"))
    answers = [
        call(api, "GET", f"/api/customer/invoices/{invoice_id}", sara[1])
        for invoice_id in (theirs, foreign, "nosuchinvoice")
    ]

    assert found["id"] == mine and found["booking"] is None
    assert "١٤٠" in found["display"]["total"]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert answers[0].get_json() == answers[1].get_json() == answers[2].get_json()
    assert error(call(api, "GET", "/api/customer/invoices"), 401)["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?nextPageToken=forged"])
def test_bad_invoice_list_parameters_name_their_field(api, sara, query):
    refused = error(call(api, "GET", f"/api/customer/invoices{query}", sara[1]), 422)

    assert refused["details"]["field"] in {"limit", "nextPageToken"}
