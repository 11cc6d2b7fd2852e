"""Properties of slot generation over random schedules, bookings, services, zones and dates:
whatever the rules, an offered slot is one a customer can really book."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.booking.intervals import (
    WEEKDAYS,
    Interval,
    RuleError,
    contains,
    local_epoch,
    merge,
    overlaps_any,
    parse_off_rules,
    parse_schedule,
    resolve_local,
    working_periods,
)
from webapp.booking.slots import (
    SMALL_HOURS_END,
    Service,
    SlotGrid,
    grid_for_flags,
    grid_for_website,
    horizon_end,
    notice_start,
    resource_slots,
)

ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Riyadh",
    "Asia/Kolkata",
    "America/Sao_Paulo",
]
TRANSITION_DAYS = [
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 10, 4),
    date(2026, 4, 5),
    date(2018, 11, 4),
    date(2019, 2, 16),
]
HOUR = 3600
PROPERTY_SETTINGS = settings(max_examples=120, deadline=None)


@dataclass(frozen=True)
class Scenario:
    tz: ZoneInfo
    periods: list[Interval]
    busy: list[Interval]
    service: Service
    grid: SlotGrid
    not_before: int
    not_after: int | None
    first: date
    last: date

    def slots(self) -> list[int]:
        return resource_slots(
            self.periods,
            self.busy,
            self.service,
            self.grid,
            self.tz,
            self.not_before,
            self.not_after,
        )


military = st.builds(lambda h, m: h * 100 + m, st.integers(0, 23), st.sampled_from(range(0, 60, 5)))
period = st.builds(
    lambda start, end: {"start": start, "end": end},
    military,
    st.one_of(military, st.just(2400)),
)
weekly_rules = st.lists(
    st.builds(
        lambda days, times: {"days": days, "times": times},
        st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True),
        st.lists(period, min_size=1, max_size=3),
    ),
    max_size=5,
)
days_in_2026 = st.dates(date(2026, 1, 1), date(2026, 12, 31))


def minutes(lo, hi):
    """Minutes, often round ones, so blocks meet period ends and the grid exactly."""
    return st.one_of(st.integers(lo, hi), st.integers(lo, hi).map(lambda m: max(lo, m - m % 5)))


def seconds(lo, hi):
    """Seconds, often whole minutes, for instants and lengths."""
    return st.one_of(st.integers(lo, hi), minutes(lo // 60, hi // 60).map(lambda m: m * 60))


@st.composite
def off_rules(draw, first):
    rules = []
    if draw(st.booleans()):
        rules.append({"type": "weekly", "days": [draw(st.sampled_from(WEEKDAYS))]})
    if draw(st.booleans()):
        rules.append(
            {"type": "date", "date": str(first + timedelta(days=draw(st.integers(-1, 3))))}
        )
    if draw(st.booleans()):
        start = datetime.combine(first, datetime.min.time()) + timedelta(
            minutes=draw(st.integers(-600, 3 * 1440))
        )
        end = start + timedelta(minutes=draw(st.integers(5, 600)))
        rules.append(
            {"type": "range", "from": start.isoformat(), "to": end.isoformat(timespec="minutes")}
        )
    return rules


@st.composite
def grids(draw):
    if draw(st.booleans()):
        splitting = draw(st.sampled_from(["optimize", "oclock", "oclockAndHalf", "20", "15", "10"]))
        fixed = ()
        if draw(st.booleans()):
            splitting = "fixed"
            fixed = draw(st.lists(st.integers(0, 1439), min_size=1, max_size=6))
        return grid_for_website(splitting, fixed, draw(st.booleans()), draw(st.booleans()))
    names = ["showHalfHour", "showThirdHour", "showQuarterHour", "showSixthHour"]
    flags = {name: draw(st.booleans()) for name in names}
    flags["showOclock"] = draw(st.sampled_from([None, True, False]))
    flags["showInBetweenSlots"] = draw(st.booleans())
    flags["showAfterMidnight"] = draw(st.sampled_from([None, True, False]))
    if draw(st.booleans()):
        flags["showFixedTimes"] = ",".join(str(m) for m in draw(st.lists(military, max_size=3)))
    try:
        return grid_for_flags(flags)
    except RuleError:  # every option turned off: fall back to the default o'clock grid
        flags["showOclock"] = True
        return grid_for_flags(flags)


@st.composite
def scenarios(draw):
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    first = draw(st.one_of(st.sampled_from(TRANSITION_DAYS), days_in_2026))
    first -= timedelta(days=draw(st.integers(0, 1)))
    last = first + timedelta(days=draw(st.integers(0, 2)))
    schedule = parse_schedule(draw(weekly_rules))
    offs = parse_off_rules(draw(off_rules(first)))
    periods = working_periods(schedule, offs, tz, first, last)

    window_start = int(datetime.combine(first, datetime.min.time(), tz).timestamp())
    busy = []
    for _ in range(draw(st.integers(0, 6))):
        start = window_start + draw(seconds(-6 * HOUR, 4 * 24 * HOUR))
        busy.append((start, start + draw(seconds(60, 4 * HOUR))))

    service = Service(draw(minutes(5, 180)), draw(minutes(0, 30)), draw(minutes(0, 30)))
    now = window_start + draw(seconds(-36 * HOUR, 72 * HOUR))
    not_before = notice_start(now, draw(st.sampled_from([-1, 0, 1, 2, 5, 24, 48])), tz)
    not_after = horizon_end(now, draw(st.integers(0, 5)), tz)
    return Scenario(
        tz, periods, sorted(busy), service, draw(grids()), not_before, not_after, first, last
    )


def local_wall(tz: ZoneInfo, instant: int) -> tuple[int, int]:
    """The local epoch and minute of day an instant shows on the resource's clock."""
    moment = datetime.fromtimestamp(instant, tz)
    minute = moment.hour * 60 + moment.minute
    return local_epoch(moment.date(), minute) + moment.second, minute


