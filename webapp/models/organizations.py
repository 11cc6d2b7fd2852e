from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import IdColumn, JSONDoc, UTCDateTime, new_id, utcnow


class Organization(db.Model):
    """A tenant: one business. Everything else belongs to exactly one organization."""

    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3), default="SAR")
    business_type_id: Mapped[str | None] = mapped_column(String(64))
    business_custom_config: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    # Online payments activated in the dashboard: priced bookings then wait for payment.
    online_payments_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last invoice number issued: invoices are numbered 1, 2, 3... per organization.
    invoice_counter: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Which emails go out: {"customer": bool, "reminders": bool, "staff": bool, "owner": bool};
    # a missing key means on.
    notification_settings: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    # Raised whenever a service, resource, category or custom field of the organization
    # changes (webapp.models.revisions), so readers may cache what the website offers.
    catalog_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"
