"""The customer area: signing in with a one-time code, the bookings and invoices it lists,
the profile, signing out, and what it refuses to reveal."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from tests.factories import make_customer, make_field
from tests.web.conftest import last_code_in, path_of, step_title, text
from webapp.models import Customer, Invoice, Organization

EMAIL = "sara@example.com"


def sign_in_code(site, identifier: str = EMAIL) -> tuple[object, str]:
    """Ask for a code; the answer and the code that was sent."""
    reply = site.client.post(site.url("/account/sign-in"), data={"identifier": identifier})
    return reply, last_code_in(site.messages)


def sign_in(site, identifier: str = EMAIL):
    return site.sign_in(identifier)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.fixture
def sara(site) -> str:
    """Sara, a customer who booked before; her id."""
    with site.db() as session:
        organization = session.get(Organization, site.organization_id)
        customer = make_customer(session, organization, first_name="Sara", email=EMAIL)
        session.commit()
        return customer.id


def test_account_asks_to_sign_in_first(site):
    page = site.client.get(site.url("/account/"))

    assert page.status_code == 200
    assert step_title(page) == "Sign in to see your bookings"
    assert 'name="identifier"' in text(page)


def test_sign_in_sends_a_code_by_email(site):
    reply, code = sign_in_code(site)
    (message,) = site.messages

    assert reply.status_code == 303
    assert urlsplit(reply.headers["Location"]).path == f"/{site.slug}/account/verify"
    assert message["kind"] == "email"
    assert message["to"] == EMAIL
    assert len(code) == 6
    assert "Enter your code" in text(site.client.get(path_of(reply.headers["Location"])))


def test_sign_in_by_mobile_sends_a_text(site):
    sign_in_code(site, "+966 50 123 4567")

    (message,) = site.messages
    assert (message["kind"], message["to"]) == ("sms", "+966501234567")


def test_right_code_signs_in(site, sara):
    done = sign_in(site)
    page = site.client.get(path_of(done.headers["Location"]))

    assert done.status_code == 303
    assert "Hello Sara" in text(page)


def test_unknown_address_gets_the_same_answer(site, sara):
    known, _ = sign_in_code(site, EMAIL)
    unknown, _ = sign_in_code(site, "nobody@example.com")

    assert unknown.status_code == known.status_code == 303
    assert urlsplit(unknown.headers["Location"]).path == urlsplit(known.headers["Location"]).path
    assert len(site.messages) == 2
    assert re.sub(r"\d{6}", "", site.messages[0]["text"]) == re.sub(
        r"\d{6}", "", site.messages[1]["text"]
    )
    pages = [
        text(site.client.get(path_of(reply.headers["Location"]))) for reply in (known, unknown)
    ]
    assert len({re.sub(r'challenge(=|" value=")\w+', "", page) for page in pages}) == 1


def test_wrong_code_says_how_many_tries_are_left(site):
    reply, code = sign_in_code(site)
    verify = path_of(reply.headers["Location"])
    challenge = verify.split("challenge=")[1]

    page = site.client.post(verify, data={"challenge": challenge, "code": wrong(code)})

    assert page.status_code == 422
    assert "That code is not right. 4 tries left." in text(page)
    assert step_title(site.client.get(site.url("/account/"))) == "Sign in to see your bookings"


def test_wrong_codes_are_limited(site, sara):
    reply, code = sign_in_code(site)
    verify = path_of(reply.headers["Location"])
    challenge = verify.split("challenge=")[1]
    for _ in range(5):
        site.client.post(verify, data={"challenge": challenge, "code": wrong(code)})

    page = site.client.post(verify, data={"challenge": challenge, "code": code})

    assert page.status_code == 422
    assert "This code has expired. Please request a new one." in text(page)
    assert "Hello Sara" not in text(site.client.get(site.url("/account/")))


def test_code_requests_are_limited_per_address(site):
    for _ in range(5):
        assert sign_in_code(site)[0].status_code == 303

    page, _ = sign_in_code(site)

    assert page.status_code == 429
    assert "Too many codes were requested." in text(page)
    assert len(site.messages) == 5


@pytest.mark.parametrize("identifier", ["hello", "", "@", "+1", "x" * 10_000])
def test_unusable_address_is_refused(site, identifier):
    page, _ = sign_in_code(site, identifier)

    assert page.status_code == 422
    assert "Enter a valid email address or mobile number." in text(page)
    assert site.messages == []


def test_expired_code_is_refused(site):
    reply, code = sign_in_code(site)
    verify = path_of(reply.headers["Location"])
    site.app.config["MAWID_NOW"] += timedelta(minutes=11)

    page = site.client.post(verify, data={"challenge": verify.split("challenge=")[1], "code": code})

    assert page.status_code == 422
    assert "This code has expired." in text(page)


# -- what a signed-in customer sees -----------------------------------------------------------


def test_account_lists_upcoming_and_past_bookings_with_manage_links(site, sara):
    site.app.config["MAWID_NOW"] -= timedelta(days=7)
    past = site.book_directly("huda", "2026-11-15 09:00", customer_id=sara)
    site.app.config["MAWID_NOW"] += timedelta(days=7)
    upcoming = site.book_directly("omar", "2026-11-23 10:00", customer_id=sara)
    site.book_directly("layla", "2026-11-24 10:00")  # someone else's
    sign_in(site)

    html = text(site.client.get(site.url("/account/")))
    upcoming_part, past_part = html.split("<h3>Past</h3>")

    assert upcoming_part.count("/bookings/") == 1
    assert "Monday, November 23, 2026" in upcoming_part
    assert past_part.count("/bookings/") == 1
    assert "Sunday, November 15, 2026" in past_part
    assert "Tuesday, November 24" not in html
    links = re.findall(rf'href="(/{site.slug}/bookings/[^"]+)"', html)
    assert [site.booking_from(link).id for link in links] == [upcoming, past]


def test_account_links_open_the_booking(site, sara):
    site.book_directly("omar", "2026-11-23 10:00", customer_id=sara)
    sign_in(site)

    html = text(site.client.get(site.url("/account/")))
    link = re.search(rf'href="(/{site.slug}/bookings/[^"]+)"', html).group(1)
    page = site.client.get(link)

    assert page.status_code == 200
    assert "<dd>Dr Omar</dd>" in text(page)


def test_account_lists_invoices(site, sara):
    with site.db() as session:
        session.add(
            Invoice(
                organization_id=site.organization_id,
                customer_id=sara,
                number=1042,
                currency="SAR",
                sub_total=Decimal("150"),
                total=Decimal("150"),
                balance=Decimal("50"),
                status="PARTIALLY_PAID",
                created_at=site.app.config["MAWID_NOW"],
            )
        )
        session.commit()
    sign_in(site)

    html = text(site.client.get(site.url("/account/")))

    assert "<td>1042</td>" in html
    assert "<td>SAR150.00</td><td>SAR50.00</td><td>Partly paid · <a href=" in html
    assert "/pay/" in html  # the rest can be paid online
    assert "No invoices." not in html


def test_new_customer_has_nothing_listed(site):
    sign_in(site, "new@example.com")

    html = text(site.client.get(site.url("/account/")))

    assert "Hello new@example.com" in html
    assert html.count("None.") == 2
    assert "No invoices." in html


def test_booking_on_the_website_appears_in_the_account(site):
    site.book()
    sign_in(site)

    html = text(site.client.get(site.url("/account/")))

    assert "Consultation</a>" in html
    assert "Sunday, November 22, 2026" in html


# -- profile and signing out ------------------------------------------------------------------


@pytest.fixture
def insurance(site):
    with site.db() as session:
        organization = session.get(Organization, site.organization_id)
        make_field(
            session,
            organization,
            "insurance",
            scope="customer",
            name="Insurance company",
            optional=True,
            visibility="public",
        )
        session.commit()


def test_profile_edit_saves_the_name_and_own_questions(site, sara, insurance):
    sign_in(site)
    form = text(site.client.get(site.url("/account/profile")))

    page = site.client.post(
        site.url("/account/profile"),
        data={
            "c_firstName": "Sarah",
            "c_lastName": "Haddad",
            "c_insurance": "Tawuniya",
            "c_email": "someone.else@example.com",
        },
    )

    assert 'value="Sara"' in form
    assert "Insurance company" in form
    assert 'name="c_email"' not in form, "the address signed in with is not edited here"
    assert page.status_code == 200
    assert "Saved." in text(page)
    with site.db() as session:
        customer = session.get(Customer, sara)
        assert customer.first_name == "Sarah"
        assert customer.data["insurance"] == "Tawuniya"
        assert customer.email == EMAIL
    assert 'value="Tawuniya"' in text(site.client.get(site.url("/account/profile")))


def test_profile_errors_keep_what_was_typed(site, sara, insurance):
    sign_in(site)

    page = site.client.post(
        site.url("/account/profile"),
        data={"c_firstName": "", "c_lastName": "Haddad", "c_insurance": "Tawuniya"},
    )

    assert page.status_code == 422
    assert "First name is required." in text(page)
    assert 'value="Tawuniya"' in text(page)
    with site.db() as session:
        assert session.get(Customer, sara).first_name == "Sara"


def test_profile_needs_signing_in(site):
    reply = site.client.get(site.url("/account/profile"))

    assert reply.status_code == 303
    assert urlsplit(reply.headers["Location"]).path == f"/{site.slug}/account/"


def test_sign_out(site, sara):
    sign_in(site)

    reply = site.client.post(site.url("/account/sign-out"))
    page = site.client.get(site.url("/account/"))

    assert reply.status_code == 303
    assert step_title(page) == "Sign in to see your bookings"
    assert "Hello Sara" not in text(page)
