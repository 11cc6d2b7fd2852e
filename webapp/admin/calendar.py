"""The calendar: a day with a column per resource, a week of one resource, and an agenda
list for phones. Working hours are white, closed time grey, time off hatched, bookings
coloured by their service; clicking one opens its detail beside the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import g, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.admin.blueprint import bp, render, scoped_resources
from webapp.booking import intervals as iv
from webapp.booking.intervals import RuleError
from webapp.extensions import db
from webapp.i18n import translated
from webapp.models import Booking, OffRules, Resource, TimeRules
from webapp.public.blueprint import now

SHOWN = ("CONFIRMED", "PENDING_APPROVAL", "PENDING_PAYMENT", "COMPLETED", "TEMPORARY")
DEFAULT_HOURS = (8, 18)


@dataclass
class Block:
    """Something drawn in a column, ``top`` and ``height`` in hours from the first hour."""

    top: float
    height: float


@dataclass
class Event(Block):
    booking: Booking


@dataclass
class Column:
    title: str
    day: date
    resource: Resource
    open: list[Block]
    off: list[Block]
    events: list[Event]


def _read_day(tz: ZoneInfo) -> date:
    raw = request.args.get("date") or ""
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return now().astimezone(tz).date()


def _rules(resource_ids: list[str]):
    times = {
        r.resource_id: r
        for r in db.session.scalars(
            select(TimeRules).where(TimeRules.resource_id.in_(resource_ids))
        )
    }
    offs = {
        r.resource_id: r
        for r in db.session.scalars(select(OffRules).where(OffRules.resource_id.in_(resource_ids)))
    }
    return times, offs


def _hours(tz: ZoneInfo, day: date, start: int, end: int) -> tuple[float, float]:
    """Instants as hours from local midnight of ``day`` (may pass 24 or go below 0)."""
    midnight = iv.to_instant(datetime(day.year, day.month, day.day, tzinfo=tz))
    return (start - midnight) / 3600, (end - midnight) / 3600


@bp.get("/calendar")
def calendar():
    organization = g.organization
    tz = ZoneInfo(organization.timezone)
    day = _read_day(tz)
    view = "week" if request.args.get("view") == "week" else "day"
    resources = scoped_resources()
    chosen = next((r for r in resources if r.id == request.args.get("resource")), None)
    if view == "week":
        chosen = chosen or (resources[0] if resources else None)
        first = day - timedelta(days=(day.weekday() + 1) % 7)  # weeks start on Sunday
        days = [first + timedelta(days=i) for i in range(7)]
        pairs = [(d, chosen) for d in days] if chosen else []
    else:
        days = [day]
        shown = [chosen] if chosen else resources
        pairs = [(day, r) for r in shown]

    first_day, last_day = days[0], days[-1]
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=tz)
    end = datetime(last_day.year, last_day.month, last_day.day, tzinfo=tz) + timedelta(days=1)
    resource_ids = list({r.id for _d, r in pairs})
    bookings = list(
        db.session.scalars(
            select(Booking)
            .options(joinedload(Booking.customer), joinedload(Booking.booking_type))
            .where(
                Booking.organization_id == organization.id,
                Booking.resource_id.in_(resource_ids),
                Booking.status.in_(SHOWN),
                Booking.start_at < end,
                Booking.end_at > start,
            )
            .order_by(Booking.start_at)
        )
    )
    times, offs = _rules(resource_ids)
    columns = [_column(d, r, tz, times.get(r.id), offs.get(r.id), bookings, view) for d, r in pairs]
    low, high = _visible_hours(columns)
    for column in columns:
        for block in (*column.open, *column.off, *column.events):
            block.top -= low
    step = timedelta(days=7 if view == "week" else 1)
    current = now()
    now_hours = None
    if first_day <= current.astimezone(tz).date() <= last_day:
        local = current.astimezone(tz)
        now_hours = local.hour + local.minute / 60 - low
    return render(
        "admin/calendar.html",
        tz=tz,
        view=view,
        day=day,
        days=days,
        columns=columns,
        hours=list(range(low, high)),
        height=high - low,
        now_hours=now_hours,
        now_column=current.astimezone(tz).date(),
        resources=resources,
        chosen=chosen,
        bookings=bookings,
        prev_url=_url(view, day - step, chosen),
        next_url=_url(view, day + step, chosen),
        today_url=_url(view, current.astimezone(tz).date(), chosen),
        switch_url=_url("week" if view == "day" else "day", day, chosen),
        types=sorted({b.booking_type for b in bookings}, key=lambda t: t.name),
    )


def _url(view: str, day: date, resource: Resource | None) -> str:
    params = {"date": day.isoformat(), "view": view}
    if resource is not None:
        params["resource"] = resource.id
    return url_for("admin.calendar", **params)


def _column(day, resource, tz, time_rules, off_rules, bookings, view) -> Column:
    try:
        schedule = iv.parse_schedule(time_rules.rules if time_rules else [])
        off = iv.parse_off_rules(off_rules.rules if off_rules else [])
    except RuleError:
        schedule, off = iv.Schedule(), iv.OffSet()
    working = iv.working_periods(schedule, off, tz, day, day)
    planned = iv.working_periods(schedule, iv.OffSet(), tz, day, day)
    closed_by_off = iv.subtract(planned, working)
    local_start = iv.local_epoch(day)
    local_end = local_start + iv.DAY
    whole_day_off = (
        day.weekday() in off.weekdays
        or day in off.dates
        or any(a < local_end and b > local_start for a, b in off.ranges)
    )

    def blocks(spans) -> list[Block]:
        out = []
        for a, b in spans:
            top, bottom = _hours(tz, day, a, b)
            out.append(Block(top, bottom - top))
        return out

    day_start = iv.to_instant(datetime(day.year, day.month, day.day, tzinfo=tz))
    day_end = iv.to_instant(datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(days=1))
    events = []
    for booking in bookings:
        if booking.resource_id != resource.id:
            continue
        a, b = iv.to_instant(booking.start_at), iv.to_instant(booking.end_at)
        a, b = max(a, day_start), min(b, day_end)
        if a >= b:
            continue
        top, bottom = _hours(tz, day, a, b)
        events.append(Event(top, max(bottom - top, 0.4), booking))
    off_blocks = blocks(closed_by_off)
    if whole_day_off and not off_blocks:
        off_blocks = [Block(0, 24)]
    title = (
        translated(resource.name, resource.name_translations) if view == "day" else day.isoformat()
    )
    return Column(title, day, resource, blocks(working), off_blocks, events)


def _visible_hours(columns: list[Column]) -> tuple[int, int]:
    """From the earliest opening or booking to the latest, in whole hours."""
    tops = [b.top for c in columns for b in (*c.open, *c.events)]
    bottoms = [b.top + b.height for c in columns for b in (*c.open, *c.events)]
    if not tops:
        return DEFAULT_HOURS
    low = max(0, min(int(min(tops)), DEFAULT_HOURS[0]))
    high = min(24, max(-int(-max(bottoms) // 1), DEFAULT_HOURS[1]))
    return low, high
