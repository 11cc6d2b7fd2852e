from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import IdColumn, UTCDateTime, new_id, utcnow

KEY_PREFIX = "mwd_"


def hash_key(raw_key: str) -> str:
    # Keys are 32 random bytes, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ApiKey(db.Model):
    """An API key, stored hashed. Organization keys act within one organization;
    account keys act as their user across every organization the user belongs to."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(16))  # "organization" | "account"
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_hint: Mapped[str] = mapped_column(String(12))  # last characters, for lists
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @classmethod
    def issue(cls, *, scope: str, name: str, organization_id=None, user_id=None):
        """Create a key; returns (row, raw key). The raw key is never stored."""
        raw = generate_key()
        row = cls(
            scope=scope,
            name=name,
            organization_id=organization_id,
            user_id=user_id,
            key_hash=hash_key(raw),
            key_hint=raw[-6:],
        )
        return row, raw
