"""Outside calendars: read a resource's subscribed ICS addresses and keep the times of their
events (never what they are about) as busy times that block the resource.

A read is fetch first, write after: nothing is written while the HTTP request runs, so on
SQLite the single write lock is never held across the network. Reads are counted per
organization in the app's rate-limit storage (``CALENDAR_SYNC_RATE_LIMIT``, seed 000:
"Calendar sync 60/hour"), scheduled and manual alike; a read over the limit is postponed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from flask import current_app
from flask_babel import gettext as _
from limits import RateLimitItem
from limits import parse as parse_limit
from limits.storage import MovingWindowSupport
from limits.strategies import MovingWindowRateLimiter, RateLimiter
from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from webapp.booking import intervals as iv
from webapp.booking.busy import EXTERNAL_PIECE
from webapp.booking.locking import begin_write, dialect_name
from webapp.models import ExternalBusyTime, ExternalCalendar, Organization, Resource
from webapp.notify import http
from webapp.security import limiter

WINDOW_BEFORE = timedelta(days=1)
WINDOW_AFTER = timedelta(days=400)
MAX_BUSY_TIMES = 5000
# Occurrences looked at per read, blocking or not: a rule repeating every second must not
# keep the worker busy for minutes.
MAX_OCCURRENCES = 20_000
# Stored busy times are cut into pieces of at most a day, so availability reads a bounded
# range of them.
MAX_PIECE = EXTERNAL_PIECE
MAX_BYTES = 2 * 1024 * 1024
EVERY = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=6)
MAX_ERROR = 500

OK, NOT_MODIFIED, ERROR, POSTPONED = "ok", "not_modified", "error", "postponed"

Span = tuple[datetime, datetime]


class NotACalendar(ValueError):
    """The body is not an iCalendar file, or its events cannot be read."""


# --- reading a calendar file (pure) -------------------------------------------------------


@dataclass
class Busy:
    times: list[Span]
    events: int


def busy_times(body: bytes, tz: ZoneInfo, now: datetime) -> Busy:
    """The busy times of an ICS file from a day before ``now`` to 400 days after, merged,
    cut into pieces of at most a day, earliest first, at most :data:`MAX_BUSY_TIMES`.

    Recurring events are expanded (RRULE, RDATE, EXDATE, moved instances); transparent and
    cancelled events do not block; all-day events block whole days and floating times are
    read in ``tz`` (the resource's timezone)."""
    start, end = now - WINDOW_BEFORE, now + WINDOW_AFTER
    try:
        calendar = icalendar.Calendar.from_ical(body)
        if not isinstance(calendar, icalendar.Calendar):
            raise NotACalendar("not a VCALENDAR")
        occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).after(start)
        spans, events = _blocking_spans(occurrences, tz, start, end)
    except NotACalendar:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        # Whatever an untrusted file makes the parser trip over.
        raise NotACalendar(str(exc)) from exc
    pieces = _pieces(iv.merge(spans))
    return Busy([(iv.from_instant(a), iv.from_instant(b)) for a, b in pieces], events)


def _blocking_spans(
    occurrences: Iterable, tz: ZoneInfo, start: datetime, end: datetime
) -> tuple[list[iv.Interval], int]:
    lo, hi = iv.to_instant(start), iv.to_instant(end)
    # Occurrences come in order of start; floating times may be read up to a day later.
    stop = hi + 86_400
    spans: list[iv.Interval] = []
    for examined, event in enumerate(occurrences):
        if examined >= MAX_OCCURRENCES or len(spans) >= MAX_BUSY_TIMES:
            break
        span = event_span(event, tz)
        if span is None:
            continue
        a, b = iv.to_instant(span[0]), iv.to_instant(span[1])
        if a >= stop:
            break
        a, b = max(a, lo), min(b, hi)
        if a < b:
            spans.append((a, b))
    return spans, len(spans)


def event_span(event, tz: ZoneInfo) -> Span | None:
    """The UTC times an event occurrence blocks, or None when it does not block."""
    if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    dtstart = event.get("DTSTART")
    if dtstart is None:
        return None
    first = dtstart.dt
    dtend = event.get("DTEND")
    last = dtend.dt if dtend is not None else None
    if not isinstance(first, datetime):  # all day: whole days in the resource's timezone
        days = last if isinstance(last, date) and not isinstance(last, datetime) else None
        if days is None or days <= first:
            days = first + timedelta(days=1)
        span = (_midnight(first, tz), _midnight(days, tz))
    else:
        if not isinstance(last, datetime):
            return None
        span = (_aware(first, tz), _aware(last, tz))
    return span if span[0] < span[1] else None


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock(), tzinfo=tz).astimezone(UTC)


