"""An organization's webhook subscriptions: a trigger, an address and an optional reference,
with a signing secret shown once when the subscription is made."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.models import Organization, WebhookSubscription
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
    session.flush()
    return len(rows)
