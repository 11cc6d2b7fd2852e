"""Pure interval arithmetic and the resolution of wall-clock rules into instants.

Instants are integer seconds since the epoch (UTC); an interval is a half-open ``(start, end)``
pair. Wall-clock times are "local epochs": the local date and time read as if they were UTC,
so a local day is always 86,400 local seconds long while the real instants it covers may be
23 or 25 hours (DST). A wall-clock span is resolved to the set of instants whose local time
falls inside it: a span crossing a DST gap is shortened (never shifted), and a repeated hour
yields each real instant exactly once.

No database, no clock, no Flask: everything here is a function of its arguments.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from webapp.booking.errors import ValidationFailed

Interval = tuple[int, int]

DAY = 86_400
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EPOCH_DATE = date(1970, 1, 1)
# Offsets never exceed +-14h, so the instants of one local day lie within this margin.
_MARGIN = 15 * 3600
_SAMPLE = 6 * 3600


class RuleError(ValidationFailed, ValueError):
    """A rule, grid or service that cannot be understood; the message says which part.
    A domain error (422), so bad rules reach people as a clear message, never a 5xx."""

    code = "INVALID_RULE"


# --- timezones -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_timezone(name: object) -> bool:
    return isinstance(name, str) and name in _zone_names()


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    if not is_valid_timezone(name):
        raise RuleError(f"unknown timezone {name!r}; use an IANA name such as 'Asia/Riyadh'")
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - listed but not loadable
        raise RuleError(f"unknown timezone {name!r}") from exc


def offset_at(tz: ZoneInfo, instant: int) -> int:
    return int(datetime.fromtimestamp(instant, tz).utcoffset().total_seconds())


def to_instant(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("naive datetime given where an instant is expected")
    return int(value.timestamp())


def from_instant(instant: int, tz: ZoneInfo | None = None) -> datetime:
    return datetime.fromtimestamp(instant, tz or UTC)


def local_epoch(day: date, minute: int = 0) -> int:
    """The local epoch of ``minute`` minutes after local midnight of ``day``."""
    return (day - _EPOCH_DATE).days * DAY + minute * 60


def local_date(tz: ZoneInfo, instant: int) -> date:
    return datetime.fromtimestamp(instant, tz).date()


def local_minute(tz: ZoneInfo, instant: int) -> int:
    moment = datetime.fromtimestamp(instant, tz)
    return moment.hour * 60 + moment.minute


@lru_cache(maxsize=4096)
def _offset_breaks(tz: ZoneInfo, bucket: int) -> tuple[tuple[int, int], ...]:
    """Offset changes within one UTC day ``bucket`` as (instant, new offset), plus the offset
    in force at the bucket's start as the first element."""
    start = bucket * DAY
    breaks = [(start, offset_at(tz, start))]
    previous_t, previous_o = start, breaks[0][1]
    for t in range(start + _SAMPLE, start + DAY + 1, _SAMPLE):
        o = offset_at(tz, t)
        if o != previous_o:
            lo, hi = previous_t, t  # offset(lo) == previous_o, offset(hi) == o
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset_at(tz, mid) == previous_o:
                    lo = mid
                else:
                    hi = mid
            if hi < start + DAY:
                breaks.append((hi, o))
        previous_t, previous_o = t, o
    return tuple(breaks)


