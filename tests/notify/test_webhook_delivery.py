"""Webhook deliveries end to end: booking changes go through the outbox and the worker to a
real receiver on loopback, which verifies each one with the ``standardwebhooks`` package.
The worker runs on a simulated clock; the signatures carry the real time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import at, create_booking, make_booking_type, make_organization, make_resource
from tests.notify.receiver import start_receiver
from webapp.booking import lifecycle
from webapp.manage import webhooks as manage
from webapp.models import OutboxMessage, WebhookAttempt, WebhookDelivery, WebhookSubscription
from webapp.notify import outbox, webhooks, worker


@pytest.fixture
def receiver():
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def clinic(app, session, now, receiver):
    app.config.update(WEBHOOKS_ALLOW_LOOPBACK=True, MESSAGES_CAPTURE=[])
    organization = make_organization(session)
    checkup = make_booking_type(session, organization, name="Checkup")
    doctor = make_resource(session, organization, checkup, name="Dr Hana")
    return organization, checkup, doctor


def subscribe(session, organization, receiver, trigger="newAppointment", now=None):
    row, secret, _ = manage.subscribe(
        session, organization, trigger=trigger, url=receiver.url, allow_loopback=True, now=now
    )
    session.commit()
    receiver.secret = secret
    return row


def book(session, clinic, start, now):
    organization, checkup, _ = clinic
    booking = create_booking(session, organization, checkup, start=at(start), now=now)
    session.commit()
    return booking


def run_until(now, until, step):
    """Worker rounds from ``now`` to ``until`` (inclusive) every ``step``."""
    moment = now
    while moment <= until:
        worker.run_once(now=moment)
        moment += step
    return moment


def test_a_new_booking_is_delivered_once_signed_with_the_seed_payload(
    session, clinic, receiver, now
):
    organization, checkup, doctor = clinic
    subscribe(session, organization, receiver, now=now)
    booking = book(session, clinic, "2026-11-22 09:00", now)

    worker.run_once(now=now)
    worker.run_once(now=now + timedelta(minutes=1))

    (delivery,) = receiver.received
    assert delivery.verified and delivery.accepted
    assert delivery.message_id.startswith("msg_")
    payload = delivery.payload
    assert payload["trigger"] == "newAppointment"
    assert payload["id"] == booking.id
    assert payload["info"]["status"] == "CONFIRMED"
    assert payload["info"]["startDateTime"] == "2026-11-22T09:00:00+03:00"
    assert payload["dateTime"] == '"2026-11-22T06:00:00.000Z"'
    assert payload["resource"] == {"id": doctor.id, "name": "Dr Hana", "category": None}
    assert payload["type"]["name"] == "Checkup"
    assert payload["page"]["url"].endswith(f"/{payload['page']['slug']}/")
    row = session.scalars(select(WebhookDelivery)).one()
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 204)


def test_an_alias_subscription_gets_the_seed_000_envelope(session, clinic, receiver, now):
    organization = clinic[0]
    subscribe(session, organization, receiver, trigger="booking.created", now=now)
    booking = book(session, clinic, "2026-11-22 10:00", now)

    worker.run_once(now=now)

    (delivery,) = receiver.accepted()
    assert delivery.payload["event"] == "booking.created"
    assert delivery.payload["data"]["id"] == booking.id
    assert delivery.payload["data"]["scheduled_at"] == "2026-11-22T07:00:00Z"
    assert delivery.payload["data"]["service"] == "Checkup"


def test_other_triggers_and_other_organizations_are_not_sent(app, session, clinic, receiver, now):
    organization, checkup, _ = clinic
    subscribe(session, organization, receiver, trigger="customerCanceled", now=now)
    other = make_organization(session)
    other_type = make_booking_type(session, other)
    make_resource(session, other, other_type)
    create_booking(session, other, other_type, start=at("2026-11-22 09:00"), now=now)
    booking = book(session, clinic, "2026-11-22 09:00", now)

    worker.run_once(now=now)
    assert receiver.received == []

    lifecycle.cancel_booking(
        session, organization, booking.id, actor=lifecycle.Actor("customer"), now=now
    )
    session.commit()
    worker.run_once(now=now)
    (delivery,) = receiver.accepted()
    assert delivery.payload["trigger"] == "customerCanceled"
    assert delivery.payload["info"]["status"] == "CANCELED"


@pytest.mark.parametrize("downtime", [timedelta(hours=1), timedelta(hours=24)])
def test_a_receiver_that_was_down_loses_nothing_and_gets_each_event_once(
    session, clinic, receiver, now, downtime
):
    organization = clinic[0]
    subscribe(session, organization, receiver, now=now)
    receiver.down = True
    bookings = [book(session, clinic, f"2026-11-2{day} 09:00", now) for day in (2, 3, 4)]

    step = timedelta(minutes=1) if downtime <= timedelta(hours=1) else timedelta(minutes=10)
    moment = run_until(now, now + downtime, step)
    assert receiver.received, "the worker kept trying while the receiver was down"
    assert receiver.accepted() == []

    receiver.down = False
    run_until(moment, moment + timedelta(days=2), timedelta(minutes=10))

    accepted = receiver.accepted()
    assert sorted(r.payload["id"] for r in accepted) == sorted(b.id for b in bookings)
    assert len(set(receiver.accepted_ids())) == 3
    # Every retry of an event carried the same webhook-id.
    ids_per_booking = {}
    for r in receiver.received:
        ids_per_booking.setdefault(r.payload["id"], set()).add(r.message_id)
    assert all(len(ids) == 1 for ids in ids_per_booking.values())
    assert all(r.verified for r in receiver.received)


def test_retries_back_off_over_three_days_then_the_endpoint_is_disabled(
    app, session, clinic, receiver, now
):
    organization = clinic[0]
    endpoint = subscribe(session, organization, receiver, now=now)
    receiver.down = True
    book(session, clinic, "2026-11-25 09:00", now)

    run_until(now, now + timedelta(days=4), timedelta(minutes=1))

    delivery = session.scalars(select(WebhookDelivery)).one()
    attempts = session.scalars(
        select(WebhookAttempt.at).where(WebhookAttempt.delivery_id == delivery.id)
    ).all()
    assert len(attempts) == webhooks.MAX_ATTEMPTS >= 8
    assert attempts[2] - attempts[0] <= timedelta(minutes=10)
    assert attempts[-1] - attempts[0] >= timedelta(days=3)
    assert delivery.status == "failed"
    assert len(receiver.received) == webhooks.MAX_ATTEMPTS
    session.refresh(endpoint)
    assert endpoint.disabled_at is not None and endpoint.disabled_reason == "failing"

    # A disabled endpoint gets nothing more.
    book(session, clinic, "2026-11-26 09:00", now + timedelta(days=4))
    worker.run_once(now=now + timedelta(days=4, minutes=1))
    assert len(receiver.received) == webhooks.MAX_ATTEMPTS


def test_a_success_in_between_keeps_the_endpoint_enabled(session, clinic, receiver, now):
    organization = clinic[0]
    endpoint = subscribe(session, organization, receiver, now=now)
    receiver.down = True
    book(session, clinic, "2026-11-25 09:00", now)
    run_until(now, now + timedelta(hours=1), timedelta(minutes=5))
    receiver.down = False
    book(session, clinic, "2026-11-25 10:00", now + timedelta(hours=1))
    worker.run_once(now=now + timedelta(hours=1, minutes=1))
    assert len(receiver.accepted()) == 1
    # Once the endpoint answers again, what waited for a retry goes out on the next round.
    worker.run_once(now=now + timedelta(hours=1, minutes=2))
    assert len(receiver.accepted()) == 2
    session.refresh(endpoint)
    assert endpoint.disabled_at is None


def test_during_a_rotation_both_secrets_verify(session, clinic, receiver, now):
    organization = clinic[0]
    endpoint = subscribe(session, organization, receiver, now=now)
    old_secret = receiver.secret
    endpoint.previous_secret, endpoint.secret = old_secret, manage.new_secret()
    endpoint.previous_secret_expires_at = now + timedelta(hours=24)
    session.commit()
    book(session, clinic, "2026-11-22 09:00", now)

    worker.run_once(now=now)
    assert receiver.accepted(), "a receiver still on the old secret verifies"
    receiver.secret = endpoint.secret
    book(session, clinic, "2026-11-22 10:00", now)
    worker.run_once(now=now)
    assert len(receiver.accepted()) == 2, "and so does one on the new secret"

    book(session, clinic, "2026-11-22 11:00", now + timedelta(hours=25))
    receiver.secret = old_secret
    worker.run_once(now=now + timedelta(hours=25))
    assert len(receiver.accepted()) == 2, "the old secret stops signing after 24 hours"


def test_an_unreachable_or_refused_address_is_logged_as_an_attempt(
    app, session, clinic, receiver, now
):
    organization = clinic[0]
    subscribe(session, organization, receiver, now=now)
    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = False  # switched off after the endpoint was added
    book(session, clinic, "2026-11-22 09:00", now)

    worker.run_once(now=now)

    assert receiver.received == []
    delivery = session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_status_code is None and delivery.last_error
    assert delivery.next_attempt_at == now + webhooks.RETRY_DELAYS[0]


def test_every_event_is_processed_once_even_without_subscribers(session, clinic, now):
    book(session, clinic, "2026-11-22 09:00", now)
    worker.run_once(now=now)
    worker.run_once(now=now)
    assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    assert session.scalar(select(func.count()).select_from(WebhookSubscription)) == 0


def test_removing_an_endpoint_stops_what_waits_for_it(session, clinic, receiver, now):
    organization = clinic[0]
    subscribe(session, organization, receiver, now=now)
    receiver.down = True
    book(session, clinic, "2026-11-22 09:00", now)
    worker.run_once(now=now)

    manage.unsubscribe(session, organization, trigger="newAppointment", url=receiver.url, now=now)
    session.commit()
    receiver.down = False
    run_until(now, now + timedelta(hours=1), timedelta(minutes=5))

    assert len(receiver.received) == 1, "only the attempt made before the removal"
    delivery = session.scalars(select(WebhookDelivery)).one()
    assert (delivery.status, delivery.last_error) == ("failed", "the endpoint was removed")


def test_old_deliveries_emails_and_events_are_forgotten_after_30_days(
    session, clinic, receiver, now
):
    organization = clinic[0]
    subscribe(session, organization, receiver, now=now)
    book(session, clinic, "2026-11-22 09:00", now)
    worker.run_once(now=now)
    receiver.down = True
    later = now + timedelta(days=20)
    book(session, clinic, "2026-12-14 09:00", later)
    worker.run_once(now=later)

    assert outbox.purge_old(session, now + timedelta(days=29))["purged_deliveries"] == 0
    done = outbox.purge_old(session, now + timedelta(days=31))
    session.commit()

    assert done["purged_deliveries"] == 1 and done["purged_emails"] >= 1
    assert done["purged_events"] >= 1
    (kept,) = session.scalars(select(WebhookDelivery)).all()
    assert kept.status == "pending", "what still waits to be sent is kept"
    events = session.scalars(select(OutboxMessage)).all()
    assert events and all(event.created_at >= later for event in events)


def test_an_event_that_cannot_be_processed_is_set_aside_and_holds_back_nothing(
    session, clinic, receiver, now, monkeypatch
):
    organization = clinic[0]
    subscribe(session, organization, receiver, now=now)
    bad = book(session, clinic, "2026-11-22 09:00", now)
    good = book(session, clinic, "2026-11-22 10:00", now)
    real = outbox.emails.booking_emails

    def broken(session, message, now):
        if message.booking_id == bad.id:
            raise RuntimeError("a template bug")
        return real(session, message, now)

    monkeypatch.setattr(outbox.emails, "booking_emails", broken)
    worker.run_once(now=now)

    assert [r.payload["id"] for r in receiver.accepted()] == [good.id]
    event = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.booking_id == bad.id, OutboxMessage.event == "newAppointment"
        )
    ).one()
    assert event.processed_at is None and event.attempts == 1
    assert event.last_error == "RuntimeError: a template bug"
    # Retried with growing pauses, then set aside for good.
    moment = now
    for _ in range(outbox.MAX_EVENT_ATTEMPTS):
        moment += timedelta(hours=1)
        worker.run_once(now=moment)
    session.refresh(event)
    assert event.attempts == outbox.MAX_EVENT_ATTEMPTS and event.processed_at is not None
    assert [r.payload["id"] for r in receiver.accepted()] == [good.id]
