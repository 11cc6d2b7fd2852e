"""An endpoint's delivery log as the admin shows it, and what staff do with it: send a
delivery again, send a test event. Sending itself is the worker's (webapp/notify/webhooks.py):
these functions only put deliveries in its queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.manage.webhook_samples import sample_payload
from webapp.models import Organization, WebhookAttempt, WebhookDelivery, WebhookSubscription
from webapp.notify import webhooks as delivery_engine

PAGE_SIZE = 50


@dataclass
class DeliveryPage:
    deliveries: list[WebhookDelivery]
    # (created_at, id) of the last delivery shown, when older ones follow.
    next_before: tuple[datetime, str] | None


def deliveries(
    session: Session,
    organization: Organization,
    subscription: WebhookSubscription,
    *,
    before: tuple[datetime, str] | None = None,
    limit: int = PAGE_SIZE,
) -> DeliveryPage:
    """The endpoint's deliveries, newest first, ``limit`` at a time; ``before`` is the
    ``(created_at, id)`` of the last one already shown."""
    limit = max(1, min(limit, PAGE_SIZE))
    query = (
        select(WebhookDelivery)
        .where(
            WebhookDelivery.organization_id == organization.id,
            WebhookDelivery.subscription_id == subscription.id,
        )
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        created_at, last_id = before
        query = query.where(
            (WebhookDelivery.created_at < created_at)
            | ((WebhookDelivery.created_at == created_at) & (WebhookDelivery.id < last_id))
        )
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return DeliveryPage(rows, (rows[-1].created_at, rows[-1].id) if more else None)


def delivery(
    session: Session, organization: Organization, subscription: WebhookSubscription, delivery_id
) -> WebhookDelivery:
    """One delivery of the endpoint."""
    row = session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.organization_id == organization.id,
            WebhookDelivery.subscription_id == subscription.id,
            WebhookDelivery.id == delivery_id,
        )
    )
    if row is None:
        raise NotFound(_("Delivery not found."))
    return row


def delivery_attempts(
    session: Session, organization: Organization, delivery: WebhookDelivery
) -> list[WebhookAttempt]:
    """Every try at the delivery, the first one first."""
    return attempts_of(session, organization, [delivery]).get(delivery.id, [])


def attempts_of(
    session: Session, organization: Organization, rows: list[WebhookDelivery]
) -> dict[str, list[WebhookAttempt]]:
    """The tries at each of ``rows`` (a page of the log), in one query."""
    ids = [row.id for row in rows if row.organization_id == organization.id]
    found: dict[str, list[WebhookAttempt]] = {row_id: [] for row_id in ids}
    if not ids:
        return found
    for attempt in session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(ids))
        .order_by(WebhookAttempt.at, WebhookAttempt.id)
    ):
        found[attempt.delivery_id].append(attempt)
    return found


def _check_enabled(subscription: WebhookSubscription) -> None:
    if subscription.disabled_at is not None:
        raise ValidationFailed(
            _("This endpoint is disabled. Enable it before sending to it again.")
        )


def _queue(delivery: WebhookDelivery, now: datetime) -> None:
    """The worker sends a pending delivery that is due within seconds."""
    delivery.status, delivery.attempts = "pending", 0
    delivery.next_attempt_at, delivery.leased_until = now, None


def redeliver(
    session: Session, organization: Organization, delivery: WebhookDelivery, now: datetime
) -> WebhookDelivery:
    """Send a delivered or failed delivery again, with the same ``webhook-id`` and body
    (receivers that saw it already can tell) and a fresh round of retries."""
    if delivery.organization_id != organization.id:
        raise NotFound(_("Delivery not found."))
    _check_enabled(delivery.subscription)
    if delivery.status == "pending":
        raise ValidationFailed(
            _("This delivery is still being sent; wait for it to succeed or fail.")
        )
    _queue(delivery, now)
    session.flush()
    return delivery


def send_test(
    session: Session,
    organization: Organization,
    subscription: WebhookSubscription,
    now: datetime,
    *,
    base_url: str,
) -> WebhookDelivery:
    """Queue a test event: the sample body of the endpoint's trigger, marked as a test
    (a failing test never disables the endpoint). ``base_url`` is the server's root."""
    if subscription.organization_id != organization.id:
        raise NotFound(_("Webhook endpoint not found."))
    _check_enabled(subscription)
    row = WebhookDelivery(
        organization_id=organization.id,
        subscription_id=subscription.id,
        message_id=delivery_engine.new_message_id(),
        trigger=subscription.trigger,
        payload=sample_payload(
            session,
            organization,
            subscription.trigger,
            subscription.reference,
            now=now,
            base_url=base_url,
            # What real deliveries carry: the tenant's own (English) names.
            lang="en",
        ),
        is_test=True,
        created_at=now,
    )
    _queue(row, now)
    session.add(row)
    session.flush()
    return row
