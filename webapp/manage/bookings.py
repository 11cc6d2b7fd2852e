"""Reading bookings for staff: the filtered list with keyset pagination, and one booking
with what its detail shows. Writes go through :mod:`webapp.booking.lifecycle`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload, load_only

from webapp.booking.errors import NotFound
from webapp.models import Booking, BookingStatus, BookingType, Customer, Organization, Resource

PAGE_SIZE = 50
# A list row needs a few columns; the JSON documents (answers, translations of texts that
# are not shown) are left unread, which is most of the cost of loading a row.
LIST_COLUMNS = (
    load_only(
        Booking.id,
        Booking.start_at,
        Booking.end_at,
        Booking.status,
        Booking.customer_id,
        Booking.booking_type_id,
        Booking.resource_id,
        raiseload=True,
    ),
    joinedload(Booking.customer).load_only(
        Customer.first_name, Customer.last_name, Customer.phone, raiseload=True
    ),
    joinedload(Booking.booking_type).load_only(
        BookingType.name, BookingType.name_translations, BookingType.color, raiseload=True
    ),
    joinedload(Booking.resource).load_only(
        Resource.name, Resource.name_translations, raiseload=True
    ),
)
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class BookingFilters:
    first: date | None = None  # local dates in the organization's timezone
    last: date | None = None
    resource_id: str | None = None
    status: str | None = None
    type_id: str | None = None
    customer_id: str | None = None
    search: str = ""
    # Several at once (the API's comma-separated lists); each given filter applies.
    statuses: tuple[str, ...] = ()
    resource_ids: tuple[str, ...] = ()
    # Instants, both included, for a finer bound than whole days.
    since: datetime | None = None
    until: datetime | None = None
    # Which date the bounds are of: the appointment's ("start") or when it was made.
    dates_of: str = "start"


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after this (start, id)."""

    start: datetime
    booking_id: str


@dataclass
class BookingPage:
    bookings: list[Booking]
    next_cursor: Cursor | None


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def list_bookings(
    session: Session,
    organization: Organization,
    filters: BookingFilters,
    *,
    resource_scope: Sequence[str] | None = None,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
    descending: bool = False,
    timezone: str | None = None,
    columns: Sequence = LIST_COLUMNS,
) -> BookingPage:
    """Bookings in start order (latest first when ``descending``), ``limit`` at a time;
    ``resource_scope`` limits a staff member to their own resources. Dates are local to
    ``timezone`` (the organization's by default); ``columns`` are the loader options of a
    row. Bookings without a time (the queue) are not listed."""
    tz = ZoneInfo(timezone or organization.timezone)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    statement = (
        select(Booking)
        .options(*columns)
        .where(Booking.organization_id == organization.id, Booking.start_at.is_not(None))
    )
    dated = Booking.created_at if filters.dates_of == "created" else Booking.start_at
    if filters.first:
        statement = statement.where(dated >= _local_midnight(filters.first, tz))
    if filters.last:
        end = _local_midnight(filters.last + timedelta(days=1), tz)
        statement = statement.where(dated < end)
    if filters.since:
        statement = statement.where(dated >= filters.since)
    if filters.until:
        statement = statement.where(dated <= filters.until)
    if resource_scope is not None:
        statement = statement.where(Booking.resource_id.in_(list(resource_scope)))
    if filters.resource_id:
        statement = statement.where(Booking.resource_id == filters.resource_id)
    if filters.status:
        statement = statement.where(Booking.status == filters.status)
    if filters.type_id:
        statement = statement.where(Booking.booking_type_id == filters.type_id)
    if filters.customer_id:
        statement = statement.where(Booking.customer_id == filters.customer_id)
    if filters.statuses:
        statement = statement.where(Booking.status.in_(filters.statuses))
    if filters.resource_ids:
        statement = statement.where(Booking.resource_id.in_(filters.resource_ids))
    if filters.search:
        statement = statement.join(Customer, Customer.id == Booking.customer_id).where(
            _customer_matches(filters.search)
        )
    if after is not None and descending:
        statement = statement.where(
            or_(
                Booking.start_at < after.start,
                and_(Booking.start_at == after.start, Booking.id < after.booking_id),
            )
        )
    elif after is not None:
        statement = statement.where(
            or_(
                Booking.start_at > after.start,
                and_(Booking.start_at == after.start, Booking.id > after.booking_id),
            )
        )
    order = (
        (Booking.start_at.desc(), Booking.id.desc())
        if descending
        else (Booking.start_at, Booking.id)
    )
    rows = list(session.scalars(statement.order_by(*order).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = Cursor(rows[-1].start_at, rows[-1].id) if more and rows else None
    return BookingPage(rows, cursor)


def _customer_matches(search: str):
    """Name, email or phone containing the words searched for (case-insensitive)."""
    conditions = []
    for word in search.lower().split()[:5]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                Customer.first_name.ilike(pattern, escape="\\"),
                Customer.last_name.ilike(pattern, escape="\\"),
                Customer.email.ilike(pattern, escape="\\"),
                Customer.phone.ilike(pattern, escape="\\"),
            )
        )
    return and_(*conditions)


def get_booking(
    session: Session,
    organization: Organization,
    booking_id: str,
    *,
    resource_scope: Sequence[str] | None = None,
) -> Booking:
    """One booking of the organization (and of the staff member's resources when scoped);
    any other id answers like an unknown one."""
    statement = (
        select(Booking)
        .options(
            joinedload(Booking.customer),
            joinedload(Booking.booking_type),
            joinedload(Booking.resource),
        )
        .where(Booking.organization_id == organization.id, Booking.id == str(booking_id)[:64])
    )
    if resource_scope is not None:
        statement = statement.where(Booking.resource_id.in_(list(resource_scope)))
    booking = session.scalar(statement)
    if booking is None:
        raise NotFound(_("Booking not found."))
    return booking


STATUSES = tuple(status.value for status in BookingStatus)
