from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import IdColumn, JSONDoc, UTCDateTime, new_id, utcnow


class OutboxMessage(db.Model):
    """An event written in the same transaction as the change it reports; the worker
    turns it into webhook deliveries and emails after commit."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_pending", "processed_at", "available_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    event: Mapped[str] = mapped_column(String(64))  # seed trigger id, e.g. "newBooking"
    booking_id: Mapped[str | None] = mapped_column(String(20), index=True)
    payload: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class EmailOut(db.Model):
    """An email written (subject, bodies, attachments) when its event was processed, sent
    by the worker with retries."""

    __tablename__ = "emails_out"
    __table_args__ = (
        UniqueConstraint("outbox_message_id", "recipient", "kind", name="uq_email_out_event"),
        Index("ix_emails_out_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))
    booking_id: Mapped[str | None] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(64))  # e.g. "customer:newAppointment"
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    # [{"filename", "contentType", "data" (base64)}]
    attachments: Mapped[list] = mapped_column(JSONDoc, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BookingReminder(db.Model):
    """A time-relative trigger of one booking (``oneDayBeforeAppointment``...), recorded
    when it fired or was skipped as stale, so it never fires twice."""

    __tablename__ = "booking_reminders"
    __table_args__ = (UniqueConstraint("booking_id", "trigger", name="uq_booking_reminder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"))
    trigger: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    skipped: Mapped[bool] = mapped_column(default=False)
