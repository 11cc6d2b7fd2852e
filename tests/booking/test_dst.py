"""Daylight-saving transitions: a period crossing a gap is shortened, never
shifted; a repeated hour yields each real instant once; zones without DST are unaffected."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from webapp.booking.intervals import (
    OffSet,
    local_epoch,
    parse_off_rules,
    parse_schedule,
    resolve_local,
    working_periods,
)
from webapp.booking.slots import (
    Service,
    grid_for_website,
    horizon_end,
    notice_start,
    resource_slots,
)

HOUR = 3600
WEEK = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def tz_(name):
    return ZoneInfo(name)


def day_(text):
    return date.fromisoformat(text)


def label(instant, tz):
    return datetime.fromtimestamp(instant, tz).strftime("%H:%M%z")


def wall(instant, tz):
    return datetime.fromtimestamp(instant, tz).strftime("%H:%M")


def working(tz, day, start, end, off=OffSet()):
    """Working periods of a resource working ``start``-``end`` on ``day`` only."""
    rules = [{"days": [WEEK[day.weekday()]], "times": [{"start": start, "end": end}]}]
    return working_periods(parse_schedule(rules), off, tz, day, day)


def slots(tz, day, start=0, end=2400, service=Service(30), splitting="oclockAndHalf", busy=()):
    """Slots of a resource working ``start``-``end`` on ``day`` only."""
    periods = working(tz, day, start, end)
    grid = grid_for_website(splitting)
    return resource_slots(periods, sorted(busy), service, grid, tz, None, None)


def round_trips(instant, tz):
    """The instant's wall-clock time exists and resolves back to the instant."""
    moment = datetime.fromtimestamp(instant, tz)
    local = local_epoch(moment.date(), moment.hour * 60 + moment.minute) + moment.second
    return instant in resolve_local(tz, local)


# (zone, spring-forward day, first missing wall minute, end of gap)
GAPS = [
    pytest.param("America/New_York", "2026-03-08", "02:00", "03:00", id="new_york"),
    pytest.param("Europe/Berlin", "2026-03-29", "02:00", "03:00", id="berlin"),
    pytest.param("Australia/Sydney", "2026-10-04", "02:00", "03:00", id="sydney"),
    pytest.param("America/Sao_Paulo", "2018-11-04", "00:00", "01:00", id="sao_paulo-2018"),
]

# (zone, fall-back day, first repeated wall minute, end of the repeated hour)
FOLDS = [
    pytest.param("America/New_York", "2026-11-01", "01:00", "02:00", id="new_york"),
    pytest.param("Europe/Berlin", "2026-10-25", "02:00", "03:00", id="berlin"),
    pytest.param("Australia/Sydney", "2026-04-05", "02:00", "03:00", id="sydney"),
    pytest.param("America/Sao_Paulo", "2019-02-16", "23:00", "24:00", id="sao_paulo-2019"),
]

TRANSITION_DAYS = [
    "2026-03-08",
    "2026-11-01",
    "2026-03-29",
    "2026-10-25",
    "2026-10-04",
    "2026-04-05",
    "2018-11-04",
    "2019-02-16",
    "2019-02-17",
]
NO_DST = ["Asia/Riyadh", "Asia/Kolkata"]


