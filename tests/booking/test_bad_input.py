"""Bad input gets a clear domain error and writes nothing (STYLE rule 6): unknown timezones,
naive or impossible times, reversed date ranges, unknown ids, impossible durations, times that
a DST gap skips, malformed idempotency keys and hold lengths out of range."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.factories import (
    at,
    create_booking,
    make_booking_type,
    make_customer,
    make_field,
    make_organization,
    make_resource,
)
from webapp import accounts
from webapp.booking import intervals, lifecycle, slots
from webapp.booking.availability import find_available_slots
from webapp.booking.errors import (
    BookingError,
    InvalidIdempotencyKey,
    InvalidResource,
    InvalidService,
    InvalidTime,
    InvalidTimezone,
    NotFound,
    OutsideWindow,
    ValidationFailed,
)
from webapp.booking.idempotency import run_idempotent
from webapp.booking.lifecycle import Actor
from webapp.models import (
    Booking,
    BookingHistory,
    IdempotencyRecord,
    Organization,
    OutboxMessage,
    Website,
)

SUNDAY = date(2026, 11, 22)
SUNDAY_9 = at("2026-11-22 09:00")
HOURLY = slots.grid_for_flags({})
CUSTOMER = Actor("customer")
WRITTEN = (Booking, BookingHistory, OutboxMessage, IdempotencyRecord)


def rows(session, models=WRITTEN) -> dict[str, int]:
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in models}


@pytest.fixture
def clinic(session, now):
    """A clinic with one confirmed booking already on the calendar, committed."""
    organization = make_organization(session)
    consultation = make_booking_type(session, organization)
    doctor = make_resource(session, organization, consultation)
    customer = make_customer(session, organization)
    booking = create_booking(
        session, organization, consultation, start=SUNDAY_9, now=now, customer=customer
    )
    session.commit()
    return {
        "organization": organization,
        "consultation": consultation,
        "doctor": doctor,
        "customer": customer,
        "booking": booking,
    }


@pytest.fixture
def nothing_written(session, clinic):
    """Asserts, after the test, that the rejected input left every table as it was."""
    before = rows(session)
    yield
    session.rollback()
    assert rows(session) == before
    assert session.get(Booking, clinic["booking"].id).status == "CONFIRMED"


def book(session, clinic, now, **kwargs):
    kwargs.setdefault("start", at("2026-11-22 10:00"))
    kwargs.setdefault("customer", clinic["customer"])
    kwargs.setdefault("actor", CUSTOMER)
    return lifecycle.create_booking(
        session,
        clinic["organization"],
        booking_type_id=kwargs.pop("booking_type_id", clinic["consultation"].id),
        now=now,
        **kwargs,
    )


def slots_of(session, clinic, now, first=SUNDAY, last=SUNDAY, **kwargs):
    kwargs.setdefault("timezone", "Asia/Riyadh")
    return find_available_slots(
        session,
        clinic["organization"],
        kwargs.pop("booking_type_id", clinic["consultation"].id),
        first,
        last,
        grid=HOURLY,
        now=now,
        **kwargs,
    )


# --- timezones ----------------------------------------------------------------------------

BAD_TIMEZONES = [
    pytest.param("Mars/Olympus_Mons", id="unknown"),
    pytest.param("asia/riyadh", id="wrong-case"),
    pytest.param("Asia/Riyadh ", id="trailing-space"),
    pytest.param("UTC+3", id="offset"),
    pytest.param("", id="empty"),
    pytest.param("../../etc/passwd", id="path"),
    pytest.param(None, id="none"),
]


@pytest.mark.parametrize("timezone", BAD_TIMEZONES)
def test_an_organization_needs_a_real_timezone(session, timezone):
    owner = accounts.create_user(session, email="owner@example.com", password="correct horse")
    session.commit()
    with pytest.raises(InvalidTimezone) as caught:
        accounts.create_organization(session, owner=owner, name="Clinic", timezone=timezone)
    assert (caught.value.code, caught.value.http_status) == ("INVALID_TIMEZONE", 422)
    session.rollback()
    assert rows(session, (Organization, Website)) == {"Organization": 0, "Website": 0}


@pytest.mark.parametrize("timezone", BAD_TIMEZONES)
def test_slots_in_an_unknown_timezone_are_refused(session, clinic, now, nothing_written, timezone):
    with pytest.raises(InvalidTimezone):
        slots_of(session, clinic, now, timezone=timezone)


def test_a_booking_shown_in_an_unknown_timezone_is_refused(session, clinic, now, nothing_written):
    with pytest.raises(InvalidTimezone):
        book(session, clinic, now, timezone="Riyadh")


# --- times --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        pytest.param(datetime(2026, 11, 22, 10, 0), id="naive"),
        pytest.param("2026-11-22T10:00:00+03:00", id="text"),
        pytest.param(date(2026, 11, 22), id="date"),
        pytest.param(None, id="none"),
    ],
)
def test_a_start_must_be_an_aware_datetime(session, clinic, now, nothing_written, start):
    with pytest.raises(ValidationFailed) as caught:
        book(session, clinic, now, start=start)
    assert caught.value.details == {"field": "start"}


def test_a_reschedule_to_a_naive_time_leaves_the_booking_as_it_was(
    session, clinic, now, nothing_written
):
    with pytest.raises(ValidationFailed):
        lifecycle.reschedule_booking(
            session,
            clinic["organization"],
            clinic["booking"].id,
            start=datetime(2026, 11, 23, 9, 0),
            actor=CUSTOMER,
            now=now,
        )
    # Still confirmed inside this very transaction, not only after the rollback.
    status = session.scalar(select(Booking.status).where(Booking.id == clinic["booking"].id))
    assert status == "CONFIRMED"


def test_an_end_date_before_the_start_date(session, clinic, now, nothing_written):
    with pytest.raises(OutsideWindow) as caught:
        slots_of(session, clinic, now, first=SUNDAY, last=SUNDAY - timedelta(days=1))
    assert caught.value.details == {"start": "2026-11-22", "end": "2026-11-21"}


def test_a_time_in_the_past(session, clinic, now, nothing_written):
    with pytest.raises(OutsideWindow):
        book(session, clinic, now, start=at("2026-11-19 10:00"))


# --- unknown ids --------------------------------------------------------------------------

UNKNOWN_IDS = [
    pytest.param("nope", id="short"),
    pytest.param("x" * 5000, id="huge"),
    pytest.param("'; DROP TABLE bookings; --", id="sql"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("unknown", UNKNOWN_IDS)
def test_unknown_ids_answer_not_found_errors(session, clinic, now, nothing_written, unknown):
    checks = [
        (InvalidService, lambda: slots_of(session, clinic, now, booking_type_id=unknown)),
        (InvalidService, lambda: book(session, clinic, now, booking_type_id=unknown)),
        (InvalidResource, lambda: book(session, clinic, now, resource_id=unknown or "?")),
        (
            InvalidResource,
            lambda: slots_of(session, clinic, now, resource_ids=[unknown or "?"]),
        ),
        (
            NotFound,
            lambda: lifecycle.cancel_booking(
                session, clinic["organization"], unknown, actor=CUSTOMER, now=now
            ),
        ),
        (
            NotFound,
            lambda: lifecycle.confirm_hold(
                session, clinic["organization"], unknown, actor=CUSTOMER, now=now
            ),
        ),
    ]
    for error, call in checks:
        with pytest.raises(error) as caught:
            call()
        # The answer never echoes an unbounded id back.
        assert len(json.dumps(caught.value.to_dict())) < 500
        session.rollback()


# --- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "minutes",
    [
        pytest.param({"duration": -30}, id="negative-duration"),
        pytest.param({"duration": 0}, id="zero-duration"),
        pytest.param({"duration": 30, "before": -10}, id="negative-buffer-before"),
        pytest.param({"duration": 30, "after": -10}, id="negative-buffer-after"),
    ],
)
def test_a_service_cannot_take_negative_time(minutes):
    with pytest.raises(intervals.RuleError):
        slots.Service(**minutes)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"minutes": -30}, id="negative-minutes"),
        pytest.param({"minutes": 0}, id="zero-minutes"),
        pytest.param({"leave_minutes_after": -15}, id="negative-buffer"),
    ],
)
def test_a_misconfigured_service_books_nothing(session, clinic, now, nothing_written, overrides):
    broken = make_booking_type(session, clinic["organization"], **overrides)
    clinic["doctor"].booking_types.append(broken)
    session.commit()
    with pytest.raises(intervals.RuleError):
        book(session, clinic, now, booking_type_id=broken.id)
    with pytest.raises(intervals.RuleError):
        slots_of(session, clinic, now, booking_type_id=broken.id)


@pytest.mark.parametrize(
    ("values", "culprit"),
    [
        pytest.param({"teeth": -1, "level": "deep"}, "teeth", id="negative-units"),
        pytest.param({"teeth": 1001, "level": "deep"}, "teeth", id="too-many-units"),
        pytest.param({"teeth": 1.5, "level": "deep"}, "teeth", id="fraction"),
        pytest.param({"teeth": "two", "level": "deep"}, "teeth", id="words"),
        pytest.param({"teeth": True, "level": "deep"}, "teeth", id="boolean"),
        pytest.param({"level": "platinum"}, "level", id="unknown-option"),
        pytest.param({"colour": "red", "level": "deep"}, "colour", id="unknown-field"),
        pytest.param({"teeth": 1}, "level", id="required-field-missing"),
    ],
)
def test_bad_time_adjuster_values(session, clinic, now, nothing_written, values, culprit):
    organization = clinic["organization"]
    make_field(session, organization, "teeth", type="number", minutes=15, optional=True)
    make_field(
        session,
        organization,
        "level",
        type="options",
        options=[{"value": "deep", "minutes": 30, "price": "20"}],
    )
    clinic["consultation"].price = Decimal("100")
    session.commit()
    with pytest.raises(ValidationFailed) as caught:
        book(session, clinic, now, time_adjusters=values)
    named = caught.value.details["fields"]
    assert set(named) == {culprit}
    session.rollback()
    # The same request with good values books.
    assert book(session, clinic, now, time_adjusters={"teeth": 1, "level": "deep"}).duration == 75
    session.rollback()


# --- a DST gap ----------------------------------------------------------------------------


def test_a_time_that_a_dst_gap_skips_cannot_be_booked(session, clinic, nothing_written):
    # New York skips 02:00-03:00 on 8 March 2026; this resource works only then.
    new_york = ZoneInfo("America/New_York")
    night = make_resource(
        session,
        clinic["organization"],
        clinic["consultation"],
        timezone="America/New_York",
        rules=[{"from": "2026-03-08", "to": "2026-03-08", "times": [{"start": 200, "end": 300}]}],
    )
    session.commit()
    before = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    day = date(2026, 3, 8)

    assert intervals.resolve_local(new_york, intervals.local_epoch(day, 2 * 60 + 30)) == []
    found = slots_of(
        session,
        clinic,
        before,
        first=day,
        last=day,
        timezone="America/New_York",
        resource_ids=[night.id],
    )
    assert found.days == []

    # "02:30" as an aware datetime is really 03:30 EDT (fold=0) or 01:30 EST (fold=1).
    for fold in (0, 1):
        start = datetime(2026, 3, 8, 2, 30, tzinfo=new_york, fold=fold)
        for actor in (CUSTOMER, Actor("api")):
            with pytest.raises(InvalidTime) as caught:
                book(session, clinic, before, start=start, resource_id=night.id, actor=actor)
            assert caught.value.code == "INVALID_TIME"
            assert "does not work" in caught.value.message
            session.rollback()


# --- idempotency keys and holds -----------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("k" * 256, id="too-long"),
        pytest.param("my key", id="space"),
        pytest.param("ключ", id="non-ascii"),
        pytest.param("key\n", id="trailing-newline"),
    ],
)
def test_a_malformed_idempotency_key_books_nothing(session, clinic, now, nothing_written, key):
    calls = []

    def action():
        calls.append(book(session, clinic, now))
        return 201, "{}"

    with pytest.raises(InvalidIdempotencyKey):
        run_idempotent(
            session, clinic["organization"].id, key, "createBooking", {"a": 1}, action, now
        )
    assert calls == []


@pytest.mark.parametrize(
    "minutes",
    [
        pytest.param(0, id="zero"),
        pytest.param(1000, id="1000"),
        pytest.param(-5, id="negative"),
        pytest.param(121, id="just-over"),
        pytest.param(1.5, id="fraction"),
        pytest.param("10", id="text"),
        pytest.param(True, id="boolean"),
    ],
)
def test_hold_minutes_out_of_range(session, clinic, now, nothing_written, minutes):
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.hold_slot(
            session,
            clinic["organization"],
            hold_minutes=minutes,
            booking_type_id=clinic["consultation"].id,
            start=at("2026-11-22 10:00"),
            actor=CUSTOMER,
            now=now,
        )
    assert (caught.value.code, caught.value.http_status) == ("VALIDATION_ERROR", 422)
    assert "reservedForMinutes" in caught.value.details


@pytest.mark.parametrize("minutes", [1, 120])
def test_hold_minutes_at_the_limits_are_accepted(session, clinic, now, minutes):
    held = lifecycle.hold_slot(
        session,
        clinic["organization"],
        hold_minutes=minutes,
        booking_type_id=clinic["consultation"].id,
        start=at("2026-11-22 10:00"),
        actor=CUSTOMER,
        now=now,
    )
    assert held.expires_at == now + timedelta(minutes=minutes)


def test_every_error_here_is_a_booking_error_with_a_4xx_status():
    for error in (
        InvalidTimezone,
        ValidationFailed,
        OutsideWindow,
        InvalidService,
        InvalidResource,
        NotFound,
        InvalidTime,
        InvalidIdempotencyKey,
    ):
        assert issubclass(error, BookingError)
        assert 400 <= error.http_status < 500