def bookable(sc: Scenario, start: int) -> bool:
    block = sc.service.block(start)
    return (
        contains(sc.periods, block)
        and not overlaps_any(merge(sc.busy), block)
        and start >= sc.not_before
        and (sc.not_after is None or start < sc.not_after)
        and (sc.grid.after_midnight or local_wall(sc.tz, start)[1] >= SMALL_HOURS_END)
    )


@PROPERTY_SETTINGS
@given(scenarios())
def test_no_offered_block_overlaps_a_booking(sc):
    busy = merge(sc.busy)
    for start in sc.slots():
        assert not overlaps_any(busy, sc.service.block(start))


@PROPERTY_SETTINGS
@given(scenarios())
def test_every_offered_block_lies_inside_one_working_period(sc):
    for start in sc.slots():
        assert contains(sc.periods, sc.service.block(start))


@PROPERTY_SETTINGS
@given(scenarios())
def test_no_slot_before_the_notice_or_past_the_horizon(sc):
    for start in sc.slots():
        assert start >= sc.not_before
        assert sc.not_after is None or start < sc.not_after


@PROPERTY_SETTINGS
@given(scenarios())
def test_slots_are_distinct_real_instants_on_the_grid(sc):
    starts = sc.slots()
    assert starts == sorted(set(starts))
    for start in starts:
        local, minute = local_wall(sc.tz, start)
        assert start in resolve_local(sc.tz, local)  # the wall time exists and means this instant
        if not sc.grid.in_between:
            assert minute in sc.grid.minutes and local % 60 == 0
        if not sc.grid.after_midnight:
            assert minute >= SMALL_HOURS_END


@PROPERTY_SETTINGS
@given(scenarios())
def test_every_bookable_grid_time_is_offered(sc):
    # An oracle: walk every wall-clock grid time of the dates, resolve it to its real
    # instants (none in a gap, two in a repeated hour) and keep those a customer could book.
    expected = set()
    for offset in range((sc.last - sc.first).days + 4):
        day = sc.first + timedelta(days=offset - 1)
        for minute in sc.grid.minutes:
            expected.update(
                s for s in resolve_local(sc.tz, local_epoch(day, minute)) if bookable(sc, s)
            )
    offered = set(sc.slots())
    assert expected <= offered
    if not sc.grid.in_between:
        assert offered == expected
