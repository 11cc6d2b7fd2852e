"""Refresh tokens and short-lived access tokens, for staff acting outside the admin's own
pages (the admin widgets, the management API) and for customers using the API.

A refresh token is random, stored hashed, and names an organization and either a staff user
or a customer. The API exchanges it for a new one and a five-minute access token (rotation);
presenting an exchanged token again means it leaked, and its whole family is revoked. The
admin widgets' frames exchange their host's token without rotating it, since the host page
keeps it and sends it every time the widget loads (seed 002's examples).

An access token is a signed, self-contained claim checked without a database lookup of the
token itself; the membership or the customer is still checked on every request."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.booking.errors import BookingError
from webapp.booking.locking import begin_write
from webapp.models import Customer, Member, OAuthClient, Organization, RefreshToken, User

REFRESH_PREFIX = "mwr_"
ACCESS_PREFIX = "mwa_"
ACCESS_TTL = timedelta(minutes=5)
REFRESH_TTL = timedelta(days=365)
ACCESS_SALT = "mawid.access-token"


class TokenReused(BookingError):
    code = "TOKEN_REUSED"
    http_status = 401
    default_message = (
        "This refresh token was already exchanged; every token of its sign-in is revoked. "
        "Please sign in again."
    )


class TokenInvalid(BookingError):
    code = "UNAUTHORIZED"
    http_status = 401
    default_message = "The token is missing, expired or not valid here."


def _hash(raw: str) -> str:
    # 32 random bytes: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    organization_id: str
    user_id: str | None = None
    customer_id: str | None = None
    # An OAuth client's token: the client's row id, the scopes granted and when it expires
    # (seconds since the epoch, on the application's clock).
    client_id: str | None = None
    scopes: tuple[str, ...] = ()
    expires_at: int | None = None


def issue_refresh_token(
    session: Session,
    *,
    organization: Organization,
    now: datetime,
    user: User | None = None,
    customer: Customer | None = None,
    client: OAuthClient | None = None,
    scope: str = "",
    label: str = "",
    family_id: str | None = None,
    lifetime: timedelta = REFRESH_TTL,
) -> tuple[RefreshToken, str]:
    """A new refresh token for a staff ``user``, a ``customer`` or an OAuth ``client`` of
    ``organization``; the raw token is returned once and never stored."""
    if sum(owner is not None for owner in (user, customer, client)) != 1:
        raise ValueError("a refresh token names one user, customer or client")
    raw = REFRESH_PREFIX + secrets.token_urlsafe(32)
    row = RefreshToken(
        token_hash=_hash(raw),
        user_id=user.id if user else None,
        customer_id=customer.id if customer else None,
        client_id=client.id if client else None,
        scope=scope,
        organization_id=organization.id,
        label=label[:100],
        hint=raw[-6:],
        created_at=now,
        expires_at=now + lifetime,
    )
    if family_id:
        row.family_id = family_id
    session.add(row)
    session.flush()
    return row, raw


def _lookup(session: Session, raw: object) -> RefreshToken | None:
    if not isinstance(raw, str) or not raw.startswith(REFRESH_PREFIX) or len(raw) > 100:
        return None
    return session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _hash(raw)))


def _live(row: RefreshToken | None, now: datetime) -> bool:
    return (
        row is not None
        and row.revoked_at is None
        and row.rotated_at is None
        and row.expires_at > now
    )


def find_refresh_token(session: Session, raw: object, now: datetime) -> RefreshToken | None:
    """The live refresh token ``raw`` names, or None (unknown, exchanged, revoked, expired)."""
    row = _lookup(session, raw)
    return row if _live(row, now) else None


def rotate(session: Session, raw: object, now: datetime) -> tuple[RefreshToken, str] | None:
    """Exchange ``raw`` for a new token of the same family; None when it is not valid.
    Raises ``TokenReused`` (after revoking the family; commit before re-raising) when it was
    exchanged before."""
    begin_write(session)
    row = _lookup(session, raw)
    if row is not None and row.rotated_at is not None and row.revoked_at is None:
        revoke_family(session, row.family_id, now)
        raise TokenReused()
    if not _live(row, now):
        return None
    # Only one exchange of a token can win, however many race for it.
    claimed = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now, last_used_at=now)
    ).rowcount
    if claimed != 1:
        revoke_family(session, row.family_id, now)
        raise TokenReused()
    return issue_refresh_token(
        session,
        organization=session.get(Organization, row.organization_id),
        now=now,
        user=session.get(User, row.user_id) if row.user_id else None,
        customer=session.get(Customer, row.customer_id) if row.customer_id else None,
        label=row.label,
        family_id=row.family_id,
        lifetime=row.expires_at - row.created_at,
    )


def revoke_family(session: Session, family_id: str, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke(session: Session, row: RefreshToken, now: datetime) -> None:
    row.revoked_at = now
    session.flush()


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=ACCESS_SALT)


def issue_access_token(claims: AccessClaims, *, secret_key: str) -> str:
    payload: dict = {"o": claims.organization_id}
    if claims.user_id:
        payload["u"] = claims.user_id
    if claims.customer_id:
        payload["c"] = claims.customer_id
    if claims.client_id:
        payload["k"] = claims.client_id
        payload["s"] = " ".join(claims.scopes)
    if claims.expires_at is not None:
        payload["e"] = claims.expires_at
    return ACCESS_PREFIX + _serializer(secret_key).dumps(payload)


def access_token_for(row: RefreshToken, *, secret_key: str, now: datetime) -> tuple[str, datetime]:
    """A five-minute access token for the refresh token's user or customer."""
    row.last_used_at = now
    claims = AccessClaims(row.organization_id, row.user_id, row.customer_id)
    return issue_access_token(claims, secret_key=secret_key), now + ACCESS_TTL


def read_access_token(
    raw: object, *, secret_key: str, now: datetime | None = None
) -> AccessClaims | None:
    """The claims of a valid access token. A token that carries its expiry is checked
    against ``now`` too (the application's clock)."""
    if not isinstance(raw, str) or not raw.startswith(ACCESS_PREFIX) or len(raw) > 700:
        return None
    try:
        data = _serializer(secret_key).loads(
            raw[len(ACCESS_PREFIX) :], max_age=int(ACCESS_TTL.total_seconds())
        )
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not data.get("o"):
        return None
    if not (data.get("u") or data.get("c") or data.get("k")):
        return None
    expires_at = data.get("e")
    if expires_at is not None and (now is None or now.timestamp() >= expires_at):
        return None
    return AccessClaims(
        str(data["o"]),
        data.get("u"),
        data.get("c"),
        data.get("k"),
        tuple(str(data.get("s") or "").split()),
        expires_at,
    )


def membership(session: Session, claims: AccessClaims) -> tuple[Member, Organization] | None:
    """The member the claims act as, if they name a user who still belongs there."""
    if not claims.user_id:
        return None
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
