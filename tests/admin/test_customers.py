"""Customers: owners and admins find, read and correct every customer; a staff member reads
only the customers who booked one of their own resources."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from tests.admin.conftest import htmx, text
from tests.conftest import NOW
from tests.factories import at, create_booking, make_customer, make_field
from webapp.booking import lifecycle
from webapp.extensions import db
from webapp.models import BookingType, Customer, Organization

CUSTOMER_LINK = re.compile(r'href="/admin/customers/([A-Za-z0-9]{20})"')
NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')


def _organization(clinic) -> Organization:
    return db.session.get(Organization, clinic.organization_id)


def _customer(app, clinic, **values) -> str:
    with app.app_context():
        customer = make_customer(db.session, _organization(clinic), **values)
        db.session.commit()
        return customer.id


def _book(app, clinic, customer_id: str, start: str, resource_id: str | None = None) -> str:
    with app.app_context():
        booking = create_booking(
            db.session,
            _organization(clinic),
            db.session.get(BookingType, clinic.type_id),
            start=at(start),
            now=NOW,
            resource_id=resource_id or clinic.own_resource_id,
            customer=db.session.get(Customer, customer_id),
            actor=lifecycle.Actor("customer"),
        )
        db.session.commit()
        return booking.id


def _stored(app, customer_id: str) -> Customer:
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        db.session.expunge(customer)
        return customer


def _listed(response) -> list[str]:
    return CUSTOMER_LINK.findall(text(response))


def _next(response) -> str | None:
    found = NEXT_LINK.search(text(response))
    return unescape(found.group(1)) if found else None


@pytest.fixture
def nora(app, clinic) -> str:
    return _customer(
        app,
        clinic,
        first_name="Nora",
        last_name="Haddad",
        email="nora@example.com",
        phone="+966501234567",
    )


@pytest.fixture
def faisal(app, clinic) -> str:
    return _customer(
        app,
        clinic,
        first_name="Faisal",
        last_name="Amin",
        email="faisal.amin@example.org",
        phone="+966551112222",
    )


def test_the_list_shows_the_organizations_customers_and_nothing_of_another(
    app, owner, clinic, other_clinic, nora
):
    stranger = _customer(app, other_clinic, first_name="Stranger", email="s@example.com")

    page = owner.get("/admin/customers")

    assert page.status_code == 200
    assert "Nora Haddad" in text(page) and "nora@example.com" in text(page)
    assert _listed(page) == [nora]
    assert stranger not in text(page) and "Stranger" not in text(page)


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("HADD", "nora"),
        ("nora haddad", "nora"),
        ("FAISAL.AMIN@", "faisal"),
        ("example.org", "faisal"),
        ("0501234567", "nora"),
        ("+966 50 123 4567", "nora"),
        ("551112", "faisal"),
        ("Amin", "faisal"),
    ],
)
def test_search_finds_a_customer_by_part_of_a_name_email_or_phone_in_any_case(
    owner, nora, faisal, query, who
):
    response = owner.get("/admin/customers", query_string={"q": query})

    assert _listed(response) == [{"nora": nora, "faisal": faisal}[who]]


@pytest.mark.parametrize("query", ["100%", "_", "no such person", "'; drop table customers"])
def test_a_search_that_matches_nobody_says_so(owner, nora, faisal, query):
    response = owner.get("/admin/customers", query_string={"q": query})

    assert response.status_code == 200
    assert _listed(response) == []
    assert "No customer matches this search." in text(response)


def test_searching_while_typing_swaps_only_the_rows(owner, nora, faisal):
    response = owner.get(
        "/admin/customers", query_string={"q": "nora"}, headers=htmx(target="customer-rows")
    )

    body = text(response).strip()
    assert body.startswith('<tbody id="customer-rows">') and body.endswith("</tbody>")
    assert "<html" not in body
    assert _listed(response) == [nora]
    assert "HX-Request" in response.headers["Vary"]


def test_the_list_pages_through_every_customer_newest_first(app, owner, clinic):
    with app.app_context():
        organization = _organization(clinic)
        for n in range(120):
            # Three customers share each minute, so the order also needs the id.
            make_customer(db.session, organization, created_at=NOW - timedelta(minutes=n // 3))
        db.session.commit()
        expected = [
            c.id
            for c in db.session.scalars(
                db.select(Customer).order_by(Customer.created_at.desc(), Customer.id.desc())
            )
        ]

    pages, url = [], "/admin/customers"
    while url:
        response = owner.get(url)
        pages.append(_listed(response))
        url = _next(response)

    assert [len(page) for page in pages] == [50, 50, 20]
    assert [customer for page in pages for customer in page] == expected


def test_the_next_page_over_htmx_replaces_the_rows_and_offers_the_first_page(app, owner, clinic):
    with app.app_context():
        organization = _organization(clinic)
        for n in range(60):
            make_customer(db.session, organization, created_at=NOW - timedelta(minutes=n))
        db.session.commit()
    first = owner.get("/admin/customers")

    second = owner.get(_next(first), headers=htmx(target="customer-rows"))

    body = text(second)
    assert body.lstrip().startswith('<tbody id="customer-rows">')
    assert len(_listed(second)) == 10
    assert not set(_listed(second)) & set(_listed(first))
    assert "First page" in body and 'rel="next"' not in body


def test_the_list_pages_by_name_in_alphabetical_order_whatever_the_case(app, owner, clinic):
    names = ["zaid", "Amal", "badr", "Basma", "Yara", "amal"]
    with app.app_context():
        organization = _organization(clinic)
        for n in range(66):
            make_customer(db.session, organization, first_name=names[n % 6], last_name=f"N{n:02}")
        db.session.commit()
        by_id = {
            c.id: (c.first_name.lower(), c.last_name.lower())
            for c in db.session.scalars(db.select(Customer))
        }

    seen, url = [], "/admin/customers?order=name"
    while url:
        response = owner.get(url)
        seen.extend(_listed(response))
        url = _next(response)

    assert len(seen) == len(set(seen)) == 66
    assert [by_id[c] for c in seen] == sorted(by_id[c] for c in seen)


def test_a_tampered_page_link_shows_the_first_page(owner, nora):
    response = owner.get("/admin/customers", query_string={"after": "not-a-token"})

    assert response.status_code == 200
    assert _listed(response) == [nora]


def test_the_detail_shows_the_profile_the_answers_and_the_bookings_newest_first(
    app, owner, clinic, nora
):
    with app.app_context():
        organization = _organization(clinic)
        make_field(
            db.session,
            organization,
            "allergies",
            scope="customer",
            name="Allergies",
            name_translations={"ar": "الحساسية"},
        )
        make_field(
            db.session,
            organization,
            "blood",
            scope="customer",
            name="Blood type",
            type="options",
            options=[{"value": "ap", "label": "A+"}, {"value": "on", "label": "O-"}],
        )
        customer = db.session.get(Customer, nora)
        customer.data = {"allergies": "Penicillin <b>", "blood": "ap", "referral": "Instagram"}
        customer.note = "Prefers mornings"
        db.session.commit()
    earlier = _book(app, clinic, nora, "2026-11-22 09:00")
    later = _book(app, clinic, nora, "2026-11-24 10:00", clinic.other_resource_id)

    page = text(owner.get(f"/admin/customers/{nora}"))

    assert "Nora Haddad" in page and "+966501234567" in page and "Prefers mornings" in page
    assert "Allergies" in page and "Penicillin &lt;b&gt;" in page
    assert "Blood type" in page and "A+" in page and ">ap<" not in page
    assert "referral" in page and "Instagram" in page
    assert page.index(f"/admin/bookings/{later}") < page.index(f"/admin/bookings/{earlier}")
    assert "Dr Omar" in page and "Checkup" in page
    assert 'class="badge status-confirmed"' in page
    assert f'href="/admin/customers/{nora}/edit"' in page


def test_an_admin_corrects_a_customers_details_and_they_are_stored_normalized(
    app, admin, clinic, nora, nocsrf
):
    response = admin.post(
        f"/admin/customers/{nora}/edit",
        data={
            "first_name": " Noura ",
            "last_name": "Al-Haddad",
            "email": "Noura.H@Example.COM",
            "phone": "+966 50 999 8888",
            "note": "Call after 4 pm",
            "lang": "ar",
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/customers/{nora}"
    customer = _stored(app, nora)
    assert (customer.first_name, customer.last_name) == ("Noura", "Al-Haddad")
    assert customer.email == "noura.h@example.com"
    assert customer.phone == "+966509998888"
    assert (customer.note, customer.lang) == ("Call after 4 pm", "ar")


def test_an_htmx_edit_answers_with_a_toast_and_the_customer_page(admin, clinic, nora, nocsrf):
    page = admin.get(f"/admin/customers/{nora}/edit")
    assert 'value="nora@example.com"' in text(page)

    response = admin.post(
        f"/admin/customers/{nora}/edit",
        data={"first_name": "Nora", "email": "nora@example.com", "lang": "en"},
        headers=htmx(),
    )

    assert response.status_code == 200
    assert response.headers["HX-Location"] == f"/admin/customers/{nora}"
    assert "Nora is saved." in response.headers["HX-Trigger"]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"email": "not an email"}, ["Enter a valid email address."]),
        ({"phone": "12"}, ["Enter a valid phone number"]),
        ({"email": "FAISAL.amin@example.org"}, ["Another customer already has this email"]),
        ({"phone": "+966 55 111 2222"}, ["Another customer already has this phone number."]),
        (
            {"email": "faisal.amin@example.org", "phone": "+966551112222"},
            ["already has this email", "already has this phone number"],
        ),
        ({"email": "", "phone": ""}, ["Keep an email address or a phone number"]),
        ({"first_name": "x" * 101, "lang": "fr"}, ["at most 100", "offered values"]),
    ],
)
def test_bad_or_taken_details_come_back_marked_with_422_and_nothing_is_saved(
    app, owner, clinic, nora, faisal, nocsrf, data, errors
):
    form = {
        "first_name": "Changed",
        "email": "nora@example.com",
        "phone": "+966501234567",
        "lang": "en",
    }
    form.update(data)

    response = owner.post(f"/admin/customers/{nora}/edit", data=form, headers=htmx())

    page = text(response)
    assert response.status_code == 422
    for error in errors:
        assert error in page
    assert 'aria-invalid="true"' in page
    customer = _stored(app, nora)
    assert customer.first_name == "Nora"
    assert (customer.email, customer.phone) == ("nora@example.com", "+966501234567")


def test_staff_see_only_customers_who_booked_their_own_resources(app, staff, clinic, nora, faisal):
    _customer(app, clinic, first_name="Never", last_name="Booked")
    _book(app, clinic, nora, "2026-11-22 09:00")
    theirs = _book(app, clinic, nora, "2026-11-22 10:00", clinic.other_resource_id)
    _book(app, clinic, faisal, "2026-11-22 11:00", clinic.other_resource_id)

    listed = _listed(staff.get("/admin/customers"))
    searched = _listed(staff.get("/admin/customers", query_string={"q": "faisal"}))
    detail = staff.get(f"/admin/customers/{nora}")
    hidden = staff.get(f"/admin/customers/{faisal}")

    assert listed == [nora]
    assert searched == []
    assert detail.status_code == 200
    assert theirs not in text(detail) and "Dr Omar" not in text(detail)
    assert f"/admin/customers/{nora}/edit" not in text(detail)
    assert hidden.status_code == 404


def test_staff_may_not_edit_customers(staff, clinic, nora, nocsrf):
    _book(staff.application, clinic, nora, "2026-11-22 09:00")

    assert staff.get(f"/admin/customers/{nora}/edit").status_code == 403
    response = staff.post(f"/admin/customers/{nora}/edit", data={"first_name": "X"})
    assert response.status_code == 403
    assert _stored(staff.application, nora).first_name == "Nora"


def test_another_organizations_customer_answers_like_an_unknown_one(
    app, owner, clinic, other_clinic, nocsrf
):
    foreign = _customer(app, other_clinic, first_name="Foreign", email="foreign@example.com")

    responses = [
        owner.get(f"/admin/customers/{foreign}"),
        owner.get(f"/admin/customers/{foreign}/edit"),
        owner.post(f"/admin/customers/{foreign}/edit", data={"email": "x@example.com"}),
        owner.get("/admin/customers/nope"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert _listed(owner.get("/admin/customers", query_string={"q": "foreign"})) == []
    assert _stored(app, foreign).email == "foreign@example.com"
