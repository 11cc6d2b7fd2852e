"""Booking emails through a real SMTP server on loopback: booked through the service layer,
written and sent by the worker, received as MIME, and the calendar invitation inside keeps
the booked instant in Riyadh and in New York, on both sides of the US change of clocks
(1 November 2026), as the booking is moved and canceled."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.factories import at
from tests.notify.email_world import book, build_clinic, ics_of, parse_mime
from webapp.booking import lifecycle
from webapp.models import EmailOut
from webapp.notify import worker

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
NEW_YORK = "America/New_York"
CUSTOMER = lifecycle.Actor("customer")


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str):
        return [parse_mime(data) for rcpt, data in self.messages if address in rcpt]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app):
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.pop("MESSAGES_CAPTURE", None)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    app.config["MAIL_DEFAULT_SENDER"] = "Smile Clinic <bookings@smile.example>"
    yield handler
    controller.stop()


def deliver(session):
    """What the worker does after the booking's transaction commits."""
    session.commit()
    worker.run_once(NOW)


def latest_invitation(inbox: Inbox, address: str):
    messages = inbox.to(address)
    assert messages, f"no email reached {address}"
    method, calendar = ics_of(messages[-1])
    [event] = calendar.walk("VEVENT")
    return messages[-1], method, calendar, event


def utc_start(calendar, event) -> datetime:
    """DTSTART as an instant, read through the file's own VTIMEZONE (not the local tz
    database), so a wrong VTIMEZONE fails here."""
    start = event.decoded("DTSTART")
    [zone] = [tz for tz in calendar.timezones if tz.tz_name == event["DTSTART"].params["TZID"]]
    own = zone.to_tz(lookup_tzid=False)
    return start.replace(tzinfo=None).replace(tzinfo=own).astimezone(UTC)


def test_a_riyadh_booking_arrives_with_its_instant(session, inbox):
    clinic = build_clinic(session)
    book(session, clinic, at("2026-10-29 10:00"), NOW)
    deliver(session)

    message, method, calendar, event = latest_invitation(inbox, clinic.sara.email)

    assert message["To"] == clinic.sara.email
    assert message["Subject"] == "Booking confirmed: Cleaning"
    assert method == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
    assert event["DTSTART"].params["TZID"] == "Asia/Riyadh"
    assert utc_start(calendar, event) == datetime(2026, 10, 29, 7, 0, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(2026, 10, 29, 7, 30, tzinfo=UTC)
    html = message.get_body(("html",)).get_content()
    assert "Thursday, October 29, 2026 · 10:00\u202fAM (Arabian Standard Time)" in html
    owners = inbox.to(clinic.owner_email)
    assert [m["Subject"] for m in owners] == ["New booking: Cleaning, Oct 29, 2026 · 10:00 AM"]
    assert not owners[0].get_body(("plain",)).get_content().count("BEGIN:VCALENDAR")
    sent = session.scalars(select(EmailOut.status)).all()
    assert sent and set(sent) == {"sent"}


def test_a_new_york_booking_moved_across_the_clock_change_then_canceled(session, inbox):
    clinic = build_clinic(session, timezone=NEW_YORK)
    first = book(session, clinic, at("2026-10-30 10:00", NEW_YORK), NOW)
    deliver(session)

    _message, method, calendar, booked = latest_invitation(inbox, clinic.sara.email)
    assert method == "REQUEST"
    assert booked["DTSTART"].params["TZID"] == NEW_YORK
    assert utc_start(calendar, booked) == datetime(2026, 10, 30, 14, 0, tzinfo=UTC)  # EDT
    assert int(booked["SEQUENCE"]) == 0

    moved = lifecycle.reschedule_booking(
        session,
        clinic.organization,
        first.id,
        start=at("2026-11-02 10:00", NEW_YORK),
        actor=CUSTOMER,
        now=NOW,
    )
    deliver(session)

    message, method, calendar, rescheduled = latest_invitation(inbox, clinic.sara.email)
    assert message["Subject"] == "Booking moved: Cleaning"
    assert method == "REQUEST"
    assert utc_start(calendar, rescheduled) == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # EST
    assert str(rescheduled["UID"]) == str(booked["UID"]) == f"{first.id}@mawid"
    assert int(rescheduled["SEQUENCE"]) == 1
    text = message.get_body(("plain",)).get_content()
    assert "Before: Friday, October 30, 2026 · 10:00\u202fAM (Eastern Daylight Time)" in text
    assert "When: Monday, November 2, 2026 · 10:00\u202fAM (Eastern Standard Time)" in text

    lifecycle.cancel_booking(session, clinic.organization, moved.id, actor=CUSTOMER, now=NOW)
    deliver(session)

    message, method, calendar, canceled = latest_invitation(inbox, clinic.sara.email)
    assert message["Subject"] == "Booking canceled: Cleaning"
    assert method == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    assert str(canceled["STATUS"]) == "CANCELLED"
    assert str(canceled["UID"]) == f"{first.id}@mawid"
    assert int(canceled["SEQUENCE"]) >= int(rescheduled["SEQUENCE"])
    assert canceled.decoded("DTSTART").astimezone(ZoneInfo(NEW_YORK)).hour == 10
    assert len(inbox.to(clinic.sara.email)) == 3