@pytest.mark.parametrize(
    ("zone", "day", "start", "end", "hours", "opens", "closes"),
    [
        pytest.param("America/New_York", "2026-03-08", 100, 500, 3, "01:00-0500", "05:00-0400"),
        pytest.param("America/New_York", "2026-11-01", 100, 500, 5, "01:00-0400", "05:00-0500"),
        pytest.param("Europe/Berlin", "2026-03-29", 100, 500, 3, "01:00+0100", "05:00+0200"),
        pytest.param("Europe/Berlin", "2026-10-25", 100, 500, 5, "01:00+0200", "05:00+0100"),
        pytest.param("Australia/Sydney", "2026-10-04", 100, 500, 3, "01:00+1000", "05:00+1100"),
        pytest.param("Australia/Sydney", "2026-04-05", 100, 500, 5, "01:00+1100", "05:00+1000"),
        pytest.param("America/Sao_Paulo", "2018-11-04", 0, 400, 3, "01:00-0200", "04:00-0200"),
        pytest.param("America/Sao_Paulo", "2019-02-16", 2200, 200, 5, "22:00-0200", "02:00-0300"),
        pytest.param("America/New_York", "2026-03-07", 2200, 600, 7, "22:00-0500", "06:00-0400"),
        pytest.param("America/New_York", "2026-10-31", 2200, 600, 9, "22:00-0400", "06:00-0500"),
    ],
    ids=[
        "new_york-spring",
        "new_york-fall",
        "berlin-spring",
        "berlin-fall",
        "sydney-spring",
        "sydney-fall",
        "sao_paulo-midnight-gap",
        "sao_paulo-fall",
        "new_york-night-shift-spring",
        "new_york-night-shift-fall",
    ],
)
def test_a_period_across_a_transition_keeps_its_wall_clock_ends(
    zone, day, start, end, hours, opens, closes
):
    tz = tz_(zone)
    (period,) = working(tz, day_(day), start, end)
    assert (period[1] - period[0]) / HOUR == hours
    assert (label(period[0], tz), label(period[1], tz)) == (opens, closes)


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        pytest.param("America/New_York", "2026-03-08", 23, id="new_york-spring"),
        pytest.param("America/New_York", "2026-11-01", 25, id="new_york-fall"),
        pytest.param("Australia/Sydney", "2026-10-04", 23, id="sydney-spring"),
        pytest.param("America/Sao_Paulo", "2018-11-04", 23, id="sao_paulo-spring"),
        pytest.param("America/Sao_Paulo", "2019-02-16", 25, id="sao_paulo-fall"),
        pytest.param("Asia/Kolkata", "2026-03-08", 24, id="kolkata"),
    ],
)
def test_a_whole_working_day_lasts_the_real_length_of_that_date(zone, day, hours):
    tz = tz_(zone)
    (whole_day,) = working(tz, day_(day), 0, 2400)
    assert whole_day[1] - whole_day[0] == hours * HOUR
    holiday = parse_off_rules([{"type": "date", "date": day}])
    assert working(tz, day_(day), 0, 2400, off=holiday) == []


def local_at(day, hhmm):
    hours, minutes = map(int, hhmm.split(":"))
    return local_epoch(day_(day), hours * 60 + minutes)


@pytest.mark.parametrize(("zone", "day", "gap_start", "gap_end"), GAPS)
def test_a_missing_wall_time_means_no_instant(zone, day, gap_start, gap_end):
    tz = tz_(zone)
    assert resolve_local(tz, local_at(day, gap_start)) == []
    assert resolve_local(tz, local_at(day, gap_start) + 59 * 60) == []
    (after,) = resolve_local(tz, local_at(day, gap_end))
    (before,) = resolve_local(tz, local_at(day, gap_start) - 60)
    assert after - before == 60  # the minute before the gap and its end are adjacent instants


@pytest.mark.parametrize(("zone", "day", "fold_start", "fold_end"), FOLDS)
def test_a_repeated_wall_time_means_two_instants(zone, day, fold_start, fold_end):
    tz = tz_(zone)
    first, second = resolve_local(tz, local_at(day, fold_start))
    assert second - first == HOUR
    assert len(resolve_local(tz, local_at(day, fold_start) - 60)) == 1
    assert len(resolve_local(tz, local_at(day, fold_end))) == 1


@pytest.mark.parametrize(("zone", "day", "gap_start", "gap_end"), GAPS)
def test_slots_never_show_a_missing_local_time(zone, day, gap_start, gap_end):
    tz = tz_(zone)
    starts = slots(tz, day_(day), splitting="10", service=Service(10))
    walls = [wall(s, tz) for s in starts]
    assert not [w for w in walls if gap_start <= w < gap_end]
    assert len(starts) == 24 * 6 - 6
    assert all(round_trips(s, tz) for s in starts)
    assert all(int(w[-2:]) % 10 == 0 for w in walls)
    assert starts == sorted(set(starts))


@pytest.mark.parametrize(("zone", "day", "fold_start", "fold_end"), FOLDS)
def test_a_repeated_hour_offers_each_real_instant_once(zone, day, fold_start, fold_end):
    tz = tz_(zone)
    starts = slots(tz, day_(day))
    walls = [wall(s, tz) for s in starts]
    assert starts == sorted(set(starts))
    assert len(starts) == 48 + 2
    repeated = [s for s in starts if fold_start <= wall(s, tz) < fold_end]
    assert len(repeated) == 4
    for time in {wall(s, tz) for s in repeated}:
        twins = [s for s in repeated if wall(s, tz) == time]
        assert len(twins) == 2
        assert twins[1] - twins[0] == HOUR
        assert label(twins[0], tz) != label(twins[1], tz)  # same wall time, two offsets
    assert all(round_trips(s, tz) for s in starts)
    assert all(w[-2:] in ("00", "30") for w in walls)


