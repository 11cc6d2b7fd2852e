from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import IdColumn, JSONDoc, UTCDateTime, new_id, utcnow

CHANNELS = ("email", "sms", "whatsapp")
PURPOSES = ("sign_in", "verify_booking", "staff_sign_in")


class OtpChallenge(db.Model):
    """A one-time code sent to an email address or phone number, stored hashed.

    ``payload`` carries what the code unlocks (e.g. the booking details waiting for
    verification), so nothing is applied before the code is confirmed."""

    __tablename__ = "otp_challenges"
    __table_args__ = (
        Index("ix_otp_identifier_created", "organization_id", "identifier", "created_at"),
        Index("ix_otp_ip_created", "ip", "created_at"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    channel: Mapped[str] = mapped_column(String(16))
    # Normalized email (lower case) or E.164 phone number.
    identifier: Mapped[str] = mapped_column(String(254))
    purpose: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
