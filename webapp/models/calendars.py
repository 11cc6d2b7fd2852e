"""Calendars beyond Mawid: feeds others subscribe to, and outside calendars whose events
block a resource's time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import IdColumn, UTCDateTime, new_id, utcnow


class CalendarFeed(db.Model):
    """An iCal feed of an organization's bookings, or of one resource's. Its URL token is
    derived from the id and ``nonce`` with the app's secret; a new nonce regenerates it and
    deleting the row revokes it."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("ix_calendar_feeds_owner", "organization_id", "resource_id"),)

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    resource_id: Mapped[str | None] = mapped_column(ForeignKey("resources.id"))
    nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExternalCalendar(db.Model):
    """An outside calendar (an ICS address) whose events make a resource busy."""

    __tablename__ = "external_calendars"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resources.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str | None] = mapped_column(String(16))  # ok|error
    last_error: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    event_count: Mapped[int] = mapped_column(Integer, default=0)


class ExternalBusyTime(db.Model):
    """A stretch of an outside calendar's event: only its times are kept."""

    __tablename__ = "external_busy_times"
    __table_args__ = (Index("ix_external_busy_resource_start", "resource_id", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    resource_id: Mapped[str] = mapped_column(ForeignKey("resources.id"))
    calendar_id: Mapped[str] = mapped_column(ForeignKey("external_calendars.id"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
