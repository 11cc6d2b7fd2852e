"""The time step: a month calendar with the days that have free times, and the times of one
day, in the customer's timezone."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from webapp.booking import availability as av
from webapp.booking import intervals as iv
from webapp.booking import slots as sl
from webapp.models import Organization, WebsiteVersion
from webapp.public.catalog import Catalog, Choice

# How many alternatives a customer who lost a time is offered.
ALTERNATIVES = 4


@dataclass
class CalendarDay:
    date: date
    available: bool
    today: bool
    selected: bool


@dataclass
class TimeStep:
    context: av.BookingContext
    timezone: str
    month: date
    weeks: list[list[CalendarDay | None]]
    selected: date | None
    slots: list[av.Slot]
    previous_month: date | None
    next_month: date | None
    next_available: av.Slot | None = None
    alternatives: list[av.Slot] = field(default_factory=list)

    @property
    def duration(self) -> int:
        return self.context.service.duration

    @property
    def price(self) -> Decimal | None:
        base = self.context.booking_type.price
        extra = self.context.adjustment.price
        if base is None and not extra:
            return None
        return (base or Decimal("0")) + extra


def website_grid(site: WebsiteVersion) -> sl.SlotGrid:
    return sl.grid_for_website(
        site.booking_time_splitting,
        site.fixed_times or (),
        site.booking_time_splitting_optimize,
        site.booking_time_show_midnight,
    )


def load_context(
    session: Session,
    organization: Organization,
    choice: Choice,
    *,
    resource_ids: list[str] | None = None,
    catalog: Catalog | None = None,
) -> av.BookingContext:
    """Raises ValidationFailed when a time-adjuster answer is invalid. With the website's
    ``catalog``, the service and the questions come from it rather than the database."""
    resource = choice.specific_resource
    known = av.KnownRows(catalog.type(choice.type_id), catalog.booking_fields) if catalog else None
    return av.load_context(
        session,
        organization,
        choice.type_id or "",
        resource_ids=resource_ids or ([resource] if resource else None),
        category_id=choice.category_id,
        resource_filters=choice.filters or None,
        time_adjusters=choice.adjusters,
        strict_adjusters=True,
        known=known,
    )


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _add_month(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _day_slots(
    session, organization, site, ctx, first, last, *, timezone, now, reschedule_booking_id
) -> av.Availability:
    return av.find_available_slots(
        session,
        organization,
        ctx.booking_type.id,
        first,
        last,
        timezone=timezone,
        grid=website_grid(site),
        now=now,
        time_policy=site.booking_time_policy,
        suggested=site.suggested_times or 3,
        reschedule_booking_id=reschedule_booking_id,
        context=ctx,
    )


def build_time_step(
    session: Session,
    organization: Organization,
    site: WebsiteVersion,
    ctx: av.BookingContext,
    choice: Choice,
    *,
    timezone: str,
    now: datetime,
    reschedule_booking_id: str | None = None,
) -> TimeStep:
    tz = iv.zone(timezone)
    today = now.astimezone(tz).date()
    this_month = today.replace(day=1)
    month = choice.month or (choice.day.replace(day=1) if choice.day else this_month)
    month = max(month, this_month)
    found = _day_slots(
        session,
        organization,
        site,
        ctx,
        max(month, today),
        _month_end(month),
        timezone=timezone,
        now=now,
        reschedule_booking_id=reschedule_booking_id,
    )
    free = {d.date: d.slots for d in found.days if d.slots}
    selected = choice.day if choice.day in free else (min(free) if free else None)
    step = TimeStep(
        context=ctx,
        timezone=timezone,
        month=month,
        weeks=_weeks(month, today, set(free), selected),
        selected=selected,
        slots=free.get(selected, []) if selected else [],
        previous_month=_add_month(month, -1) if month > this_month else None,
        next_month=_add_month(month, 1),
    )
    if not free:
        after = datetime.combine(_add_month(month, 1), datetime.min.time(), tz)
        step.next_available = av.next_available(
            session,
            ctx,
            max(after, now),
            grid=website_grid(site),
            timezone=timezone,
            now=now,
            exclude_booking_id=reschedule_booking_id,
        )
    return step


def day_times(
    session: Session,
    organization: Organization,
    site: WebsiteVersion,
    ctx: av.BookingContext,
    day: date,
    *,
    timezone: str,
    now: datetime,
    reschedule_booking_id: str | None = None,
) -> list[av.Slot]:
    found = _day_slots(
        session,
        organization,
        site,
        ctx,
        day,
        day,
        timezone=timezone,
        now=now,
        reschedule_booking_id=reschedule_booking_id,
    )
    return next((d.slots for d in found.days if d.date == day), [])


def nearest(slots: list[av.Slot], wanted: datetime, count: int = ALTERNATIVES) -> list[av.Slot]:
    """The free times closest to the one the customer lost, in time order."""
    closest = sorted(slots, key=lambda s: abs((s.start - wanted).total_seconds()))[:count]
    return sorted(closest, key=lambda s: s.start)


def _weeks(
    month: date, today: date, free: set[date], selected: date | None
) -> list[list[CalendarDay | None]]:
    """Weeks from Sunday, as the business week of the region starts."""
    weeks: list[list[CalendarDay | None]] = []
    week: list[CalendarDay | None] = [None] * ((month.weekday() + 1) % 7)
    day = month
    while day.month == month.month:
        week.append(CalendarDay(day, day in free, day == today, day == selected))
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks
