"""Webhook delivery: one signed request per event and endpoint, retried with backoff.

The outbox turns each event into a :class:`WebhookDelivery` per subscribed endpoint (same
transaction as marking the event processed). Workers lease due deliveries (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL, SQLite's single writer elsewhere), send them with no
transaction open, and record the attempt. A delivery keeps its ``webhook-id`` on every
retry, so a receiver that saw it already can tell. Signatures follow the Standard Webhooks
specification: ``v1,`` and base64 of HMAC-SHA256 over ``"{id}.{timestamp}.{body}"``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.booking.locking import begin_write
from webapp.i18n import translated
from webapp.models import (
    Booking,
    OutboxMessage,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    Website,
)
from webapp.notify import http, leasing, triggers
from webapp.notify.destinations import loopback_allowed

log = logging.getLogger("mawid.worker")
Outcome = tuple[int | None, int, str | None]  # status code, milliseconds, error

# The wait before each retry: the first three attempts fall within about five minutes and
# the last one comes more than three days after the first.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(minutes=2)
# Requests in flight at once per worker, and how long one round keeps sending.
PARALLEL_SENDS = 8
SEND_BUDGET = timedelta(seconds=30)
MAX_ERROR = 500
USER_AGENT = "Mawid-Webhooks/1"
FAILING = "failing"


# --- signing -------------------------------------------------------------------------------


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(secrets_in_use: list[str], message_id: str, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers, signed with each secret in use (two during a
    rotation). The timestamp is the real time of sending: receivers compare it with theirs."""
    timestamp = int(time.time())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, message_id, timestamp, body) for secret in secrets_in_use
        ),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def secrets_in_use(endpoint: WebhookSubscription, now: datetime) -> list[str]:
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        found.append(endpoint.previous_secret)
    return found


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(24)


# --- from events to deliveries -------------------------------------------------------------


def subscribed_names(event: str, extra: dict | None = None) -> list[str]:
    """The subscription triggers that hear ``event``: itself and the aliases standing for it."""
    if not triggers.aliases_hear(extra or {}):
        return [event]
    return [event, *(alias for alias, events in triggers.ALIASES.items() if event in events)]


def fan_out(session: Session, message: OutboxMessage, now: datetime) -> int:
    """A pending delivery of ``message`` for each active endpoint subscribed to it."""
    if message.event not in triggers.TRIGGERS:
        return 0
    endpoints = list(
        session.scalars(
            select(WebhookSubscription)
            .where(
                WebhookSubscription.organization_id == message.organization_id,
                WebhookSubscription.disabled_at.is_(None),
                WebhookSubscription.trigger.in_(subscribed_names(message.event, message.payload)),
            )
            .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
        )
    )
    if not endpoints:
        return 0
    booking = session.get(Booking, message.booking_id) if message.booking_id else None
    if booking is None or booking.organization_id != message.organization_id:
        return 0
    for endpoint in endpoints:
        session.add(
            WebhookDelivery(
                organization_id=message.organization_id,
                subscription_id=endpoint.id,
                outbox_message_id=message.id,
                message_id=new_message_id(),
                trigger=endpoint.trigger,
                payload=booking_event_payload(session, endpoint.trigger, message, booking),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return len(endpoints)


def booking_event_payload(
    session: Session, trigger: str, message: OutboxMessage, booking: Booking
) -> dict:
    """The body for ``trigger``: seed 002's booking payload for a trigger id, seed 000's
    envelope for an alias. Names are the tenant's own (English) ones."""
    booking_type = booking.booking_type
    service = translated(booking_type.name, booking_type.name_translations, "en")
    customer = _customer(booking)
    start = booking.start_at
    if trigger in triggers.ALIASES:
        return triggers.event_payload(
            trigger,
            booking_id=booking.id,
            service=service,
            start=start,
            minutes=booking.duration,
            customer=customer,
        )
    website = session.get(Website, booking.website_id) if booking.website_id else None
    if website is None:
        website = session.scalars(
            select(Website).where(Website.organization_id == booking.organization_id)
        ).first()
    site = website.settings
    resource = booking.resource
    resource_name = translated(resource.name, resource.name_translations, "en") if resource else ""
    extra = message.payload or {}
    info = {"source": booking.source}
    if extra.get("previous_booking_id"):
        info["previousBookingId"] = extra["previous_booking_id"]
    if booking.cancel_reason:
        info["reason"] = booking.cancel_reason
    info.update(triggers.queue_info(extra))
    provider, resource_part = triggers.resource_parts(resource, resource_name)
    return triggers.booking_payload(
        trigger,
        booking_id=booking.id,
        status=extra.get("status") or booking.status,
        start=start,
        minutes=booking.duration,
        timezone=site.timezone,
        customer=customer,
        provider=provider,
        resource=resource_part,
        page=triggers.page_part(
            website,
            site.display_name or site.name,
            current_app.config["PUBLIC_BASE_URL"],
            site.timezone,
        ),
        booking_type=triggers.type_part(
            booking_type.id, service, booking.duration, booking.price, booking.currency
        ),
        info=info,
        data=dict(booking.info or {}),
    )


def _customer(booking: Booking) -> dict:
    customer = booking.customer
    if customer is None:
        return {}
    name = " ".join(part for part in (customer.first_name, customer.last_name) if part)
    return {
        "id": customer.id,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "name": name,
        "email": customer.email,
        "phone": customer.phone,
    }


# --- sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    delivery_id: str
    url: str
    body: bytes
    headers: dict[str, str]
    disabled: bool


def _request(session: Session, delivery_id: str, now: datetime) -> _Request:
    delivery = session.get(WebhookDelivery, delivery_id)
    endpoint = delivery.subscription
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    return _Request(
        delivery_id=delivery_id,
        url=endpoint.url,
        body=body,
        headers=signed_headers(secrets_in_use(endpoint, now), delivery.message_id, body),
        disabled=endpoint.disabled_at is not None,
    )


def _post(request: _Request, *, allow_loopback: bool, timeout: float) -> Outcome:
    """One POST (no database, so it may run in any thread): status code, milliseconds, error."""
    if request.disabled:
        return None, 0, "the endpoint was removed or disabled"
    try:
        answer = http.send(
            "POST",
            request.url,
            body=request.body,
            headers=request.headers,
            allow_loopback=allow_loopback,
            timeout=timeout,
            max_bytes=4096,
        )
    except http.DeliveryError as failure:
        return None, 0, failure.reason
    except Exception as error:  # a bug here must not lose the delivery: it is retried
        log.exception("webhook POST to %s failed", request.url)
        return None, 0, f"internal error: {type(error).__name__}"
    if 200 <= answer.status < 300:
        return answer.status, answer.duration_ms, None
    excerpt = answer.body[:200].decode("utf-8", "replace").strip()
    error = f"HTTP {answer.status}" + (f": {excerpt}" if excerpt else "")
    return answer.status, answer.duration_ms, error


def record(
    session: Session,
    delivery: WebhookDelivery,
    now: datetime,
    status_code: int | None,
    duration_ms: int,
    error: str | None,
) -> str:
    """Write one attempt's outcome: delivered, retry later, or failed for good (which may
    disable the endpoint)."""
    error = error[:MAX_ERROR] if error else None
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            at=now,
            status_code=status_code,
            duration_ms=duration_ms,
            error=error,
        )
    )
    delivery.attempts += 1
    delivery.leased_until = None
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    delivery.last_duration_ms = duration_ms
    delivery.last_error = error
    if error is None:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        _hurry_backlog(session, delivery, now)
    elif delivery.attempts < MAX_ATTEMPTS:
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
    else:
        delivery.status, delivery.next_attempt_at = "failed", None
        if not delivery.is_test:
            _disable_when_failing(session, delivery, now)
    session.flush()
    return delivery.status


