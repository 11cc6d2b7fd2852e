"""The interval arithmetic and the rule parsers behind availability."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from webapp.booking.intervals import (
    OffSet,
    RuleError,
    clip,
    contains,
    intersect,
    is_valid_timezone,
    local_epoch,
    merge,
    overlaps_any,
    parse_military,
    parse_off_rules,
    parse_schedule,
    subtract,
    working_periods,
    zone,
)

RIYADH = ZoneInfo("Asia/Riyadh")
KOLKATA = ZoneInfo("Asia/Kolkata")
HOUR = 3600
WEEK_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEK = tuple(name.lower() for name in WEEK_NAMES)


def at(tz, y, m, d, hh=0, mm=0):
    return int(datetime(y, m, d, hh, mm, tzinfo=tz).timestamp())


def hhmm(tz, instant):
    return datetime.fromtimestamp(instant, tz).strftime("%a %H:%M")


def shown(tz, periods):
    """Periods as the staff calendar would show them: local weekday and wall time."""
    return [(hhmm(tz, a), hhmm(tz, b)) for a, b in periods]


def weekly(days, *periods):
    return {"days": days, "times": [{"start": s, "end": e} for s, e in periods]}


def off(*rules):
    return parse_off_rules(list(rules))


# --- interval arithmetic -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param([], [], id="nothing"),
        pytest.param([(5, 7), (1, 3)], [(1, 3), (5, 7)], id="unsorted-disjoint"),
        pytest.param([(1, 5), (3, 8)], [(1, 8)], id="overlapping"),
        pytest.param([(1, 3), (3, 6)], [(1, 6)], id="touching-joins"),
        pytest.param([(1, 10), (2, 4), (5, 6)], [(1, 10)], id="nested"),
        pytest.param([(4, 4), (6, 2), (1, 2)], [(1, 2)], id="empty-and-reversed-dropped"),
        pytest.param([(1, 2), (8, 9), (2, 8)], [(1, 9)], id="bridge"),
    ],
)
def test_merge(given, expected):
    assert merge(given) == expected


@pytest.mark.parametrize(
    ("base", "cuts", "expected"),
    [
        pytest.param([(0, 10)], [], [(0, 10)], id="no-cuts"),
        pytest.param([(0, 10)], [(4, 6)], [(0, 4), (6, 10)], id="hole-in-middle"),
        pytest.param([(0, 10)], [(-5, 3)], [(3, 10)], id="cut-start"),
        pytest.param([(0, 10)], [(8, 20)], [(0, 8)], id="cut-end"),
        pytest.param([(0, 10)], [(-1, 11)], [], id="cut-all"),
        pytest.param([(0, 10)], [(0, 10)], [], id="cut-exactly"),
        pytest.param([(0, 10)], [(10, 12), (-3, 0)], [(0, 10)], id="touching-cuts-keep-all"),
        pytest.param(
            [(0, 10), (20, 30)],
            [(5, 25)],
            [(0, 5), (25, 30)],
            id="one-cut-spans-two-bases",
        ),
        pytest.param(
            [(0, 10), (20, 30)],
            [(1, 2), (3, 4), (22, 23)],
            [(0, 1), (2, 3), (4, 10), (20, 22), (23, 30)],
            id="many-cuts",
        ),
        pytest.param([], [(0, 5)], [], id="empty-base"),
    ],
)
def test_subtract(base, cuts, expected):
    assert subtract(base, cuts) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param([(0, 5)], [(6, 9)], [], id="disjoint"),
        pytest.param([(0, 5)], [(5, 9)], [], id="touching-is-empty"),
        pytest.param([(0, 5)], [(3, 9)], [(3, 5)], id="partial"),
        pytest.param([(0, 100)], [(10, 20), (30, 40)], [(10, 20), (30, 40)], id="one-spans-many"),
        pytest.param([(0, 10), (20, 30)], [(5, 25)], [(5, 10), (20, 25)], id="one-bridges-two"),
        pytest.param([], [(0, 1)], [], id="empty"),
    ],
)
def test_intersect(a, b, expected):
    assert intersect(a, b) == expected
    assert intersect(b, a) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(None, None, [(0, 10), (20, 30)], id="unbounded"),
        pytest.param(5, None, [(5, 10), (20, 30)], id="from"),
        pytest.param(None, 25, [(0, 10), (20, 25)], id="until"),
        pytest.param(10, 20, [], id="only-the-gap"),
        pytest.param(8, 22, [(8, 10), (20, 22)], id="both"),
    ],
)
def test_clip(start, end, expected):
    assert clip([(0, 10), (20, 30)], start, end) == expected


PERIODS = [(0, 10), (20, 30), (40, 50)]


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        pytest.param((2, 8), True, id="inside"),
        pytest.param((20, 30), True, id="exactly"),
        pytest.param((40, 45), True, id="at-start"),
        pytest.param((5, 25), False, id="straddles-a-gap"),
        pytest.param((8, 12), False, id="runs-past-end"),
        pytest.param((-2, 3), False, id="starts-before-first"),
        pytest.param((12, 18), False, id="in-a-gap"),
        pytest.param((55, 60), False, id="after-last"),
    ],
)
def test_contains(span, expected):
    assert contains(PERIODS, span) is expected


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        pytest.param((10, 20), False, id="fills-gap-touching-both"),
        pytest.param((12, 18), False, id="in-gap"),
        pytest.param((9, 11), True, id="tail-of-first"),
        pytest.param((19, 21), True, id="head-of-second"),
        pytest.param((25, 26), True, id="inside"),
        pytest.param((-5, 100), True, id="covers-all"),
        pytest.param((-5, 0), False, id="ends-where-first-starts"),
        pytest.param((50, 60), False, id="starts-where-last-ends"),
    ],
)
def test_overlaps_any(span, expected):
    assert overlaps_any(PERIODS, span) is expected


def test_overlaps_any_on_nothing_busy():
    assert overlaps_any([], (0, 10)) is False


@pytest.mark.parametrize("name", ["Asia/Riyadh", "America/Sao_Paulo", "UTC"])
def test_known_timezone(name):
    assert zone(name) == ZoneInfo(name)


@pytest.mark.parametrize("name", ["Asia/Mecca", "riyadh", "", "+03:00", None, 3])
def test_unknown_timezone_is_a_rule_error(name):
    assert not is_valid_timezone(name)
    with pytest.raises(RuleError, match="timezone"):
        zone(name)


# --- military times ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "minutes"),
    [(0, 0), (5, 5), (930, 570), (1200, 720), (1820, 1100), (2359, 1439)],
    ids=lambda v: str(v),
)
def test_parse_military(value, minutes):
    assert parse_military(value) == minutes


def test_2400_is_accepted_only_as_an_end():
    assert parse_military(2400, allow_2400=True) == 24 * 60
    with pytest.raises(RuleError, match="2400"):
        parse_military(2400)


@pytest.mark.parametrize(
    "value",
    [1260, 960, -5, -100, 2401, 2460, 2500, "900", True, False, 9.5, None],
    ids=repr,
)
def test_parse_military_rejects(value):
    with pytest.raises(RuleError):
        parse_military(value, allow_2400=True)


def test_parse_military_error_names_the_field():
    with pytest.raises(RuleError, match=r"rules\[0\]\.times\[1\]\.start"):
        parse_schedule([weekly(["sunday"], (900, 1200), (1275, 1400))])


# --- time rules --------------------------------------------------------------------------

SUNDAY = date(2026, 12, 6)
MONDAY = date(2026, 12, 7)
TUESDAY_IN_RANGE = date(2026, 12, 1)


def test_weekly_periods_apply_on_their_days_only():
    schedule = parse_schedule([weekly(["sunday", "Monday"], (900, 1700))])
    assert schedule.periods_on(SUNDAY) == ((540, 1020),)
    assert schedule.periods_on(MONDAY) == ((540, 1020),)
    assert schedule.periods_on(date(2026, 12, 8)) == ()


def test_several_periods_per_day_are_kept_in_order():
    schedule = parse_schedule(
        [weekly(["sunday"], (1400, 1700), (900, 1200)), weekly(["sunday"], (1800, 1900))]
    )
    assert schedule.periods_on(SUNDAY) == ((540, 720), (840, 1020), (1080, 1140))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(2200, 600, (1320, 1800), id="22-06"),
        pytest.param(2000, 0, (1200, 1440), id="ends-at-midnight"),
        pytest.param(0, 2400, (0, 1440), id="whole-day"),
        pytest.param(900, 900, (540, 1980), id="same-start-and-end-is-24h"),
    ],
)
def test_an_end_at_or_before_the_start_runs_past_midnight(start, end, expected):
    schedule = parse_schedule([weekly(["sunday"], (start, end))])
    assert schedule.periods_on(SUNDAY) == (expected,)


def test_a_date_range_rule_replaces_the_weekly_rules_on_its_dates():
    schedule = parse_schedule(
        [
            weekly(["sunday", "monday", "tuesday"], (900, 1700)),
            {"from": "2026-12-01", "to": "2026-12-06", "times": [{"start": 1000, "end": 1400}]},
        ]
    )
    assert schedule.periods_on(TUESDAY_IN_RANGE) == ((600, 840),)
    assert schedule.periods_on(SUNDAY) == ((600, 840),)  # last date is inclusive
    assert schedule.periods_on(MONDAY) == ((540, 1020),)  # back to the weekly rules
    assert schedule.periods_on(date(2026, 12, 3)) == ((600, 840),)  # even on a weekly day off


def test_a_date_range_rule_without_times_closes_those_dates():
    schedule = parse_schedule(
        [weekly(["sunday", "monday"], (900, 1700)), {"from": "2026-12-06", "to": "2026-12-06"}]
    )
    assert schedule.periods_on(SUNDAY) == ()
    assert schedule.periods_on(MONDAY) == ((540, 1020),)


def test_a_date_range_rule_with_days_opens_only_those_weekdays_in_the_range():
    schedule = parse_schedule(
        [
            weekly(["monday", "tuesday"], (900, 1700)),
            {
                "from": "2026-12-01",
                "to": "2026-12-14",
                "days": ["saturday"],
                "times": [{"start": 1000, "end": 1400}],
            },
        ]
    )
    assert schedule.periods_on(date(2026, 12, 5)) == ((600, 840),)  # a Saturday in range
    assert schedule.periods_on(MONDAY) == ()  # the range replaces the weekly Monday
    assert schedule.periods_on(date(2026, 12, 15)) == ((540, 1020),)  # a Tuesday after it


def test_overlapping_date_range_rules_add_up():
    schedule = parse_schedule(
        [
            {"from": "2026-12-01", "to": "2026-12-10", "times": [{"start": 900, "end": 1200}]},
            {"from": "2026-12-06", "times": [{"start": 1500, "end": 1600}]},
        ]
    )
    assert schedule.periods_on(SUNDAY) == ((540, 720), (900, 960))
    assert schedule.periods_on(MONDAY) == ((540, 720),)


def test_parse_schedule_keeps_horizon_and_notice():
    schedule = parse_schedule(None, depth_of_days=30, notice_hours=-1)
    assert (schedule.depth_of_days, schedule.notice_hours) == (30, -1)
    assert all(schedule.periods_on(SUNDAY + (MONDAY - SUNDAY) * i) == () for i in range(7))


@pytest.mark.parametrize(
    ("rules", "kwargs", "message"),
    [
        pytest.param([weekly(["funday"], (900, 1700))], {}, "funday", id="bad-weekday"),
        pytest.param(
            [{"from": "2026-12-07", "to": "2026-12-01"}], {}, "before", id="to-before-from"
        ),
        pytest.param([{"times": [{"start": 900, "end": 1700}]}], {}, "days", id="missing-days"),
        pytest.param([{"days": [], "times": []}], {}, "days", id="empty-days"),
        pytest.param([{"days": "sunday"}], {}, "list", id="days-not-a-list"),
        pytest.param([{"to": "2026-12-01"}], {}, "from", id="to-without-from"),
        pytest.param([{"from": "2026-13-01"}], {}, "2026-13-01", id="bad-date"),
        pytest.param([weekly(["sunday"], (900, 1260))], {}, "1260", id="bad-end"),
        pytest.param([{"days": ["sunday"], "times": [{"start": 900}]}], {}, "end", id="no-end"),
        pytest.param([{"days": ["sunday"], "times": {"start": 9}}], {}, "list", id="times-dict"),
        pytest.param({"days": ["sunday"]}, {}, "list", id="rules-not-a-list"),
        pytest.param(["sunday"], {}, "object", id="rule-not-an-object"),
        pytest.param([], {"depth_of_days": -1}, "depthOfDays", id="negative-depth"),
        pytest.param([], {"notice_hours": -2}, "scheduleAfter", id="notice-below-minus-one"),
    ],
)
def test_parse_schedule_errors(rules, kwargs, message):
    with pytest.raises(RuleError, match=message):
        parse_schedule(rules, **kwargs)


# --- off rules ---------------------------------------------------------------------------


def test_off_range_with_local_datetimes():
    offs = off({"type": "range", "from": "2026-12-24T09:30", "to": "2026-12-26T13:00"})
    assert offs.ranges == (
        (local_epoch(date(2026, 12, 24), 570), local_epoch(date(2026, 12, 26), 780)),
    )


def test_off_range_with_a_bare_end_date_includes_that_date():
    offs = off({"type": "range", "from": "2026-12-24", "to": "2026-12-26"})
    assert offs.ranges == ((local_epoch(date(2026, 12, 24)), local_epoch(date(2026, 12, 27))),)


def test_off_range_of_one_bare_date_is_that_whole_day():
    offs = off({"type": "range", "from": "2026-12-24", "to": "2026-12-24"})
    assert offs.ranges == ((local_epoch(date(2026, 12, 24)), local_epoch(date(2026, 12, 25))),)


def test_weekly_and_single_date_off_rules():
    offs = off(
        {"type": "weekly", "days": ["friday"]},
        {"type": "weekly", "days": ["Saturday", "friday"]},
        {"type": "date", "date": "2026-12-31", "note": "new year's eve"},
        {"type": "date", "date": "2026-12-31"},
    )
    assert offs == OffSet((), frozenset({4, 5}), frozenset({date(2026, 12, 31)}))


def test_no_off_rules():
    assert parse_off_rules(None) == OffSet()


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        pytest.param({"type": "holiday"}, "type", id="unknown-type"),
        pytest.param({"date": "2026-12-31"}, "type", id="missing-type"),
        pytest.param(
            {"type": "range", "from": "2026-12-24T10:00", "to": "2026-12-24T09:00"},
            "after",
            id="to-before-from",
        ),
        pytest.param(
            {"type": "range", "from": "2026-12-24T10:00", "to": "2026-12-24T10:00"},
            "after",
            id="empty-range",
        ),
        pytest.param({"type": "range", "from": "2026-12-24T10:00"}, "to", id="range-without-to"),
        pytest.param({"type": "range", "from": "tomorrow", "to": "2026-12-24"}, "from", id="junk"),
        pytest.param(
            {"type": "range", "from": "2026-12-24T09:00+03:00", "to": "2026-12-25"},
            "offset",
            id="offset-not-local",
        ),
        pytest.param({"type": "weekly", "days": []}, "at least one day", id="weekly-no-days"),
        pytest.param({"type": "weekly", "days": ["fri"]}, "fri", id="weekly-bad-day"),
        pytest.param({"type": "date", "date": "31/12/2026"}, "YYYY-MM-DD", id="bad-date"),
        pytest.param("friday", "object", id="not-an-object"),
    ],
)
def test_parse_off_rules_errors(rule, message):
    with pytest.raises(RuleError, match=message):
        parse_off_rules([rule])


def test_off_rules_must_be_a_list():
    with pytest.raises(RuleError, match="list"):
        parse_off_rules({"type": "weekly", "days": ["friday"]})


# --- working periods ---------------------------------------------------------------------


def work(rules, offs=(), first=SUNDAY, last=None, tz=RIYADH):
    schedule = parse_schedule(rules)
    return working_periods(schedule, parse_off_rules(list(offs)), tz, first, last or first)


def test_a_break_splits_the_working_day():
    periods = work([weekly(["sunday"], (900, 1200), (1300, 1700))])
    assert shown(RIYADH, periods) == [("Sun 09:00", "Sun 12:00"), ("Sun 13:00", "Sun 17:00")]
    assert not overlaps_any(periods, (at(RIYADH, 2026, 12, 6, 12, 30), at(RIYADH, 2026, 12, 6, 13)))


def test_touching_periods_form_one_stretch():
    periods = work([weekly(["sunday"], (900, 1200)), weekly(["sunday"], (1200, 1700))])
    assert shown(RIYADH, periods) == [("Sun 09:00", "Sun 17:00")]


def test_an_off_range_cuts_a_period():
    periods = work(
        [weekly(["sunday"], (900, 1700))],
        [{"type": "range", "from": "2026-12-06T11:00", "to": "2026-12-06T14:30"}],
    )
    assert shown(RIYADH, periods) == [("Sun 09:00", "Sun 11:00"), ("Sun 14:30", "Sun 17:00")]


def test_a_multi_day_off_range_closes_every_day_it_covers():
    every_day = weekly(["sunday", "monday", "tuesday", "wednesday"], (900, 1700))
    periods = work(
        [every_day],
        [{"type": "range", "from": "2026-12-07T12:00", "to": "2026-12-08"}],
        last=date(2026, 12, 9),
    )
    assert shown(RIYADH, periods) == [
        ("Sun 09:00", "Sun 17:00"),
        ("Mon 09:00", "Mon 12:00"),
        ("Wed 09:00", "Wed 17:00"),
    ]


def test_a_recurring_day_off_closes_it_every_week():
    periods = work(
        [weekly(list(WEEK), (900, 1700))],
        [{"type": "weekly", "days": ["friday"]}],
        first=date(2026, 12, 1),
        last=date(2026, 12, 14),
    )
    days = {datetime.fromtimestamp(a, RIYADH).date() for a, _ in periods}
    assert len(days) == 12
    assert {d.strftime("%A") for d in days} == set(WEEK_NAMES) - {"Friday"}


def test_a_holiday_closes_only_its_date():
    periods = work(
        [weekly(list(WEEK), (900, 1700))],
        [{"type": "date", "date": "2026-12-31"}],
        first=date(2026, 12, 30),
        last=date(2027, 1, 1),
    )
    assert shown(RIYADH, periods) == [("Wed 09:00", "Wed 17:00"), ("Fri 09:00", "Fri 17:00")]


def test_a_date_range_rule_without_times_closes_the_working_day():
    periods = work([weekly(["sunday"], (900, 1700)), {"from": "2026-12-06"}])
    assert periods == []


def test_a_night_shift_runs_past_midnight_and_joins_the_next_morning():
    periods = work(
        [weekly(["sunday"], (2200, 600)), weekly(["monday"], (600, 1000))],
        last=MONDAY,
    )
    assert shown(RIYADH, periods) == [("Sun 22:00", "Mon 10:00")]


def test_the_first_day_includes_the_previous_nights_shift_and_the_last_day_its_own():
    rules = [weekly(["saturday", "sunday"], (2200, 600))]
    periods = work(rules, first=SUNDAY, last=SUNDAY)
    assert shown(RIYADH, periods) == [("Sun 00:00", "Sun 06:00"), ("Sun 22:00", "Mon 06:00")]


def test_a_day_off_stops_the_previous_nights_shift_at_midnight():
    # A day off closes its whole local date, including the early hours of a shift begun the
    # evening before: staff who are off on Friday are not booked at 02:00 on Friday.
    rules = [weekly(["thursday"], (2200, 600))]
    periods = work(
        rules,
        [{"type": "weekly", "days": ["friday"]}],
        first=date(2026, 12, 3),
        last=date(2026, 12, 4),
    )
    assert shown(RIYADH, periods) == [("Thu 22:00", "Fri 00:00")]


def test_a_night_shift_starting_on_a_day_off_still_runs_after_midnight():
    # The off date is closed; the next date is not, so the shift's tail still works.
    rules = [weekly(["friday"], (2200, 600))]
    periods = work(
        rules,
        [{"type": "date", "date": "2026-12-04"}],
        first=date(2026, 12, 4),
        last=date(2026, 12, 5),
    )
    assert shown(RIYADH, periods) == [("Sat 00:00", "Sat 06:00")]


def test_a_day_off_after_the_last_day_still_cuts_its_night_shift():
    rules = [weekly(["sunday"], (2200, 600))]
    periods = work(rules, [{"type": "date", "date": "2026-12-07"}])
    assert shown(RIYADH, periods) == [("Sun 22:00", "Mon 00:00")]


def test_the_same_rules_in_two_timezones_are_two_and_a_half_hours_apart():
    rules = [weekly(["sunday"], (900, 1700))]
    offs = [{"type": "range", "from": "2026-12-06T12:00", "to": "2026-12-06T13:00"}]
    in_riyadh = work(rules, offs, tz=RIYADH)
    in_kolkata = work(rules, offs, tz=KOLKATA)
    assert shown(RIYADH, in_riyadh) == shown(KOLKATA, in_kolkata)
    assert [(a - 150 * 60, b - 150 * 60) for a, b in in_riyadh] == in_kolkata
    assert in_kolkata[0][0] == at(KOLKATA, 2026, 12, 6, 9)
