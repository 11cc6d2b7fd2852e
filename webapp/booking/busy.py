"""What is taken on resources' calendars: the busy blocks of occupying bookings, and the
busy times of the outside calendars a resource subscribes to.

Answers read thousands of blocks, so the statement is built once per shape and reads raw
values turned straight into epoch seconds (no aware datetime per row).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import BigInteger, String, bindparam, cast, extract, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from webapp.booking import intervals as iv
from webapp.booking import slots as sl
from webapp.models import Booking, BookingStatus, ExternalBusyTime
from webapp.models.bookings import OCCUPYING_STATUSES
from webapp.models.types import UTCDateTime

# The longest stored piece of an outside calendar's busy time (longer events are cut).
EXTERNAL_PIECE = timedelta(days=1)
_FREEING_STATUSES = [s.value for s in BookingStatus if s not in OCCUPYING_STATUSES]


@cache
def _busy_query(dialect: str, excluding: bool):
    column = _EPOCH_READERS.get(dialect, (_as_datetime, _datetime_seconds))[0]
    table = Booking.__table__.c
    instant = UTCDateTime()
    query = select(table.resource_id, column(table.block_start), column(table.block_end)).where(
        table.resource_id.in_(bindparam("resource_ids", expanding=True)),
        # "Not a status that frees the time" rather than "one that occupies it": the same
        # rows, but SQLite (no statistics) then uses the resource index instead of the
        # status index, which would read the occupying bookings of every organization.
        table.status.not_in(_FREEING_STATUSES),
        table.block_start < bindparam("end", type_=instant),
        table.block_start > bindparam("earliest", type_=instant),
        table.block_end > bindparam("start", type_=instant),
        or_(
            table.status != BookingStatus.TEMPORARY.value,
            table.expires_at > bindparam("now", type_=instant),
        ),
    )
    if excluding:
        query = query.where(table.id != bindparam("exclude_id"))
    return query


@cache
def _external_query(dialect: str):
    column = _EPOCH_READERS.get(dialect, (_as_datetime, _datetime_seconds))[0]
    table = ExternalBusyTime.__table__.c
    instant = UTCDateTime()
    return select(table.resource_id, column(table.start_at), column(table.end_at)).where(
        table.resource_id.in_(bindparam("resource_ids", expanding=True)),
        table.start_at < bindparam("end", type_=instant),
        # Stored pieces last at most a day, so the index on (resource, start) bounds the read.
        table.start_at > bindparam("earliest", type_=instant),
        table.end_at > bindparam("start", type_=instant),
    )


def load_busy(
    session: Session,
    resource_ids: Sequence[str],
    start: datetime,
    end: datetime,
    now: datetime,
    exclude_booking_id: str | None = None,
) -> dict[str, list[iv.Interval]]:
    """Busy blocks (buffers included) of occupying bookings overlapping ``[start, end)``;
    holds count until they expire. Outside calendars' busy times block too."""
    if not resource_ids:
        return {}
    # Thousands of blocks per answer: a Core statement (no ORM row loading) that reads the
    # raw values and turns them into epoch seconds directly, not through an aware datetime
    # each. Core statements do not autoflush, so flush as the ORM would have.
    if session.autoflush:
        session.flush()
    dialect = session.get_bind().dialect.name
    params = {
        "resource_ids": list(resource_ids),
        "start": start,
        "end": end,
        "earliest": start - timedelta(minutes=sl.MAX_BLOCK_MINUTES),
        "now": now,
    }
    if exclude_booking_id:
        params["exclude_id"] = exclude_booking_id
    query = _busy_query(dialect, bool(exclude_booking_id))
    reader = _EPOCH_READERS.get(dialect, (_as_datetime, _datetime_seconds))[1]
    busy: dict[str, list[iv.Interval]] = {rid: [] for rid in resource_ids}
    seconds = reader()
    for resource_id, block_start, block_end in session.execute(query, params).all():
        busy[resource_id].append((seconds(block_start), seconds(block_end)))
    outside = {
        "resource_ids": params["resource_ids"],
        "start": start,
        "end": end,
        "earliest": start - EXTERNAL_PIECE,
    }
    for resource_id, busy_start, busy_end in session.execute(
        _external_query(dialect), outside
    ).all():
        busy[resource_id].append((seconds(busy_start), seconds(busy_end)))
    return {rid: iv.merge(blocks) for rid, blocks in busy.items()}


def _as_datetime(column):
    return column


def _datetime_seconds():
    return lambda value: int(value.timestamp())


def _sqlite_text(column):
    # SQLite stores instants as fixed-width UTC text (see ``UTCDateTime``); read it raw.
    return type_coerce(column, String)


def _sqlite_seconds():
    # Bookings start on a few grid times, so most values repeat across resources and days.
    cache: dict[str, int] = {}

    def seconds(value: str) -> int:
        found = cache.get(value)
        if found is None:
            found = cache[value] = int(datetime.fromisoformat(value + "+00:00").timestamp())
        return found

    return seconds


def _postgresql_epoch(column):
    # Truncated like ``int(value.timestamp())``, computed by the server.
    return cast(func.floor(extract("epoch", column)), BigInteger)


def _postgresql_seconds():
    return int


_EPOCH_READERS = {
    "sqlite": (_sqlite_text, _sqlite_seconds),
    "postgresql": (_postgresql_epoch, _postgresql_seconds),
}
