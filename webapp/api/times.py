"""The free times of one service, as ``List Available Times`` answers them: the days of the
website's timezone that have free times, a page of ``limit`` days at a time, each time with
its military ``time``, its ISO ``startDateTime`` and the resources free then."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.api import offer
from webapp.api.blueprint import bearer_claims
from webapp.api.pagination import decode
from webapp.booking import availability as av
from webapp.booking import slots as sl
from webapp.booking.errors import NotFound, ValidationFailed
from webapp.booking.intervals import RuleError
from webapp.extensions import db
from webapp.models import Booking
from webapp.public.catalog import YEARS
from webapp.public.schedule import website_grid

DEFAULT_DAYS = 31
MAX_SPAN_DAYS = 366  # the longest from..to range one request may cover
CHUNK_DAYS = 14  # days searched at once until a page is full
GRID_FLAGS = (
    "showOclock",
    "showHalfHour",
    "showThirdHour",
    "showQuarterHour",
    "showSixthHour",
    "showInBetweenSlots",
    "showAfterMidnight",
)


def grid(data: dict) -> sl.SlotGrid:
    """The request's show* options; without any, the website's own splitting, so the API
    offers the times the booking website offers."""
    given = {k: data[k] for k in (*GRID_FLAGS, "showFixedTimes") if data.get(k) is not None}
    if not given:
        return website_grid(g.site)
    for name in GRID_FLAGS:
        if name in given:
            given[name] = offer.flag(given[name], name)
    fixed = given.get("showFixedTimes")
    fixed_message = _("showFixedTimes must list military times such as 800,1230.")
    if fixed is not None and (isinstance(fixed, bool) or not isinstance(fixed, str | int)):
        raise ValidationFailed(fixed_message, field="showFixedTimes")
    try:
        return sl.grid_for_flags(given)
    except RuleError:
        if fixed not in (None, ""):
            raise ValidationFailed(fixed_message, field="showFixedTimes") from None
        raise ValidationFailed(
            _("Turn on at least one kind of start time (a show* option) or give showFixedTimes."),
            field="showOclock",
        ) from None


def _day(value: object, name: str) -> date | None:
    """A date, or the date part of a date-time as written (its time is ignored)."""
    if value is None or value == "":
        return None
    try:
        text = str(value).strip()[:40] if isinstance(value, str) else ""
        day = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
    except ValueError:
        day = None
    if day is None or day.year not in YEARS:
        raise ValidationFailed(
            _("%(name)s must be a date such as 2026-12-01 (or a date-time).", name=name),
            field=name,
        )
    return day


def window(data: dict, list_name: str, today: date) -> tuple[date, date]:
    """The local dates to search: ``from``..``to`` (from today, a year at most), or where
    the ``nextPageToken`` left off."""
    position = decode(list_name, data.get("nextPageToken"))
    if position is not None:
        try:
            first, last = (date.fromisoformat(p) for p in position)
        except (TypeError, ValueError):
            raise ValidationFailed(
                _("This nextPageToken is not valid."), field="nextPageToken"
            ) from None
        return max(first, today), last
    asked_first, last = _day(data.get("from"), "from"), _day(data.get("to"), "to")
    if asked_first and last and last < asked_first:
        raise ValidationFailed(_("to must not be before from."), field="to")
    first = max(asked_first or today, today)
    if last is None:
        last = first + timedelta(days=MAX_SPAN_DAYS - 1)
    if (last - first).days >= MAX_SPAN_DAYS:
        raise ValidationFailed(
            _("Ask for at most %(days)d days at once.", days=MAX_SPAN_DAYS), field="to"
        )
    return first, last


def reschedule_booking_id(value: object) -> str | None:
    """The booking whose own time counts as free: the caller's own booking (staff: any
    booking of the organization). Others answer as unknown ids do."""
    if value is None or value == "":
        return None
    booking = None
    if isinstance(value, str):
        booking = db.session.scalar(
            select(Booking).where(
                Booking.organization_id == g.organization.id, Booking.id == value[:64]
            )
        )
    claims = bearer_claims()
    mine = booking is not None and (
        (claims is not None and claims.customer_id and booking.customer_id == claims.customer_id)
        or offer.staff_member() is not None
    )
    if not mine:
        raise NotFound(
            _("There is no booking with this id that you may reschedule."),
            field="rescheduleBookingId",
        )
    return booking.id


def search(
    ctx: av.BookingContext,
    first: date,
    last: date,
    *,
    limit: int,
    grid: sl.SlotGrid,
    time_policy: str,
    suggested: int,
    timezone: str,
    now: datetime,
    reschedule_booking_id: str | None,
) -> tuple[list[av.DaySlots], date | None]:
    """Up to ``limit`` days with free times from ``first``, and the next such day if any."""
    found: list[av.DaySlots] = []
    start = first
    while ctx.plans and start <= last and len(found) <= limit:
        end = min(last, start + timedelta(days=CHUNK_DAYS - 1))
        answer = av.find_available_slots(
            db.session,
            g.organization,
            ctx.booking_type.id,
            start,
            end,
            timezone=timezone,
            grid=grid,
            now=now,
            time_policy=time_policy,
            suggested=suggested,
            reschedule_booking_id=reschedule_booking_id,
            context=ctx,
        )
        found.extend(day for day in answer.days if day.slots)
        if _past_every_horizon(ctx, end, now):
            break
        start = end + timedelta(days=1)
    following = found[limit].date if len(found) > limit else None
    return found[:limit], following


def _past_every_horizon(ctx: av.BookingContext, day: date, now: datetime) -> bool:
    for plan in ctx.plans:
        depth = plan.schedule.depth_of_days
        # A day of margin: the website's dates and the resource's may differ by one.
        if not depth or day <= now.astimezone(plan.tz).date() + timedelta(days=depth + 1):
            return False
    return True


def day_shape(day: av.DaySlots, timezone: str) -> dict:
    return {
        "date": day.date.isoformat(),
        "times": [
            {
                "time": slot.start.hour * 100 + slot.start.minute,
                "startDateTime": slot.start.isoformat(),
                "timeZone": timezone,
                "resources": list(slot.resource_ids),
            }
            for slot in day.slots
        ],
    }
