from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import IdColumn, JSONDoc, UTCDateTime, new_id, utcnow

BOOKING_POLICIES = ("specify", "leastFirst", "specifyAndLeastFirst")
BOOKING_TIME_POLICIES = ("displayAll", "suggest", "first")
SPLITTING_MODES = ("optimize", "oclock", "oclockAndHalf", "20", "15", "10", "fixed")
VERSIONS = ("default", "draft")


class Website(db.Model):
    """An organization's public booking site, found by slug (site) or app id (widget, API)."""

    __tablename__ = "websites"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    app_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_id)
    # Origins allowed to frame the widget and the admin widgets.
    allowed_domains: Mapped[list] = mapped_column(JSONDoc, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[WebsiteVersion]] = relationship(
        back_populates="website", cascade="all, delete-orphan"
    )

    def version(self, name: str = "default") -> WebsiteVersion | None:
        return next((v for v in self.versions if v.version == name), None)

    @property
    def settings(self) -> WebsiteVersion:
        """The live (default) version, which customers see."""
        live = self.version("default")
        if live is None:
            raise LookupError(f"website {self.id} has no default version")
        return live


class WebsiteVersion(db.Model):
    """Every seed-002 website setting; one row is live ("default"), one is a draft."""

    __tablename__ = "website_versions"
    __table_args__ = (UniqueConstraint("website_id", "version"),)

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    website_id: Mapped[str] = mapped_column(ForeignKey("websites.id"))
    version: Mapped[str] = mapped_column(String(16), default="default")

    name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    on: Mapped[bool] = mapped_column(Boolean, default=True)
    default_lang: Mapped[str] = mapped_column(String(2), default="en")
    logo: Mapped[dict | None] = mapped_column(JSONDoc)
    logo_fav_icon: Mapped[dict | None] = mapped_column(JSONDoc)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(Text, default="")
    booking_success_message: Mapped[str] = mapped_column(Text, default="")
    # {"ar": {"displayName": ..., "description": ..., "terms": ..., "bookingSuccessMessage": ...}}
    translations: Mapped[dict] = mapped_column(JSONDoc, default=dict)

    booking_policy: Mapped[str] = mapped_column(String(32), default="specify")
    booking_time_policy: Mapped[str] = mapped_column(String(16), default="displayAll")
    suggested_times: Mapped[int] = mapped_column(Integer, default=3)
    booking_time_splitting: Mapped[str] = mapped_column(String(16), default="oclockAndHalf")
    fixed_times: Mapped[list] = mapped_column(JSONDoc, default=list)  # minutes from midnight
    booking_time_splitting_optimize: Mapped[bool] = mapped_column(Boolean, default=False)
    booking_time_show_midnight: Mapped[bool] = mapped_column(Boolean, default=True)
    select_type_first: Mapped[bool] = mapped_column(Boolean, default=True)
    select_resource_category: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_resource: Mapped[bool] = mapped_column(Boolean, default=False)
    require_verification: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_minutes: Mapped[int] = mapped_column(Integer, default=10)
    # Customers may cancel or reschedule online until this many hours before the start.
    change_notice_hours: Mapped[int] = mapped_column(Integer, default=0)
    theme: Mapped[dict] = mapped_column(JSONDoc, default=dict)

    call_support: Mapped[str | None] = mapped_column(String(64))
    whatsapp: Mapped[str | None] = mapped_column(String(64))
    email_support: Mapped[str | None] = mapped_column(String(254))
    twitter: Mapped[str | None] = mapped_column(String(100))
    instagram: Mapped[str | None] = mapped_column(String(100))
    facebook: Mapped[str | None] = mapped_column(String(100))
    tiktok: Mapped[str | None] = mapped_column(String(100))
    snapchat: Mapped[str | None] = mapped_column(String(100))
    map: Mapped[dict | None] = mapped_column(JSONDoc)
    maroof: Mapped[str | None] = mapped_column(String(64))
    saudi_business_center: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    website: Mapped[Website] = relationship(back_populates="versions")
