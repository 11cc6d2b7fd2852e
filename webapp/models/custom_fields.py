from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import IdColumn, JSONDoc, Money, UTCDateTime, new_id, utcnow

SCOPES = ("customer", "booking")
FIELD_TYPES = (
    "text",
    "paragraph",
    "number",
    "options",
    "location",
    "photo",
    "photos",
    "file",
    "files",
    "paragraph-readonly",
)
TEXT_TYPES = ("phone", "email")
VISIBILITIES = ("public", "providerOnly")
# The customer fields every organization has; they can be made optional or disabled.
CORE_CUSTOMER_FIELDS = ("phoneNumber", "firstName", "lastName", "email")


class CustomField(db.Model):
    """Extra input collected from customers: a resource filter, a time adjuster,
    booking information or customer information (the API's "FormField")."""

    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("organization_id", "scope", "key"),)

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    # The field id the API speaks of (chosen by the organization, e.g. "specialty").
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    name_translations: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    type: Mapped[str] = mapped_column(String(32))
    text_type: Mapped[str | None] = mapped_column(String(16))
    optional: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    visibility: Mapped[str] = mapped_column(String(16), default="providerOnly")
    # [{"value", "label", "label_translations", "minutes", "price"}]
    options: Mapped[list] = mapped_column(JSONDoc, default=list)
    # Booking type ids this field applies to; empty means every type.
    types: Mapped[list] = mapped_column(JSONDoc, default=list)
    minutes: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[Decimal | None] = mapped_column(Money)
    # {"filterResources": true, "multiple": true, "placeholder": ..., "content": ...}
    info: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    condition: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    phone_auth_methods: Mapped[list] = mapped_column(JSONDoc, default=list)
    sms_sender: Mapped[str] = mapped_column(String(16), default="app")
    default_country: Mapped[str | None] = mapped_column(String(2))
    allowed_countries: Mapped[str] = mapped_column(String(16), default="all")
    allowed_countries_list: Mapped[list] = mapped_column(JSONDoc, default=list)
    forbidden_countries_list: Mapped[list] = mapped_column(JSONDoc, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def filters_resources(self) -> bool:
        return bool((self.info or {}).get("filterResources"))

    @property
    def adjusts_time(self) -> bool:
        if self.type == "number":
            return bool(self.minutes) or bool(self.price)
        if self.type == "options":
            return any(o.get("minutes") or o.get("price") for o in self.options or ())
        return False

    def applies_to(self, booking_type_id: str) -> bool:
        return not self.types or booking_type_id in self.types
