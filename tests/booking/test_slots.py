"""Which start times a customer is offered: grids, buffers, notice, horizon,
time policies and combining resources."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from webapp.booking.intervals import OffSet, RuleError, parse_schedule, working_periods
from webapp.booking.slots import (
    Service,
    SlotGrid,
    apply_time_policy,
    combine,
    grid_for_flags,
    grid_for_website,
    group_by_date,
    horizon_end,
    least_busy,
    notice_start,
    resource_slots,
)

RIYADH = ZoneInfo("Asia/Riyadh")
KOLKATA = ZoneInfo("Asia/Kolkata")
SUNDAY = date(2026, 12, 6)
MONDAY = date(2026, 12, 7)
HOURLY = grid_for_flags({})
HALF_HOURLY = grid_for_flags({"showHalfHour": True})
WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def at(day, hh=0, mm=0, tz=RIYADH):
    return int(datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz).timestamp())


def hhmm(instant, tz=RIYADH):
    return datetime.fromtimestamp(instant, tz).strftime("%H:%M")


def periods(*spans, days=WEEK, first=SUNDAY, last=None, tz=RIYADH):
    """Working periods of a resource open ``spans`` (military pairs) on ``days``."""
    rules = [{"days": list(days), "times": [{"start": s, "end": e} for s, e in spans]}]
    return working_periods(parse_schedule(rules), OffSet(), tz, first, last or first)


def offered(
    working,
    service=Service(30),
    grid=HOURLY,
    busy=(),
    not_before=None,
    not_after=None,
    tz=RIYADH,
):
    """The start times shown to a customer, as local HH:MM."""
    starts = resource_slots(working, sorted(busy), service, grid, tz, not_before, not_after)
    return [hhmm(s, tz) for s in starts]


def busy_at(start, end, day=SUNDAY):
    """A busy block between two local military times on ``day`` (already widened)."""
    return (at(day, start // 100, start % 100), at(day, end // 100, end % 100))


# --- services ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"duration": 0}, id="zero-duration"),
        pytest.param({"duration": -30}, id="negative-duration"),
        pytest.param({"duration": 30, "before": -1}, id="negative-before"),
        pytest.param({"duration": 30, "after": -15}, id="negative-after"),
    ],
)
def test_service_rejects_impossible_minutes(kwargs):
    with pytest.raises(RuleError):
        Service(**kwargs)


def test_service_block_spans_both_buffers():
    service = Service(30, before=10, after=15)
    assert service.block_minutes == 55
    assert service.block(at(SUNDAY, 10)) == (at(SUNDAY, 9, 50), at(SUNDAY, 10, 45))


# --- grids -------------------------------------------------------------------------------

NINE_TO_ELEVEN = (900, 1100)


@pytest.mark.parametrize(
    ("splitting", "fixed", "expected"),
    [
        pytest.param("oclock", (), ["09:00", "10:00"], id="oclock"),
        pytest.param("oclockAndHalf", (), ["09:00", "09:30", "10:00", "10:30"], id="half"),
        pytest.param("20", (), ["09:00", "09:20", "09:40", "10:00", "10:20"], id="20"),
        pytest.param(
            "15",
            (),
            ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30"],
            id="15",
        ),
        pytest.param(
            "10",
            (),
            [f"{h:02}:{m:02}" for h in (9, 10) for m in range(0, 60, 10)][:10],
            id="10",
        ),
        pytest.param("optimize", (), ["09:00", "09:25", "09:50", "10:15"], id="optimize"),
        pytest.param("fixed", (650, 540, 615, 540), ["09:00", "10:15"], id="fixed"),
    ],
)
def test_website_splitting_modes_for_a_25_minute_service(splitting, fixed, expected):
    grid = grid_for_website(splitting, fixed)
    assert offered(periods(NINE_TO_ELEVEN), Service(25), grid) == expected


def test_website_fixed_times_are_minutes_from_midnight():
    assert grid_for_website("fixed", [720, 480]).minutes == (480, 720)


def test_website_optimize_flag_adds_in_between_slots_to_a_grid():
    grid = grid_for_website("oclock", optimize=True)
    busy = [busy_at(900, 940)]
    assert offered(periods(NINE_TO_ELEVEN), Service(25), grid, busy) == [
        "09:40",
        "10:00",
        "10:05",
        "10:30",
    ]


def test_website_can_hide_after_midnight_slots():
    night = periods((2200, 800), first=SUNDAY, last=MONDAY)
    grid = grid_for_website("oclock", show_midnight=False)
    shown = offered(night, grid=grid)
    assert shown[:6] == ["06:00", "07:00", "22:00", "23:00", "06:00", "07:00"]
    assert not any("00:00" <= t < "06:00" for t in shown)


@pytest.mark.parametrize(
    ("splitting", "fixed"),
    [
        pytest.param("5", (), id="unknown-mode"),
        pytest.param("fixed", (), id="fixed-without-times"),
        pytest.param("fixed", (1440,), id="fixed-past-midnight"),
        pytest.param("fixed", (-1,), id="fixed-negative"),
        pytest.param("fixed", ("480",), id="fixed-string"),
        pytest.param("fixed", (True,), id="fixed-bool"),
    ],
)
def test_website_grid_errors(splitting, fixed):
    with pytest.raises(RuleError):
        grid_for_website(splitting, fixed)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        pytest.param({}, ["09:00", "10:00"], id="default-oclock"),
        pytest.param({"showOclock": True}, ["09:00", "10:00"], id="showOclock"),
        pytest.param({"showOclock": False, "showHalfHour": True}, ["09:30", "10:30"], id="half"),
        pytest.param(
            {"showThirdHour": True},
            ["09:00", "09:20", "09:40", "10:00", "10:20"],
            id="third-with-oclock",
        ),
        pytest.param(
            {"showOclock": False, "showQuarterHour": True},
            ["09:15", "09:45", "10:15"],
            id="quarter",
        ),
        pytest.param(
            {"showSixthHour": True},
            [
                "09:00",
                "09:10",
                "09:20",
                "09:30",
                "09:40",
                "09:50",
                "10:00",
                "10:10",
                "10:20",
                "10:30",
            ],
            id="sixth-with-oclock",
        ),
        pytest.param(
            {"showOclock": False, "showInBetweenSlots": True},
            ["09:00", "09:25", "09:50", "10:15"],
            id="in-between-only",
        ),
        pytest.param(
            {"showOclock": "false", "showFixedTimes": "930, 1015"},
            ["09:30", "10:15"],
            id="fixed-military",
        ),
        pytest.param(
            {"showFixedTimes": "0930", "showHalfHour": "1", "showOclock": "0"},
            ["09:30", "10:30"],
            id="string-flags",
        ),
    ],
)
def test_show_flags_for_a_25_minute_service(flags, expected):
    assert offered(periods(NINE_TO_ELEVEN), Service(25), grid_for_flags(flags)) == expected


def test_show_fixed_times_800_and_1200():
    grid = grid_for_flags({"showOclock": False, "showFixedTimes": "800,1200"})
    assert grid.minutes == (480, 720)
    assert offered(periods((700, 1700)), grid=grid) == ["08:00", "12:00"]


def test_show_after_midnight_is_on_by_default():
    night = periods((2200, 300), days=["sunday"])
    assert offered(night) == ["22:00", "23:00", "00:00", "01:00", "02:00"]


def test_show_after_midnight_false_hides_00_00_to_06_00_local():
    night = periods((2200, 800), days=["sunday"])
    shown = offered(night, grid=grid_for_flags({"showAfterMidnight": False}))
    assert shown == ["22:00", "23:00", "06:00", "07:00"]


def test_show_after_midnight_false_hides_in_between_slots_too():
    flags = {"showOclock": False, "showInBetweenSlots": True, "showAfterMidnight": False}
    assert offered(periods((500, 700)), Service(30), grid_for_flags(flags)) == ["06:00", "06:30"]


def test_show_after_midnight_uses_the_resource_timezone():
    # Small hours are read on the resource's clock: 06:00 in Kolkata is 03:30 in Riyadh.
    night = periods((300, 800), tz=KOLKATA)
    grid = grid_for_flags({"showAfterMidnight": False})
    assert offered(night, grid=grid, tz=KOLKATA) == ["06:00", "07:00"]


@pytest.mark.parametrize(
    "flags",
    [
        pytest.param({"showOclock": False}, id="nothing-enabled"),
        pytest.param({"showFixedTimes": "9:30"}, id="fixed-with-colon"),
        pytest.param({"showFixedTimes": "1260"}, id="fixed-bad-minutes"),
        pytest.param({"showFixedTimes": "2400"}, id="fixed-2400"),
        pytest.param({"showFixedTimes": "800,,1200"}, id="fixed-empty-part"),
        pytest.param({"showHalfHour": "yes"}, id="flag-not-boolean"),
        pytest.param({"showHalfHour": 1}, id="flag-number"),
    ],
)
def test_show_flag_errors(flags):
    with pytest.raises(RuleError):
        grid_for_flags(flags)


def test_an_empty_grid_is_refused():
    with pytest.raises(RuleError, match="show"):
        SlotGrid(())


# --- working periods and breaks ----------------------------------------------------------


def test_a_break_offers_no_slot_inside_it():
    day = periods((900, 1200), (1300, 1700), days=["sunday"])
    shown = offered(day, grid=HALF_HOURLY)
    assert "12:30" not in shown
    assert "12:00" not in shown
    assert shown[-1] == "16:30"
    assert "11:30" in shown and "13:00" in shown


def test_a_service_never_straddles_the_break():
    day = periods((900, 1200), (1300, 1700), days=["sunday"])
    shown = offered(day, Service(90), HALF_HOURLY)
    assert shown == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
    ]


@pytest.mark.parametrize(
    ("service", "last"),
    [
        pytest.param(Service(50), "11:10", id="ends-at-closing"),
        pytest.param(Service(51), "11:00", id="one-minute-too-long"),
        pytest.param(Service(40, after=10), "11:10", id="after-buffer-ends-at-closing"),
        pytest.param(Service(40, after=11), "11:00", id="after-buffer-one-minute-too-long"),
    ],
)
def test_a_service_must_end_by_closing_time(service, last):
    assert offered(periods((900, 1200)), service, grid_for_website("10"))[-1] == last


@pytest.mark.parametrize(
    ("service", "first"),
    [
        pytest.param(Service(30, before=10), "09:10", id="before-buffer-at-opening"),
        pytest.param(Service(30, before=11), "09:20", id="before-buffer-one-minute-early"),
    ],
)
def test_a_before_buffer_must_start_after_opening_time(service, first):
    assert offered(periods((900, 1200)), service, grid_for_website("10"))[0] == first


@pytest.mark.parametrize(
    ("busy_end", "first_after"),
    [(1100, "11:00"), (1101, "11:10")],
    ids=["booking-ends-on-the-grid", "booking-ends-a-minute-later"],
)
def test_the_first_slot_after_a_booking(busy_end, first_after):
    busy = [busy_at(1000, busy_end)]
    shown = offered(periods((900, 1200)), Service(30), grid_for_website("10"), busy)
    assert shown[shown.index("09:30") + 1] == first_after


@pytest.mark.parametrize(
    ("busy_start", "last_before"),
    [(1000, "09:30"), (959, "09:20")],
    ids=["booking-starts-on-the-grid", "booking-starts-a-minute-earlier"],
)
def test_the_last_slot_before_a_booking(busy_start, last_before):
    busy = [busy_at(busy_start, 1100)]
    shown = offered(periods((900, 1200)), Service(30), grid_for_website("10"), busy)
    assert shown[shown.index("11:00") - 1] == last_before


def test_nothing_is_offered_on_a_closed_day():
    assert offered(periods((900, 1700), days=["monday"])) == []


# --- buffers -----------------------------------------------------------------------------


def test_new_service_buffers_must_fit_inside_the_working_period():
    # A 30-minute service with 15 minutes either side cannot start at opening time.
    day = periods((900, 1200))
    shown = offered(day, Service(30, before=15, after=15), HALF_HOURLY)
    assert shown == ["09:30", "10:00", "10:30", "11:00"]


def test_new_service_after_buffer_must_clear_the_next_booking():
    busy = [busy_at(1000, 1100)]
    day = periods((900, 1300))
    assert offered(day, Service(30, after=15), HALF_HOURLY, busy) == [
        "09:00",
        "11:00",
        "11:30",
        "12:00",
    ]
    assert offered(day, Service(30), HALF_HOURLY, busy) == [
        "09:00",
        "09:30",
        "11:00",
        "11:30",
        "12:00",
        "12:30",
    ]


def test_new_service_before_buffer_must_clear_the_previous_booking():
    busy = [busy_at(1000, 1100)]
    day = periods((900, 1300))
    assert offered(day, Service(30, before=15), HALF_HOURLY, busy) == [
        "09:30",
        "11:30",
        "12:00",
        "12:30",
    ]


def test_existing_bookings_arrive_widened_by_their_own_buffers():
    # A 10:00-11:00 booking whose type leaves 30 minutes after is busy until 11:30.
    day = periods((900, 1300))
    widened = [busy_at(1000, 1130)]
    shown = offered(day, Service(30), HALF_HOURLY, widened)
    assert "11:00" not in shown
    assert "11:30" in shown


def test_a_slot_may_end_exactly_when_a_booking_starts():
    busy = [busy_at(1000, 1100)]
    shown = offered(periods((900, 1200)), Service(60), HOURLY, busy)
    assert shown == ["09:00", "11:00"]


def test_overlapping_busy_blocks_are_handled_in_any_order():
    busy = [busy_at(1030, 1130), busy_at(1000, 1045), busy_at(1400, 1401)]
    shown = offered(periods((900, 1700)), Service(30), HALF_HOURLY, busy)
    assert shown == [
        "09:00",
        "09:30",
        "11:30",
        "12:00",
        "12:30",
        "13:00",
        "13:30",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
        "16:30",
    ]


# --- minimum notice and horizon ----------------------------------------------------------


def test_notice_zero_starts_now():
    now = at(SUNDAY, 10, 17)
    assert notice_start(now, 0, RIYADH) == now
    assert offered(periods((900, 1700)), not_before=now)[0] == "11:00"


def test_notice_of_n_hours():
    now = at(SUNDAY, 10, 17)
    assert notice_start(now, 2, RIYADH) == at(SUNDAY, 12, 17)
    shown = offered(periods((900, 1700)), not_before=notice_start(now, 2, RIYADH))
    assert shown == ["13:00", "14:00", "15:00", "16:00"]


@pytest.mark.parametrize(
    ("hh", "mm"), [(0, 0), (10, 17), (23, 59)], ids=["midnight", "morning", "last-minute"]
)
def test_notice_minus_one_means_from_tomorrow_local(hh, mm):
    now = at(SUNDAY, hh, mm)
    assert notice_start(now, -1, RIYADH) == at(MONDAY)
    week = periods((900, 1700), first=SUNDAY, last=MONDAY)
    starts = resource_slots(
        week, [], Service(30), HOURLY, RIYADH, notice_start(now, -1, RIYADH), None
    )
    assert datetime.fromtimestamp(starts[0], RIYADH) == datetime(2026, 12, 7, 9, tzinfo=RIYADH)


def test_notice_minus_one_uses_the_resource_timezone():
    # 20:00 UTC on Sunday is already Monday 01:30 in Kolkata, so "tomorrow" is Tuesday there.
    now = int(datetime(2026, 12, 6, 20, tzinfo=ZoneInfo("UTC")).timestamp())
    assert notice_start(now, -1, RIYADH) == at(MONDAY)
    assert notice_start(now, -1, KOLKATA) == at(date(2026, 12, 8), tz=KOLKATA)


def test_no_horizon_when_depth_is_zero():
    assert horizon_end(at(SUNDAY, 10), 0, RIYADH) is None


@pytest.mark.parametrize(
    ("depth", "open_days"),
    [(1, ["06"]), (2, ["06", "07"]), (3, ["06", "07", "08"])],
    ids=["today-only", "two-days", "three-days"],
)
def test_horizon_counts_local_dates_including_today(depth, open_days):
    now = at(SUNDAY, 10, 45)
    end = horizon_end(now, depth, RIYADH)
    week = periods((900, 1700), first=SUNDAY, last=date(2026, 12, 12))
    starts = resource_slots(week, [], Service(30), HOURLY, RIYADH, now, end)
    days = sorted({datetime.fromtimestamp(s, RIYADH).strftime("%d") for s in starts})
    assert days == open_days
    assert end == at(date(2026, 12, 6 + depth))


def test_a_slot_starting_before_the_horizon_may_end_after_it():
    night = periods((2200, 200), first=SUNDAY)
    now = at(SUNDAY, 8)
    shown = offered(night, Service(90), not_before=now, not_after=horizon_end(now, 1, RIYADH))
    assert shown == ["22:00", "23:00"]


# --- in-between (optimize) ---------------------------------------------------------------

OPTIMIZE = grid_for_website("optimize")


def test_in_between_packs_back_to_back_after_a_booking():
    busy = [busy_at(910, 950)]
    assert offered(periods((900, 1200)), Service(30), OPTIMIZE, busy) == [
        "09:50",
        "10:20",
        "10:50",
        "11:20",
    ]


def test_in_between_steps_by_the_whole_block_including_buffers():
    busy = [busy_at(950, 1000)]
    shown = offered(periods((900, 1200)), Service(30, before=5, after=10), OPTIMIZE, busy)
    assert shown == ["09:05", "10:05", "10:50"]


def test_in_between_slots_start_on_whole_five_minutes():
    busy = [busy_at(900, 1002)]
    assert offered(periods((900, 1200)), Service(50), OPTIMIZE, busy)[0] == "10:05"


def test_in_between_restarts_after_each_booking():
    busy = [busy_at(1000, 1015), busy_at(1120, 1200)]
    shown = offered(periods((900, 1300)), Service(40), OPTIMIZE, busy)
    assert shown == ["09:00", "10:15", "12:00"]


# --- time policies, least busy and combining ---------------------------------------------

NINE = list(range(9))


@pytest.mark.parametrize(
    ("policy", "suggested", "expected"),
    [
        pytest.param("displayAll", 3, NINE, id="displayAll"),
        pytest.param("first", 3, [0], id="first"),
        pytest.param("suggest", 3, [0, 4, 8], id="suggest-3-spread"),
        pytest.param("suggest", 2, [0, 8], id="suggest-2-first-and-last"),
        pytest.param("suggest", 5, [0, 2, 4, 6, 8], id="suggest-5"),
        pytest.param("suggest", 1, [0], id="suggest-1"),
        pytest.param("suggest", 0, [0], id="suggest-0-means-1"),
        pytest.param("suggest", 9, NINE, id="suggest-all"),
        pytest.param("suggest", 20, NINE, id="suggest-more-than-there-are"),
    ],
)
def test_apply_time_policy(policy, suggested, expected):
    assert apply_time_policy(NINE, policy, suggested) == expected


def test_suggest_spreads_symmetrically():
    assert apply_time_policy(list(range(6)), "suggest", 4) == [0, 2, 3, 5]


@pytest.mark.parametrize("suggested", range(1, 12))
def test_suggest_gives_n_distinct_slots_in_order(suggested):
    picks = apply_time_policy(list(range(10)), "suggest", suggested)
    assert len(picks) == min(suggested, 10)
    assert picks == sorted(set(picks))
    assert picks[0] == 0
    assert suggested == 1 or picks[-1] == 9


@pytest.mark.parametrize("policy", ["displayAll", "first", "suggest"])
def test_a_day_without_slots_stays_empty(policy):
    assert apply_time_policy([], policy) == []


def test_unknown_time_policy():
    with pytest.raises(RuleError, match="bookingTimePolicy"):
        apply_time_policy([1], "random")


@pytest.mark.parametrize(
    ("load", "expected"),
    [
        pytest.param({"ali": 120, "sara": 60, "omar": 90}, "sara", id="least-booked"),
        pytest.param({"ali": 60, "sara": 60, "omar": 60}, "ali", id="tie-goes-to-first"),
        pytest.param({"ali": 60, "sara": 30}, "omar", id="unbooked-is-least"),
        pytest.param({"sara": 0, "omar": 0, "ali": 10}, "sara", id="tie-in-display-order"),
    ],
)
def test_least_busy(load, expected):
    assert least_busy(["ali", "sara", "omar"], load) == expected


def test_combine_lists_each_start_once_with_its_free_resources_in_display_order():
    merged = combine({"sara": [300, 100], "ali": [100, 200], "omar": []})
    assert merged == [(100, ["sara", "ali"]), (200, ["ali"]), (300, ["sara"])]


def test_group_by_date_uses_the_viewers_timezone():
    late = at(SUNDAY, 23, 30)  # Monday 02:00 in Kolkata
    slots = combine({"ali": [at(SUNDAY, 9), late, at(MONDAY, 9)]})
    in_riyadh = group_by_date(slots, RIYADH)
    assert [(d, len(s)) for d, s in in_riyadh] == [(SUNDAY, 2), (MONDAY, 1)]
    in_kolkata = group_by_date(slots, KOLKATA)
    assert [(d, len(s)) for d, s in in_kolkata] == [(SUNDAY, 1), (MONDAY, 2)]
    assert in_kolkata[1][1][0] == (late, ["ali"])
