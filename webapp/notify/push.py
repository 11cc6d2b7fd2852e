"""Push notifications to the apps of customers and providers: the queue's messages of seed
002 ("FCM Notification Summary"), handed to a push provider.

| outbox event | message type | to |
|---|---|---|
| ``bookingUnassigned`` | ``NEW_PENDING_UNASSIGNED_BOOKING`` | each resource offering the service |
| ``bookingAssigned`` | ``MY_BOOKING_ASSIGNED`` | the customer |
| ``queuePositionUpdated`` | ``QUEUE_POSITION_UPDATED`` | the customer |
| ``bookingExpired`` | ``MY_BOOKING_EXPIRED`` | the customer |

The worker builds an event's messages while it processes the event (:func:`collect`, in the
event's transaction) and sends them once that transaction has committed
(:func:`send_committed`, a step of its own): a batch that rolls back sends nothing, and a
slow or failing provider holds no lock and holds back nothing else. Each message is sent at
most once. A booking paid online is announced only once paid: the booking service emits
``bookingUnassigned`` when it reaches PENDING_ASSIGNMENT.

``PUSH_PROVIDER`` names the provider: ``"log"`` (the default) writes each message to the
``webapp.notify.push`` log, with ids only; ``"package.module:factory"`` names a callable
taking no arguments that returns a :class:`PushProvider` (created once per app).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from webapp.i18n import LANGUAGES, digits
from webapp.models import Booking, BookingStatus, OutboxMessage
from webapp.notify.email_parts import Place, find_place, offering_resources, service_name
from webapp.providers import configured_provider

log = logging.getLogger("webapp.notify.push")

VIA = "scheduling-system"
NEW_PENDING = "NEW_PENDING_UNASSIGNED_BOOKING"
ASSIGNED = "MY_BOOKING_ASSIGNED"
POSITION = "QUEUE_POSITION_UPDATED"
EXPIRED = "MY_BOOKING_EXPIRED"

TEXTS = {
    NEW_PENDING: (
        _l("New booking in the queue"),
        _l("%(service)s: a customer is waiting for a provider."),
    ),
    ASSIGNED: (
        _l("Your booking is confirmed"),
        _l("A provider has taken your request for %(service)s."),
    ),
    POSITION: (
        _l("Your place in the queue"),
        _l("You are number %(position)s in line for %(service)s."),
    ),
    EXPIRED: (
        _l("Your request has expired"),
        _l("No provider took your request for %(service)s in time."),
    ),
}
WAIT_TEXT = _l("About %(minutes)s minutes to wait.")

# Messages of events processed in the open transaction, and of those committed since.
_PENDING = "mawid_push_pending"
_COMMITTED = "mawid_push_committed"


@dataclass(frozen=True)
class PushMessage:
    """One notification to one person's devices, as seed 002's FCM payloads have it."""

    recipient: tuple[str, str]  # ("customer", customer id) or ("resource", resource id)
    notification: dict[str, str]  # {"title", "body"}
    data: dict[str, str]  # every value a string; "via" and "type" always


class PushProvider(Protocol):
    """A gateway to the apps (FCM, APNs...): delivers one message to the devices of its
    recipient, or raises."""

    def send(self, message: PushMessage) -> None: ...


class LogPushProvider:
    """Writes each message to the log (ids and the message type, no names or texts); for
    development and until a gateway is set up."""

    def send(self, message: PushMessage) -> None:
        kind, recipient_id = message.recipient
        log.info("push to %s %s: %s", kind, recipient_id, message.data)


@dataclass
class MemoryPushProvider:
    """Keeps every message it is given, in order (for tests and demos)."""

    messages: list[PushMessage] = field(default_factory=list)

    def send(self, message: PushMessage) -> None:
        self.messages.append(message)


def provider(app: Flask | None = None) -> PushProvider:
    """The app's provider, created on first use; a bad ``PUSH_PROVIDER`` raises here."""
    return configured_provider(app or current_app, "PUSH_PROVIDER", {"log": LogPushProvider}, "log")


# --- from events to messages ----------------------------------------------------------------


