"""An organization's webhook subscriptions: a trigger, an address and an optional reference,
with a signing secret shown once when the subscription is made."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.models import Organization, WebhookDelivery, WebhookSubscription
from webapp.notify import webhooks as delivery
from webapp.notify.destinations import check_webhook_url
from webapp.notify.triggers import ALL_TRIGGERS, is_trigger

MAX_SUBSCRIPTIONS = 100
MAX_REFERENCE = 200
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` and base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_trigger(trigger: object) -> str:
    if not is_trigger(trigger):
        raise ValidationFailed(
            _("trigger must be one of: %(names)s.", names=", ".join(ALL_TRIGGERS)),
            field="trigger",
            allowed=list(ALL_TRIGGERS),
        )
    return trigger


def check_reference(reference: object) -> str:
    if reference is None:
        return ""
    if not isinstance(reference, str) or len(reference.strip()) > MAX_REFERENCE:
        raise ValidationFailed(
            _("reference is text of at most %(n)d characters.", n=MAX_REFERENCE),
            field="reference",
        )
    return reference.strip()


def subscriptions(
    session: Session, organization: Organization, *, after: tuple | None = None, limit: int = 100
) -> list[WebhookSubscription]:
    """Active subscriptions, oldest first; ``after`` is the ``(created_at, id)`` of the last
    one already seen."""
    query = (
        select(WebhookSubscription)
        .where(
            WebhookSubscription.organization_id == organization.id,
            WebhookSubscription.disabled_at.is_(None),
        )
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
        .limit(limit)
    )
    if after is not None:
        created_at, last_id = after
        query = query.where(
            (WebhookSubscription.created_at > created_at)
            | ((WebhookSubscription.created_at == created_at) & (WebhookSubscription.id > last_id))
        )
    return list(session.scalars(query))


def _matching(session: Session, organization: Organization, trigger: str, url: str):
    return select(WebhookSubscription).where(
        WebhookSubscription.organization_id == organization.id,
        WebhookSubscription.disabled_at.is_(None),
        WebhookSubscription.trigger == trigger,
        WebhookSubscription.url == url,
    )


def subscribe(
    session: Session,
    organization: Organization,
    *,
    trigger: object,
    url: object,
    reference: object = None,
    allow_loopback: bool = False,
    actor_label: str = "",
    now: datetime,
) -> tuple[WebhookSubscription, str, bool]:
    """Add the subscription, or renew it when the same trigger, address and reference are
    subscribed already (it gets a new secret). Answers the row, the secret and whether it
    is new."""
    trigger = check_trigger(trigger)
    url = check_webhook_url(url, allow_loopback=allow_loopback)
    reference = check_reference(reference)
    row = session.scalar(
        _matching(session, organization, trigger, url).where(
            WebhookSubscription.reference == reference
        )
    )
    secret = new_secret()
    if row is not None:
        row.secret, row.secret_issued_at = secret, now
        session.flush()
        return row, secret, False
    count = session.scalar(
        select(func.count()).where(
            WebhookSubscription.organization_id == organization.id,
            WebhookSubscription.disabled_at.is_(None),
        )
    )
    if count >= MAX_SUBSCRIPTIONS:
        raise ValidationFailed(
            _("An organization has at most %(n)d webhooks; delete one first.", n=MAX_SUBSCRIPTIONS),
            field="url",
        )
    row = WebhookSubscription(
        organization_id=organization.id,
        trigger=trigger,
        url=url,
        reference=reference,
        secret=secret,
        created_by=actor_label[:64],
        created_at=now,
        secret_issued_at=now,
    )
    session.add(row)
    session.flush()
    return row, secret, True


def unsubscribe(
    session: Session,
    organization: Organization,
    *,
    trigger: object,
    url: object,
    reference: object = None,
    now: datetime,
) -> int:
    """Stop the subscriptions of this trigger and address (only the one with ``reference``
    when it is given); answers how many stopped. None found is a 404."""
    if not isinstance(trigger, str) or not trigger:
        raise ValidationFailed(_("trigger is required."), field="trigger")
    if not isinstance(url, str) or not url.strip():
        raise ValidationFailed(_("url is required."), field="url")
    query = _matching(session, organization, trigger, url.strip())
    if reference is not None:
        query = query.where(WebhookSubscription.reference == check_reference(reference))
    rows = list(session.scalars(query))
    if not rows:
        raise NotFound(_("No webhook with this trigger and address."))
    for row in rows:
        row.disabled_at = now
        delivery.stop_waiting(session, row.id, "the endpoint was removed")
    session.flush()
    return len(rows)


# --- the admin's endpoints, delivery log, redelivery, test events and secrets ----------------

COUNTED_DAYS = 7
# After a rotation the old secret keeps signing this long, so receivers can switch.
PREVIOUS_SECRET_LIFETIME = timedelta(hours=24)


@dataclass
class Endpoint:
    """A subscription with what happened to its deliveries in the last days."""

    subscription: WebhookSubscription
    delivered: int = 0
    failed: int = 0
    pending: int = 0


def _visible():
    """Not removed: a subscription stopped by the API or the admin has ``disabled_at`` and no
    reason and is gone for good; one the sender stopped for failing keeps its reason."""
    return or_(
        WebhookSubscription.disabled_at.is_(None),
        WebhookSubscription.disabled_reason.is_not(None),
    )


def endpoint(
    session: Session, organization: Organization, subscription_id: str
) -> WebhookSubscription:
    """One of the organization's endpoints, active or disabled for failing."""
    row = session.scalar(
        select(WebhookSubscription).where(
            WebhookSubscription.organization_id == organization.id,
            WebhookSubscription.id == subscription_id,
            _visible(),
        )
    )
    if row is None:
        raise NotFound(_("Webhook endpoint not found."))
    return row


