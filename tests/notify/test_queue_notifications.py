"""What the queue tells people: customers join a walk-in queue, providers take them, some
leave or wait too long. Each step goes through the outbox and a worker round to a webhook
receiver on loopback (seed 002's booking payload), to the captured emails and to the push
provider (seed 002's FCM messages)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.notify.email_world import build_clinic
from tests.notify.queue_world import (
    CUSTOMER,
    MEMORY_PROVIDER,
    PROVIDER,
    another_customer,
    deliveries,
    join,
    pushed,
    subscribe,
    taken_emails,
)
from tests.notify.receiver import start_receiver
from webapp.booking import invoices, lifecycle, queue
from webapp.notify import worker

VIA = "scheduling-system"


@pytest.fixture
def receiver():
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def clinic(app, session):
    app.config.update(
        WEBHOOKS_ALLOW_LOOPBACK=True, MESSAGES_CAPTURE=[], PUSH_PROVIDER=MEMORY_PROVIDER
    )
    clinic = build_clinic(session)
    session.commit()
    return clinic


def data_of(messages, kind):
    return [(m.recipient, m.data) for m in messages if m.data["type"] == kind]


def test_joining_the_queue_reaches_webhooks_with_the_seed_payload_and_no_time(
    session, clinic, receiver, now
):
    subscribe(session, clinic, receiver, "bookingUnassigned", "booking.created", now=now)
    booking = join(session, clinic, now)

    worker.run_once(now=now)

    [body] = deliveries(receiver, "bookingUnassigned")
    assert body["id"] == booking.id
    assert body["dateTime"] is None
    assert body["info"]["status"] == "PENDING_ASSIGNMENT"
    assert body["info"]["startDateTime"] is None and body["info"]["startTime"] is None
    assert body["info"]["duration"] == 30
    assert sorted(body["info"]["resourceIds"]) == sorted([clinic.huda.id, clinic.omar.id])
    assert "offeredAgain" not in body["info"]
    assert body["resource"]["id"] is None
    assert body["type"] == {
        "id": clinic.service.id,
        "name": "Cleaning",
        "duration": 30,
        "price": "150.00",
        "currency": clinic.organization.currency,
    }
    assert body["customer"]["email"] == clinic.sara.email


def test_the_seed_000_booking_created_hears_a_queued_booking_once(session, clinic, receiver, now):
    subscribe(session, clinic, receiver, "booking.created", now=now)
    booking = join(session, clinic, now)

    worker.run_once(now=now)

    [envelope] = deliveries(receiver)
    assert envelope["event"] == "booking.created"
    assert envelope["data"]["id"] == booking.id
    assert envelope["data"]["scheduled_at"] is None
    assert envelope["data"]["service"] == "Cleaning"


def test_every_provider_of_the_service_hears_of_a_new_queued_booking(app, session, clinic, now):
    booking = join(session, clinic, now)

    worker.run_once(now=now)

    messages = pushed(app)
    assert sorted(data_of(messages, "NEW_PENDING_UNASSIGNED_BOOKING")) == sorted(
        [
            (
                ("resource", resource.id),
                {
                    "via": VIA,
                    "type": "NEW_PENDING_UNASSIGNED_BOOKING",
                    "bookingId": booking.id,
                    "resourceId": resource.id,
                },
            )
            for resource in (clinic.huda, clinic.omar)
        ]
    )
    assert len(messages) == 2  # nothing for the customer yet
    assert all(m.notification["title"] and "Cleaning" in m.notification["body"] for m in messages)
    emails = taken_emails(app)
    assert sorted(e["to"] for e in emails) == sorted(
        [
            clinic.huda.provider_email,
            clinic.huda_member_email,
            clinic.omar_member_email,
            clinic.owner_email,
        ]
    )
    assert {e["subject"] for e in emails} == {"In the queue: Cleaning"}
    assert all("Sara Ali is waiting for Cleaning" in e["text"] for e in emails)
    assert all(f"/admin/bookings/{booking.id}" in e["text"] for e in emails)


def test_taking_a_booking_tells_its_customer_and_moves_the_queue(
    app, session, clinic, receiver, now
):
    subscribe(
        session,
        clinic,
        receiver,
        "bookingAssigned",
        "queuePositionUpdated",
        "booking.confirmed",
        now=now,
    )
    ali = another_customer(session, clinic, "Ali")
    sara_booking = join(session, clinic, now)
    ali_booking = join(session, clinic, now + timedelta(minutes=1), customer=ali)
    worker.run_once(now=now + timedelta(minutes=1))
    pushed(app), taken_emails(app)

    taken_at = now + timedelta(minutes=5)
    queue.assign_booking(
        session,
        clinic.organization,
        sara_booking.id,
        resource_id=clinic.huda.id,
        actor=PROVIDER,
        now=taken_at,
    )
    session.commit()
    worker.run_once(now=taken_at)

    bodies = deliveries(receiver)
    [assigned] = [b for b in bodies if b.get("trigger") == "bookingAssigned"]
    assert assigned["id"] == sara_booking.id
    assert assigned["info"]["status"] == "CONFIRMED"
    assert assigned["resource"]["id"] == clinic.huda.id
    assert assigned["info"]["startDateTime"] == "2026-11-21T09:05:00+03:00"
    assert assigned["dateTime"] == '"2026-11-21T06:05:00.000Z"'
    [moved] = [b for b in bodies if b.get("trigger") == "queuePositionUpdated"]
    assert moved["id"] == ali_booking.id
    assert moved["info"]["status"] == "PENDING_ASSIGNMENT"
    assert (moved["info"]["queuePosition"], moved["info"]["estimatedWaitMinutes"]) == (1, 30)
    [confirmed] = [b for b in bodies if b.get("event") == "booking.confirmed"]
    assert confirmed["data"]["id"] == sara_booking.id

    messages = pushed(app)
    assert data_of(messages, "MY_BOOKING_ASSIGNED") == [
        (
            ("customer", clinic.sara.id),
            {
                "via": VIA,
                "type": "MY_BOOKING_ASSIGNED",
                "bookingStatus": "CONFIRMED",
                "bookingId": sara_booking.id,
            },
        )
    ]
    assert data_of(messages, "QUEUE_POSITION_UPDATED") == [
        (
            ("customer", ali.id),
            {
                "via": VIA,
                "type": "QUEUE_POSITION_UPDATED",
                "bookingId": ali_booking.id,
                "queuePosition": "1",
                "estimatedWaitMinutes": "30",
            },
        )
    ]
    assert len(messages) == 2

    [email] = taken_emails(app)  # Ali's new place is not worth an email
    assert email["to"] == clinic.sara.email
    assert email["subject"] == "Booking confirmed: Cleaning"
    assert "has taken your request" in email["text"]
    assert "With: Dr Huda" in email["text"]
    assert "Saturday, November 21, 2026" in email["text"] and "9:05" in email["text"]
    [(filename, content_type, _ics)] = email["attachments"]
    assert filename == "invite.ics" and "method=REQUEST" in content_type


def test_a_request_no_one_takes_expires_and_its_customer_is_told(
    app, session, clinic, receiver, now
):
    subscribe(session, clinic, receiver, "bookingExpired", "queuePositionUpdated", now=now)
    ali = another_customer(session, clinic, "Ali")
    sara_booking = join(session, clinic, now)
    ali_booking = join(session, clinic, now + timedelta(minutes=10), customer=ali)
    worker.run_once(now=now + timedelta(minutes=10))
    pushed(app), taken_emails(app), deliveries(receiver)

    later = now + timedelta(minutes=61)  # Sara waited more than the default hour
    worker.run_once(now=later)

    session.refresh(sara_booking)
    assert sara_booking.status == "REJECTED"
    bodies = deliveries(receiver)
    [expired] = [b for b in bodies if b["trigger"] == "bookingExpired"]
    assert expired["id"] == sara_booking.id
    assert expired["info"]["status"] == "REJECTED"
    assert expired["info"]["reason"] == "not assigned in time"
    assert expired["dateTime"] is None
    [moved] = [b for b in bodies if b["trigger"] == "queuePositionUpdated"]
    assert (moved["id"], moved["info"]["queuePosition"]) == (ali_booking.id, 1)

    messages = pushed(app)
    assert data_of(messages, "MY_BOOKING_EXPIRED") == [
        (
            ("customer", clinic.sara.id),
            {
                "via": VIA,
                "type": "MY_BOOKING_EXPIRED",
                "bookingId": sara_booking.id,
                "bookingStatus": "REJECTED",
            },
        )
    ]
    assert [m.recipient for m in messages if m.data["type"] == "QUEUE_POSITION_UPDATED"] == [
        ("customer", ali.id)
    ]

    [email] = taken_emails(app)
    assert email["to"] == clinic.sara.email
    assert email["subject"] == "Request expired: Cleaning"
    assert "could take your request in time" in email["text"]
    assert f"/{clinic.website.slug}/" in email["text"]  # book again
    assert email["attachments"] == []  # it never was on a calendar


def test_leaving_the_queue_moves_the_others_up(app, session, clinic, receiver, now):
    subscribe(session, clinic, receiver, "queuePositionUpdated", "customerCanceled", now=now)
    ali = another_customer(session, clinic, "Ali")
    sara_booking = join(session, clinic, now)
    ali_booking = join(session, clinic, now + timedelta(minutes=1), customer=ali)
    worker.run_once(now=now + timedelta(minutes=1))
    pushed(app), taken_emails(app)

    left_at = now + timedelta(minutes=3)
    lifecycle.cancel_booking(
        session, clinic.organization, sara_booking.id, actor=CUSTOMER, now=left_at
    )
    session.commit()
    worker.run_once(now=left_at)

    bodies = deliveries(receiver)
    [moved] = [b for b in bodies if b["trigger"] == "queuePositionUpdated"]
    assert moved["id"] == ali_booking.id
    assert (moved["info"]["queuePosition"], moved["info"]["estimatedWaitMinutes"]) == (1, 30)
    [left] = [b for b in bodies if b["trigger"] == "customerCanceled"]
    assert left["id"] == sara_booking.id and left["dateTime"] is None
    assert [(m.recipient, m.data["queuePosition"]) for m in pushed(app)] == [
        (("customer", ali.id), "1")
    ]
    # Sara is told her leaving was done; Ali gets no email for moving up.
    assert [e["to"] for e in taken_emails(app)] == [clinic.sara.email]


def test_a_booking_offered_again_is_not_a_new_booking(app, session, clinic, receiver, now):
    subscribe(session, clinic, receiver, "bookingUnassigned", "booking.created", now=now)
    ali = another_customer(session, clinic, "Ali")
    sara_booking = join(session, clinic, now)
    queue.assign_booking(
        session,
        clinic.organization,
        sara_booking.id,
        resource_id=clinic.huda.id,
        actor=PROVIDER,
        now=now,
    )
    session.commit()
    ali_booking = join(session, clinic, now + timedelta(minutes=2), customer=ali)
    worker.run_once(now=now + timedelta(minutes=2))
    pushed(app), taken_emails(app), deliveries(receiver)

    ended_at = now + timedelta(minutes=20)
    queue.end_booking(session, clinic.organization, sara_booking.id, actor=PROVIDER, now=ended_at)
    session.commit()
    worker.run_once(now=ended_at)

    [again] = deliveries(receiver)  # booking.created heard Ali's booking once, when it came
    assert again["trigger"] == "bookingUnassigned"
    assert again["id"] == ali_booking.id
    assert again["info"]["offeredAgain"] is True
    assert again["info"]["resourceIds"] == [clinic.huda.id]
    assert [(m.recipient, m.data["type"]) for m in pushed(app)] == [
        (("resource", clinic.huda.id), "NEW_PENDING_UNASSIGNED_BOOKING")
    ]
    assert taken_emails(app) == []  # the providers were emailed when it joined


def test_a_booking_taken_before_the_worker_ran_is_not_announced(
    app, session, clinic, receiver, now
):
    subscribe(session, clinic, receiver, "bookingUnassigned", now=now)
    booking = join(session, clinic, now)
    queue.assign_booking(
        session,
        clinic.organization,
        booking.id,
        resource_id=clinic.omar.id,
        actor=PROVIDER,
        now=now,
    )
    session.commit()

    worker.run_once(now=now)

    # The webhook is the record of what happened; the providers need not hurry any more.
    assert [b["id"] for b in deliveries(receiver)] == [booking.id]
    assert [m.data["type"] for m in pushed(app)] == ["MY_BOOKING_ASSIGNED"]
    assert [e["subject"] for e in taken_emails(app)] == ["Booking confirmed: Cleaning"]


def test_a_paid_queue_booking_is_announced_only_once_paid(app, session, clinic, receiver, now):
    clinic.organization.online_payments_enabled = True
    clinic.service.payment_methods = ["creditCard"]
    session.commit()
    subscribe(session, clinic, receiver, "bookingUnassigned", now=now)
    booking = join(session, clinic, now)
    assert booking.status == "PENDING_PAYMENT"

    worker.run_once(now=now)
    assert deliveries(receiver) == []
    assert pushed(app) == []
    assert taken_emails(app) == []

    paid_at = now + timedelta(minutes=4)
    invoice = invoices.invoice_for(session, booking)
    invoices.record_payment(
        session,
        clinic.organization,
        invoice.id,
        provider="sandbox",
        actor=CUSTOMER,
        now=paid_at,
        amount=Decimal("150.00"),
    )
    session.commit()
    worker.run_once(now=paid_at)

    [body] = deliveries(receiver)
    assert (body["id"], body["info"]["status"]) == (booking.id, "PENDING_ASSIGNMENT")
    assert sorted(m.recipient[1] for m in pushed(app)) == sorted([clinic.huda.id, clinic.omar.id])


def test_the_organizations_settings_decide_who_is_emailed(app, session, clinic, now):
    clinic.organization.notification_settings = {"staff": False, "customer": False}
    session.commit()
    booking = join(session, clinic, now)
    worker.run_once(now=now)
    assert [e["to"] for e in taken_emails(app)] == [clinic.owner_email]

    queue.assign_booking(
        session,
        clinic.organization,
        booking.id,
        resource_id=clinic.huda.id,
        actor=PROVIDER,
        now=now,
    )
    session.commit()
    worker.run_once(now=now)
    assert taken_emails(app) == []
    # Push goes to the apps whatever the emails do.
    assert [m.data["type"] for m in pushed(app)] == [
        "NEW_PENDING_UNASSIGNED_BOOKING",
        "NEW_PENDING_UNASSIGNED_BOOKING",
        "MY_BOOKING_ASSIGNED",
    ]


def test_an_arabic_speaking_customer_is_told_in_arabic(app, session, clinic, now):
    clinic.sara.lang = "ar"
    session.commit()
    booking = join(session, clinic, now)
    queue.assign_booking(
        session,
        clinic.organization,
        booking.id,
        resource_id=clinic.huda.id,
        actor=PROVIDER,
        now=now,
    )
    session.commit()
    worker.run_once(now=now)

    [email] = [e for e in taken_emails(app) if e["to"] == clinic.sara.email]
    assert email["subject"] == "تأكَّد حجزك: تنظيف الأسنان"
    assert 'lang="ar" dir="rtl"' in email["html"]
    assert "د. هدى" in email["text"]
    [assigned] = [m for m in pushed(app) if m.recipient == ("customer", clinic.sara.id)]
    assert "تنظيف الأسنان" in assigned.notification["body"]
