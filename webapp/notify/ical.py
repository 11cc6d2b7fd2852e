"""Calendar files (iCalendar) and "add to Google Calendar" links for a booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Mawid//Booking//EN"
GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
_UTC_STAMP = "%Y%m%dT%H%M%SZ"
# PUBLISH: a file to import. REQUEST and CANCEL: scheduling messages (RFC 5546) that a mail
# client shows as an invitation and its cancellation, matched to each other by UID.
METHODS = ("PUBLISH", "REQUEST", "CANCEL")
# How far the VTIMEZONE's rules reach on each side of the event: enough for any calendar to
# place it, without the zone's whole history.
_ZONE_REACH = timedelta(days=366)

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
    attendee_name: str = "",
    attendee_email: str = "",
    status: str = "CONFIRMED",
    now: datetime,
    sequence: int = 0,
    method: str = "PUBLISH",
    timezone: str | None = None,
) -> bytes:
    """One event as a ``.ics`` file. Times must be aware; they are written in UTC, or with
    ``timezone`` (an IANA name) as wall-clock times with its TZID and VTIMEZONE.

    A booking not yet confirmed (pending, held) is TENTATIVE; a CANCEL is CANCELLED.
    ORGANIZER and ATTENDEE need an address, so each is written only with its email. An
    invitation (REQUEST) and its cancellation carry the same ``uid``; ``sequence`` grows
    with each change, so a calendar keeps the latest.
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown calendar method {method!r}")
    zone = ZoneInfo(timezone) if timezone else UTC
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{uid}@mawid")
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _utc(start).astimezone(zone))
    event.add("dtend", _utc(end).astimezone(zone))
    event.add("sequence", sequence)
    event.add("summary", summary)
    event_status = _EVENT_STATUS.get(str(status).upper(), "TENTATIVE")
    event.add("status", "CANCELLED" if method == "CANCEL" else event_status)
    for name, value in (("description", description), ("location", location), ("url", url)):
        if value:
            event.add(name, value)
    if organizer_email:
        organizer = vCalAddress(f"mailto:{organizer_email}")
        if organizer_name:
            organizer.params["cn"] = vText(organizer_name)
        event.add("organizer", organizer)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        if attendee_name:
            attendee.params["cn"] = vText(attendee_name)
        # The customer made the booking: nothing to answer.
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["partstat"] = "ACCEPTED"
        attendee.params["rsvp"] = "FALSE"
        event.add("attendee", attendee)
    calendar.add_component(event)
    if timezone:
        calendar.add_missing_timezones(
            first_date=(_utc(start) - _ZONE_REACH).date(),
            last_date=(_utc(end) + _ZONE_REACH).date(),
        )
    return calendar.to_ical()


def content_type(method: str) -> str:
    """The attachment's type; mail clients read ``method`` to offer the invitation."""
    return f"text/calendar; method={method.upper()}; charset=utf-8"


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