def endpoints(session: Session, organization: Organization, now: datetime) -> list[Endpoint]:
    """Active and failing-disabled endpoints, newest first, with how many deliveries of
    the last seven days were delivered, failed or still pending."""
    rows = list(
        session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.organization_id == organization.id, _visible())
            .order_by(WebhookSubscription.created_at.desc(), WebhookSubscription.id.desc())
        )
    )
    found = {row.id: Endpoint(row) for row in rows}
    if not found:
        return []
    counts = session.execute(
        select(WebhookDelivery.subscription_id, WebhookDelivery.status, func.count())
        .where(
            WebhookDelivery.organization_id == organization.id,
            WebhookDelivery.subscription_id.in_(list(found)),
            WebhookDelivery.created_at >= now - timedelta(days=COUNTED_DAYS),
        )
        .group_by(WebhookDelivery.subscription_id, WebhookDelivery.status)
    )
    for subscription_id, status, count in counts:
        if status in {"delivered", "failed", "pending"}:
            setattr(found[subscription_id], status, count)
    return list(found.values())


def rotate_secret(
    session: Session, organization: Organization, subscription: WebhookSubscription, now: datetime
) -> str:
    """A new signing secret; the old one signs too for 24 hours, so the receiver can switch.
    Answers the new secret (shown once)."""
    if subscription.organization_id != organization.id:
        raise NotFound(_("Webhook endpoint not found."))
    secret = new_secret()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_expires_at = now + PREVIOUS_SECRET_LIFETIME
    subscription.secret, subscription.secret_issued_at = secret, now
    session.flush()
    return secret


def enable(
    session: Session, organization: Organization, subscription: WebhookSubscription, now: datetime
) -> WebhookSubscription:
    """Send to an endpoint disabled for failing again (its failed deliveries stay failed;
    they can be redelivered one by one)."""
    if subscription.organization_id != organization.id:
        raise NotFound(_("Webhook endpoint not found."))
    if subscription.disabled_at is not None and subscription.disabled_reason is None:
        raise NotFound(_("Webhook endpoint not found."))
    subscription.disabled_at, subscription.disabled_reason = None, None
    session.flush()
    return subscription


def add_endpoint(
    session: Session,
    organization: Organization,
    *,
    trigger: object,
    url: object,
    reference: object = None,
    allow_loopback: bool = False,
    actor_label: str = "",
    now: datetime,
) -> tuple[WebhookSubscription, str]:
    """A new endpoint and its signing secret (shown once). Unlike the API, the admin form
    never renews an endpoint that exists already: that would change its secret unseen."""
    trigger = check_trigger(trigger)
    clean_url = check_webhook_url(url, allow_loopback=allow_loopback)
    existing = session.scalar(
        _matching(session, organization, trigger, clean_url).where(
            WebhookSubscription.reference == check_reference(reference)
        )
    )
    if existing is not None:
        raise ValidationFailed(
            _("This address already gets this event with this reference."), field="url"
        )
    row, secret, _created = subscribe(
        session,
        organization,
        trigger=trigger,
        url=clean_url,
        reference=reference,
        allow_loopback=allow_loopback,
        actor_label=actor_label,
        now=now,
    )
    return row, secret


def remove_endpoint(
    session: Session, organization: Organization, subscription: WebhookSubscription, now: datetime
) -> None:
    """Stop the endpoint for good; what was still waiting to be sent to it is not sent."""
    if subscription.organization_id != organization.id:
        raise NotFound(_("Webhook endpoint not found."))
    subscription.disabled_at, subscription.disabled_reason = now, None
    delivery.stop_waiting(session, subscription.id, "the endpoint was removed")
    session.flush()
