"""Who integrates with an organization from outside: OAuth API clients (seeds 001 and 003)
and booking partners calling the booking server (seed 004). Their secrets are random and
stored hashed; the raw value is shown once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import IdColumn, JSONDoc, UTCDateTime, new_id, utcnow


class OAuthClient(db.Model):
    """An application allowed to book with one organization. A confidential client proves
    itself with its secret; a public module client (seed 001) has none and sends only its
    ``client_id``."""

    __tablename__ = "oauth_clients"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str | None] = mapped_column(String(64))  # None: a public client
    secret_hint: Mapped[str] = mapped_column(String(12), default="")
    scopes: Mapped[list] = mapped_column(JSONDoc, default=list)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_public(self) -> bool:
        return self.secret_hash is None


class BookingPartner(db.Model):
    """A reservation partner (a marketplace such as Reserve with Google) that calls the
    booking server with HTTP Basic credentials."""

    __tablename__ = "booking_partners"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(64))
    password_hint: Mapped[str] = mapped_column(String(12), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PartnerBooking(db.Model):
    """A booking as a partner knows it: one ``booking_id`` for its whole life, although a
    reschedule makes a new booking row; the partner's ``idempotency_token`` and user id."""

    __tablename__ = "partner_bookings"
    __table_args__ = (
        UniqueConstraint("partner_id", "idempotency_token", name="uq_partner_booking_token"),
        Index("ix_partner_bookings_user", "partner_id", "user_id"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    partner_id: Mapped[str] = mapped_column(ForeignKey("booking_partners.id"))
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), index=True)
    idempotency_token: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[str] = mapped_column(String(255), default="")
    # The partner's own fields, answered back as they were sent.
    user_information: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    payment_information: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    availability_tag: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
