"""The dental clinic of :mod:`email_world` with a walk-in queue: customers join the queue for
a cleaning, Dr Huda or Dr Omar takes them. Push messages are kept in memory, webhooks go to
a receiver on loopback, emails are captured."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from tests.factories import make_customer
from tests.notify.email_world import Clinic
from tests.notify.receiver import Receiver
from webapp.booking import lifecycle, queue
from webapp.manage import webhooks as manage
from webapp.models import Booking, Customer
from webapp.notify import push

CUSTOMER = lifecycle.Actor("customer")
PROVIDER = lifecycle.Actor("staff", "provider")
MEMORY_PROVIDER = "webapp.notify.push:MemoryPushProvider"


def join(session, clinic: Clinic, now: datetime, customer: Customer | None = None) -> Booking:
    booking = queue.join_queue(
        session,
        clinic.organization,
        booking_type_id=clinic.service.id,
        actor=CUSTOMER,
        now=now,
        customer=customer or clinic.sara,
        website_id=clinic.website.id,
        source="website",
    )
    session.commit()
    return booking


def another_customer(session, clinic: Clinic, first_name: str, **values) -> Customer:
    email = f"{first_name.lower()}-{clinic.organization.id.lower()[:6]}@example.com"
    customer = make_customer(session, clinic.organization, first_name=first_name, email=email)
    for key, value in values.items():
        setattr(customer, key, value)
    session.commit()
    return customer


def subscribe(session, clinic: Clinic, receiver: Receiver, *triggers: str, now: datetime) -> None:
    for trigger in triggers:
        _row, secret, _ = manage.subscribe(
            session,
            clinic.organization,
            trigger=trigger,
            url=receiver.url,
            allow_loopback=True,
            now=now,
        )
        if receiver.secret:
            receiver.other_secrets.append(secret)
        else:
            receiver.secret = secret
    session.commit()


def pushed(app: Flask) -> list[push.PushMessage]:
    """What the worker has pushed so far, then forgets it."""
    gateway = push.provider(app)
    sent, gateway.messages = gateway.messages, []
    return sent


def deliveries(receiver: Receiver, trigger: str | None = None) -> list[dict]:
    """The accepted bodies, optionally of one trigger id or event name, then forgets all."""
    bodies = [r.payload for r in receiver.accepted()]
    with receiver.lock:
        receiver.received.clear()
    if trigger is None:
        return bodies
    return [b for b in bodies if b.get("trigger", b.get("event")) == trigger]


def taken_emails(app: Flask) -> list[dict]:
    """The captured emails, then forgets them."""
    captured = app.config["MESSAGES_CAPTURE"]
    found = [m for m in captured if m["kind"] == "email"]
    captured.clear()
    return found
