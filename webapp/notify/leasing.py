"""Work queues in tables (webhook deliveries, emails): a worker leases due rows for a while,
commits, then works on them with no transaction open. Other workers skip leased rows; a
crashed worker's lease runs out and the rows come due again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from webapp.booking.locking import begin_write, dialect_name


def lease_due(session: Session, model, now: datetime, lease: timedelta, limit: int) -> list[str]:
    """Up to ``limit`` ids of ``model`` rows that are pending and due, leased until
    ``now + lease``; the caller commits. ``FOR UPDATE SKIP LOCKED`` keeps PostgreSQL workers
    apart; SQLite has one writer at a time."""
    begin_write(session)
    query = (
        select(model.id)
        .where(
            model.status == "pending",
            model.next_attempt_at <= now,
            or_(model.leased_until.is_(None), model.leased_until < now),
        )
        .order_by(model.next_attempt_at)
        .limit(limit)
    )
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(update(model).where(model.id.in_(ids)).values(leased_until=now + lease))
    return ids
