from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import IdColumn, JSONDoc, Money, UTCDateTime, new_id, utcnow

PAYMENT_METHODS = ("manual", "creditCard", "tabby", "tamara")
ONLINE_PAYMENT_METHODS = frozenset({"creditCard", "tabby", "tamara"})


class BookingType(db.Model):
    """A bookable service ("Service" in the UI)."""

    __tablename__ = "booking_types"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_translations: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    description_translations: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    leave_minutes_before: Mapped[int] = mapped_column(Integer, default=0)
    leave_minutes_after: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str | None] = mapped_column(String(100))
    color: Mapped[str | None] = mapped_column(String(16))
    on: Mapped[bool] = mapped_column(Boolean, default=True)
    price: Mapped[Decimal | None] = mapped_column(Money)
    old_price: Mapped[Decimal | None] = mapped_column(Money)
    # Percentage added to the price when booked within `price_increase_days` of the start.
    price_increase: Mapped[Decimal | None] = mapped_column(Money)
    price_increase_days: Mapped[int | None] = mapped_column(Integer)
    deposit_amount: Mapped[Decimal | None] = mapped_column(Money)
    deposit_percentage: Mapped[Decimal | None] = mapped_column(Money)
    schedule: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    # Slot display options for this type (the request's show* flags), e.g. {"showHalfHour": true}.
    time_options: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    photos: Mapped[list] = mapped_column(JSONDoc, default=list)
    auto_confirm: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_methods: Mapped[list] = mapped_column(JSONDoc, default=list)
    book_from_website: Mapped[bool] = mapped_column(Boolean, default=True)
    # The website and widget offer to join a queue for it (instant booking, no date or time).
    queue_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_paid(self) -> bool:
        return self.price is not None and self.price > 0

    @property
    def takes_online_payment(self) -> bool:
        return bool(ONLINE_PAYMENT_METHODS.intersection(self.payment_methods or ()))
