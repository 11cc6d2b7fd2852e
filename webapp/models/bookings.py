from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    DDL,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import IdColumn, JSONDoc, Money, UTCDateTime, new_id, utcnow


class BookingStatus(enum.StrEnum):
    TEMPORARY = "TEMPORARY"
    PENDING_PAYMENT = "PENDING_PAYMENT"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    PENDING_ASSIGNMENT = "PENDING_ASSIGNMENT"
    CONFIRMED = "CONFIRMED"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"
    REJECTED = "REJECTED"


# Statuses whose time is taken on the resource's calendar. A TEMPORARY booking counts only
# until it expires; expired holds are swept inside the booking transaction.
OCCUPYING_STATUSES = (
    BookingStatus.TEMPORARY,
    BookingStatus.PENDING_PAYMENT,
    BookingStatus.PENDING_APPROVAL,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
)
_OCCUPYING_SQL = ", ".join(f"'{s.value}'" for s in OCCUPYING_STATUSES)

CANCELED_BY = ("customer", "provider", "system")


class Booking(db.Model):
    """One appointment of one customer with one resource for one booking type.

    ``start_at``/``end_at`` are the appointment; ``block_start``/``block_end`` are the time
    it takes on the resource's calendar, widened by the booking type's buffers.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("block_start < block_end", name="block_order"),
        CheckConstraint("start_at < end_at", name="time_order"),
        CheckConstraint("duration > 0", name="positive_duration"),
        Index("ix_bookings_resource_block", "resource_id", "block_start"),
        Index("ix_bookings_org_start", "organization_id", "start_at"),
        Index("ix_bookings_status_expires", "status", "expires_at"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    website_id: Mapped[str | None] = mapped_column(ForeignKey("websites.id"))
    booking_type_id: Mapped[str] = mapped_column(ForeignKey("booking_types.id"))
    resource_id: Mapped[str | None] = mapped_column(ForeignKey("resources.id"))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))

    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    block_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    block_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration: Mapped[int] = mapped_column(Integer)  # minutes

    price: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    # Answers to booking custom fields, time adjusters and resource filters, by field key.
    info: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    time_adjusters: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(24), default="api")
    created_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))

    rescheduled_from_id: Mapped[str | None] = mapped_column(ForeignKey("bookings.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    canceled_by: Mapped[str | None] = mapped_column(String(16))
    # Hold expiry (TEMPORARY), payment deadline (PENDING_PAYMENT) or queue timeout.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How long a queued booking may wait for a provider once it is in the queue (minutes).
    assignment_timeout: Mapped[int | None] = mapped_column(Integer)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    booking_type = relationship("BookingType")
    resource = relationship("Resource")
    customer = relationship("Customer")
    rescheduled_from: Mapped[Booking | None] = relationship(remote_side=[id])
    history: Mapped[list[BookingHistory]] = relationship(
        back_populates="booking", order_by="BookingHistory.id"
    )

    @property
    def is_occupying(self) -> bool:
        return self.status in OCCUPYING_STATUSES


class BookingHistory(db.Model):
    """One status change of a booking: who, when, why."""

    __tablename__ = "booking_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="history")


# PostgreSQL backstop for the no-overlap rule (the service's lock is the first line).
NO_OVERLAP_DDL = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public",
    "ALTER TABLE bookings ADD CONSTRAINT ex_bookings_no_overlap EXCLUDE USING gist "
    "(resource_id WITH =, tstzrange(block_start, block_end, '[)') WITH &&) "
    f"WHERE (status IN ({_OCCUPYING_SQL}))",
)

for _statement in NO_OVERLAP_DDL:
    event.listen(
        Booking.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
