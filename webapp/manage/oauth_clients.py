"""OAuth API clients of an organization (seeds 001 and 003): made with a name and the scopes
they may ask for, the secret shown once, revoked when no longer wanted. A public module
client has no secret; anyone who knows its id can book as it, so it is made only on request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.models import OAuthClient, Organization, RefreshToken

# What a client may be allowed to do (seed 003).
SCOPES = ("org:read", "availability:read", "appointments:write")
CLIENT_PREFIX = "mwc_"
SECRET_PREFIX = "mws_"
MAX_NAME = 100


def hash_secret(raw: str) -> str:
    # 32 random bytes: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


def clean_scopes(scopes: object) -> list[str]:
    """The scopes asked for, known and in a stable order; all of them when left out."""
    if scopes is None:
        return list(SCOPES)
    if isinstance(scopes, str):
        scopes = scopes.split()
    if not isinstance(scopes, list | tuple) or not all(isinstance(s, str) for s in scopes):
        raise ValidationFailed(_("scopes must be a list of scope names."), field="scopes")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationFailed(
            _(
                "Unknown scope %(scope)s; the scopes are %(known)s.",
                scope=unknown[0],
                known=", ".join(SCOPES),
            ),
            field="scopes",
        )
    if not scopes:
        raise ValidationFailed(_("Choose at least one scope."), field="scopes")
    return [scope for scope in SCOPES if scope in scopes]


def create_client(
    session: Session,
    organization: Organization,
    *,
    name: object,
    scopes: Iterable[str] | None = None,
    public: bool = False,
    created_by: str = "",
) -> tuple[OAuthClient, str | None]:
    """A new client; answers the row and its raw secret (None for a public client), which is
    never stored and cannot be shown again."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_NAME:
        raise ValidationFailed(
            _("Give the client a name (at most %(n)d characters).", n=MAX_NAME), field="name"
        )
    granted = clean_scopes(scopes)
    secret = None if public else SECRET_PREFIX + secrets.token_urlsafe(32)
    client = OAuthClient(
        organization_id=organization.id,
        client_id=CLIENT_PREFIX + secrets.token_hex(16),
        name=name,
        secret_hash=hash_secret(secret) if secret else None,
        secret_hint=secret[-6:] if secret else "",
        scopes=granted,
        created_by=created_by[:64],
    )
    session.add(client)
    session.flush()
    return client, secret


def check_secret(client: OAuthClient, raw: object) -> bool:
    if client.secret_hash is None or not isinstance(raw, str) or len(raw) > 200:
        return False
    return hmac.compare_digest(client.secret_hash, hash_secret(raw))


def find_client(session: Session, client_id: object) -> OAuthClient | None:
    """The active client with this public id, whatever its organization."""
    if not isinstance(client_id, str) or not client_id.startswith(CLIENT_PREFIX):
        return None
    if len(client_id) > 64:
        return None
    return session.scalar(
        select(OAuthClient)
        .join(Organization, Organization.id == OAuthClient.organization_id)
        .where(
            OAuthClient.client_id == client_id,
            OAuthClient.revoked_at.is_(None),
            Organization.is_deleted.is_(False),
        )
    )


def clients_of(session: Session, organization: Organization) -> list[OAuthClient]:
    """Active clients first (newest first), then revoked ones."""
    return list(
        session.scalars(
            select(OAuthClient)
            .where(OAuthClient.organization_id == organization.id)
            .order_by(
                OAuthClient.revoked_at.is_not(None), OAuthClient.created_at.desc(), OAuthClient.id
            )
        )
    )


def revoke_client(
    session: Session, organization: Organization, client_id: str, *, now: datetime
) -> OAuthClient:
    """The client and every token it holds stop working at once; twice changes nothing."""
    client = session.scalar(
        select(OAuthClient).where(
            OAuthClient.organization_id == organization.id,
            (OAuthClient.id == client_id) | (OAuthClient.client_id == client_id),
        )
    )
    if client is None:
        raise NotFound(_("API client not found."))
    if client.revoked_at is None:
        client.revoked_at = now
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.client_id == client.id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        session.flush()
    return client
