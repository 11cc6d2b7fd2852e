"""API keys: made with a name, shown once, listed by their last characters, revoked when no
longer wanted. An organization's keys act within it; a user's account keys act as the user
in every organization the user belongs to."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.models import ApiKey, Organization, User

MAX_NAME = 100
SCOPE = "organization"
ACCOUNT = "account"
Owner = Organization | User


def _owned_by(owner: Owner):
    """The condition for the keys of an organization or of a user's account."""
    if isinstance(owner, Organization):
        return (ApiKey.scope == SCOPE) & (ApiKey.organization_id == owner.id)
    return (ApiKey.scope == ACCOUNT) & (ApiKey.user_id == owner.id)


def organization_keys(session: Session, organization: Organization) -> list[ApiKey]:
    """Active keys first (newest first), then revoked ones."""
    return keys_of(session, organization)


def keys_of(session: Session, owner: Owner, *, active_only: bool = False) -> list[ApiKey]:
    """Active keys first (newest first), then revoked ones unless ``active_only``."""
    query = select(ApiKey).where(_owned_by(owner))
    if active_only:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(
        session.scalars(
            query.order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id)
        )
    )


def create_key(session: Session, owner: Owner, name: str) -> tuple[ApiKey, str]:
    """A new key of an organization (or of a user's account); answers the row and the raw
    key, which is never stored and cannot be shown again."""
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_NAME:
        raise ValidationFailed(
            _("Give the key a name (at most %(n)d characters).", n=MAX_NAME), field="name"
        )
    if active_key_named(session, owner, name) is not None:
        raise ValidationFailed(
            _("A key named %(name)s exists already; choose another name.", name=name),
            field="name",
        )
    if isinstance(owner, Organization):
        row, raw = ApiKey.issue(scope=SCOPE, name=name, organization_id=owner.id)
    else:
        row, raw = ApiKey.issue(scope=ACCOUNT, name=name, user_id=owner.id)
    session.add(row)
    session.flush()
    return row, raw


def active_key_named(session: Session, owner: Owner, name: str) -> ApiKey | None:
    return session.scalar(
        select(ApiKey).where(_owned_by(owner), ApiKey.revoked_at.is_(None), ApiKey.name == name)
    )


def revoke_key(session: Session, owner: Owner, key_id: str, *, now: datetime):
    """The key stops working at once; revoking twice changes nothing."""
    row = session.scalar(select(ApiKey).where(ApiKey.id == key_id, _owned_by(owner)))
    if row is None:
        raise NotFound(_("API key not found."))
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return row


def revoke_key_named(session: Session, owner: Owner, name: str, *, now: datetime) -> ApiKey:
    """Revoke the active key with this name (names are unique among active keys)."""
    row = active_key_named(session, owner, name) if isinstance(name, str) else None
    if row is None:
        raise NotFound(_("API key not found."))
    return revoke_key(session, owner, row.id, now=now)
