"""An organization's API keys: made with a name, shown once, listed by their last
characters, revoked when no longer wanted."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.models import ApiKey, Organization

MAX_NAME = 100
SCOPE = "organization"


def organization_keys(session: Session, organization: Organization) -> list[ApiKey]:
    """Active keys first (newest first), then revoked ones."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.scope == SCOPE, ApiKey.organization_id == organization.id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id)
        )
    )


def create_key(session: Session, organization: Organization, name: str) -> tuple[ApiKey, str]:
    """A new key; answers the row and the raw key, which is never stored and cannot be
    shown again."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationFailed(
            _("Give the key a name (at most %(n)d characters).", n=MAX_NAME), field="name"
        )
    taken = session.scalar(
        select(ApiKey.id).where(
            ApiKey.scope == SCOPE,
            ApiKey.organization_id == organization.id,
            ApiKey.revoked_at.is_(None),
            ApiKey.name == name,
        )
    )
    if taken:
        raise ValidationFailed(
            _("A key named %(name)s exists already; choose another name.", name=name),
            field="name",
        )
    row, raw = ApiKey.issue(scope=SCOPE, name=name, organization_id=organization.id)
    session.add(row)
    session.flush()
    return row, raw


def revoke_key(session: Session, organization: Organization, key_id: str, *, now: datetime):
    """The key stops working at once; revoking twice changes nothing."""
    row = session.scalar(
        select(ApiKey).where(
            ApiKey.id == key_id, ApiKey.scope == SCOPE, ApiKey.organization_id == organization.id
        )
    )
    if row is None:
        raise NotFound(_("API key not found."))
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return row