def _hurry_backlog(session: Session, delivery: WebhookDelivery, now: datetime) -> None:
    """The endpoint answers again: what waits for a retry goes out on the next round."""
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == delivery.subscription_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
    )


def stop_waiting(session: Session, subscription_id: str, reason: str) -> None:
    """What still waits to be sent to an endpoint that stops is not sent (it stays in the
    log, and can be redelivered)."""
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.status == "pending",
        )
        .values(status="failed", next_attempt_at=None, leased_until=None, last_error=reason)
    )


def _disable_when_failing(session: Session, delivery: WebhookDelivery, now: datetime) -> None:
    """An endpoint that delivered nothing since this delivery began, days ago, is disabled
    and its owners are told."""
    endpoint = delivery.subscription
    if endpoint.disabled_at is not None:
        return
    delivered_since = session.scalar(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.subscription_id == endpoint.id,
            WebhookDelivery.delivered_at >= delivery.created_at,
        )
        .limit(1)
    )
    if delivered_since is not None:
        return
    endpoint.disabled_at, endpoint.disabled_reason = now, FAILING
    stop_waiting(session, endpoint.id, "the endpoint was disabled")
    from webapp.notify import outbox  # the email queue lives there

    outbox.queue_endpoint_disabled(session, endpoint, now)


# A delivery's status after an attempt, as the worker's round reports it.
_OUTCOMES = {
    "delivered": "webhooks_delivered",
    "pending": "webhooks_retrying",
    "failed": "webhooks_failed",
}


def deliver_due(session: Session, now: datetime, limit: int = 50) -> dict[str, int]:
    """One worker's pass over due deliveries, a batch at a time: lease and commit; sign;
    send the batch in parallel with no transaction open (on SQLite, no lock is held); record
    every outcome in one transaction. Stops when nothing is due or after ``SEND_BUDGET``."""
    config = current_app.config
    post = partial(
        _post,
        allow_loopback=loopback_allowed(config),
        timeout=config["WEBHOOK_TIMEOUT_SECONDS"],
    )
    done = dict.fromkeys(_OUTCOMES.values(), 0)
    started = time.monotonic()
    while time.monotonic() - started < SEND_BUDGET.total_seconds():
        ids = leasing.lease_due(session, WebhookDelivery, now, LEASE, limit)
        session.commit()
        if not ids:
            break
        requests = [_request(session, delivery_id, now) for delivery_id in ids]
        session.commit()
        with ThreadPoolExecutor(max_workers=min(PARALLEL_SENDS, len(requests))) as pool:
            outcomes = list(pool.map(post, requests))
        begin_write(session)
        for request, outcome in zip(requests, outcomes, strict=True):
            delivery = session.get(WebhookDelivery, request.delivery_id, populate_existing=True)
            done[_OUTCOMES[record(session, delivery, now, *outcome)]] += 1
        session.commit()
        if len(ids) < limit:
            break
    return done
