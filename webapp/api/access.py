"""Who calls the management API, and what they may do.

``Authorization: Bearer <credential>`` (or ``X-API-KEY: <key>``) carries one of:
- a staff member's access token (one-time-code sign-in with ``isOrgMember``): the member of
  the ``X-APP-ID`` organization, with their role; a staff member acts on their own resources;
- an organization API key (``mwd_...``, scope organization): acts as an admin of its own
  organization only;
- an account API key: acts as its user, in any organization the user belongs to, with the
  user's role there (and may create organizations).
Anything else, or a credential for another organization, answers 401; a role too low, 403."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.auth import tokens
from webapp.booking.errors import BookingError
from webapp.booking.locking import begin_write
from webapp.booking.states import Actor
from webapp.extensions import db
from webapp.models import ApiKey, Member, User
from webapp.models.api_keys import KEY_PREFIX, hash_key
from webapp.public.blueprint import now
from webapp.security import limiter

ROLE_RANK = {"staff": 1, "admin": 2, "owner": 3}
LAST_USED_STEP = timedelta(minutes=1)  # how precisely a key's lastUsedAt is kept


class Unauthorized(BookingError):
    code = "UNAUTHORIZED"
    http_status = 401
    default_message = "Send a staff access token or an API key: Authorization: Bearer <...>."


class Forbidden(BookingError):
    code = "FORBIDDEN"
    http_status = 403
    default_message = "Your role does not allow this."


@dataclass(frozen=True)
class Caller:
    actor: Actor
    role: str  # owner | admin | staff
    user: User | None = None  # a staff token or an account key
    member: Member | None = None
    api_key: ApiKey | None = None

    def may(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def resource_scope(self) -> list[str] | None:
        """The resources a staff member provides; None when every resource is theirs."""
        if self.member is None or self.may("admin"):
            return None
        return [resource.id for resource in self.member.resources]


def credential() -> str:
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        return raw.strip()
    return (request.headers.get("X-API-KEY") or "").strip()


def find_api_key(raw: str, moment: datetime) -> ApiKey | None:
    if not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw)))
    if key is None or key.revoked_at is not None:
        return None
    if key.last_used_at is None or moment - key.last_used_at >= LAST_USED_STEP:
        _note_use(key, moment)
    return key


def _note_use(key: ApiKey, moment: datetime) -> None:
    """Record when the key was used, in a short write of its own. On SQLite a read-only
    call (GET) must take the write lock before writing, or two calls at once answer
    "database is locked"; committing at once keeps reads from waiting on each other."""
    begin_write(db.session)
    key.last_used_at = moment
    db.session.commit()


def _member(user_id: str, organization_id: str) -> Member | None:
    return db.session.scalar(
        select(Member)
        .join(User, User.id == Member.user_id)
        .where(
            Member.user_id == user_id,
            Member.organization_id == organization_id,
            User.is_active.is_(True),
        )
    )


def resolve_caller() -> Caller:
    """The caller of this request for ``g.organization`` (raises 401 when there is none)."""
    raw = credential()
    organization = g.get("organization")
    if raw.startswith(tokens.ACCESS_PREFIX) and organization is not None:
        claims = tokens.read_access_token(raw, secret_key=current_app.config["SECRET_KEY"])
        if claims and claims.user_id and claims.organization_id == organization.id:
            member = _member(claims.user_id, organization.id)
            if member is not None:
                return Caller(Actor("staff", member.user_id), member.role, member.user, member)
    key = find_api_key(raw, now())
    if key is not None and key.scope == "organization":
        if organization is not None and key.organization_id == organization.id:
            return Caller(Actor("api", key.id), "admin", api_key=key)
    elif key is not None and key.scope == "account":
        user = db.session.get(User, key.user_id)
        if user is not None and user.is_active:
            if organization is None:  # an account-level call (organizations, account keys)
                return Caller(Actor("api", key.id), "staff", user=user, api_key=key)
            member = _member(user.id, organization.id)
            if member is not None:
                return Caller(Actor("api", key.id), member.role, user, member, key)
    raise Unauthorized(_("Send a staff access token or an API key: Authorization: Bearer <...>."))


def _rate_key() -> str:
    # Per credential (a key or a staff token), not per address: one office, many callers.
    return "management:" + hashlib.sha256(credential().encode()).hexdigest()[:32]


def management(role: str = "staff"):
    """The view needs a management caller with at least ``role``; it finds it in
    ``g.caller``. Calls are limited per credential (``MANAGEMENT_RATE_LIMIT``)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            caller = resolve_caller()
            if not caller.may(role):
                raise Forbidden(_("Your role does not allow this."))
            g.caller = caller
            return view(*args, **kwargs)

        return limiter.limit(
            lambda: current_app.config.get("MANAGEMENT_RATE_LIMIT", "300/minute"),
            key_func=_rate_key,
        )(wrapped)

    return decorate


def may_use_resource(resource_id: str | None) -> bool:
    scope = g.caller.resource_scope
    return scope is None or resource_id in scope
