"""From events to messages: the worker reads each outbox event once, writes the webhook
deliveries and emails it causes, and sends the emails with retries.

Events are processed a batch per transaction, taken with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL (SQLite has one writer), so several workers share the outbox without reading an
event twice. An event whose processing fails is retried later and set aside after
``MAX_EVENT_ATTEMPTS``, so one bad event never blocks the others.
"""

from __future__ import annotations

import base64
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.booking.locking import begin_write, dialect_name
from webapp.models import (
    EmailOut,
    OutboxMessage,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from webapp.notify import emails, leasing, messaging, push, webhooks

log = logging.getLogger("mawid.worker")

MAX_EVENT_ATTEMPTS = 5
EVENT_BATCH = 25
EMAIL_RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
    timedelta(hours=24),
)
EMAIL_LEASE = timedelta(minutes=2)
# SMTP conversations at once per worker.
PARALLEL_SENDS = 4


# --- events --------------------------------------------------------------------------------


def process_events(session: Session, now: datetime, limit: int = 1000) -> int:
    """Process up to ``limit`` due events, ``EVENT_BATCH`` per transaction; answers how
    many. A batch that fails is done again one event at a time, so only the event at fault
    is set aside."""
    done = 0
    while done < limit:
        ids = _claim(session, now, min(EVENT_BATCH, limit - done))
        if not ids:
            session.commit()
            return done
        try:
            for message in _in_order(session, ids):
                process(session, message, now)
            session.commit()
        except Exception:
            session.rollback()
            for message_id in ids:
                _process_alone(session, message_id, now)
        done += len(ids)
    return done


def _claim(session: Session, now: datetime, count: int) -> list[int]:
    """Due events, locked for this transaction (``SKIP LOCKED``: other workers take others)."""
    begin_write(session)
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.processed_at.is_(None), OutboxMessage.available_at <= now)
        .order_by(OutboxMessage.id)
        .limit(count)
    )
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _in_order(session: Session, ids: list[int]) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        )
    )


def _process_alone(session: Session, message_id: int, now: datetime) -> None:
    begin_write(session)
    query = select(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.processed_at.is_(None)
    )
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    message = session.scalar(query)
    if message is None:  # another worker took it meanwhile
        session.commit()
        return
    try:
        process(session, message, now)
        session.commit()
    except Exception as error:
        session.rollback()
        log.exception("event %s could not be processed", message_id)
        _set_aside(session, message_id, now, error)


def process(session: Session, message: OutboxMessage, now: datetime) -> None:
    webhooks.fan_out(session, message, now)
    for email in emails.booking_emails(session, message, now):
        queue_email(session, email, message.organization_id, now, message=message)
    push.collect(session, message, now)
    message.processed_at = now
    session.flush()


def _set_aside(session: Session, message_id: int, now: datetime, error: Exception) -> None:
    begin_write(session)
    message = session.get(OutboxMessage, message_id)
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.attempts >= MAX_EVENT_ATTEMPTS:
        message.processed_at = now
    else:
        message.available_at = now + timedelta(minutes=2**message.attempts)
    session.commit()


# --- emails --------------------------------------------------------------------------------


def queue_email(
    session: Session,
    email: emails.Email,
    organization_id: str,
    now: datetime,
    *,
    message: OutboxMessage | None = None,
) -> None:
    session.add(
        EmailOut(
            organization_id=organization_id,
            outbox_message_id=message.id if message else None,
            booking_id=message.booking_id if message else None,
            kind=email.kind,
            recipient=email.to,
            subject=email.subject,
            text=email.text,
            html=email.html,
            attachments=[
                {
                    "filename": filename,
                    "contentType": content_type,
                    "data": base64.b64encode(data).decode("ascii"),
                }
                for filename, content_type, data in email.attachments
            ],
            status="pending",
            next_attempt_at=now,
            created_at=now,
        )
    )


def queue_endpoint_disabled(session: Session, endpoint: WebhookSubscription, now: datetime) -> None:
    for email in emails.webhook_disabled_emails(session, endpoint, now):
        queue_email(session, email, endpoint.organization_id, now)


# An email's status after an attempt, as the worker's round reports it.
_OUTCOMES = {"sent": "emails_sent", "pending": "emails_retrying", "failed": "emails_failed"}


def send_due_emails(session: Session, now: datetime, limit: int = 50) -> dict[str, int]:
    """Send due emails a batch at a time: leased in one transaction, sent in parallel with
    none open, recorded together. Stops when nothing is due or after ``SEND_BUDGET``."""
    app = current_app._get_current_object()

    def send(message: tuple) -> bool:
        with app.app_context():
            return messaging.send_email(*message)

    done = dict.fromkeys(_OUTCOMES.values(), 0)
    started = time.monotonic()
    while time.monotonic() - started < webhooks.SEND_BUDGET.total_seconds():
        ids = leasing.lease_due(session, EmailOut, now, EMAIL_LEASE, limit)
        session.commit()
        if not ids:
            break
        messages = [_message(session.get(EmailOut, email_id)) for email_id in ids]
        session.commit()
        with ThreadPoolExecutor(max_workers=min(PARALLEL_SENDS, len(ids))) as pool:
            results = list(pool.map(send, messages))
        begin_write(session)
        for email_id, sent in zip(ids, results, strict=True):
            email = session.get(EmailOut, email_id, populate_existing=True)
            done[_OUTCOMES[_record(email, sent, now)]] += 1
        session.commit()
        if len(ids) < limit:
            break
    return done


def _message(email: EmailOut) -> tuple:
    attachments = [
        (item["filename"], item["contentType"], base64.b64decode(item["data"]))
        for item in email.attachments
    ]
    return (email.recipient, email.subject, email.text, email.html, attachments)


def _record(email: EmailOut, sent: bool, now: datetime) -> str:
    email.attempts += 1
    email.leased_until = None
    if sent:
        email.status, email.sent_at, email.next_attempt_at = "sent", now, None
        return email.status
    email.last_error = "the mail server did not take it"
    if email.attempts <= len(EMAIL_RETRY_DELAYS):
        email.next_attempt_at = now + EMAIL_RETRY_DELAYS[email.attempts - 1]
    else:
        email.status, email.next_attempt_at = "failed", None
    return email.status


# --- retention -----------------------------------------------------------------------------

# What was sent (or given up on) is kept this long: the admin's delivery log reads it.
KEEP_FOR = timedelta(days=30)


def purge_old(session: Session, now: datetime) -> dict[str, int]:
    """Forget deliveries, emails and events finished more than ``KEEP_FOR`` ago; what is
    still pending is never touched."""
    begin_write(session)
    cutoff = now - KEEP_FOR
    old_deliveries = select(WebhookDelivery.id).where(
        WebhookDelivery.created_at < cutoff, WebhookDelivery.status != "pending"
    )
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(old_deliveries)))
    deliveries = session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.id.in_(old_deliveries))
    ).rowcount
    emails_out = session.execute(
        delete(EmailOut).where(EmailOut.created_at < cutoff, EmailOut.status != "pending")
    ).rowcount
    still_used = (
        select(WebhookDelivery.outbox_message_id)
        .where(WebhookDelivery.outbox_message_id.is_not(None))
        .union(select(EmailOut.outbox_message_id).where(EmailOut.outbox_message_id.is_not(None)))
    )
    events = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.processed_at < cutoff, OutboxMessage.id.not_in(still_used)
        )
    ).rowcount
    return {"purged_deliveries": deliveries, "purged_emails": emails_out, "purged_events": events}