def _aware(value: datetime, tz: ZoneInfo) -> datetime:
    return (value if value.tzinfo is not None else value.replace(tzinfo=tz)).astimezone(UTC)


def _pieces(spans: Sequence[iv.Interval]) -> list[iv.Interval]:
    step = int(MAX_PIECE.total_seconds())
    out: list[iv.Interval] = []
    for a, b in spans:
        while a < b and len(out) < MAX_BUSY_TIMES:
            out.append((a, min(b, a + step)))
            a += step
    return out


# --- fetching (no database) ---------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What a read needs, taken from the database before the fetch."""

    calendar_id: str
    organization_id: str
    url: str
    timezone: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Fetched:
    outcome: str  # ok | not_modified | error | postponed
    busy: Busy | None = None
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_at: datetime | None = None


@dataclass
class ReadLimit:
    """Reads per organization in the app's rate-limit storage (a moving window), so web
    processes and workers share one count when the storage is Redis."""

    strategy: RateLimiter
    item: RateLimitItem

    def take(self, organization_id: str) -> float | None:
        """None when a read may happen now (and count it); else seconds to wait."""
        if self.strategy.hit(self.item, "calendar-sync", organization_id):
            return None
        stats = self.strategy.get_window_stats(self.item, "calendar-sync", organization_id)
        return max(60.0, stats.reset_time - time.time())


def read_limit() -> ReadLimit | None:
    """The app's limit on reads, or None when rate limits are off."""
    if not limiter.enabled:
        return None
    item = parse_limit(current_app.config["CALENDAR_SYNC_RATE_LIMIT"])
    storage = limiter.storage
    strategy = (
        MovingWindowRateLimiter(storage)
        if isinstance(storage, MovingWindowSupport)
        else limiter.limiter
    )
    return ReadLimit(strategy, item)


def fetch(source: Source, now: datetime, *, allow_loopback: bool, conditional: bool) -> Fetched:
    """Read the calendar over HTTP and find its busy times; touches no database.
    ``conditional`` sends the stored validators (a 304 keeps the times)."""
    limit = read_limit()
    wait = limit.take(source.organization_id) if limit is not None else None
    if wait is not None:
        return Fetched(POSTPONED, retry_at=now + timedelta(seconds=wait))
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if conditional and source.etag:
        headers["If-None-Match"] = source.etag
    if conditional and source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    try:
        answer = http.send(
            "GET",
            source.url,
            headers=headers,
            allow_loopback=allow_loopback,
            timeout=current_app.config["CALENDAR_TIMEOUT_SECONDS"],
            max_bytes=MAX_BYTES + 1,  # one byte more tells a file that is too large
        )
    except http.Refused as failure:
        return Fetched(ERROR, error=error_text("refused", failure.reason))
    except http.DeliveryError as failure:
        return Fetched(ERROR, error=error_text("unreachable", failure.reason))
    if answer.status == 304 and conditional:
        return Fetched(NOT_MODIFIED, etag=source.etag, last_modified=source.last_modified)
    if not 200 <= answer.status < 300:
        return Fetched(ERROR, error=error_text("status", str(answer.status)))
    if len(answer.body) > MAX_BYTES:
        return Fetched(ERROR, error=error_text("too_large"))
    try:
        busy = busy_times(answer.body, ZoneInfo(source.timezone), now)
    except NotACalendar:
        return Fetched(ERROR, error=error_text("invalid"))
    return Fetched(
        OK,
        busy=busy,
        etag=(answer.headers.get("etag") or "")[:200] or None,
        last_modified=(answer.headers.get("last-modified") or "")[:100] or None,
    )


# --- errors, kept as a code and a detail, shown in the reader's language -------------------


def error_text(code: str, detail: str = "") -> str:
    return f"{code}:{detail}"[:MAX_ERROR]


def describe_error(stored: str | None) -> str:
    """A stored error in words, in the current language."""
    if not stored:
        return ""
    code, _sep, detail = stored.partition(":")
    if code == "refused":
        return _("The address is not allowed: %(reason)s", reason=detail)
    if code == "unreachable":
        return _("The calendar’s server cannot be reached: %(reason)s", reason=detail)
    if code == "status":
        return _("The calendar’s server answered with HTTP status %(status)s.", status=detail)
    if code == "too_large":
        return _("The calendar is too large (over 2 MB).")
    if code == "invalid":
        return _("This address does not give a calendar in iCalendar (ICS) format.")
    return stored


# --- writing what was read ----------------------------------------------------------------


