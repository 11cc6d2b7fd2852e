"""Refresh tokens and short-lived access tokens for staff acting outside the admin's own
pages (the admin widgets embedded in a business's systems).

A refresh token is random, stored hashed, and names a user and an organization. It is
exchanged for an access token: a signed, self-contained claim valid five minutes, sent as
``Authorization: Bearer`` on each request and checked without a database lookup of the
token itself (the membership is still checked on every request)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Member, Organization, RefreshToken, User

REFRESH_PREFIX = "mwr_"
ACCESS_PREFIX = "mwa_"
ACCESS_TTL = timedelta(minutes=5)
REFRESH_TTL = timedelta(days=365)
ACCESS_SALT = "mawid.access-token"


def _hash(raw: str) -> str:
    # 32 random bytes: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    organization_id: str


def issue_refresh_token(
    session: Session,
    *,
    user: User,
    organization: Organization,
    now: datetime,
    label: str = "",
    lifetime: timedelta = REFRESH_TTL,
) -> tuple[RefreshToken, str]:
    """A new refresh token for ``user`` acting in ``organization``; the raw token is
    returned once and never stored."""
    raw = REFRESH_PREFIX + secrets.token_urlsafe(32)
    row = RefreshToken(
        token_hash=_hash(raw),
        user_id=user.id,
        organization_id=organization.id,
        label=label[:100],
        hint=raw[-6:],
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return row, raw


def find_refresh_token(session: Session, raw: object, now: datetime) -> RefreshToken | None:
    """The live refresh token ``raw`` names, or None (unknown, revoked or expired)."""
    if not isinstance(raw, str) or not raw.startswith(REFRESH_PREFIX) or len(raw) > 100:
        return None
    row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _hash(raw)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return row


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=ACCESS_SALT)


def access_token_for(row: RefreshToken, *, secret_key: str, now: datetime) -> tuple[str, datetime]:
    """A five-minute access token for the refresh token's user and organization."""
    row.last_used_at = now
    return issue_access_token(row.user_id, row.organization_id, secret_key=secret_key), now + (
        ACCESS_TTL
    )


def issue_access_token(user_id: str, organization_id: str, *, secret_key: str) -> str:
    return ACCESS_PREFIX + _serializer(secret_key).dumps({"u": user_id, "o": organization_id})


def read_access_token(raw: object, *, secret_key: str) -> AccessClaims | None:
    if not isinstance(raw, str) or not raw.startswith(ACCESS_PREFIX) or len(raw) > 500:
        return None
    try:
        data = _serializer(secret_key).loads(
            raw[len(ACCESS_PREFIX) :], max_age=int(ACCESS_TTL.total_seconds())
        )
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not data.get("u") or not data.get("o"):
        return None
    return AccessClaims(str(data["u"]), str(data["o"]))


def membership(session: Session, claims: AccessClaims) -> tuple[Member, Organization] | None:
    """The member the claims act as, if the user still belongs to the organization."""
    row = session.execute(
        select(Member, Organization)
        .join(Organization, Organization.id == Member.organization_id)
        .join(User, User.id == Member.user_id)
        .where(
            Member.user_id == claims.user_id,
            Member.organization_id == claims.organization_id,
            Organization.is_deleted.is_(False),
            User.is_active.is_(True),
        )
    ).first()
    return (row[0], row[1]) if row else None


def revoke(session: Session, row: RefreshToken, now: datetime) -> None:
    row.revoked_at = now
    session.flush()
