"""Calendar files and Google Calendar links for a booking: times in UTC, text escaped so any
summary survives a round trip, and a cancellation that calendars understand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from tests.factories import at
from webapp.notify.ical import booking_ics, google_calendar_url

START = at("2026-11-22 09:00")
END = at("2026-11-22 09:30")


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_one_event_in_utc(now):
    calendar, event = parse(
        booking_ics(
            uid="h66w3DSEcsKlu8ReaclX",
            start=START,
            end=END,
            summary="Consultation",
            description="With Dr Huda",
            location="Olaya St, Riyadh",
            url="https://mawid.example/b/h66w3DSEcsKlu8ReaclX",
            now=now,
            sequence=2,
        )
    )

    assert str(calendar["PRODID"]) == "-//Mawid//Booking//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == "h66w3DSEcsKlu8ReaclX@mawid"
    assert event.decoded("DTSTART") == datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 11, 22, 6, 30, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == now
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Olaya St, Riyadh"
    assert str(event["URL"]) == "https://mawid.example/b/h66w3DSEcsKlu8ReaclX"
    assert int(event["SEQUENCE"]) == 2


def test_times_are_written_with_z(now):
    data = booking_ics(uid="b1", start=START, end=END, summary="Visit", now=now)

    assert b"DTSTART:20261122T060000Z" in data
    assert b"DTEND:20261122T063000Z" in data


def test_text_is_escaped_and_round_trips(now):
    summary = "Cleaning, polish; and check\nتنظيف الأسنان"
    description = "Bring: X-rays, insurance card;\nالطابق الثاني"

    data = booking_ics(
        uid="b1", start=START, end=END, summary=summary, description=description, now=now
    )

    assert b"Cleaning\\, polish\\; and check\\n" in data
    _calendar, event = parse(data)
    assert str(event["SUMMARY"]) == summary
    assert str(event["DESCRIPTION"]) == description


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("CANCELED", "CANCELLED"),
        ("CANCELLED", "CANCELLED"),
        ("REJECTED", "CANCELLED"),
        ("PENDING_APPROVAL", "TENTATIVE"),
        ("COMPLETED", "CONFIRMED"),
    ],
)
def test_booking_status_becomes_an_event_status(now, status, expected):
    data = booking_ics(uid="b1", start=START, end=END, summary="Visit", status=status, now=now)

    assert str(parse(data)[1]["STATUS"]) == expected


def test_organizer_needs_an_email(now):
    named = booking_ics(
        uid="b1",
        start=START,
        end=END,
        summary="Visit",
        organizer_name="Smile Clinic, Riyadh",
        organizer_email="hello@smile.example",
        now=now,
    )
    unnamed = booking_ics(
        uid="b1", start=START, end=END, summary="Visit", organizer_name="Smile", now=now
    )

    organizer = parse(named)[1]["ORGANIZER"]
    assert str(organizer) == "mailto:hello@smile.example"
    assert organizer.params["CN"] == "Smile Clinic, Riyadh"
    assert "ORGANIZER" not in parse(unnamed)[1]


def test_empty_optional_fields_are_left_out(now):
    _calendar, event = parse(booking_ics(uid="b1", start=START, end=END, summary="V", now=now))

    assert not {"DESCRIPTION", "LOCATION", "URL"} & set(event)


def test_naive_times_are_refused(now):
    with pytest.raises(ValueError):
        booking_ics(uid="b1", start=datetime(2026, 11, 22, 9), end=END, summary="Visit", now=now)


def test_google_calendar_link():
    url = google_calendar_url(
        start=START,
        end=START + timedelta(hours=1),
        title="Consultation & check-up",
        details="Bring your card\nتنظيف",
        location="Olaya St, Riyadh",
    )

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://calendar.google.com/calendar/render"
    )
    assert "dates=20261122T060000Z/20261122T070000Z" in parts.query
    assert " " not in url and "\n" not in url
    assert parse_qs(parts.query) == {
        "action": ["TEMPLATE"],
        "text": ["Consultation & check-up"],
        "dates": ["20261122T060000Z/20261122T070000Z"],
        "details": ["Bring your card\nتنظيف"],
        "location": ["Olaya St, Riyadh"],
    }


def test_google_calendar_link_without_optional_fields():
    query = parse_qs(urlsplit(google_calendar_url(start=START, end=END, title="Visit")).query)

    assert set(query) == {"action", "text", "dates"}
