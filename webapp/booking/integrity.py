"""Checks of the promise itself: no two occupying bookings overlap on one resource."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from webapp.models import Booking
from webapp.models.bookings import OCCUPYING_STATUSES


def overlapping_pairs(
    session: Session, organization_id: str | None = None
) -> list[tuple[str, str]]:
    """Ids of occupying bookings whose blocks (buffers included) overlap on the same
    resource, by a self-join of the bookings table. Always empty, unless something is wrong."""
    a, b = aliased(Booking), aliased(Booking)
    occupying = [s.value for s in OCCUPYING_STATUSES]
    query = (
        select(a.id, b.id)
        .join(
            b,
            and_(
                a.resource_id == b.resource_id,
                a.id < b.id,
                a.block_start < b.block_end,
                b.block_start < a.block_end,
            ),
        )
        .where(a.status.in_(occupying), b.status.in_(occupying))
        .order_by(a.id, b.id)
    )
    if organization_id is not None:
        query = query.where(a.organization_id == organization_id)
    return [(first, second) for first, second in session.execute(query)]
