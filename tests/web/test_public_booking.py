"""Booking on the website from the chosen time to the manage page: the hold, the details form
and its errors, a one-time code when the website asks for one, a time lost to someone else,
an expired hold, and garbage input that must never break a page."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.factories import make_field
from tests.web.conftest import customer_form, path_of, starts, step_title, text
from webapp.models import BookingType, Customer, CustomField, Organization

SUNDAY_9 = "2026-11-22T09:00:00+03:00"
TIME_STEP = "Choose a time"


def details_of(site, **params) -> str:
    """Hold the first free time; the address of the details form."""
    return path_of(site.hold_first(**params).headers["Location"])


def customers(site) -> list[Customer]:
    with site.db() as session:
        return list(
            session.scalars(
                select(Customer).where(Customer.organization_id == site.organization_id)
            )
        )


def add_field(site, key: str, **values):
    with site.db() as session:
        organization = session.get(Organization, site.organization_id)
        make_field(session, organization, key, visibility="public", **values)
        session.commit()


# -- the whole way through --------------------------------------------------------------------


def test_booking_end_to_end_is_confirmed(site):
    details = details_of(site)
    hold = site.booking_from(details)
    done = site.client.post(details, data=customer_form())
    manage = path_of(done.headers["Location"])
    booking = site.booking_from(manage)
    page = site.client.get(manage)
    html = text(page)

    assert hold.status == "TEMPORARY"
    assert done.status_code == 303
    assert manage.endswith("?new=1")
    assert booking.id == hold.id
    assert booking.status == "CONFIRMED"
    assert booking.start_at.isoformat() == "2026-11-22T06:00:00+00:00"
    assert booking.resource_id == site.resources["huda"]
    assert booking.source == "website"
    assert "You're booked!" in html
    assert '<time datetime="2026-11-22T06:00:00+00:00">Sunday, November 22, 2026' in html
    assert "Dr Huda" in html
    (customer,) = customers(site)
    assert (customer.first_name, customer.last_name, customer.email) == (
        "Sara",
        "Haddad",
        "sara@example.com",
    )
    assert booking.customer_id == customer.id


def test_details_form_shows_the_held_time(site):
    page = site.client.get(details_of(site))
    html = text(page)

    assert step_title(page) == "Your details"
    assert "Consultation" in html
    assert "Sunday, November 22, 2026" in html
    assert re.search(r"We are holding this time for you until 9:10\W+AM\.", html)
    assert 'name="c_firstName"' in html
    assert 'name="c_email"' in html


def test_a_core_customer_field_switched_off_is_not_asked(site):
    with site.db() as session:
        session.add(
            CustomField(
                organization_id=site.organization_id,
                scope="customer",
                key="lastName",
                name="Last name",
                type="text",
                enabled=False,
                visibility="public",
            )
        )
        session.commit()

    html = text(site.client.get(details_of(site)))

    assert 'name="c_firstName"' in html
    assert 'name="c_lastName"' not in html


def test_booking_needs_approval_when_the_service_is_not_confirmed_automatically(site):
    site.update(BookingType, site.types["consultation"], auto_confirm=False)

    page = site.book()

    assert "Request received" in text(page)
    assert site.booking_from(page.request.url).status == "PENDING_APPROVAL"


def test_priced_service_paid_online_waits_for_payment(site):
    site.update(Organization, site.organization_id, online_payments_enabled=True)
    site.update(BookingType, site.types["consultation"], payment_methods=["creditCard"])

    page = site.book()
    booking = site.booking_from(page.request.url)

    assert "Almost done: payment needed" in text(page)
    assert booking.status == "PENDING_PAYMENT"
    assert booking.expires_at is not None


def test_online_payment_is_not_asked_when_the_business_does_not_take_it(site):
    site.update(BookingType, site.types["consultation"], payment_methods=["creditCard"])

    page = site.book()

    assert site.booking_from(page.request.url).status == "CONFIRMED"


def test_confirmation_email_has_the_manage_link_and_a_calendar_file(site):
    page = site.book()
    sent = site.emails_to("sara@example.com")
    (email,) = [m for m in sent if m["subject"].startswith("Booking confirmed")]
    manage = urlsplit(page.request.url).path

    assert email["subject"] == "Booking confirmed: Consultation"
    assert f"http://localhost{manage}" in email["text"]
    assert f'href="http://localhost{manage}' in email["html"]
    ((name, content_type, data),) = email["attachments"]
    assert (name, content_type) == ("invite.ics", "text/calendar; method=REQUEST; charset=utf-8")
    assert b"BEGIN:VEVENT" in data
    assert b"DTSTART;TZID=Asia/Riyadh:20261122T090000" in data


def test_no_email_is_sent_without_an_address(site):
    add_field(site, "email", scope="customer", type="text", text_type="email", optional=True)

    site.book(c_email="", c_phoneNumber="+966501234567")

    # Only the business hears of it.
    assert [m["subject"] for m in site.messages if not m["subject"].startswith("New booking")] == []
    (customer,) = customers(site)
    assert customer.phone == "+966501234567"


def test_answers_to_the_businesss_own_questions_are_kept(site):
    add_field(site, "insurance", scope="customer", type="text", name="Insurance company")
    add_field(site, "reason", scope="booking", type="paragraph", name="Reason for visit")
    details = details_of(site)

    form = text(site.client.get(details))
    done = site.client.post(
        details,
        data=customer_form(c_insurance="Bupa", b_reason="Cough\nsince Monday"),
    )

    assert "Insurance company" in form
    assert "Reason for visit" in form
    booking = site.booking_from(done.headers["Location"])
    assert booking.info["reason"] == "Cough\nsince Monday"
    (customer,) = customers(site)
    assert customer.data["insurance"] == "Bupa"


def test_completed_hold_link_leads_to_the_booking(site):
    details = details_of(site)
    site.client.post(details, data=customer_form())

    again = site.client.get(details)

    assert again.status_code == 303
    assert "/bookings/" in again.headers["Location"]


def test_old_hold_link_cannot_release_a_confirmed_booking(site):
    details = details_of(site)
    site.client.post(details, data=customer_form())

    site.client.post(details + "/release")

    assert site.booking_from(details).status == "CONFIRMED"


def test_choosing_another_time_gives_the_held_time_back(site):
    details = details_of(site)

    back = site.client.post(details + "/release")
    page = site.client.get(path_of(back.headers["Location"]))

    assert back.status_code == 303
    assert site.booking_from(details).status == "CANCELED"
    assert step_title(page) == TIME_STEP
    assert SUNDAY_9 in starts(page)


# -- the details form refuses what it cannot use ----------------------------------------------


def assert_still_held(site, details):
    assert site.booking_from(details).status == "TEMPORARY"
    assert customers(site) == []


def test_missing_details_are_asked_again(site):
    details = details_of(site)

    page = site.client.post(details, data={})
    html = text(page)

    assert page.status_code == 422
    assert "Please correct the fields marked below." in html
    assert "First name is required." in html
    assert "Last name is required." in html
    assert "Email is required." in html
    assert_still_held(site, details)


def test_invalid_email_is_refused_and_the_typed_details_stay(site):
    details = details_of(site)

    page = site.client.post(details, data=customer_form(c_firstName="Fatima", c_email="fatima@"))
    html = text(page)

    assert page.status_code == 422
    assert "Enter an email address like name@example.com." in html
    assert 'name="c_firstName" required aria-required="true" value="Fatima"' in html
    assert 'value="fatima@"' in html
    assert_still_held(site, details)


def test_invalid_phone_is_refused(site):
    details = details_of(site)

    page = site.client.post(details, data=customer_form(c_phoneNumber="12345"))

    assert page.status_code == 422
    assert "Enter a valid phone number, starting with + and the country code." in text(page)
    assert_still_held(site, details)


def test_too_large_upload_is_refused(site):
    site.app.config["UPLOAD_MAX_BYTES"] = 1000
    add_field(site, "referral", scope="booking", type="file", name="Referral letter")
    details = details_of(site)

    page = site.client.post(
        details,
        data=customer_form() | {"b_referral": (io.BytesIO(b"%PDF-1.4\n" + b"0" * 5000), "a.pdf")},
        content_type="multipart/form-data",
    )

    assert page.status_code == 422
    assert "This file is too large. The limit is 0.1 MB." in text(page)
    assert_still_held(site, details)


def test_small_upload_is_kept_with_the_booking(site):
    add_field(site, "referral", scope="booking", type="file", name="Referral letter")
    details = details_of(site)

    done = site.client.post(
        details,
        data=customer_form() | {"b_referral": (io.BytesIO(b"%PDF-1.4\nletter"), "letter.pdf")},
        content_type="multipart/form-data",
    )

    assert done.status_code == 303
    assert site.booking_from(details).info["referral"]["name"] == "letter.pdf"


# -- the time is gone -------------------------------------------------------------------------


def test_time_taken_meanwhile_offers_the_nearest_free_times(site):
    page = site.time_step()
    assert SUNDAY_9 in starts(page)
    site.book_directly("huda", "2026-11-22 09:00", hold_minutes=10)

    lost = site.hold(SUNDAY_9)
    html = text(lost)

    assert lost.status_code == 409
    assert step_title(lost) == TIME_STEP
    assert "Sorry, someone has just booked that time." in html
    assert "The nearest free times:" in html
    assert starts(lost) == [
        "2026-11-22T09:30:00+03:00",
        "2026-11-22T10:00:00+03:00",
        "2026-11-22T10:30:00+03:00",
        "2026-11-22T11:00:00+03:00",
    ]
    assert "See every free time" in html
    assert len(site.bookings()) == 1


def test_expired_hold_sends_the_customer_back_to_the_times(site):
    details = details_of(site)
    site.app.config["MAWID_NOW"] += timedelta(minutes=11)

    page = site.client.post(details, data=customer_form())

    assert page.status_code == 409
    assert step_title(page) == TIME_STEP
    assert "Your hold on this time has ended. Please choose a time again." in text(page)
    assert starts(page)
    assert site.booking_from(details).status in {"TEMPORARY", "CANCELED"}
    assert customers(site) == []


def test_expired_hold_link_shows_the_times_too(site):
    details = details_of(site)
    site.app.config["MAWID_NOW"] += timedelta(minutes=11)

    page = site.client.get(details)

    assert page.status_code == 409
    assert "Your hold on this time has ended." in text(page)


# -- a one-time code before the booking is made -----------------------------------------------


def sent_code(site) -> str:
    found = re.search(r"code is (\d{6})", site.messages[-1]["text"])
    assert found, site.messages[-1]
    return found.group(1)


def verification_page(site) -> tuple[str, str]:
    """Fill in the details on a website that asks for a code; the verify address and code."""
    site.configure(require_verification=True)
    details = details_of(site)
    sent = site.client.post(details, data=customer_form())
    assert sent.status_code == 303
    return path_of(sent.headers["Location"]), sent_code(site)


def test_verification_sends_a_code_before_booking(site):
    verify, _ = verification_page(site)
    page = site.client.get(verify)

    assert "/verify?challenge=" in verify
    assert site.messages[-1]["to"] == "sara@example.com"
    assert "Shifa Clinic" in site.messages[-1]["text"]
    assert "Enter your code" in text(page)
    assert site.booking_from(verify).status == "TEMPORARY"
    assert customers(site) == [], "nobody is recorded before they prove their address"


def test_wrong_code_says_how_many_tries_are_left(site):
    verify, code = verification_page(site)
    wrong = "000000" if code != "000000" else "111111"

    page = site.client.post(verify, data={"code": wrong})

    assert page.status_code == 422
    assert "That code is not right. 4 tries left." in text(page)
    assert site.booking_from(verify).status == "TEMPORARY"
    assert customers(site) == []


def test_right_code_confirms_the_booking(site):
    verify, code = verification_page(site)

    done = site.client.post(verify, data={"code": code})
    booking = site.booking_from(done.headers["Location"])

    assert done.status_code == 303
    assert booking.status == "CONFIRMED"
    (customer,) = customers(site)
    assert customer.first_name == "Sara"
    assert booking.customer_id == customer.id
    assert "Booking confirmed: Consultation" in site.subjects_to("sara@example.com")


def test_code_cannot_be_guessed_without_limit(site):
    verify, code = verification_page(site)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        site.client.post(verify, data={"code": wrong})

    page = site.client.post(verify, data={"code": code})

    assert page.status_code == 422
    assert "This code has expired" in text(page)
    assert site.booking_from(verify).status == "TEMPORARY"


# -- garbage never breaks a page --------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        "garbage",
        "",
        "2026-11-22T09:00:00",
        "9999-12-31T23:59:59+14:00",
        "0001-01-01T00:00:00+00:00",
        "2026-11-22T09:07:00+03:00",
        "2026-11-22T09:00:00+23:59",
        "2025-01-01T09:00:00+03:00",
        "x" * 100_000,
    ],
)
def test_bad_start_is_refused_without_a_server_error(site, start):
    reply = site.hold(start)

    assert reply.status_code in {409, 422}
    assert step_title(reply) == TIME_STEP
    assert site.bookings() == []


@pytest.mark.parametrize(
    "params",
    [
        {"date": "2026-13-45"},
        {"date": "9999-12-31"},
        {"date": "0001-01-01"},
        {"month": "9999-12"},
        {"month": "0001-01"},
        {"month": "soon"},
        {"tz": "Mars/Olympus"},
        {"tz": "../../etc/passwd"},
        {"tz": "x" * 10_000},
        {"f_specialty": "x" * 100_000},
        {"a_extras": ["standard", "xray"]},
        {"a_" + "k" * 5000: "1"},
    ],
)
def test_bad_time_step_input_never_breaks_the_page(site, params):
    page = site.time_step(**params)
    times = site.client.get(
        site.url(
            "/book/times",
            type=site.types["consultation"],
            resource=site.resources["huda"],
            **{"date": "2026-11-23", **params},
        ),
        headers={"HX-Request": "true"},
    )

    assert page.status_code in {200, 422}
    assert step_title(page) in {TIME_STEP, "Not available"}
    assert times.status_code in {200, 404, 422}


@pytest.mark.parametrize(
    "params",
    [
        {"type": "x" * 100_000},
        {"resource": "' OR 1=1 --"},
        {"category": "\x00"},
        {"type": "", "resource": ""},
    ],
)
def test_bad_choices_are_not_found_or_ignored(site, params):
    reply = site.client.get(site.url("/book", **params))

    assert reply.status_code in {200, 404}


def test_huge_details_are_refused_field_by_field(site):
    details = details_of(site)

    page = site.client.post(
        details,
        data=customer_form(c_firstName="S" * 100_000, c_lastName="\x00\x01", c_email="@" * 300),
    )
    html = text(page)

    assert page.status_code == 422
    assert "Use at most 500 characters." in html
    assert "Last name is required." in html
    assert "Enter an email address like name@example.com." in html
    assert_still_held(site, details)


def test_unknown_hold_link_is_not_found(site):
    assert site.client.get(site.url("/hold/not-a-token")).status_code == 404
    assert site.client.post(site.url("/hold/not-a-token/verify"), data={}).status_code == 404


def test_returning_customer_is_recorded_once(site):
    site.book()
    site.book()

    (customer,) = customers(site)
    assert [b.customer_id for b in site.bookings()] == [customer.id, customer.id]
    assert [b.status for b in site.bookings()] == ["CONFIRMED", "CONFIRMED"]
