"""Calendar files (iCalendar) and "add to Google Calendar" links for a booking."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Mawid//Booking//EN"
GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
_UTC_STAMP = "%Y%m%dT%H%M%SZ"

# Booking statuses (and iCalendar's own) to the three a VEVENT may carry.
_EVENT_STATUS = {
    "CONFIRMED": "CONFIRMED",
    "COMPLETED": "CONFIRMED",
    "CANCELED": "CANCELLED",
    "CANCELLED": "CANCELLED",
    "REJECTED": "CANCELLED",
}


def booking_ics(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str = "",
    location: str = "",
    url: str = "",
    organizer_name: str = "",
    organizer_email: str = "",
    status: str = "CONFIRMED",
    now: datetime,
    sequence: int = 0,
) -> bytes:
    """One event as a ``.ics`` file. Times must be aware; they are written in UTC.

    A booking not yet confirmed (pending, held) is TENTATIVE. ORGANIZER needs an address, so
    it is written only with ``organizer_email``.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{uid}@mawid")
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _utc(start))
    event.add("dtend", _utc(end))
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("status", _EVENT_STATUS.get(str(status).upper(), "TENTATIVE"))
    for name, value in (("description", description), ("location", location), ("url", url)):
        if value:
            event.add(name, value)
    if organizer_email:
        organizer = vCalAddress(f"mailto:{organizer_email}")
        if organizer_name:
            organizer.params["cn"] = vText(organizer_name)
        event.add("organizer", organizer)
    calendar.add_component(event)
    return calendar.to_ical()


def google_calendar_url(
    *, start: datetime, end: datetime, title: str, details: str = "", location: str = ""
) -> str:
    """A link that opens Google Calendar with the event filled in."""
    params = {
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{_utc(start).strftime(_UTC_STAMP)}/{_utc(end).strftime(_UTC_STAMP)}",
    }
    if details:
        params["details"] = details
    if location:
        params["location"] = location
    return f"{GOOGLE_CALENDAR_URL}?{urlencode(params, safe='/')}"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("calendar times must be timezone-aware")
    return moment.astimezone(UTC)
