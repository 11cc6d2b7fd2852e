"""What each booking event emails, and to whom: the customer in their own language with a
calendar invitation that follows the booking, the staff member of that resource and the
owners for new bookings and requests, never twice to one address, as the organization's
settings allow."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.factories import at
from tests.notify.email_world import (
    book,
    build_clinic,
    by_kind,
    emails_of,
    events,
    invitation,
    last_event,
)
from webapp.booking import lifecycle
from webapp.models import Member, OutboxMessage, User, WebhookSubscription, WebsiteVersion
from webapp.notify.emails import booking_emails, webhook_disabled_emails

START = at("2026-11-22 10:00")  # Sunday morning in Riyadh
STAFF = lifecycle.Actor("staff")
CUSTOMER = lifecycle.Actor("customer")


@pytest.fixture
def clinic(session):
    return build_clinic(session)


def the(emails, kind):
    """The first email of ``kind`` (staff emails go to each provider)."""
    return next(e for e in emails if e.kind == kind)


def reminder(session, booking, trigger: str) -> OutboxMessage:
    message = OutboxMessage(
        organization_id=booking.organization_id,
        event=trigger,
        booking_id=booking.id,
        payload={"bookingId": booking.id, "status": booking.status},
    )
    session.add(message)
    session.flush()
    return message


def test_a_new_booking_emails_the_customer_the_provider_and_the_owner(session, clinic, now):
    booking = book(session, clinic, START, now)

    emails = emails_of(session, booking, now)

    assert by_kind(emails) == {
        "customer:newAppointment": [clinic.sara.email],
        "staff:newAppointment": [clinic.huda.provider_email, clinic.huda_member_email],
        "owner:newAppointment": [clinic.owner_email],
    }
    customer = the(emails, "customer:newAppointment")
    assert customer.subject == "Booking confirmed: Cleaning"
    assert "Your booking with Smile Clinic is confirmed." in customer.text
    assert "Sunday, November 22, 2026 · 10:00\u202fAM (Arabian Standard Time)" in customer.text
    assert "Dr Huda" in customer.html and "SAR150.00" in customer.html
    staff = the(emails, "owner:newAppointment")
    assert staff.subject == "New booking: Cleaning, Nov 22, 2026 · 10:00 AM"
    assert f"/admin/bookings/{booking.id}" in staff.text
    assert "Sara Ali" in staff.text and clinic.sara.email in staff.text


def test_staff_hear_only_of_bookings_of_the_resource_they_provide(session, clinic, now):
    booking = book(session, clinic, START, now, resource=clinic.omar)

    addresses = {email.to for email in emails_of(session, booking, now)}

    assert clinic.omar_member_email in addresses
    assert not {clinic.huda.provider_email, clinic.huda_member_email} & addresses


def test_the_customer_manage_link_opens_their_booking(app, session, clinic, now):
    booking = book(session, clinic, START, now)
    session.commit()
    customer = the(emails_of(session, booking, now), "customer:newAppointment")

    [link] = re.findall(r"http://localhost(/\S+/bookings/\S+)", customer.text)
    page = app.test_client().get(link)

    assert link.startswith(f"/{clinic.website.slug}/bookings/") and link.endswith("lang=en")
    assert page.status_code == 200
    assert "Cleaning" in page.get_data(as_text=True)


def test_a_request_waits_for_approval_and_staff_get_the_page_to_approve_it(session, now):
    clinic = build_clinic(session, auto_confirm=False)
    booking = book(session, clinic, START, now)

    emails = emails_of(session, booking, now)

    customer = the(emails, "customer:newBooking")
    assert "waiting for their approval" in customer.text
    assert "Waiting for approval" in customer.text
    event = invitation(customer).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "TENTATIVE"
    for kind in ("staff:newBooking", "owner:newBooking"):
        email = the(emails, kind)
        assert email.subject.startswith("To approve: Cleaning")
        assert "Approve or decline it" in email.html
        assert f"http://localhost/admin/bookings/{booking.id}" in email.html


def test_an_approved_request_tells_only_the_customer(session, now):
    clinic = build_clinic(session, auto_confirm=False)
    booking = book(session, clinic, START, now)
    lifecycle.approve_booking(session, clinic.organization, booking.id, actor=STAFF, now=now)

    emails = emails_of(session, booking, now)

    assert by_kind(emails) == {"customer:newAppointment": [clinic.sara.email]}
    assert str(invitation(emails[0]).walk("VEVENT")[0]["STATUS"]) == "CONFIRMED"


@pytest.mark.parametrize(
    ("trigger", "subject"),
    [
        ("oneDayBeforeAppointment", "Reminder: Cleaning tomorrow"),
        ("oneHourBeforeAppointment", "Reminder: Cleaning in one hour"),
    ],
)
def test_reminders_go_to_the_customer_a_day_and_an_hour_before(
    session, clinic, now, trigger, subject
):
    booking = book(session, clinic, START, now)

    emails = booking_emails(session, reminder(session, booking, trigger), now)

    assert [(e.kind, e.to, e.subject) for e in emails] == [
        (f"customer:{trigger}", clinic.sara.email, subject)
    ]
    assert str(invitation(emails[0])["METHOD"]) == "REQUEST"


@pytest.mark.parametrize(
    "trigger",
    [
        "tenMinutesBeforeAppointment",
        "beforeAppointment",
        "afterAppointment",
        "oneDayAfterAppointment",
    ],
)
def test_the_other_time_triggers_send_no_email(session, clinic, now, trigger):
    booking = book(session, clinic, START, now)

    assert booking_emails(session, reminder(session, booking, trigger), now) == []


def test_no_reminder_for_a_booking_canceled_since(session, clinic, now):
    booking = book(session, clinic, START, now)
    message = reminder(session, booking, "oneHourBeforeAppointment")
    lifecycle.cancel_booking(session, clinic.organization, booking.id, actor=CUSTOMER, now=now)

    assert booking_emails(session, message, now) == []


@pytest.mark.parametrize(
    ("toggle", "silenced"),
    [
        ("customer", {"customer:newAppointment"}),
        ("staff", {"staff:newAppointment"}),
        ("owner", {"owner:newAppointment"}),
        ("reminders", set()),
    ],
)
def test_each_setting_silences_only_its_own_emails(session, clinic, now, toggle, silenced):
    everything = {"customer:newAppointment", "staff:newAppointment", "owner:newAppointment"}
    clinic.organization.notification_settings = {toggle: False}
    booking = book(session, clinic, START, now)

    assert set(by_kind(emails_of(session, booking, now))) == everything - silenced


def test_reminders_have_their_own_setting(session, clinic, now):
    clinic.organization.notification_settings = {"reminders": False}
    booking = book(session, clinic, START, now)

    assert booking_emails(session, reminder(session, booking, "oneDayBeforeAppointment"), now) == []
    assert "customer:newAppointment" in by_kind(
        booking_emails(session, events(session, booking)[0], now)
    )


def test_one_address_gets_one_email_per_event(session, clinic, now):
    # Dr Huda is also the owner, and her resource's address is her own.
    clinic.huda.provider_email = clinic.owner_email.upper()
    owner = session.scalar(select(User).where(User.email == clinic.owner_email))
    member = session.scalar(select(Member).where(Member.user_id == owner.id))
    member.resources.append(clinic.huda)
    booking = book(session, clinic, START, now)

    emails = emails_of(session, booking, now)

    addresses = [email.to.lower() for email in emails]
    assert sorted(addresses) == sorted(set(addresses))
    assert clinic.owner_email in addresses and clinic.huda_member_email in addresses


def test_a_customer_without_an_email_gets_none_and_staff_still_hear(session, clinic, now):
    clinic.sara.email = None
    clinic.sara.phone = "+966500000001"
    booking = book(session, clinic, START, now)

    kinds = set(by_kind(emails_of(session, booking, now)))

    assert kinds == {"staff:newAppointment", "owner:newAppointment"}


def test_an_arabic_customer_reads_an_arabic_email_right_to_left(session, now):
    clinic = build_clinic(session, lang="ar")
    booking = book(session, clinic, START, now)

    email = the(emails_of(session, booking, now), "customer:newAppointment")

    assert '<html lang="ar" dir="rtl">' in email.html
    assert "تنظيف الأسنان" in email.subject
    for arabic in ("تنظيف الأسنان", "د. هدى", "الموعد", "الأحد", "٢٢ نوفمبر ٢٠٢٦", "مؤكَّد"):
        assert arabic in email.html and arabic in email.text
    assert "تعديل حجزك أو إلغاؤه" in email.html
    assert all(line.startswith("\u200f") for line in email.text.splitlines() if line)
    assert "lang=ar" in email.text


def test_without_a_language_the_customer_reads_the_website_language(session, now):
    clinic = build_clinic(session, lang="")
    site = session.scalar(
        select(WebsiteVersion).where(WebsiteVersion.website_id == clinic.website.id)
    )
    site.default_lang = "ar"
    booking = book(session, clinic, START, now)

    emails = emails_of(session, booking, now)

    assert '<html lang="ar" dir="rtl">' in the(emails, "customer:newAppointment").html
    assert '<html lang="ar" dir="rtl">' in the(emails, "owner:newAppointment").html


def test_customers_see_the_website_time_and_staff_the_resource_time(session, clinic, now):
    clinic.huda.timezone = "Europe/London"  # Dr Huda's hours are London's
    start = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    booking = book(session, clinic, start, now)

    emails = emails_of(session, booking, now)

    assert "10:00\u202fAM (Arabian" not in the(emails, "customer:newAppointment").text
    assert "12:00\u202fPM (Arabian Standard Time)" in the(emails, "customer:newAppointment").text
    assert "9:00\u202fAM (Greenwich Mean Time)" in the(emails, "staff:newAppointment").text


def test_a_customer_name_cannot_inject_markup(session, now):
    clinic = build_clinic(session, first_name="<script>alert(1)</script>", last_name="<b>x</b>")
    booking = book(session, clinic, START, now)

    for email in emails_of(session, booking, now):
        assert "<script>" not in email.html and "<b>x" not in email.html
    staff = the(emails_of(session, booking, now), "owner:newAppointment")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in staff.html
    assert "<script>alert(1)</script> <b>x</b>" in staff.text  # plain text shows it as typed


def test_a_reschedule_moves_the_same_calendar_event(session, clinic, now):
    first = book(session, clinic, START, now)
    first_invite = invitation(the(emails_of(session, first, now), "customer:newAppointment"))
    moved = lifecycle.reschedule_booking(
        session,
        clinic.organization,
        first.id,
        start=START + timedelta(days=1),
        actor=CUSTOMER,
        now=now,
    )

    emails = emails_of(session, moved, now)

    assert last_event(session, moved).event == "appointmentRescheduled"
    email = the(emails, "customer:appointmentRescheduled")
    assert email.subject == "Booking moved: Cleaning"
    assert "Before: Sunday, November 22, 2026 · 10:00" in email.text
    assert "When: Monday, November 23, 2026 · 10:00" in email.text
    old, new = first_invite.walk("VEVENT")[0], invitation(email).walk("VEVENT")[0]
    assert str(new["UID"]) == str(old["UID"]) == f"{first.id}@mawid"
    assert (int(old["SEQUENCE"]), int(new["SEQUENCE"])) == (0, 1)
    assert new.decoded("DTSTART").astimezone(UTC) == datetime(2026, 11, 23, 7, tzinfo=UTC)
    assert "staff:appointmentRescheduled" not in by_kind(emails)
    [later] = booking_emails(session, reminder(session, moved, "oneDayBeforeAppointment"), now)
    assert "Before:" not in later.text and "Monday, November 23, 2026" in later.text


def test_a_cancel_withdraws_the_invitation_and_offers_to_book_again(session, clinic, now):
    first = book(session, clinic, START, now)
    moved = lifecycle.reschedule_booking(
        session,
        clinic.organization,
        first.id,
        start=START + timedelta(days=1),
        actor=CUSTOMER,
        now=now,
    )
    lifecycle.cancel_booking(
        session, clinic.organization, moved.id, actor=STAFF, now=now, reason="Dr Huda is ill"
    )

    email = the(emails_of(session, moved, now), "customer:providerCanceled")

    calendar = invitation(email)
    event = calendar.walk("VEVENT")[0]
    assert email.attachments[0][1] == "text/calendar; method=CANCEL; charset=utf-8"
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"{first.id}@mawid"
    assert int(event["SEQUENCE"]) >= 1
    assert "Smile Clinic has canceled your booking." in email.text
    assert "Reason: Dr Huda is ill" in email.text
    assert "Book again" in email.html and f"/{clinic.website.slug}/?lang=en" in email.html
    assert "/bookings/" not in email.text


def test_the_invitation_names_the_business_and_the_customer(app, session, clinic, now):
    app.config["MAIL_DEFAULT_SENDER"] = "Bookings <bookings@smile.example>"
    booking = book(session, clinic, START, now)

    email = the(emails_of(session, booking, now), "customer:newAppointment")

    event = invitation(email).walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == "mailto:bookings@smile.example"
    assert event["ORGANIZER"].params["CN"] == "Smile Clinic"
    assert str(event["ATTENDEE"]) == f"mailto:{clinic.sara.email}"
    assert event["ATTENDEE"].params["CN"] == "Sara Ali"
    assert event["DTSTART"].params["TZID"] == "Asia/Riyadh"


def test_another_organizations_booking_is_never_emailed(session, clinic, now):
    other = build_clinic(session)
    booking = book(session, other, START, now)
    forged = OutboxMessage(
        organization_id=clinic.organization.id,
        event="newAppointment",
        booking_id=booking.id,
        payload={"bookingId": booking.id, "status": "CONFIRMED"},
    )

    assert booking_emails(session, forged, now) == []


def test_owners_learn_which_webhook_was_turned_off_and_where_to_turn_it_on(session, clinic, now):
    endpoint = WebhookSubscription(
        organization_id=clinic.organization.id,
        trigger="newAppointment",
        url="https://crm.example/hooks/<mawid>",
        reference="CRM",
        secret="whsec_x",
        disabled_at=now,
        disabled_reason="failing",
    )
    session.add(endpoint)
    session.flush()

    emails = webhook_disabled_emails(session, endpoint, now)

    assert [(e.kind, e.to) for e in emails] == [("owner:webhookDisabled", clinic.owner_email)]
    [email] = emails
    assert email.subject == "Webhook turned off: newAppointment"
    assert "https://crm.example/hooks/&lt;mawid&gt;" in email.html
    assert "http://localhost/admin/webhooks" in email.text
    assert "Saturday, November 21, 2026 · 9:00" in email.text
