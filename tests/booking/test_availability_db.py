"""Availability from the database: which times and resources customers are
offered, which resource gets a booking, and the precise error when a time cannot be booked;
buffers, resource filters, time adjusters, timezones, rules, booking window, tenant isolation,
and a bounded number of queries per answer."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

import pytest
from sqlalchemy import event, func, select

from tests.factories import (
    at,
    create_booking,
    make_booking_type,
    make_customer,
    make_field,
    make_organization,
    make_resource,
)
from webapp.booking import lifecycle
from webapp.booking.availability import find_available_slots
from webapp.booking.errors import (
    BookingConflict,
    BookingError,
    InvalidResource,
    InvalidService,
    InvalidTime,
    NotFound,
    OutsideWindow,
    ValidationFailed,
)
from webapp.booking.intervals import RuleError
from webapp.booking.lifecycle import Actor
from webapp.booking.slots import grid_for_flags, grid_for_website
from webapp.extensions import db
from webapp.models import Booking, Member, Organization
from webapp.models.types import new_id

SATURDAY = date(2026, 11, 21)
SUNDAY = date(2026, 11, 22)
MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)
HOURLY = grid_for_flags({})
EVERY_10 = grid_for_website("10")
WORKDAY = ["09:00", "10:00", "11:00", "12:00", "14:00", "15:00", "16:00"]
WEEK = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]


@pytest.fixture
def organization(session):
    return make_organization(session)


@pytest.fixture
def consultation(session, organization):
    return make_booking_type(session, organization, name="Consultation")


def available(
    session,
    organization,
    booking_type,
    first=SUNDAY,
    last=None,
    *,
    now,
    timezone="Asia/Riyadh",
    grid=HOURLY,
    **kwargs,
):
    return find_available_slots(
        session,
        organization,
        booking_type.id,
        first,
        last or first,
        timezone=timezone,
        grid=grid,
        now=now,
        **kwargs,
    )


def times(found, day=None) -> list[str]:
    """Local HH:MM of every slot (of one date when ``day`` is given)."""
    return [s.start.strftime("%H:%M") for d in found.days if day in (None, d.date) for s in d.slots]


def free_at(found) -> dict[str, tuple[str, ...]]:
    """Which resources are free at each local time, as ``{"09:00": (id, ...)}``."""
    return {s.start.strftime("%H:%M"): s.resource_ids for d in found.days for s in d.slots}


def book(session, organization, booking_type, start, now, **kwargs):
    kwargs.setdefault("customer", make_customer(session, organization))
    return create_booking(session, organization, booking_type, start=start, now=now, **kwargs)


# --- days, slots and resources ------------------------------------------------------------


def test_slots_are_grouped_by_date_with_the_resources_free_at_each(
    session, organization, consultation, now
):
    dr_amal = make_resource(session, organization, consultation, name="Amal", position=1)
    dr_badr = make_resource(session, organization, consultation, name="Badr", position=2)
    book(session, organization, consultation, at("2026-11-22 10:00"), now, resource_id=dr_amal.id)

    found = available(session, organization, consultation, SATURDAY, MONDAY, now=now)

    assert [d.date for d in found.days] == [SUNDAY, MONDAY]  # Saturday is not a workday
    assert times(found, SUNDAY) == WORKDAY
    assert times(found, MONDAY) == WORKDAY
    sunday = {s.start.strftime("%H:%M"): s.resource_ids for s in found.days[0].slots}
    assert sunday["09:00"] == (dr_amal.id, dr_badr.id)
    assert sunday["10:00"] == (dr_badr.id,)
    slot = found.days[0].slots[0]
    assert (slot.start, slot.end) == (at("2026-11-22 09:00"), at("2026-11-22 09:30"))
    assert found.timezone == "Asia/Riyadh"


def test_the_least_busy_resource_gets_the_booking(session, organization, consultation, now):
    dr_amal = make_resource(session, organization, consultation, name="Amal", position=1)
    dr_badr = make_resource(session, organization, consultation, name="Badr", position=2)
    book(session, organization, consultation, at("2026-11-22 09:00"), now, resource_id=dr_amal.id)
    book(session, organization, consultation, at("2026-11-22 10:00"), now, resource_id=dr_amal.id)
    book(session, organization, consultation, at("2026-11-22 11:00"), now, resource_id=dr_badr.id)

    # Amal has an hour booked that Sunday, Badr half an hour: Badr gets the next one.
    chosen = book(session, organization, consultation, at("2026-11-22 14:00"), now)
    assert chosen.resource_id == dr_badr.id
    # Now both have an hour: a tie goes to the first in display order.
    tie = book(session, organization, consultation, at("2026-11-22 15:00"), now)
    assert tie.resource_id == dr_amal.id
    # Another day starts even.
    monday = book(session, organization, consultation, at("2026-11-23 09:00"), now)
    assert monday.resource_id == dr_amal.id


def test_a_conflict_names_the_next_available_time(session, organization, now):
    cleaning = make_booking_type(session, organization, minutes=30, leave_minutes_after=15)
    dr_amal = make_resource(session, organization, cleaning)
    book(session, organization, cleaning, at("2026-11-22 09:00"), now)

    with pytest.raises(BookingConflict) as caught:
        book(session, organization, cleaning, at("2026-11-22 09:00"), now)

    error = caught.value
    assert (error.code, error.http_status) == ("BOOKING_CONFLICT", 409)
    # The first booking takes 09:00-09:45 with its cleanup time.
    assert error.details["next_available"] == at("2026-11-22 09:45").isoformat()
    assert error.details["next_available_resource_ids"] == [dr_amal.id]
    assert error.details["requested_time"] == at("2026-11-22 09:00").isoformat()


def test_next_available_skips_to_the_next_working_day(session, organization, consultation, now):
    make_resource(
        session,
        organization,
        consultation,
        rules=[{"days": ["sunday", "monday"], "times": [{"start": 900, "end": 930}]}],
    )
    book(session, organization, consultation, at("2026-11-22 09:00"), now)
    with pytest.raises(BookingConflict) as caught:
        book(session, organization, consultation, at("2026-11-22 09:00"), now)
    assert caught.value.details["next_available"] == at("2026-11-23 09:00").isoformat()


def test_when_every_resource_is_taken_the_conflict_names_them_free_later(
    session, organization, consultation, now
):
    dr_amal = make_resource(session, organization, consultation, name="Amal", position=1)
    dr_badr = make_resource(session, organization, consultation, name="Badr", position=2)
    book(session, organization, consultation, at("2026-11-22 09:00"), now)
    book(session, organization, consultation, at("2026-11-22 09:00"), now)

    with pytest.raises(BookingConflict) as caught:
        book(session, organization, consultation, at("2026-11-22 09:00"), now)

    assert caught.value.details["next_available"] == at("2026-11-22 09:30").isoformat()
    assert caught.value.details["next_available_resource_ids"] == [dr_amal.id, dr_badr.id]


def test_staff_may_start_between_whole_minutes_on_any_free_resource(
    session, organization, consultation, now
):
    dr_amal = make_resource(session, organization, consultation, name="Amal", position=1)
    dr_badr = make_resource(session, organization, consultation, name="Badr", position=2)
    book(session, organization, consultation, at("2026-11-22 11:00"), now, resource_id=dr_amal.id)
    staff = Actor("api")
    start = at("2026-11-22 09:00:30")

    booking = book(session, organization, consultation, start, now, actor=staff)

    assert (booking.start_at, booking.resource_id) == (start, dr_badr.id)
    with pytest.raises(InvalidTime):  # customers keep to the offered grid
        book(session, organization, consultation, at("2026-11-22 10:00:30"), now)


# --- buffers ------------------------------------------------------------------------------


def test_an_existing_bookings_buffers_keep_its_neighbours_away(session, organization, now):
    cleaning = make_booking_type(
        session, organization, minutes=30, leave_minutes_before=10, leave_minutes_after=20
    )
    consultation = make_booking_type(session, organization, minutes=30)
    make_resource(session, organization, cleaning, consultation)
    # Cleaning at 10:00 takes 09:50-10:50 of the resource's time.
    book(session, organization, cleaning, at("2026-11-22 10:00"), now)

    found = available(session, organization, consultation, grid=EVERY_10, now=now)
    morning = [t for t in times(found) if t < "11:30"]
    assert morning == ["09:00", "09:10", "09:20", "10:50", "11:00", "11:10", "11:20"]

    with pytest.raises(BookingConflict):
        book(session, organization, consultation, at("2026-11-22 10:40"), now)
    assert book(session, organization, consultation, at("2026-11-22 10:50"), now)


def test_the_new_types_buffers_must_fit_too(session, organization, consultation, now):
    prepared = make_booking_type(
        session, organization, minutes=30, leave_minutes_before=15, leave_minutes_after=15
    )
    make_resource(session, organization, consultation, prepared)
    book(session, organization, consultation, at("2026-11-22 11:00"), now)  # 11:00-11:30

    found = available(session, organization, prepared, grid=EVERY_10, now=now)
    morning = [t for t in times(found) if t < "13:00"]
    # 08:45 preparation would start before opening; 12:30 cleanup would end after 13:00.
    assert morning[0] == "09:20"
    assert "10:20" not in morning  # its cleanup would run into the 11:00 booking
    assert morning[-1] == "12:10"
    assert "10:10" in morning and "11:50" in morning

    with pytest.raises(InvalidTime):
        book(session, organization, prepared, at("2026-11-22 09:00"), now)


# --- resource filters ---------------------------------------------------------------------


@pytest.fixture
def specialists(session, organization, consultation):
    make_field(
        session,
        organization,
        "specialty",
        type="options",
        options=[{"value": "pediatrics"}, {"value": "dermatology"}],
        info={"filterResources": True},
    )
    children = make_resource(
        session, organization, consultation, name="Amal", meta={"specialty": "Pediatrics"}
    )
    skin = make_resource(
        session,
        organization,
        consultation,
        name="Badr",
        meta={"specialty": ["dermatology", "allergy"]},
    )
    return children, skin


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({"specialty": "pediatrics"}, ["children"], id="one-match"),
        pytest.param({"specialty": " DERMATOLOGY "}, ["skin"], id="case-and-space"),
        pytest.param({"specialty": ["allergy", "x"]}, ["skin"], id="list-value"),
        pytest.param({"specialty": "cardiology"}, [], id="no-match"),
        pytest.param({"specialty": ""}, ["children", "skin"], id="empty-means-any"),
        pytest.param({"unknown": "x"}, ["children", "skin"], id="not-a-filter-field"),
    ],
)
def test_resource_filters_match_custom_data(
    session, organization, consultation, specialists, now, filters, expected
):
    names = dict(zip(("children", "skin"), specialists, strict=True))
    found = available(session, organization, consultation, now=now, resource_filters=filters)
    free = set(free_at(found).get("09:00", ()))
    assert free == {names[n].id for n in expected}


def test_a_filtered_booking_goes_to_a_matching_resource(
    session, organization, consultation, specialists, now
):
    children, skin = specialists
    booking = book(
        session,
        organization,
        consultation,
        at("2026-11-22 09:00"),
        now,
        resource_filters={"specialty": "dermatology"},
    )
    assert booking.resource_id == skin.id
    with pytest.raises(BookingConflict):
        book(
            session,
            organization,
            consultation,
            at("2026-11-22 09:00"),
            now,
            resource_filters={"specialty": "dermatology"},
        )


# --- time adjusters -----------------------------------------------------------------------


@pytest.fixture
def adjusters(session, organization, consultation):
    make_field(
        session,
        organization,
        "teeth",
        type="number",
        minutes=15,
        price=Decimal("40"),
        optional=True,
    )
    make_field(
        session,
        organization,
        "cleaning",
        type="options",
        optional=True,
        options=[
            {"value": "basic"},
            {"value": "deep", "minutes": 30, "price": "25.50"},
        ],
    )
    consultation.price = Decimal("100")
    return make_resource(session, organization, consultation)


@pytest.mark.parametrize(
    ("values", "minutes", "price"),
    [
        pytest.param({}, 30, "100.00", id="none"),
        pytest.param({"teeth": 2}, 60, "180.00", id="two-units"),
        pytest.param({"teeth": "3"}, 75, "220.00", id="units-as-text"),
        pytest.param({"cleaning": "basic"}, 30, "100.00", id="plain-option"),
        pytest.param({"cleaning": "deep"}, 60, "125.50", id="priced-option"),
        pytest.param({"teeth": 1, "cleaning": "deep"}, 75, "165.50", id="both"),
    ],
)
def test_time_adjusters_change_duration_and_price(
    session, organization, consultation, adjusters, now, values, minutes, price
):
    found = available(session, organization, consultation, now=now, time_adjusters=values)
    assert found.service.duration == minutes
    first = found.days[0].slots[0]
    assert first.end - first.start == timedelta(minutes=minutes)

    booking = book(
        session, organization, consultation, at("2026-11-22 09:00"), now, time_adjusters=values
    )
    assert (booking.duration, booking.price) == (minutes, Decimal(price))
    assert booking.end_at - booking.start_at == timedelta(minutes=minutes)
    assert booking.time_adjusters == values


def test_a_required_question_for_staff_only_does_not_stop_customers(
    session, organization, consultation, now
):
    make_resource(session, organization, consultation, name="Amal")
    make_field(
        session,
        organization,
        "anaesthesia",
        type="number",
        minutes=10,
        visibility="providerOnly",
    )
    booking = book(session, organization, consultation, at("2026-11-22 09:00"), now)
    assert booking.duration == 30
    with pytest.raises(ValidationFailed) as caught:
        book(
            session,
            organization,
            consultation,
            at("2026-11-22 11:00"),
            now,
            actor=lifecycle.Actor("staff"),
        )
    assert set(caught.value.details["fields"]) == {"anaesthesia"}


def test_a_longer_adjusted_service_needs_a_longer_gap(
    session, organization, consultation, adjusters, now
):
    book(session, organization, consultation, at("2026-11-22 10:30"), now)
    plain = available(session, organization, consultation, now=now)
    longer = available(session, organization, consultation, now=now, time_adjusters={"teeth": 2})
    assert "10:00" in times(plain)
    assert "10:00" not in times(longer)
    assert "12:00" in times(longer)  # 12:00-13:00 still fits before the break
    with pytest.raises(BookingConflict):
        book(
            session,
            organization,
            consultation,
            at("2026-11-22 10:00"),
            now,
            time_adjusters={"teeth": 2},
        )


# --- rescheduling -------------------------------------------------------------------------


def test_a_booking_being_rescheduled_does_not_block_itself(
    session, organization, consultation, now
):
    make_resource(session, organization, consultation)
    booking = book(session, organization, consultation, at("2026-11-22 09:00"), now)
    other = book(session, organization, consultation, at("2026-11-22 10:00"), now)

    assert "09:00" not in times(available(session, organization, consultation, now=now))
    moving = available(
        session, organization, consultation, now=now, reschedule_booking_id=booking.id
    )
    assert "09:00" in times(moving)
    assert "10:00" not in times(moving)  # somebody else's booking still blocks
    assert other.status == "CONFIRMED"


# --- timezones ----------------------------------------------------------------------------


def test_each_resource_works_in_its_own_timezone(session, organization, consultation, now):
    riyadh = make_resource(session, organization, consultation, name="Riyadh desk", position=1)
    london = make_resource(
        session,
        organization,
        consultation,
        name="London desk",
        position=2,
        timezone="Europe/London",
    )

    found = available(session, organization, consultation, now=now)
    free = free_at(found)
    # 09:00 in London is 12:00 in Riyadh in November.
    assert free["09:00"] == (riyadh.id,)
    assert free["12:00"] == (riyadh.id, london.id)
    assert free["19:00"] == (london.id,)  # 16:00 in London
    assert "20:00" not in free

    in_london = available(session, organization, consultation, now=now, timezone="Europe/London")
    assert times(in_london, SUNDAY)[0] == "06:00"  # the Riyadh desk opens at 06:00 London time
    booking = book(
        session, organization, consultation, at("2026-11-22 16:00", "Europe/London"), now
    )
    assert booking.resource_id == london.id


def test_resources_without_a_timezone_follow_the_organization(session, now):
    organization = make_organization(session, timezone="Asia/Tokyo")
    consultation = make_booking_type(session, organization)
    make_resource(session, organization, consultation)

    found = available(session, organization, consultation, now=now, timezone="Asia/Tokyo")
    assert times(found, SUNDAY) == WORKDAY
    in_riyadh = available(session, organization, consultation, now=now)
    assert times(in_riyadh, SUNDAY)[0] == "03:00"
    assert book(session, organization, consultation, at("2026-11-22 09:00", "Asia/Tokyo"), now)
    with pytest.raises(InvalidTime):
        book(session, organization, consultation, at("2026-11-22 13:00", "Asia/Tokyo"), now)


# --- rules --------------------------------------------------------------------------------


def test_off_rules_close_dates_ranges_and_weekdays(session, organization, consultation, now):
    make_resource(
        session,
        organization,
        consultation,
        off_rules=[
            {"type": "date", "date": "2026-11-22"},
            {"type": "range", "from": "2026-11-23T10:00", "to": "2026-11-23T12:00"},
            {"type": "weekly", "days": ["tuesday"]},
        ],
    )
    found = available(session, organization, consultation, SUNDAY, TUESDAY, now=now)
    assert times(found, SUNDAY) == []
    assert times(found, MONDAY) == ["09:00", "12:00", "14:00", "15:00", "16:00"]
    assert times(found, TUESDAY) == []
    assert [d.date for d in found.days] == [MONDAY]

    with pytest.raises(InvalidTime):
        book(session, organization, consultation, at("2026-11-23 10:00"), now)
    with pytest.raises(InvalidTime):
        book(session, organization, consultation, at("2026-11-22 09:00"), now)


def test_date_range_rules_override_the_week(session, organization, consultation, now):
    make_resource(
        session,
        organization,
        consultation,
        rules=[
            {"days": ["sunday", "monday", "tuesday"], "times": [{"start": 900, "end": 1200}]},
            # An evening clinic on Monday and Tuesday of this week only.
            {
                "from": "2026-11-23",
                "to": "2026-11-24",
                "times": [{"start": 1800, "end": 2000}],
            },
            # A Saturday opening (Saturdays are closed otherwise).
            {"from": "2026-11-28", "days": ["saturday"], "times": [{"start": 1000, "end": 1100}]},
        ],
    )
    found = available(session, organization, consultation, SUNDAY, date(2026, 11, 30), now=now)
    by_day = {d.date.isoformat(): times(found, d.date) for d in found.days}
    assert by_day == {
        "2026-11-22": ["09:00", "10:00", "11:00"],
        "2026-11-23": ["18:00", "19:00"],
        "2026-11-24": ["18:00", "19:00"],
        "2026-11-28": ["10:00"],
        "2026-11-29": ["09:00", "10:00", "11:00"],
        "2026-11-30": ["09:00", "10:00", "11:00"],
    }
    assert book(session, organization, consultation, at("2026-11-23 18:30"), now)
    with pytest.raises(InvalidTime):
        book(session, organization, consultation, at("2026-11-24 09:00"), now)


# --- booking window -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notice", "depth", "start", "error"),
    [
        pytest.param(48, 60, "2026-11-22 09:00", OutsideWindow, id="before-notice"),
        pytest.param(48, 60, "2026-11-23 09:00", None, id="exactly-notice"),
        pytest.param(2, 60, "2026-11-21 10:00", OutsideWindow, id="today-within-notice"),
        pytest.param(-1, 60, "2026-11-22 09:00", None, id="from-tomorrow"),
        pytest.param(0, 7, "2026-11-27 16:30", None, id="last-day-of-horizon"),
        pytest.param(0, 7, "2026-11-28 09:00", OutsideWindow, id="past-horizon"),
        pytest.param(0, 0, "2027-06-01 09:00", None, id="no-horizon"),
    ],
)
def test_notice_and_horizon_on_create(session, organization, now, notice, depth, start, error):
    every_day = make_booking_type(session, organization)
    make_resource(
        session,
        organization,
        every_day,
        notice_hours=notice,
        depth_of_days=depth,
        rules=[{"days": WEEK, "times": [{"start": 900, "end": 1700}]}],
    )
    if error is None:
        assert book(session, organization, every_day, at(start), now).status == "CONFIRMED"
    else:
        with pytest.raises(error) as caught:
            book(session, organization, every_day, at(start), now)
        assert caught.value.code == "OUTSIDE_WINDOW"
        assert caught.value.http_status == 422


def test_slots_respect_notice_and_horizon(session, organization, consultation, now):
    make_resource(session, organization, consultation, notice_hours=26, depth_of_days=4)
    found = available(session, organization, consultation, SATURDAY, date(2026, 11, 30), now=now)
    # Notice ends Sunday 11:00; the horizon (4 dates counting today) ends with Tuesday.
    assert [d.date for d in found.days] == [SUNDAY, MONDAY, TUESDAY]
    assert times(found, SUNDAY)[0] == "11:00"


@pytest.mark.parametrize(
    "start",
    [
        pytest.param("2026-11-22 08:00", id="before-opening"),
        pytest.param("2026-11-22 13:00", id="lunch-break"),
        pytest.param("2026-11-22 12:45", id="runs-into-break"),
        pytest.param("2026-11-22 16:45", id="runs-past-closing"),
        pytest.param("2026-11-27 10:00", id="friday"),
    ],
)
def test_outside_working_hours_is_an_invalid_time(session, organization, consultation, now, start):
    make_resource(session, organization, consultation)
    with pytest.raises(InvalidTime) as caught:
        book(session, organization, consultation, at(start), now)
    assert caught.value.code == "INVALID_TIME"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Booking)) == 0


# --- tenant isolation ---------------------------------------------------------------------


@pytest.fixture
def two_clinics(session, now):
    """Clinic A with a booking, clinic B with its own service and resource."""
    a = make_organization(session)
    a_type = make_booking_type(session, a)
    a_resource = make_resource(session, a, a_type)
    a_booking = book(session, a, a_type, at("2026-11-22 09:00"), now)
    b = make_organization(session)
    b_type = make_booking_type(session, b)
    b_resource = make_resource(session, b, b_type)
    staff = session.scalar(select(Member.user_id).where(Member.organization_id == b.id))
    session.commit()
    return {
        "a_type": a_type.id,
        "a_resource": a_resource.id,
        "a_booking": a_booking.id,
        "b": b,
        "b_type": b_type.id,
        "b_resource": b_resource.id,
        "b_staff": Actor("staff", staff),
    }


def error_of(call, foreign_id) -> BookingError:
    with pytest.raises(BookingError) as caught:
        call(foreign_id)
    return caught.value


def assert_answers_like_an_unknown_id(session, call, foreign_id) -> None:
    unknown_id = new_id()
    foreign = error_of(call, foreign_id)
    session.rollback()
    unknown = error_of(call, unknown_id)
    session.rollback()
    assert type(foreign) is type(unknown)
    assert (foreign.code, foreign.http_status) == (unknown.code, unknown.http_status)
    as_foreign = json.dumps(foreign.to_dict(), sort_keys=True).replace(foreign_id, "<id>")
    as_unknown = json.dumps(unknown.to_dict(), sort_keys=True).replace(unknown_id, "<id>")
    assert as_foreign == as_unknown


def test_another_organizations_service_is_unknown(session, two_clinics, now):
    b = two_clinics["b"]

    def slots_of(type_id):
        return find_available_slots(
            session, b, type_id, SUNDAY, SUNDAY, timezone="Asia/Riyadh", grid=HOURLY, now=now
        )

    def booking_of(type_id):
        return lifecycle.create_booking(
            session,
            b,
            booking_type_id=type_id,
            start=at("2026-11-22 10:00"),
            actor=Actor("customer"),
            now=now,
        )

    for call in (slots_of, booking_of):
        assert_answers_like_an_unknown_id(session, call, two_clinics["a_type"])
        with pytest.raises(InvalidService):
            call(two_clinics["a_type"])
        session.rollback()


def test_another_organizations_resource_is_unknown(session, two_clinics, now):
    b, b_type = two_clinics["b"], two_clinics["b_type"]

    def slots_on(resource_id):
        return find_available_slots(
            session,
            b,
            b_type,
            SUNDAY,
            SUNDAY,
            timezone="Asia/Riyadh",
            grid=HOURLY,
            now=now,
            resource_ids=[resource_id],
        )

    def booking_on(resource_id):
        return lifecycle.create_booking(
            session,
            b,
            booking_type_id=b_type,
            start=at("2026-11-22 10:00"),
            actor=Actor("customer"),
            now=now,
            resource_id=resource_id,
        )

    for call in (slots_on, booking_on):
        assert_answers_like_an_unknown_id(session, call, two_clinics["a_resource"])
        with pytest.raises(InvalidResource):
            call(two_clinics["a_resource"])
        session.rollback()
    assert session.scalar(select(func.count()).select_from(Booking)) == 1


def test_another_organizations_custom_fields_do_not_apply(session, two_clinics, now):
    a = session.get(Organization, session.get(Booking, two_clinics["a_booking"]).organization_id)
    make_field(session, a, "teeth", type="number", minutes=15, optional=True)
    make_field(session, a, "specialty", type="text", info={"filterResources": True})
    b, b_type = two_clinics["b"], two_clinics["b_type"]

    def slots(**kwargs):
        return find_available_slots(
            session,
            b,
            b_type,
            SUNDAY,
            SUNDAY,
            timezone="Asia/Riyadh",
            grid=HOURLY,
            now=now,
            **kwargs,
        )

    # A's filter field is no filter for B: B's resource is still offered.
    found = slots(resource_filters={"specialty": "pediatrics"})
    assert free_at(found)["09:00"] == (two_clinics["b_resource"],)
    # A's adjuster is unknown to B, in a listing and in a booking.
    with pytest.raises(ValidationFailed) as caught:
        slots(time_adjusters={"teeth": 2})
    assert caught.value.details["fields"] == ["teeth"]
    with pytest.raises(ValidationFailed):
        lifecycle.create_booking(
            session,
            b,
            booking_type_id=b_type,
            start=at("2026-11-22 10:00"),
            actor=Actor("customer"),
            now=now,
            time_adjusters={"teeth": 2},
        )


@pytest.mark.parametrize(
    "operation",
    ["cancel", "approve", "reject", "complete", "mark_paid", "confirm_hold", "reschedule"],
)
def test_another_organizations_booking_is_not_found(session, two_clinics, now, operation):
    b, staff = two_clinics["b"], two_clinics["b_staff"]
    functions = {
        "cancel": lifecycle.cancel_booking,
        "approve": lifecycle.approve_booking,
        "reject": lifecycle.reject_booking,
        "complete": lifecycle.complete_booking,
        "mark_paid": lifecycle.mark_paid,
        "confirm_hold": lifecycle.confirm_hold,
        "reschedule": partial(lifecycle.reschedule_booking, start=at("2026-11-23 09:00")),
    }

    def act(booking_id):
        return functions[operation](session, b, booking_id, actor=staff, now=now)

    assert_answers_like_an_unknown_id(session, act, two_clinics["a_booking"])
    with pytest.raises(NotFound):
        act(two_clinics["a_booking"])
    session.rollback()
    booking = session.get(Booking, two_clinics["a_booking"])
    assert booking.status == "CONFIRMED"
    assert session.scalar(select(func.count()).select_from(Booking)) == 1


# --- a bounded number of queries ----------------------------------------------------------


@contextmanager
def statements_sent():
    """The SQL statements sent to the database while the block runs."""
    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    ("resources", "days", "adjusted"),
    [
        pytest.param(resources, days, adjusted, id=f"{resources}r-{days}d-{label}")
        for resources in (1, 20)
        for days in (7, 60)
        for adjusted, label in ((False, "plain"), (True, "adjusted"))
    ],
)
def test_one_answer_takes_a_fixed_number_of_queries(
    session, organization, consultation, now, resources, days, adjusted
):
    make_field(session, organization, "teeth", type="number", minutes=15, optional=True)
    team = [
        make_resource(
            session,
            organization,
            consultation,
            depth_of_days=90,
            off_rules=[{"type": "date", "date": "2026-12-01"}],
        )
        for _ in range(resources)
    ]
    for i, resource in enumerate(team[:5]):
        book(
            session,
            organization,
            consultation,
            at(f"2026-11-2{2 + i} 09:00"),
            now,
            resource_id=resource.id,
        )
    session.commit()
    # A view has the organization loaded and the service id from the request.
    consultation_id, organization_id = consultation.id, organization.id
    assert organization_id

    with statements_sent() as sent:
        found = find_available_slots(
            session,
            organization,
            consultation_id,
            SUNDAY,
            SUNDAY + timedelta(days=days - 1),
            timezone="Asia/Riyadh",
            grid=HOURLY,
            now=now,
            time_adjusters={"teeth": 1} if adjusted else None,
        )

    workdays = [SUNDAY + timedelta(days=i) for i in range(days)]
    workdays = [d for d in workdays if d.weekday() not in (4, 5) and d != date(2026, 12, 1)]
    assert [d.date for d in found.days] == workdays
    assert len({r for d in found.days for s in d.slots for r in s.resource_ids}) == resources
    assert found.service.duration == (45 if adjusted else 30)
    assert len(sent) <= 6, sent


def test_a_booking_of_many_days_blocks_every_day_it_covers(session, organization, now):
    """The busy query reads a bounded range of history; a long booking that began days before
    the window still blocks it."""
    retreat = make_booking_type(session, organization, minutes=10 * 24 * 60)
    room = make_resource(
        session, organization, retreat, rules=[{"days": WEEK, "times": [{"start": 0, "end": 2400}]}]
    )
    book(session, organization, retreat, at("2026-11-22 00:00"), now, actor=Actor("staff"))
    checkup = make_booking_type(session, organization, minutes=30)
    room.booking_types.append(checkup)
    session.flush()

    found = find_available_slots(
        session,
        organization,
        checkup.id,
        date(2026, 11, 30),
        date(2026, 12, 3),
        timezone="Asia/Riyadh",
        grid=grid_for_website("oclock"),
        now=now,
    )

    assert [d.date for d in found.days] == [date(2026, 12, 2), date(2026, 12, 3)]


def test_a_service_longer_than_fourteen_days_is_refused(session, organization, now):
    marathon = make_booking_type(session, organization, minutes=14 * 24 * 60, leave_minutes_after=1)
    make_resource(session, organization, marathon)

    with pytest.raises(RuleError, match="at most 14 days"):
        book(session, organization, marathon, at("2026-11-22 09:00"), now)


def test_a_customer_of_another_organization_cannot_be_booked(session, organization, now):
    checkup = make_booking_type(session, organization)
    make_resource(session, organization, checkup)
    stranger = make_customer(session, make_organization(session))

    with pytest.raises(NotFound):
        book(session, organization, checkup, at("2026-11-22 09:00"), now, customer=stranger)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Booking)) == 0
