"""A calendar feed (iCalendar): many bookings in one file that calendar apps subscribe to
and read again from time to time. One booking's own file is :mod:`webapp.notify.ical`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration

from webapp.notify.ical import PRODID

# How often a subscribed calendar app should look for changes (a hint; apps choose).
REFRESH = timedelta(minutes=30)
# Booking statuses to the three a VEVENT may carry; any other (pending) is TENTATIVE.
CONFIRMED = frozenset({"CONFIRMED", "COMPLETED"})
CANCELLED = frozenset({"CANCELED", "REJECTED"})


@dataclass(frozen=True)
class FeedEvent:
    """One booking as a feed shows it. ``uid`` stays the same when the booking moves and
    ``sequence`` counts its moves; ``timezone`` is the zone its times are written in."""

    uid: str
    start: datetime
    end: datetime
    timezone: str
    summary: str
    status: str
    changed_at: datetime
    created_at: datetime
    sequence: int = 0
    description: str = ""
    url: str = ""


def feed_calendar(*, name: str, timezone: str, events: Iterable[FeedEvent], now: datetime) -> bytes:
    """A calendar to subscribe to, named ``name``, in ``timezone``: each event's times carry
    its zone's TZID, and each zone used has its VTIMEZONE. Canceled bookings stay in as
    CANCELLED, so that apps remove them.

    The file changes only when its events do (an event's DTSTAMP is its last change, not the
    time of the request), so two readings can be compared; ``now`` only sets the years the
    zones' definitions cover.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    zones = {timezone}
    for item in events:
        zones.add(item.timezone)
        calendar.add_component(_event(item))
    # Definitions come before the events that name them.
    years = (now.year - 1, now.year + 2)
    calendar.subcomponents[:0] = [_vtimezone(zone, *years) for zone in sorted(zones)]
    return calendar.to_ical()


def event_status(status: str) -> str:
    if status in CONFIRMED:
        return "CONFIRMED"
    return "CANCELLED" if status in CANCELLED else "TENTATIVE"


def _event(item: FeedEvent) -> Event:
    zone = ZoneInfo(item.timezone)
    event = Event()
    event.add("uid", f"{item.uid}@mawid")
    event.add("dtstamp", _utc(item.changed_at))
    event.add("created", _utc(item.created_at))
    event.add("last-modified", _utc(item.changed_at))
    event.add("dtstart", _utc(item.start).astimezone(zone))
    event.add("dtend", _utc(item.end).astimezone(zone))
    event.add("sequence", item.sequence)
    event.add("summary", item.summary)
    status = event_status(item.status)
    event.add("status", status)
    # A canceled booking no longer makes anyone busy.
    event.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    return event


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The zone's rules over these years, built once (the component is only ever read)."""
    return Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31)
    )


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("calendar times must be timezone-aware")
    return moment.astimezone(UTC)
