"""Availability from the database: load everything in a fixed number of queries, then ask
the pure engine (:mod:`intervals`, :mod:`slots`).

Queries for one availability answer, whatever the number of resources and days:
the booking type, the resources with their time and off rules (one join), the custom fields
(only when filter or adjuster values are given) and the busy blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import (
    bindparam,
    select,
)
from sqlalchemy.orm import Session

from webapp.booking import intervals as iv
from webapp.booking import slots as sl
from webapp.booking.busy import load_busy
from webapp.booking.errors import (
    BookingConflict,
    InvalidResource,
    InvalidService,
    InvalidTime,
    InvalidTimezone,
    OutsideWindow,
)
from webapp.booking.pricing import Adjustment, time_adjustment
from webapp.models import (
    BookingType,
    CustomField,
    OffRules,
    Organization,
    Resource,
    TimeRules,
    resource_types,
)

# How far around a window busy blocks are read: a booking's buffers never exceed this.
_BUSY_MARGIN = timedelta(days=1)
NEXT_AVAILABLE_CHUNK_DAYS = 14
NEXT_AVAILABLE_MAX_DAYS = 366


@dataclass
class ResourcePlan:
    resource: Resource
    tz: ZoneInfo
    schedule: iv.Schedule
    off: iv.OffSet


@dataclass
class BookingContext:
    """Everything about one booking type needed to find or check slots."""

    organization: Organization
    booking_type: BookingType
    service: sl.Service
    adjustment: Adjustment
    plans: list[ResourcePlan]

    @property
    def resource_ids(self) -> list[str]:
        return [p.resource.id for p in self.plans]

    def plan(self, resource_id: str) -> ResourcePlan | None:
        return next((p for p in self.plans if p.resource.id == resource_id), None)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    resource_ids: tuple[str, ...]


@dataclass
class DaySlots:
    date: date
    slots: list[Slot]


@dataclass
class Availability:
    timezone: str
    service: sl.Service
    days: list[DaySlots]
    busy: dict[str, list[iv.Interval]] = field(default_factory=dict, repr=False)
    window: tuple[int, int] = (0, 0)

    @cached_property
    def load(self) -> dict[tuple[str, date], int]:
        """Booked seconds per (resource id, local date) in the window (for least-busy)."""
        tz = iv.zone(self.timezone)
        load: dict[tuple[str, date], int] = {}
        for rid, blocks in self.busy.items():
            for a, b in iv.clip(blocks, *self.window):
                key = (rid, iv.local_date(tz, a))
                load[key] = load.get(key, 0) + (b - a)
        return load

    def least_busy(self, slot: Slot) -> str:
        day = slot.start.date()
        return sl.least_busy(
            list(slot.resource_ids), {r: self.load.get((r, day), 0) for r in slot.resource_ids}
        )


@dataclass(frozen=True)
class KnownRows:
    """Rows a caller already holds, current for the organization: the booking type (None when
    it cannot be booked there) and the enabled booking custom fields."""

    booking_type: BookingType | None
    booking_fields: Sequence[CustomField]


# Statements are built once per shape and reused with parameters: building one costs more
# than running it, and a booking write runs several.


@cache
def _type_query(show_all: bool):
    query = select(BookingType).where(
        BookingType.organization_id == bindparam("organization_id"),
        BookingType.id == bindparam("type_id"),
        BookingType.on.is_(True),
    )
    if not show_all:
        query = query.where(BookingType.book_from_website.is_(True))
    return query


@cache
def _resources_query(show_all: bool, by_ids: bool, by_category: bool):
    query = (
        select(Resource, TimeRules, OffRules)
        .join(resource_types, resource_types.c.resource_id == Resource.id)
        .outerjoin(TimeRules, TimeRules.resource_id == Resource.id)
        .outerjoin(OffRules, OffRules.resource_id == Resource.id)
        .where(
            Resource.organization_id == bindparam("organization_id"),
            resource_types.c.booking_type_id == bindparam("type_id"),
            Resource.on.is_(True),
            Resource.activated.is_(True),
        )
        .order_by(Resource.position, Resource.name, Resource.id)
    )
    if not show_all:
        query = query.where(Resource.book_from_website.is_(True))
    if by_ids:
        query = query.where(Resource.id.in_(bindparam("resource_ids", expanding=True)))
    if by_category:
        query = query.where(Resource.category_id == bindparam("category_id"))
    return query


def load_context(
    session: Session,
    organization: Organization,
    booking_type_id: str,
    *,
    resource_ids: Sequence[str] | None = None,
    category_id: str | None = None,
    resource_filters: Mapping[str, object] | None = None,
    time_adjusters: Mapping[str, object] | None = None,
    show_all: bool = False,
    strict_adjusters: bool = False,
    known: KnownRows | None = None,
) -> BookingContext:
    """The booking type, the resources that offer it (active, bookable, matching filters) with
    their rules, and the service's duration after time adjusters.

    ``known`` spares the reads of the booking type and the custom fields to a caller that
    holds a current copy of them (the booking website's catalog); bookings never use it.
    """
    if known is not None:
        booking_type = known.booking_type
    else:
        booking_type = session.scalars(
            _type_query(show_all),
            {"organization_id": organization.id, "type_id": str(booking_type_id)},
        ).one_or_none()
    if booking_type is None:
        raise InvalidService(f"No service with id {str(booking_type_id)[:64]!r} can be booked.")

    query = _resources_query(show_all, bool(resource_ids), bool(category_id))
    params = {"organization_id": organization.id, "type_id": booking_type.id}
    if resource_ids:
        params["resource_ids"] = [str(r) for r in resource_ids]
    if category_id:
        params["category_id"] = str(category_id)
    rows = session.execute(query, params).all()
    if resource_ids and not rows:
        raise InvalidResource(
            resource_ids=[str(r)[:64] for r in resource_ids], type=booking_type.id
        )

    fields: list[CustomField] = []
    if known is not None:
        fields = list(known.booking_fields)
    elif resource_filters or time_adjusters is not None or strict_adjusters:
        fields = list(
            session.scalars(
                select(CustomField)
                .where(
                    CustomField.organization_id == organization.id,
                    CustomField.scope == "booking",
                    CustomField.enabled.is_(True),
                )
                .order_by(CustomField.position, CustomField.key)
            )
        )
    adjusters = [
        f
        for f in fields
        if f.adjusts_time and not f.filters_resources and f.applies_to(booking_type.id)
    ]
    if time_adjusters or strict_adjusters:
        # Customers cannot answer questions shown only to staff, so those are never required.
        adjustment = time_adjustment(adjusters, time_adjusters, staff=show_all)
    else:
        adjustment = Adjustment()
    filters = [f for f in fields if f.filters_resources]

    plans = []
    for resource, time_rules, off_rules in rows:
        if resource_filters and not matches_filters(resource, filters, resource_filters):
            continue
        tz = iv.zone(resource.timezone or organization.timezone)
        schedule = (
            iv.parse_schedule(
                time_rules.rules, time_rules.depth_of_days, time_rules.schedule_after_hours_from_now
            )
            if time_rules
            else iv.Schedule()
        )
        off = iv.parse_off_rules(off_rules.rules) if off_rules else iv.OffSet()
        plans.append(ResourcePlan(resource, tz, schedule, off))

    service = sl.Service(
        duration=booking_type.minutes + adjustment.minutes,
        before=booking_type.leave_minutes_before or 0,
        after=booking_type.leave_minutes_after or 0,
    )
    return BookingContext(organization, booking_type, service, adjustment, plans)


def matches_filters(
    resource: Resource, fields: Sequence[CustomField], values: Mapping[str, object]
) -> bool:
    """Whether the resource's custom data matches every resource-filter value given."""
    known = {f.key for f in fields}
    for key, wanted in values.items():
        if key not in known or wanted in (None, "", []):
            continue
        wanted_set = {_norm(v) for v in (wanted if isinstance(wanted, list) else [wanted])}
        have = (resource.meta or {}).get(key)
        have_set = {_norm(v) for v in (have if isinstance(have, list) else [have])}
        if not wanted_set & have_set:
            return False
    return True


def _norm(value: object) -> str:
    return str(value).strip().casefold()


def _window(tz: ZoneInfo, first: date, last: date) -> tuple[int, int]:
    start = sl.resolve_local_floor(tz, iv.local_epoch(first))
    end = sl.resolve_local_floor(tz, iv.local_epoch(last + timedelta(days=1)))
    return start, end


def _plan_slots(
    plan: ResourcePlan,
    busy: Sequence[iv.Interval],
    service: sl.Service,
    grid: sl.SlotGrid,
    window: tuple[int, int],
    now: int,
) -> list[int]:
    first = iv.local_date(plan.tz, window[0])
    last = iv.local_date(plan.tz, window[1] - 1)
    periods = iv.working_periods(plan.schedule, plan.off, plan.tz, first, last)
    not_before = max(window[0], sl.notice_start(now, plan.schedule.notice_hours, plan.tz))
    horizon = sl.horizon_end(now, plan.schedule.depth_of_days, plan.tz)
    not_after = window[1] if horizon is None else min(window[1], horizon)
    return sl.resource_slots(periods, busy, service, grid, plan.tz, not_before, not_after)


def find_available_slots(
    session: Session,
    organization: Organization,
    booking_type_id: str,
    first: date,
    last: date,
    *,
    timezone: str,
    grid: sl.SlotGrid,
    now: datetime,
    time_policy: str = "displayAll",
    suggested: int = 3,
    resource_ids: Sequence[str] | None = None,
    category_id: str | None = None,
    resource_filters: Mapping[str, object] | None = None,
    time_adjusters: Mapping[str, object] | None = None,
    show_all: bool = False,
    reschedule_booking_id: str | None = None,
    context: BookingContext | None = None,
) -> Availability:
    """Slots of a booking type on the local dates ``first``..``last`` of ``timezone``, each
    with the resources free at that time, grouped by date."""
    if last < first:
        raise OutsideWindow(
            "The end date is before the start date.", start=str(first), end=str(last)
        )
    if not iv.is_valid_timezone(timezone):
        raise InvalidTimezone(timezone=str(timezone)[:64])
    display_tz = iv.zone(timezone)
    ctx = context or load_context(
        session,
        organization,
        booking_type_id,
        resource_ids=resource_ids,
        category_id=category_id,
        resource_filters=resource_filters,
        time_adjusters=time_adjusters,
        show_all=show_all,
    )
    window = _window(display_tz, first, last)
    busy = load_busy(
        session,
        ctx.resource_ids,
        iv.from_instant(window[0]) - _BUSY_MARGIN,
        iv.from_instant(window[1]) + _BUSY_MARGIN,
        now,
        reschedule_booking_id,
    )
    now_i = iv.to_instant(now)
    per_resource = {
        p.resource.id: _plan_slots(p, busy.get(p.resource.id, []), ctx.service, grid, window, now_i)
        for p in ctx.plans
    }
    length = timedelta(minutes=ctx.service.duration)
    days = []
    for day, day_slots in sl.group_by_date(sl.combine(per_resource), display_tz):
        chosen = sl.apply_time_policy(day_slots, time_policy, suggested)
        days.append(
            DaySlots(
                day,
                [
                    Slot(
                        iv.from_instant(s, display_tz),
                        iv.from_instant(s, display_tz) + length,
                        tuple(rids),
                    )
                    for s, rids in chosen
                ],
            )
        )
    return Availability(timezone, ctx.service, days, busy, window)


def next_available(
    session: Session,
    ctx: BookingContext,
    after: datetime,
    *,
    grid: sl.SlotGrid,
    timezone: str,
    now: datetime,
    resource_ids: Sequence[str] | None = None,
    exclude_booking_id: str | None = None,
    max_days: int = NEXT_AVAILABLE_MAX_DAYS,
) -> Slot | None:
    """The earliest slot at or after ``after`` (among ``resource_ids`` if given)."""
    tz = iv.zone(timezone)
    plans = [p for p in ctx.plans if not resource_ids or p.resource.id in resource_ids]
    if not plans:
        return None
    sub = BookingContext(ctx.organization, ctx.booking_type, ctx.service, ctx.adjustment, plans)
    first = after.astimezone(tz).date()
    for offset in range(0, max_days, NEXT_AVAILABLE_CHUNK_DAYS):
        chunk_first = first + timedelta(days=offset)
        chunk_last = chunk_first + timedelta(days=NEXT_AVAILABLE_CHUNK_DAYS - 1)
        found = find_available_slots(
            session,
            ctx.organization,
            ctx.booking_type.id,
            chunk_first,
            chunk_last,
            timezone=timezone,
            grid=grid,
            now=now,
            reschedule_booking_id=exclude_booking_id,
            context=sub,
        )
        for day in found.days:
            for slot in day.slots:
                if slot.start >= after:
                    return slot
        if _past_every_horizon(plans, chunk_last, now):
            return None
    return None


def _past_every_horizon(plans: Sequence[ResourcePlan], day: date, now: datetime) -> bool:
    now_i = iv.to_instant(now)
    ends = [sl.horizon_end(now_i, p.schedule.depth_of_days, p.tz) for p in plans]
    if any(e is None for e in ends):
        return False
    return all(iv.local_epoch(day + timedelta(days=1)) - 14 * 3600 > e for e in ends)


def check_start(
    session: Session,
    ctx: BookingContext,
    plan: ResourcePlan,
    start: datetime,
    now: datetime,
    *,
    grid: sl.SlotGrid | None,
    exclude_booking_id: str | None = None,
) -> None:
    """Raise the precise error if ``start`` cannot be booked on ``plan``'s resource now:
    OUTSIDE_WINDOW (notice, horizon), INVALID_TIME (not working, not an offered start),
    BOOKING_CONFLICT (taken). ``grid=None`` accepts any start inside working time (staff)."""
    s = iv.to_instant(start)
    now_i = iv.to_instant(now)
    service = ctx.service
    earliest = sl.notice_start(now_i, plan.schedule.notice_hours, plan.tz)
    if s < earliest:
        raise OutsideWindow(
            "This time is too soon; it is before the minimum notice.",
            earliest=iv.from_instant(earliest).isoformat(),
        )
    horizon = sl.horizon_end(now_i, plan.schedule.depth_of_days, plan.tz)
    if horizon is not None and s >= horizon:
        raise OutsideWindow(
            "This time is too far ahead; it is past the booking horizon.",
            latest=iv.from_instant(horizon).isoformat(),
        )
    block = service.block(s)
    first_day = iv.local_date(plan.tz, block[0])
    last_day = iv.local_date(plan.tz, block[1])
    periods = iv.working_periods(
        plan.schedule,
        plan.off,
        plan.tz,
        first_day - timedelta(days=1),
        last_day + timedelta(days=1),
    )
    if not iv.contains(periods, block):
        raise InvalidTime("The resource does not work at this time.", start=start.isoformat())
    busy = load_busy(
        session,
        [plan.resource.id],
        iv.from_instant(block[0]) - _BUSY_MARGIN,
        iv.from_instant(block[1]) + _BUSY_MARGIN,
        now,
        exclude_booking_id,
    )[plan.resource.id]
    if iv.overlaps_any(busy, block):
        raise BookingConflict(requested_time=start.isoformat())
    if grid is not None:
        allowed = sl.allowed_starts(periods, busy, service, earliest, horizon)
        if s not in sl.grid_starts(allowed, grid, plan.tz, service):
            raise InvalidTime(
                "This is not one of the offered start times.", start=start.isoformat()
            )
