from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db

if TYPE_CHECKING:
    from webapp.models.booking_types import BookingType
from webapp.models.types import IdColumn, JSONDoc, UTCDateTime, new_id, utcnow

# Which booking types a resource offers.
resource_types = Table(
    "resource_types",
    db.metadata,
    Column("resource_id", ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
    Column("booking_type_id", ForeignKey("booking_types.id", ondelete="CASCADE"), primary_key=True),
)


class ResourceCategory(db.Model):
    """A grouping of resources, e.g. the clinics of a medical group."""

    __tablename__ = "resource_categories"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_translations: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    description_translations: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    photo: Mapped[dict | None] = mapped_column(JSONDoc)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Resource(db.Model):
    """Who or what is booked: a staff member, a room, a device."""

    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    category_id: Mapped[str | None] = mapped_column(ForeignKey("resource_categories.id"))
    name: Mapped[str] = mapped_column(String(200))
    name_translations: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    description_translations: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    photo: Mapped[dict | None] = mapped_column(JSONDoc)
    photos: Mapped[list] = mapped_column(JSONDoc, default=list)
    # "on": switched on by the organization; "activated": enabled in the system.
    on: Mapped[bool] = mapped_column(Boolean, default=True)
    activated: Mapped[bool] = mapped_column(Boolean, default=True)
    book_from_website: Mapped[bool] = mapped_column(Boolean, default=True)
    # Custom data matched by resource-filter fields, e.g. {"specialty": "pediatrics"}.
    meta: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    # IANA zone for this resource's time and off rules; the organization's when empty.
    timezone: Mapped[str | None] = mapped_column(String(64))
    provider_email: Mapped[str | None] = mapped_column(String(254))
    provider_phone: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[ResourceCategory | None] = relationship()
    booking_types: Mapped[list[BookingType]] = relationship(secondary=resource_types)

    @property
    def is_active(self) -> bool:
        return self.on and self.activated