def messages_for(session: Session, message: OutboxMessage, now: datetime) -> list[PushMessage]:
    """The push messages an outbox event sends (none for events outside the queue)."""
    build = _BUILDERS.get(message.event)
    if build is None or not message.booking_id:
        return []
    booking = session.scalar(
        select(Booking).where(
            Booking.organization_id == message.organization_id, Booking.id == message.booking_id
        )
    )
    if booking is None:
        return []
    place = find_place(session, booking.organization_id, booking.website_id)
    if place is None:
        return []
    return build(session, booking, message.payload or {}, place, now)


def _still_waiting(booking: Booking, now: datetime) -> bool:
    """Taken, left or timed out since the event: what it says is no longer news."""
    expired = booking.expires_at is not None and booking.expires_at <= now
    return booking.status == BookingStatus.PENDING_ASSIGNMENT and not expired


def _new_pending(session, booking, payload, place, now) -> list[PushMessage]:
    if not _still_waiting(booking, now):
        return []
    return [
        _message(
            ("resource", resource.id),
            NEW_PENDING,
            booking,
            place.default_lang,
            resourceId=resource.id,
        )
        for resource in offering_resources(session, booking, payload)
    ]


def _assigned(session, booking, payload, place, now) -> list[PushMessage]:
    return _to_customer(booking, place, ASSIGNED, bookingStatus=BookingStatus.CONFIRMED.value)


def _position(session, booking, payload, place, now) -> list[PushMessage]:
    position = payload.get("queuePosition")
    if position is None or not _still_waiting(booking, now):
        return []
    wait = payload.get("estimatedWaitMinutes")
    extra = {"queuePosition": str(position)}
    if wait is not None:
        extra["estimatedWaitMinutes"] = str(wait)
    return _to_customer(booking, place, POSITION, **extra)


def _expired(session, booking, payload, place, now) -> list[PushMessage]:
    return _to_customer(booking, place, EXPIRED, bookingStatus=BookingStatus.REJECTED.value)


_BUILDERS: dict[str, Callable[..., list[PushMessage]]] = {
    "bookingUnassigned": _new_pending,
    "bookingAssigned": _assigned,
    "queuePositionUpdated": _position,
    "bookingExpired": _expired,
}


def _to_customer(booking: Booking, place: Place, kind: str, **data: str) -> list[PushMessage]:
    customer = booking.customer
    if customer is None:
        return []
    lang = customer.lang if customer.lang in LANGUAGES else place.default_lang
    return [_message(("customer", customer.id), kind, booking, lang, **data)]


def _message(
    recipient: tuple[str, str], kind: str, booking: Booking, lang: str, **data: str
) -> PushMessage:
    """The message of ``kind`` about ``booking``, its texts in ``lang``."""
    title, body = TEXTS[kind]
    with force_locale(lang):
        values = {"service": service_name(booking, lang), "position": data.get("queuePosition")}
        text = str(body) % values
        if data.get("estimatedWaitMinutes"):
            text += " " + str(WAIT_TEXT) % {"minutes": data["estimatedWaitMinutes"]}
        notification = {"title": str(title), "body": digits(text, lang)}
    return PushMessage(
        recipient,
        notification,
        {"via": VIA, "type": kind, "bookingId": booking.id, **data},
    )


# --- sending once committed -----------------------------------------------------------------


def collect(session: Session, message: OutboxMessage, now: datetime) -> int:
    """Build the event's messages in its transaction; they go out once it commits."""
    found = messages_for(session, message, now)
    if found:
        session.info.setdefault(_PENDING, []).extend(found)
    return len(found)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.get(_PENDING) and not session.in_nested_transaction():
        session.info.setdefault(_COMMITTED, []).extend(session.info.pop(_PENDING))


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    if session.info.get(_PENDING) and not session.in_nested_transaction():
        del session.info[_PENDING]


def send_committed(session: Session) -> dict[str, int]:
    """Send what committed events left to send, each message once; a message the provider
    refuses is logged and dropped (push is a courtesy: the booking itself says the rest)."""
    ready = session.info.pop(_COMMITTED, [])
    done = {"push_sent": 0, "push_failed": 0}
    if not ready:
        return done
    gateway = provider()
    for message in ready:
        try:
            gateway.send(message)
        except Exception as error:  # one refusal must not stop the others
            kind, recipient_id = message.recipient
            log.warning(
                "push %s to %s %s failed: %s",
                message.data.get("type"),
                kind,
                recipient_id,
                type(error).__name__,
            )
            done["push_failed"] += 1
        else:
            done["push_sent"] += 1
    return done