def offset_segments(tz: ZoneInfo, start: int, end: int) -> list[tuple[int, int, int]]:
    """Split ``[start, end)`` into pieces of constant UTC offset: ``(start, end, offset)``."""
    points: list[tuple[int, int]] = []
    for bucket in range(start // DAY, (end - 1) // DAY + 1):
        for t, o in _offset_breaks(tz, bucket):
            if points and points[-1][1] == o:
                continue
            points.append((t, o))
    pieces = []
    for i, (t, o) in enumerate(points):
        nxt = points[i + 1][0] if i + 1 < len(points) else end
        a, b = max(t, start), min(nxt, end)
        if a < b:
            pieces.append((a, b, o))
    return pieces


def wall_span(tz: ZoneInfo, local_start: int, local_end: int) -> list[Interval]:
    """The instants whose local wall-clock time lies in ``[local_start, local_end)``."""
    if local_end <= local_start:
        return []
    spans = []
    for a, b, o in offset_segments(tz, local_start - _MARGIN, local_end + _MARGIN):
        lo, hi = max(a, local_start - o), min(b, local_end - o)
        if lo < hi:
            spans.append((lo, hi))
    return merge(spans)


def resolve_local(tz: ZoneInfo, local: int) -> list[int]:
    """Every instant showing local time ``local``: none in a gap, two in a repeated hour."""
    found = []
    for a, b, o in offset_segments(tz, local - _MARGIN, local + _MARGIN):
        t = local - o
        if a <= t < b:
            found.append(t)
    return sorted(set(found))


# --- interval arithmetic -----------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and join overlapping or touching intervals; drop empty ones."""
    out: list[list[int]] = []
    for a, b in sorted(intervals):
        if a >= b:
            continue
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1][1] = b
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def subtract(base: Sequence[Interval], cuts: Sequence[Interval]) -> list[Interval]:
    """``base`` minus ``cuts``; both sorted and merged."""
    out = []
    j = 0
    for a, b in base:
        while j < len(cuts) and cuts[j][1] <= a:
            j += 1
        k = j
        cursor = a
        while k < len(cuts) and cuts[k][0] < b:
            ca, cb = cuts[k]
            if ca > cursor:
                out.append((cursor, ca))
            cursor = max(cursor, cb)
            if cursor >= b:
                break
            k += 1
        if cursor < b:
            out.append((cursor, b))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two sorted, merged interval lists."""
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def clip(intervals: Sequence[Interval], start: int | None, end: int | None) -> list[Interval]:
    lo = start if start is not None else -(2**62)
    hi = end if end is not None else 2**62
    return [(max(a, lo), min(b, hi)) for a, b in intervals if max(a, lo) < min(b, hi)]


def contains(intervals: Sequence[Interval], span: Interval) -> bool:
    """Whether ``span`` lies entirely inside one interval of a sorted, merged list."""
    i = bisect.bisect_right(intervals, (span[0], 2**62)) - 1
    return i >= 0 and intervals[i][0] <= span[0] and span[1] <= intervals[i][1]


def overlaps_any(intervals: Sequence[Interval], span: Interval) -> bool:
    """Whether ``span`` overlaps an interval of a sorted, merged list."""
    i = bisect.bisect_left(intervals, (span[1], -(2**62)))
    return i > 0 and intervals[i - 1][1] > span[0]


# --- rules -------------------------------------------------------------------------------


def parse_military(value: object, *, allow_2400: bool = False, what: str = "time") -> int:
    """Military time (1820 = 18:20) to minutes after midnight."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"{what} must be a whole number in military format such as 930 or 1820")
    hours, minutes = divmod(value, 100)
    if value < 0 or minutes >= 60 or hours > 24 or (hours == 24 and (minutes or not allow_2400)):
        raise RuleError(f"{what} {value} is not a valid military time (0000-2359)")
    return hours * 60 + minutes


def parse_date(value: object, what: str = "date") -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise RuleError(f"{what} {value!r} is not a date in YYYY-MM-DD format") from exc


