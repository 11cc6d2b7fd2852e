from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import IdColumn, UTCDateTime, new_id, utcnow


class RefreshToken(db.Model):
    """A long-lived credential a client exchanges for short-lived access tokens; stored
    hashed. Tokens of one sign-in share a family, so a leaked one can revoke them all."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(IdColumn, index=True, default=new_id)
    # A staff member acting in one organization, a customer of one organization, or an
    # OAuth client of one organization (with the scopes it was granted).
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    client_id: Mapped[str | None] = mapped_column(ForeignKey("oauth_clients.id"), index=True)
    scope: Mapped[str] = mapped_column(String(200), default="")
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    hint: Mapped[str] = mapped_column(String(12), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Exchanged for a new token of the family; presenting it again means it leaked.
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