def store(session: Session, calendar: ExternalCalendar, fetched: Fetched, now: datetime) -> None:
    """Write what a read found: busy times (replaced on a new file, kept on 304 or error),
    status, error and when to read next. Needs the write lock taken after the fetch."""
    if fetched.outcome == POSTPONED:
        calendar.next_fetch_at = fetched.retry_at
        return
    if fetched.outcome == ERROR:
        calendar.next_fetch_at = now + _backoff(calendar)
        calendar.last_status = ERROR
        calendar.last_error = fetched.error
        calendar.last_fetched_at = now
        return
    calendar.last_status, calendar.last_error = OK, None
    calendar.last_fetched_at = now
    calendar.next_fetch_at = now + EVERY
    calendar.etag, calendar.last_modified = fetched.etag, fetched.last_modified
    if fetched.outcome == OK and fetched.busy is not None:
        replace_busy_times(session, calendar, fetched.busy.times)
        calendar.event_count = fetched.busy.events


def _backoff(calendar: ExternalCalendar) -> timedelta:
    """15 minutes after a first error, then twice the last wait, up to 6 hours."""
    if (
        calendar.last_status == ERROR
        and calendar.last_fetched_at is not None
        and calendar.next_fetch_at is not None
    ):
        waited = calendar.next_fetch_at - calendar.last_fetched_at
        return min(MAX_BACKOFF, max(EVERY, waited * 2))
    return EVERY


def replace_busy_times(session: Session, calendar: ExternalCalendar, times: Sequence[Span]) -> None:
    session.execute(delete(ExternalBusyTime).where(ExternalBusyTime.calendar_id == calendar.id))
    if times:
        session.execute(
            insert(ExternalBusyTime),
            [
                {
                    "organization_id": calendar.organization_id,
                    "resource_id": calendar.resource_id,
                    "calendar_id": calendar.id,
                    "start_at": start,
                    "end_at": end,
                }
                for start, end in times
            ],
        )


def _conditional(calendar: ExternalCalendar, now: datetime) -> bool:
    # Once a day the whole file is read again, so the 400 days ahead move along with it.
    last = calendar.last_fetched_at
    return last is not None and last.date() == now.date() and calendar.last_status == OK


def _source(calendar: ExternalCalendar, timezone: str) -> Source:
    return Source(
        calendar.id,
        calendar.organization_id,
        calendar.url,
        timezone,
        calendar.etag,
        calendar.last_modified,
    )


def _timezones_query():
    return (
        select(ExternalCalendar, Resource.timezone, Organization.timezone)
        .join(Resource, Resource.id == ExternalCalendar.resource_id)
        .join(Organization, Organization.id == ExternalCalendar.organization_id)
    )


def _write(session: Session, results: Sequence[tuple[str, Fetched]], now: datetime) -> None:
    # The fetches are done; now take the write lock and re-read what they were for.
    begin_write(session)
    for calendar_id, fetched in results:
        calendar = session.get(ExternalCalendar, calendar_id, populate_existing=True)
        if calendar is not None:  # removed while it was being read
            store(session, calendar, fetched, now)
    session.flush()


# --- the entry points ---------------------------------------------------------------------


def refresh(
    session: Session, calendar: ExternalCalendar, now: datetime, *, allow_loopback: bool
) -> Fetched:
    """Read one calendar now (within the organization's limit) and store what it says:
    busy times replaced, status, error, event count and the next read set. Flushes."""
    resource = session.get(Resource, calendar.resource_id)
    organization = session.get(Organization, calendar.organization_id)
    fetched = fetch(
        _source(calendar, resource.timezone or organization.timezone),
        now,
        allow_loopback=allow_loopback,
        conditional=_conditional(calendar, now),
    )
    _write(session, [(calendar.id, fetched)], now)
    return fetched


def refresh_due(session: Session, now: datetime, *, allow_loopback: bool, limit: int = 10) -> int:
    """Read the calendars whose next read is due (at most ``limit``, longest waiting first);
    returns how many were read (postponed ones are not). Flushes; the caller commits."""
    query = (
        _timezones_query()
        .where(
            or_(ExternalCalendar.next_fetch_at.is_(None), ExternalCalendar.next_fetch_at <= now),
            Organization.is_deleted.is_(False),
        )
        .order_by(ExternalCalendar.next_fetch_at.asc().nulls_first(), ExternalCalendar.id)
        .limit(limit)
    )
    if dialect_name(session) == "postgresql":
        # Several workers: each reads its own calendars.
        query = query.with_for_update(skip_locked=True, of=ExternalCalendar)
    due = session.execute(query).all()
    if not due:
        return 0
    results = [
        (
            calendar.id,
            fetch(
                _source(calendar, resource_tz or organization_tz),
                now,
                allow_loopback=allow_loopback,
                conditional=_conditional(calendar, now),
            ),
        )
        for calendar, resource_tz, organization_tz in due
    ]
    _write(session, results, now)
    return sum(1 for _id, fetched in results if fetched.outcome != POSTPONED)
