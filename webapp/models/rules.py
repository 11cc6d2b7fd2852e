"""When a resource works (time rules) and when it does not (off rules).

Both are stored as the JSON documents the API speaks, in the resource's own timezone;
`webapp.booking.intervals` turns them into instants.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import JSONDoc, UTCDateTime, utcnow


class TimeRules(db.Model):
    __tablename__ = "time_rules"

    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    # Horizon in days (0 = no horizon) and minimum notice in hours (-1 = from tomorrow).
    depth_of_days: Mapped[int] = mapped_column(Integer, default=30)
    schedule_after_hours_from_now: Mapped[int] = mapped_column(Integer, default=0)
    # [{"days": [...], "times": [{"start": 900, "end": 1300}]}, {"from", "to", "days", "times"}]
    rules: Mapped[list] = mapped_column(JSONDoc, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OffRules(db.Model):
    __tablename__ = "off_rules"

    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    # [{"type": "range"|"weekly"|"date", ...}]
    rules: Mapped[list] = mapped_column(JSONDoc, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