def parse_local_datetime(value: object, what: str) -> datetime:
    """A naive local datetime written as ``YYYY-MM-DDTHH:MM`` (or a bare date)."""
    text = str(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise RuleError(f"{what} {value!r} is not a local date-time like 2026-12-24T09:00") from exc
    if moment.tzinfo is not None:
        raise RuleError(f"{what} {value!r} must be a local time without an offset")
    return moment


def parse_days(values: object, what: str = "days") -> frozenset[int]:
    if values is None:
        return frozenset()
    if not isinstance(values, list):
        raise RuleError(f"{what} must be a list of weekday names such as ['sunday', 'monday']")
    days = set()
    for name in values:
        key = str(name).strip().lower()
        if key not in WEEKDAYS:
            raise RuleError(f"{what}: {name!r} is not a weekday name ({', '.join(WEEKDAYS)})")
        days.add(WEEKDAYS.index(key))
    return frozenset(days)


def parse_times(values: object, what: str = "times") -> tuple[tuple[int, int], ...]:
    """Periods as (start, end) minutes after midnight; an end at or before the start runs
    past midnight into the next day (a night shift)."""
    if values is None:
        return ()
    if not isinstance(values, list):
        raise RuleError(f"{what} must be a list of {{'start': 900, 'end': 1700}} periods")
    periods = []
    for i, item in enumerate(values):
        if not isinstance(item, dict) or "start" not in item or "end" not in item:
            raise RuleError(f"{what}[{i}] needs 'start' and 'end' in military time")
        start = parse_military(item["start"], what=f"{what}[{i}].start")
        end = parse_military(item["end"], allow_2400=True, what=f"{what}[{i}].end")
        if end <= start:
            end += 24 * 60
        periods.append((start, end))
    return tuple(sorted(periods))


@dataclass(frozen=True)
class DatedRule:
    first: date
    last: date
    days: frozenset[int]  # empty: every day of the range
    times: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Schedule:
    """A resource's time rules, parsed."""

    weekly: tuple[tuple[tuple[int, int], ...], ...] = field(default_factory=lambda: ((),) * 7)
    dated: tuple[DatedRule, ...] = ()
    depth_of_days: int = 0
    notice_hours: int = 0

    def periods_on(self, day: date) -> tuple[tuple[int, int], ...]:
        covering = [r for r in self.dated if r.first <= day <= r.last]
        if not covering:
            return self.weekly[day.weekday()]
        wd = day.weekday()
        periods = [p for r in covering if not r.days or wd in r.days for p in r.times]
        return tuple(sorted(periods))


def parse_schedule(rules: object, depth_of_days: int = 0, notice_hours: int = 0) -> Schedule:
    if rules is None:
        rules = []
    if not isinstance(rules, list):
        raise RuleError("rules must be a list")
    if not isinstance(depth_of_days, int) or depth_of_days < 0:
        raise RuleError("depthOfDays must be 0 (no limit) or a positive number of days")
    if not isinstance(notice_hours, int) or notice_hours < -1:
        raise RuleError("scheduleAfterHoursFromNow must be -1 (from tomorrow), 0 or n hours")
    weekly: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    dated = []
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise RuleError(f"rules[{i}] must be an object")
        days = parse_days(rule.get("days"), f"rules[{i}].days")
        times = parse_times(rule.get("times"), f"rules[{i}].times")
        if "from" in rule or "to" in rule:
            first = parse_date(rule.get("from"), f"rules[{i}].from")
            last = parse_date(rule.get("to", rule.get("from")), f"rules[{i}].to")
            if last < first:
                raise RuleError(f"rules[{i}]: 'to' ({last}) is before 'from' ({first})")
            dated.append(DatedRule(first, last, days, times))
        else:
            if not days:
                raise RuleError(f"rules[{i}] needs 'days' (or 'from'/'to' for a date range)")
            for d in days:
                weekly[d].extend(times)
    return Schedule(
        weekly=tuple(tuple(sorted(w)) for w in weekly),
        dated=tuple(dated),
        depth_of_days=depth_of_days,
        notice_hours=notice_hours,
    )


@dataclass(frozen=True)
class OffSet:
    """A resource's off rules, parsed: local-epoch ranges, weekly days off, dates off."""

    ranges: tuple[tuple[int, int], ...] = ()
    weekdays: frozenset[int] = frozenset()
    dates: frozenset[date] = frozenset()


def parse_off_rules(rules: object) -> OffSet:
    if rules is None:
        rules = []
    if not isinstance(rules, list):
        raise RuleError("off rules must be a list")
    ranges, weekdays, dates = [], set(), set()
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise RuleError(f"rules[{i}] must be an object")
        kind = rule.get("type")
        if kind == "range":
            start = parse_local_datetime(rule.get("from"), f"rules[{i}].from")
            raw_to = str(rule.get("to"))
            end = parse_local_datetime(raw_to, f"rules[{i}].to")
            if "T" not in raw_to and " " not in raw_to:
                end += timedelta(days=1)  # a bare end date is inclusive
            if end <= start:
                raise RuleError(f"rules[{i}]: 'to' must be after 'from'")
            ranges.append((_naive_local_epoch(start), _naive_local_epoch(end)))
        elif kind == "weekly":
            days = parse_days(rule.get("days"), f"rules[{i}].days")
            if not days:
                raise RuleError(f"rules[{i}]: a weekly off rule needs at least one day")
            weekdays |= days
        elif kind == "date":
            dates.add(parse_date(rule.get("date"), f"rules[{i}].date"))
        else:
            raise RuleError(f"rules[{i}].type must be 'range', 'weekly' or 'date'")
    return OffSet(tuple(sorted(ranges)), frozenset(weekdays), frozenset(dates))


def _naive_local_epoch(moment: datetime) -> int:
    return local_epoch(moment.date(), moment.hour * 60 + moment.minute) + moment.second


# --- working time ------------------------------------------------------------------------


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def working_periods(
    schedule: Schedule, off: OffSet, tz: ZoneInfo, first: date, last: date
) -> list[Interval]:
    """The instants a resource works on the local dates ``first``..``last``: weekly or
    date-range periods, minus every off rule, merged (a night shift that runs past midnight
    joins the next day's early period).

    A pure function of hashable values, so it is memoized: resources sharing their hours and
    repeated questions about the same dates cost one computation."""
    return list(_working_periods(schedule, off, tz, first, last))


@lru_cache(maxsize=2048)
def _working_periods(
    schedule: Schedule, off: OffSet, tz: ZoneInfo, first: date, last: date
) -> tuple[Interval, ...]:
    lo_day, hi_day = first - timedelta(days=1), last + timedelta(days=1)
    lo, hi = local_epoch(lo_day), local_epoch(hi_day + timedelta(days=1))
    segments = offset_segments(tz, lo - _MARGIN, hi + DAY + _MARGIN)

    def span(local_start: int, local_end: int) -> list[Interval]:
        out = []
        for a, b, o in segments:
            start, end = max(a, local_start - o), min(b, local_end - o)
            if start < end:
                out.append((start, end))
        return out

    spans = []
    for day in days_between(lo_day, last):
        base = local_epoch(day)
        for start, end in schedule.periods_on(day):
            if day < first and end <= 24 * 60:
                continue  # the previous day matters only for periods past midnight
            spans.extend(span(base + start * 60, base + end * 60))
    worked = merge(spans)
    # An off day closes that local day only; a night shift from the day before still runs.
    closed = []
    for day in days_between(lo_day, hi_day):
        if day.weekday() in off.weekdays or day in off.dates:
            base = local_epoch(day)
            closed.extend(span(base, base + DAY))
    for a, b in off.ranges:
        if a < hi and b > lo:
            closed.extend(span(max(a, lo), min(b, hi)))
    window = merge(span(local_epoch(first), local_epoch(last + timedelta(days=1)) + DAY))
    return tuple(intersect(subtract(worked, merge(closed)), window))
