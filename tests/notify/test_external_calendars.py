"""Outside calendars: a doctor's private calendar (an ICS address on a real HTTP server on
loopback) makes her busy; the booking website and the API stop offering those times, and
booking them is refused. Reads are conditional, survive a server that is down, and stay
within the organization's 60 reads an hour."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import Clinic, build_clinic
from tests.factories import at, create_booking
from tests.notify.ics_server import CALENDAR, IcsServer, start_ics_server
from webapp.booking.errors import BookingConflict, ValidationFailed
from webapp.extensions import db
from webapp.manage import external_calendars as manage
from webapp.models import BookingType, ExternalBusyTime, ExternalCalendar, Organization
from webapp.notify import external_calendars as reader

RIYADH = ZoneInfo("Asia/Riyadh")


@pytest.fixture
def ics_server():
    server = start_ics_server()
    yield server
    server.stop()


@pytest.fixture
def clinic(any_app) -> Clinic:
    any_app.config["WEBHOOKS_ALLOW_LOOPBACK"] = True
    return build_clinic(any_app, "north")


def subscribe(app, clinic: Clinic, url: str, *, resource_id: str | None = None) -> str:
    """An outside calendar not read yet, as the worker finds a new one."""
    with app.app_context():
        calendar = ExternalCalendar(
            organization_id=clinic.organization_id,
            resource_id=resource_id or clinic.own_resource_id,
            name="Private",
            url=url,
            next_fetch_at=None,
            event_count=0,
        )
        db.session.add(calendar)
        db.session.commit()
        return calendar.id


def refresh(app, calendar_id: str, now) -> reader.Fetched:
    with app.app_context():
        calendar = db.session.get(ExternalCalendar, calendar_id)
        fetched = reader.refresh(db.session, calendar, now, allow_loopback=True)
        db.session.commit()
        return fetched


def calendar_row(app, calendar_id: str) -> ExternalCalendar:
    with app.app_context():
        calendar = db.session.get(ExternalCalendar, calendar_id)
        db.session.expunge(calendar)
        return calendar


def offered(app, clinic: Clinic, first="2026-11-22", last="2026-12-21") -> set[str]:
    """The half-hour starts the API offers for the doctor, as "YYYY-MM-DD HH:MM" in Riyadh."""
    answer = app.test_client().post(
        "/api/availability/times",
        json={
            "type": clinic.type_id,
            "resourceFilters": {"resource": clinic.own_resource_id},
            "from": first,
            "to": last,
            "limit": 40,
            "showOclock": True,
            "showHalfHour": True,
        },
        headers={"X-APP-ID": clinic.app_id},
    )
    assert answer.status_code == 200, answer.get_json()
    return {
        t["startDateTime"][:16].replace("T", " ")
        for day in answer.get_json()["result"]
        for t in day["times"]
    }


BLOCKED = {
    "2026-11-22 10:00",  # the single event, 10:00-11:00
    "2026-11-22 10:30",
    "2026-11-23 09:00",  # the weekly meeting
    "2026-12-07 15:00",  # ... one week moved to the afternoon
    "2026-12-14 09:00",  # ... its last week
    "2026-11-26 11:00",  # floating 11:00-12:00, read in the resource's timezone
    "2026-11-26 11:30",
}
STILL_FREE = {
    "2026-11-22 09:30",
    "2026-11-22 11:00",
    "2026-11-23 09:30",
    "2026-11-30 09:00",  # the week the meeting was cancelled (EXDATE)
    "2026-12-07 09:00",  # the week it was moved away from
    "2026-12-07 14:30",
    "2026-12-21 09:00",  # after its last week
    "2026-11-24 10:00",  # a transparent event
    "2026-11-24 14:00",  # a cancelled event
    "2026-11-26 10:30",
}


def test_outside_events_block_the_times_they_cover(any_app, clinic, ics_server, now):
    before = offered(any_app, clinic)
    assert before >= BLOCKED | STILL_FREE
    calendar_id = subscribe(any_app, clinic, ics_server.url)

    fetched = refresh(any_app, calendar_id, now)

    assert fetched.outcome == "ok"
    after = offered(any_app, clinic)
    assert not BLOCKED & after
    assert after >= STILL_FREE
    # The all-day event blocks the whole Wednesday.
    assert not [t for t in after if t.startswith("2026-11-25")]
    assert [t for t in before if t.startswith("2026-11-25")]
    # Only the other blocked times are gone.
    wednesday = {t for t in before if t.startswith("2026-11-25")}
    assert before - after == BLOCKED | wednesday
    calendar = calendar_row(any_app, calendar_id)
    assert (calendar.last_status, calendar.last_error) == ("ok", None)
    assert calendar.event_count == 6  # single, 3 weekly, all-day, floating
    assert calendar.next_fetch_at == now + timedelta(minutes=15)
    assert calendar.etag == ics_server.etag


def test_a_booking_at_an_outside_event_is_refused(any_app, clinic, ics_server, now):
    refresh(any_app, subscribe(any_app, clinic, ics_server.url), now)

    with any_app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        checkup = db.session.get(BookingType, clinic.type_id)
        with pytest.raises(BookingConflict) as refused:
            create_booking(
                db.session,
                organization,
                checkup,
                start=at("2026-11-22 10:30"),
                now=now,
                resource_id=clinic.own_resource_id,
            )
        db.session.rollback()
        assert refused.value.details["next_available"] >= "2026-11-22T11:00:00+03:00"
        booking = create_booking(
            db.session,
            organization,
            checkup,
            start=at("2026-11-22 11:00"),
            now=now,
            resource_id=clinic.own_resource_id,
        )
        assert booking.resource_id == clinic.own_resource_id


def test_an_unchanged_calendar_is_not_read_again(any_app, clinic, ics_server, now):
    calendar_id = subscribe(any_app, clinic, ics_server.url)
    refresh(any_app, calendar_id, now)

    fetched = refresh(any_app, calendar_id, now + timedelta(minutes=15))

    assert fetched.outcome == "not_modified"
    assert ics_server.statuses() == [200, 304]
    assert ics_server.seen[1][0]["if-none-match"] == ics_server.etag
    assert not BLOCKED & offered(any_app, clinic)
    calendar = calendar_row(any_app, calendar_id)
    assert calendar.event_count == 6
    assert calendar.next_fetch_at == now + timedelta(minutes=30)


def test_a_changed_calendar_frees_the_old_times(any_app, clinic, ics_server, now):
    calendar_id = subscribe(any_app, clinic, ics_server.url)
    refresh(any_app, calendar_id, now)
    # The dentist moved to 12:00, and the rest of the calendar was cleared.
    ics_server.serve(
        CALENDAR.split("BEGIN:VEVENT\nUID:weekly")[0]
        .replace("20261122T100000", "20261122T120000")
        .replace("20261122T110000", "20261122T123000")
        + "END:VCALENDAR\n"
    )

    fetched = refresh(any_app, calendar_id, now + timedelta(minutes=15))

    assert fetched.outcome == "ok"
    after = offered(any_app, clinic)
    assert {"2026-11-22 10:00", "2026-11-22 10:30", "2026-11-23 09:00"} <= after
    assert "2026-11-22 12:00" not in after
    assert calendar_row(any_app, calendar_id).event_count == 1


def test_a_calendar_whose_server_is_down_keeps_its_times(any_app, clinic, ics_server, now):
    calendar_id = subscribe(any_app, clinic, ics_server.url)
    refresh(any_app, calendar_id, now)
    ics_server.stop()

    fetched = refresh(any_app, calendar_id, now + timedelta(minutes=15))

    assert fetched.outcome == "error"
    calendar = calendar_row(any_app, calendar_id)
    assert calendar.last_status == "error"
    with any_app.test_request_context():
        message = reader.describe_error(calendar.last_error)
    assert message.startswith("The calendar’s server cannot be reached: could not connect")
    assert not BLOCKED & offered(any_app, clinic)
    # Tried again in 15 minutes, then waiting twice as long each time, at most 6 hours.
    waits = [calendar.next_fetch_at - calendar.last_fetched_at]
    for _ in range(6):
        refresh(any_app, calendar_id, calendar.next_fetch_at)
        calendar = calendar_row(any_app, calendar_id)
        waits.append(calendar.next_fetch_at - calendar.last_fetched_at)
    assert [w // timedelta(minutes=1) for w in waits] == [15, 30, 60, 120, 240, 360, 360]


def test_the_worker_reads_the_calendars_that_are_due(any_app, clinic, ics_server, now):
    due = subscribe(any_app, clinic, ics_server.url)
    later = subscribe(any_app, clinic, ics_server.url, resource_id=clinic.other_resource_id)
    with any_app.app_context():
        db.session.get(ExternalCalendar, later).next_fetch_at = now + timedelta(minutes=5)
        db.session.commit()

    with any_app.app_context():
        read = reader.refresh_due(db.session, now, allow_loopback=True)
        db.session.commit()

    assert read == 1
    assert calendar_row(any_app, due).last_status == "ok"
    assert calendar_row(any_app, later).last_status is None
    assert not BLOCKED & offered(any_app, clinic)


def test_the_61st_read_in_an_hour_is_postponed(any_app, clinic, ics_server, now):
    manual = subscribe(any_app, clinic, ics_server.url)
    scheduled = subscribe(any_app, clinic, ics_server.url, resource_id=clinic.other_resource_id)
    for minute in range(59):
        assert refresh(any_app, manual, now + timedelta(minutes=minute)).outcome != "postponed"
    with any_app.app_context():
        assert reader.refresh_due(db.session, now, allow_loopback=True, limit=1) == 1
        db.session.commit()
    assert len(ics_server.seen) == 60

    assert refresh(any_app, manual, now + timedelta(minutes=59)).outcome == "postponed"
    with any_app.app_context():
        db.session.get(ExternalCalendar, scheduled).next_fetch_at = now
        db.session.commit()
        assert reader.refresh_due(db.session, now, allow_loopback=True, limit=1) == 0
        db.session.commit()

    assert len(ics_server.seen) == 60
    postponed = calendar_row(any_app, scheduled)
    assert postponed.next_fetch_at > now + timedelta(minutes=50)
    assert postponed.last_status == "ok"  # not dropped: still due, later
    # Another organization has its own 60 reads.
    theirs = subscribe(any_app, build_clinic(any_app, "south"), ics_server.url)
    assert refresh(any_app, theirs, now).outcome == "ok"
    assert len(ics_server.seen) == 61


def test_addresses_off_the_public_internet_are_refused(any_app, clinic, now):
    with any_app.test_request_context():
        organization = db.session.get(Organization, clinic.organization_id)
        for url, message in [
            ("http://10.0.0.1/cal.ics", "10.0.0.1 is not on the public internet"),
            ("https://192.168.1.20/cal.ics", "192.168.1.20 is not on the public internet"),
            ("webcal://printer.local/cal.ics", "printer.local is not on the public internet"),
            ("https://[::ffff:10.0.0.1]/cal.ics", "is not on the public internet"),
            ("ftp://calendar.example.com/x.ics", "start with https:// or webcal://"),
        ]:
            with pytest.raises(ValidationFailed, match=message):
                manage.add_calendar(
                    db.session,
                    organization,
                    clinic.own_resource_id,
                    url=url,
                    name="",
                    now=now,
                    allow_loopback=True,
                )
        assert db.session.scalar(select(func.count()).select_from(ExternalCalendar)) == 0


def test_webcal_addresses_are_read_over_https(app):
    with app.test_request_context():
        assert (
            manage.check_calendar_url("webcal://calendar.example.org/u/1/basic.ics")
            == "https://calendar.example.org/u/1/basic.ics"
        )
        assert manage.check_calendar_url("WEBCALS://cal.example.org/x.ics").startswith("https://")
        with pytest.raises(ValidationFailed, match="must start with https:// or webcal://"):
            manage.check_calendar_url("http://calendar.example.org/basic.ics")


# --- reading calendar files ---------------------------------------------------------------


def ics(*events: str) -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\nUID:{i}@test\n{e.strip()}\nEND:VEVENT\n" for i, e in enumerate(events)
    )
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n{body}END:VCALENDAR\n".encode()


def test_a_long_event_blocks_every_day_it_covers(now):
    busy = reader.busy_times(
        ics("DTSTART;VALUE=DATE:20261201\nDTEND;VALUE=DATE:20261204"), RIYADH, now
    )

    assert busy.events == 1
    assert busy.times[0][0] == at("2026-12-01 00:00")
    assert busy.times[-1][1] == at("2026-12-04 00:00")
    assert all(end - start <= timedelta(days=1) for start, end in busy.times)


def test_events_beyond_400_days_or_past_are_left_out(now):
    busy = reader.busy_times(
        ics(
            "DTSTART:20261101T080000Z\nDTEND:20261101T090000Z",
            "DTSTART:20261122T080000Z\nDTEND:20261122T090000Z",
            "DTSTART:20280101T080000Z\nDTEND:20280101T090000Z",
        ),
        RIYADH,
        now,
    )

    assert busy.events == 1
    assert busy.times == [(at("2026-11-22 11:00"), at("2026-11-22 12:00"))]


def test_a_calendar_keeps_at_most_5000_busy_times(now):
    busy = reader.busy_times(
        ics("DTSTART:20261121T100000Z\nDTEND:20261121T100100Z\nRRULE:FREQ=MINUTELY;INTERVAL=2"),
        RIYADH,
        now,
    )

    assert len(busy.times) == reader.MAX_BUSY_TIMES
    assert busy.times[0][0] == at("2026-11-21 13:00")


def test_a_rule_repeating_every_second_is_cut_short(now):
    busy = reader.busy_times(
        ics(
            "DTSTART:20261121T100000Z\nDTEND:20261121T100001Z\nRRULE:FREQ=SECONDLY\n"
            "TRANSP:TRANSPARENT",
            "DTSTART:20261123T100000Z\nDTEND:20261123T110000Z",
        ),
        RIYADH,
        now,
    )

    # Nothing blocks among the occurrences looked at, and the reading stops there.
    assert busy.times == []


@pytest.mark.parametrize("body", [b"", b"<html>Sign in</html>", b"BEGIN:VCALENDAR\nBEGIN:VEVENT"])
def test_what_is_not_a_calendar_is_said_so(body, now):
    with pytest.raises(reader.NotACalendar):
        reader.busy_times(body, RIYADH, now)


def test_a_calendar_over_2_mb_is_an_error(any_app, clinic, ics_server: IcsServer, now):
    filler = "".join(
        f"BEGIN:VEVENT\nUID:{i}@big\nDTSTART:20270101T080000Z\nDTEND:20270101T090000Z\n"
        f"DESCRIPTION:{'x' * 200}\nEND:VEVENT\n"
        for i in range(9000)
    )
    ics_server.serve(CALENDAR.replace("END:VCALENDAR", filler + "END:VCALENDAR"))
    calendar_id = subscribe(any_app, clinic, ics_server.url)

    fetched = refresh(any_app, calendar_id, now)

    assert fetched.outcome == "error"
    with any_app.test_request_context():
        assert reader.describe_error(calendar_row(any_app, calendar_id).last_error) == (
            "The calendar is too large (over 2 MB)."
        )
    with any_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExternalBusyTime)) == 0
