"""Pure slot generation.

A slot of a service starting at ``s`` is offered on a resource when the service's whole block
``[s - before, s + duration + after)`` lies inside one working period, overlaps no busy block
(existing bookings, each already widened by its own buffers), ``s`` is not earlier than the
minimum notice nor later than the horizon, and ``s`` falls on the slot grid (the website's
splitting policy or the request's show* flags) in the resource's local time.

Instants are integer epoch seconds, as in :mod:`webapp.booking.intervals`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from webapp.booking.intervals import (
    DAY,
    Interval,
    RuleError,
    clip,
    local_date,
    local_epoch,
    merge,
    offset_segments,
    parse_military,
    resolve_local,
    subtract,
)

# Slots starting in [00:00, 06:00) local time are "after midnight" (showAfterMidnight).
SMALL_HOURS_END = 6 * 60
_ANCHOR_ROUNDING = 5 * 60  # in-between slots start on whole five minutes
# The longest a booking may take on a calendar, buffers included. Bounding it lets the busy
# query read a bounded range of the (resource, start) index, however long the history.
MAX_BLOCK_MINUTES = 14 * 24 * 60


@dataclass(frozen=True)
class Service:
    """What the engine needs of a booking type: minutes of service and of buffer."""

    duration: int
    before: int = 0
    after: int = 0

    def __post_init__(self):
        if self.duration <= 0:
            raise RuleError("the duration must be a positive number of minutes")
        if self.before < 0 or self.after < 0:
            raise RuleError("buffers (leaveMinutesBefore/After) cannot be negative")
        if self.block_minutes > MAX_BLOCK_MINUTES:
            raise RuleError("a booking, buffers included, may last at most 14 days")

    @property
    def block_minutes(self) -> int:
        return self.before + self.duration + self.after

    def block(self, start: int) -> Interval:
        return (start - self.before * 60, start + (self.duration + self.after) * 60)


@dataclass(frozen=True)
class SlotGrid:
    """Which local start times are offered: minutes after midnight, plus optionally the
    "in-between" starts that pack services back to back after each free gap opens."""

    minutes: tuple[int, ...] = ()
    in_between: bool = False
    after_midnight: bool = True

    def __post_init__(self):
        if not self.minutes and not self.in_between:
            raise RuleError("no slot times are enabled; turn on at least one show* option")


def _every(step: int) -> tuple[int, ...]:
    return tuple(range(0, 24 * 60, step))


_HOURLY_MARKS = {
    "showOclock": (0,),
    "showHalfHour": (30,),
    "showThirdHour": (20, 40),
    "showQuarterHour": (15, 45),
    "showSixthHour": (10, 20, 30, 40, 50),
}
_SPLITTING_STEPS = {"oclock": 60, "oclockAndHalf": 30, "20": 20, "15": 15, "10": 10}


def grid_for_website(
    splitting: str,
    fixed_times: Sequence[int] = (),
    optimize: bool = False,
    show_midnight: bool = True,
) -> SlotGrid:
    """The grid of a website's ``bookingTimeSplitting`` setting (fixed times are minutes
    from midnight, as the website settings store them)."""
    if splitting == "optimize":
        return SlotGrid((), in_between=True, after_midnight=show_midnight)
    if splitting == "fixed":
        minutes = []
        for value in fixed_times:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1440:
                raise RuleError(f"fixed time {value!r} must be minutes from midnight (0-1439)")
            minutes.append(value)
        return SlotGrid(tuple(sorted(set(minutes))), optimize, show_midnight)
    if splitting not in _SPLITTING_STEPS:
        raise RuleError(
            f"bookingTimeSplitting {splitting!r} is not one of optimize, oclock, "
            "oclockAndHalf, 20, 15, 10, fixed"
        )
    return SlotGrid(_every(_SPLITTING_STEPS[splitting]), optimize, show_midnight)


def grid_for_flags(flags: Mapping[str, object]) -> SlotGrid:
    """The grid of the availability request's show* flags (API defaults:
    ``showOclock`` and ``showAfterMidnight`` on, the rest off)."""
    marks: set[int] = set()
    for name, minutes in _HOURLY_MARKS.items():
        if _flag(flags, name, default=(name == "showOclock")):
            marks.update(minutes)
    minutes = {hour * 60 + m for hour in range(24) for m in marks}
    fixed = flags.get("showFixedTimes")
    if fixed not in (None, ""):
        for part in str(fixed).split(","):
            part = part.strip()
            if not part.isdigit():
                raise RuleError(f"showFixedTimes: {part!r} is not a military time such as 800")
            minutes.add(parse_military(int(part), what="showFixedTimes"))
    return SlotGrid(
        tuple(sorted(minutes)),
        in_between=_flag(flags, "showInBetweenSlots", default=False),
        after_midnight=_flag(flags, "showAfterMidnight", default=True),
    )


def _flag(flags: Mapping[str, object], name: str, default: bool) -> bool:
    value = flags.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
        return value.lower() in {"true", "1"}
    raise RuleError(f"{name} must be true or false")


# --- bounds ------------------------------------------------------------------------------


def notice_start(now: int, notice_hours: int, tz: ZoneInfo) -> int:
    """Earliest bookable instant: -1 = from tomorrow (local), 0 = now, n = n hours from now."""
    if notice_hours == -1:
        tomorrow = local_date(tz, now) + timedelta(days=1)
        return min(resolve_local_floor(tz, local_epoch(tomorrow)), now + DAY * 2)
    return now + max(notice_hours, 0) * 3600


def horizon_end(now: int, depth_of_days: int, tz: ZoneInfo) -> int | None:
    """First instant past the horizon: ``depth_of_days`` local dates counting today, or
    None when there is no horizon (0)."""
    if not depth_of_days:
        return None
    last_open = local_date(tz, now) + timedelta(days=depth_of_days)
    return resolve_local_floor(tz, local_epoch(last_open))


def resolve_local_floor(tz: ZoneInfo, local: int) -> int:
    """The first instant at or after local time ``local`` (a midnight inside a DST gap
    resolves to the end of the gap)."""
    found = resolve_local(tz, local)
    if found:
        return found[0]
    step = 60
    while not found:
        local += step
        found = resolve_local(tz, local)
    return found[0]


# --- slots -------------------------------------------------------------------------------


def allowed_starts(
    periods: Sequence[Interval],
    busy: Sequence[Interval],
    service: Service,
    not_before: int | None = None,
    not_after: int | None = None,
) -> list[Interval]:
    """Every instant ``s`` (as merged half-open intervals) at which the service's block fits
    in one period and clears every busy block, with ``not_before <= s < not_after``."""
    before, rest = service.before * 60, (service.duration + service.after) * 60
    fits = [(a + before, b - rest + 1) for a, b in periods if b - rest + 1 > a + before]
    blocked = merge((bs - rest + 1, be + before) for bs, be in busy)
    return clip(subtract(merge(fits), blocked), not_before, not_after)


def grid_starts(
    allowed: Sequence[Interval], grid: SlotGrid, tz: ZoneInfo, service: Service
) -> list[int]:
    """The slot starts inside ``allowed`` that the grid offers, in resource-local time."""
    starts: set[int] = set()
    minutes = grid.minutes
    segments = offset_segments(tz, allowed[0][0], allowed[-1][1]) if allowed else []
    for a, b in allowed:
        if minutes:
            for sa, sb, offset in segments:
                sa, sb = max(sa, a), min(sb, b)
                if sa >= sb:
                    continue
                lo, hi = sa + offset, sb + offset  # local epochs
                day = lo // DAY
                while day * DAY < hi:
                    base = day * DAY
                    i = bisect.bisect_left(minutes, -(-(lo - base) // 60))
                    while i < len(minutes) and base + minutes[i] * 60 < hi:
                        starts.add(base + minutes[i] * 60 - offset)
                        i += 1
                    day += 1
        if grid.in_between:
            step = service.block_minutes * 60
            s = -(-a // _ANCHOR_ROUNDING) * _ANCHOR_ROUNDING
            while s < b:
                starts.add(s)
                s += step
    ordered = sorted(starts)
    if not grid.after_midnight:
        ordered = [s for s in ordered if _minute_of_day(tz, s) >= SMALL_HOURS_END]
    return ordered


def _minute_of_day(tz: ZoneInfo, instant: int) -> int:
    moment = datetime.fromtimestamp(instant, tz)
    return moment.hour * 60 + moment.minute


def resource_slots(
    periods: Sequence[Interval],
    busy: Sequence[Interval],
    service: Service,
    grid: SlotGrid,
    tz: ZoneInfo,
    not_before: int | None,
    not_after: int | None,
) -> list[int]:
    return grid_starts(
        allowed_starts(periods, busy, service, not_before, not_after), grid, tz, service
    )


# --- combining resources -----------------------------------------------------------------


def combine(per_resource: Mapping[str, Iterable[int]]) -> list[tuple[int, list[str]]]:
    """Slots across resources: ``(start, [resource ids free then])`` in time order; the ids
    keep the order of ``per_resource`` (the display order of resources)."""
    by_start: dict[int, list[str]] = {}
    for resource_id, starts in per_resource.items():
        for s in starts:
            by_start.setdefault(s, []).append(resource_id)
    return sorted(by_start.items())


def group_by_date(
    slots: Sequence[tuple[int, list[str]]], tz: ZoneInfo
) -> list[tuple[date, list[tuple[int, list[str]]]]]:
    days: dict[date, list[tuple[int, list[str]]]] = {}
    for slot in slots:
        days.setdefault(local_date(tz, slot[0]), []).append(slot)
    return sorted(days.items())


def apply_time_policy(day_slots: list, policy: str, suggested: int = 3) -> list:
    """``displayAll`` keeps every slot of a day, ``first`` the earliest, ``suggest`` N slots
    spread evenly over the day (the first and the last among them)."""
    if policy == "displayAll" or not day_slots:
        return list(day_slots)
    if policy == "first":
        return day_slots[:1]
    if policy == "suggest":
        n = max(1, suggested)
        if len(day_slots) <= n:
            return list(day_slots)
        if n == 1:
            return day_slots[:1]
        picks = sorted({round(i * (len(day_slots) - 1) / (n - 1)) for i in range(n)})
        return [day_slots[i] for i in picks]
    raise RuleError(f"bookingTimePolicy {policy!r} is not one of displayAll, suggest, first")


def least_busy(candidates: Sequence[str], load: Mapping[str, int]) -> str:
    """The candidate with the least booked time; ties go to the earlier candidate."""
    return min(candidates, key=lambda rid: (load.get(rid, 0), candidates.index(rid)))