@pytest.mark.parametrize(("zone", "day", "fold_start", "fold_end"), FOLDS)
def test_a_booking_in_the_first_pass_of_a_repeated_hour_leaves_the_second_free(
    zone, day, fold_start, fold_end
):
    tz = tz_(zone)
    free = slots(tz, day_(day))
    first_pass, second_pass = [s for s in free if wall(s, tz) == fold_start]
    booked = slots(tz, day_(day), busy=[(first_pass, first_pass + 30 * 60)])
    assert first_pass not in booked
    assert second_pass in booked
    assert len(booked) == len(free) - 1


def test_an_hour_long_service_fits_twice_at_one_oclock_on_fall_back_night():
    tz = tz_("America/New_York")
    starts = slots(tz, day_("2026-11-01"), 0, 500, Service(60), splitting="optimize")
    assert [label(s, tz) for s in starts] == [
        "00:00-0400",
        "01:00-0400",
        "01:00-0500",
        "02:00-0500",
        "03:00-0500",
        "04:00-0500",
    ]


def test_a_service_crossing_the_gap_lasts_its_real_minutes():
    # 01:30 + 60 real minutes is 03:30 on spring-forward day, so it fits before 04:00.
    tz = tz_("Europe/Berlin")
    starts = slots(tz, day_("2026-03-29"), 100, 400, Service(60))
    assert [wall(s, tz) for s in starts] == ["01:00", "01:30", "03:00"]


@pytest.mark.parametrize("zone", NO_DST)
def test_zones_without_dst_ignore_other_zones_transition_days(zone):
    tz = tz_(zone)
    normal_day = [wall(s, tz) for s in slots(tz, day_("2026-06-07"))]
    assert len(normal_day) == 48
    for text in TRANSITION_DAYS:
        day = day_(text)
        assert [wall(s, tz) for s in slots(tz, day)] == normal_day
        (period,) = working(tz, day, 100, 500)
        assert period[1] - period[0] == 4 * HOUR


def test_sao_paulo_no_longer_observes_dst():
    tz = tz_("America/Sao_Paulo")
    for text in ("2026-11-01", "2026-11-08", "2027-02-20"):
        (period,) = working(tz, day_(text), 0, 400)
        assert period[1] - period[0] == 4 * HOUR
        assert label(period[0], tz) == "00:00-0300"


@pytest.mark.parametrize(
    ("zone", "now", "notice", "expected"),
    [
        pytest.param(
            "America/Sao_Paulo", "2018-11-03T12:00", -1, "2018-11-04 01:00-0200", id="midnight-gap"
        ),
        pytest.param(
            "America/New_York", "2026-03-07T12:00", -1, "2026-03-08 00:00-0500", id="ny-spring"
        ),
        pytest.param(
            "America/New_York", "2026-11-01T00:30", 2, "2026-11-01 01:30-0500", id="ny-fall-hours"
        ),
        pytest.param(
            "Europe/Berlin", "2026-03-29T01:30", 1, "2026-03-29 03:30+0200", id="berlin-hours"
        ),
    ],
)
def test_notice_across_transitions(zone, now, notice, expected):
    tz = tz_(zone)
    start = int(datetime.fromisoformat(now).replace(tzinfo=tz).timestamp())
    assert (
        datetime.fromtimestamp(notice_start(start, notice, tz), tz).strftime("%Y-%m-%d %H:%M%z")
        == expected
    )


@pytest.mark.parametrize(
    ("zone", "now", "depth", "expected"),
    [
        pytest.param(
            "America/Sao_Paulo", "2018-11-03T12:00", 1, "2018-11-04 01:00-0200", id="midnight-gap"
        ),
        pytest.param(
            "America/New_York", "2026-03-07T12:00", 2, "2026-03-09 00:00-0400", id="ny-spring"
        ),
        pytest.param(
            "Australia/Sydney", "2026-04-04T23:00", 2, "2026-04-06 00:00+1000", id="sydney-fall"
        ),
    ],
)
def test_horizon_ends_at_local_midnight_across_transitions(zone, now, depth, expected):
    tz = tz_(zone)
    start = int(datetime.fromisoformat(now).replace(tzinfo=tz).timestamp())
    end = horizon_end(start, depth, tz)
    assert datetime.fromtimestamp(end, tz).strftime("%Y-%m-%d %H:%M%z") == expected
