"""Calendar feeds as a calendar app reads them: a valid iCalendar file whose events keep the
bookings' instants in the business's time zone (across a DST change too), one event per
booking however often it moved, cancellations kept so apps remove them, nothing of another
resource or another organization, and an address that stops working once renewed or
turned off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from tests.conftest import NOW
from tests.factories import (
    at,
    create_booking,
    make_booking_type,
    make_customer,
    make_organization,
    make_resource,
)
from webapp.booking import lifecycle
from webapp.extensions import db
from webapp.manage import calendar_feeds as feeds
from webapp.models import BookingType, CalendarFeed, Customer, Organization, Resource

ALL_WEEK = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
OPEN = [{"days": ALL_WEEK, "times": [{"start": 800, "end": 1800}]}]
STAFF = lifecycle.Actor("api")
# Bookings that are already past at NOW were made before them.
EARLIER = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)


@dataclass
class Business:
    organization_id: str
    timezone: str
    type_id: str
    resource_ids: list[str]
    customer_id: str


def open_business(app, timezone: str = "Asia/Riyadh", name: str = "Shifa Clinic") -> Business:
    with app.app_context():
        organization = make_organization(db.session, timezone=timezone, name=name)
        checkup = make_booking_type(db.session, organization, name="Checkup")
        resources = [
            make_resource(
                db.session, organization, checkup, name=doctor, rules=OPEN, depth_of_days=0
            )
            for doctor in ("Dr Huda", "Dr Omar")
        ]
        customer = make_customer(
            db.session,
            organization,
            first_name="Sara",
            last_name="Ali",
            phone="+966501234567",
            email="sara@example.com",
        )
        db.session.commit()
        return Business(
            organization.id, timezone, checkup.id, [r.id for r in resources], customer.id
        )


def book(app, business: Business, when: str, *, resource: int = 0, **overrides) -> str:
    """A booking made by the front desk; ``when`` is wall time in the business's zone."""
    overrides.setdefault("now", EARLIER if at(when, business.timezone) < NOW else NOW)
    overrides.setdefault("actor", STAFF)
    with app.app_context():
        organization = db.session.get(Organization, business.organization_id)
        booking = create_booking(
            db.session,
            organization,
            db.session.get(BookingType, business.type_id),
            start=at(when, business.timezone),
            customer=db.session.get(Customer, business.customer_id),
            resource_id=business.resource_ids[resource],
            **overrides,
        )
        db.session.commit()
        return booking.id


def change(app, business: Business, action, booking_id: str, *, now=NOW, **kwargs) -> str:
    with app.app_context():
        organization = db.session.get(Organization, business.organization_id)
        booking = action(db.session, organization, booking_id, actor=STAFF, now=now, **kwargs)
        db.session.commit()
        return booking.id


def feed_path(app, business: Business, resource: int | None = None) -> str:
    """The feed's address (made when missing), as a path for the test client."""
    with app.test_request_context():
        organization = db.session.get(Organization, business.organization_id)
        resource_id = None if resource is None else business.resource_ids[resource]
        feed = feeds.feed_for(db.session, organization, resource_id, create=True, now=NOW)
        db.session.commit()
        return urlsplit(feeds.feed_url(feed)).path


def read(app, path: str, **headers):
    response = app.test_client().get(path, headers=headers)
    assert response.status_code == 200, response.data
    return response


def strictly_parsed(body: bytes) -> Calendar:
    """The file as RFC 5545 wants it: CRLF line ends, lines folded at 75 octets, every
    required property present, and a VTIMEZONE for every TZID named."""
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75
    calendar = Calendar.from_ical(body)
    calendar.validate()
    assert not [c for c in calendar.walk() if c.errors]
    assert calendar.get_missing_tzids() == set()
    for event in calendar.events:
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS", "SEQUENCE"):
            assert name in event, name
    return calendar


def events(app, path: str) -> dict[str, object]:
    calendar = strictly_parsed(read(app, path).data)
    by_uid = {str(event["UID"]): event for event in calendar.events}
    assert len(by_uid) == len(calendar.events), "each booking is one event"
    return by_uid


def uid(booking_id: str) -> str:
    return f"{booking_id}@mawid"


# -- the file ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timezone", "wall_time", "instant"),
    [
        ("Asia/Riyadh", "2026-11-23 10:00", datetime(2026, 11, 23, 7, 0, tzinfo=UTC)),
        # New York leaves daylight time on 1 November 2026: ten o'clock is 14:00 UTC before
        # and 15:00 UTC after.
        ("America/New_York", "2026-10-30 10:00", datetime(2026, 10, 30, 14, 0, tzinfo=UTC)),
        ("America/New_York", "2026-11-02 10:00", datetime(2026, 11, 2, 15, 0, tzinfo=UTC)),
    ],
)
def test_each_event_is_at_the_bookings_wall_time_in_the_business_zone(
    app, timezone, wall_time, instant
):
    business = open_business(app, timezone)
    booking_id = book(app, business, wall_time)

    event = events(app, feed_path(app, business))[uid(booking_id)]

    start = event["DTSTART"]
    assert start.params["TZID"] == timezone
    assert start.dt.strftime("%Y-%m-%d %H:%M") == wall_time
    assert start.dt.astimezone(UTC) == instant
    assert event["DTEND"].dt - start.dt == timedelta(minutes=30)


def test_both_sides_of_the_dst_change_are_in_one_file_with_the_zones_rules(app):
    business = open_business(app, "America/New_York")
    before = book(app, business, "2026-10-30 10:00")
    after = book(app, business, "2026-11-02 10:00")

    body = read(app, feed_path(app, business)).data
    calendar = strictly_parsed(body)

    [zone] = calendar.timezones
    assert zone.tz_name == "America/New_York"
    starts = {str(e["UID"]): e.decoded("DTSTART").astimezone(UTC) for e in calendar.events}
    assert starts[uid(before)] == datetime(2026, 10, 30, 14, 0, tzinfo=UTC)
    assert starts[uid(after)] == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    assert str(calendar["X-WR-TIMEZONE"]) == "America/New_York"


def test_the_calendar_is_named_and_published_for_subscription(app):
    business = open_business(app, name="Shifa Clinic")
    book(app, business, "2026-11-23 10:00")

    response = read(app, feed_path(app, business))
    calendar = strictly_parsed(response.data)

    assert str(calendar["X-WR-CALNAME"]) == "Shifa Clinic"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["VERSION"]) == "2.0"
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == "inline; filename=Shifa_Clinic.ics"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Set-Cookie" not in response.headers


def test_an_event_tells_the_service_the_customer_and_how_to_reach_them(app):
    business = open_business(app)
    booking_id = book(app, business, "2026-11-23 10:00", note="Bring the X-ray")

    event = events(app, feed_path(app, business))[uid(booking_id)]

    assert str(event["SUMMARY"]) == "Checkup · Sara Ali"
    description = str(event["DESCRIPTION"])
    assert "Dr Huda" in description  # the organization's feed names the resource
    assert "+966501234567" in description and "sara@example.com" in description
    assert "Bring the X-ray" in description
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]).endswith(f"/admin/bookings/{booking_id}")


def test_a_booking_waiting_for_approval_is_tentative(app):
    business = open_business(app)
    with app.app_context():
        db.session.get(BookingType, business.type_id).auto_confirm = False
        db.session.commit()
    booking_id = book(app, business, "2026-11-23 10:00", actor=lifecycle.Actor("customer"))

    event = events(app, feed_path(app, business))[uid(booking_id)]

    assert str(event["STATUS"]) == "TENTATIVE"


# -- changes ----------------------------------------------------------------------------------


def test_a_moved_booking_is_the_same_event_with_a_higher_sequence(app):
    business = open_business(app)
    first = book(app, business, "2026-11-24 11:00")
    path = feed_path(app, business)
    before = events(app, path)[uid(first)]

    # Earlier first, so the canceled old row comes after its successor in time.
    moved = change(app, business, lifecycle.reschedule_booking, first, start=at("2026-11-23 09:00"))
    after = events(app, path)

    assert list(after) == [uid(first)]  # the canceled old row is not a second event
    event = after[uid(first)]
    assert int(before["SEQUENCE"]) == 0 and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == at("2026-11-23 09:00")
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]).endswith(moved)

    change(app, business, lifecycle.reschedule_booking, moved, start=at("2026-11-25 12:00"))
    [again] = events(app, path).values()
    assert str(again["UID"]) == uid(first) and int(again["SEQUENCE"]) == 2
    assert again.decoded("DTSTART") == at("2026-11-25 12:00")


def test_a_booking_moved_to_another_resource_leaves_its_old_feed_canceled(app):
    business = open_business(app)
    first = book(app, business, "2026-11-23 10:00", resource=0)
    huda, omar = feed_path(app, business, 0), feed_path(app, business, 1)

    change(
        app,
        business,
        lifecycle.reschedule_booking,
        first,
        start=at("2026-11-23 10:00"),
        resource_id=business.resource_ids[1],
    )

    assert str(events(app, huda)[uid(first)]["STATUS"]) == "CANCELLED"
    moved = events(app, omar)[uid(first)]
    assert str(moved["STATUS"]) == "CONFIRMED" and int(moved["SEQUENCE"]) == 1


def test_a_canceled_booking_stays_in_the_feed_as_cancelled(app):
    business = open_business(app)
    booking_id = book(app, business, "2026-11-23 10:00")
    path = feed_path(app, business)
    events(app, path)

    change(app, business, lifecycle.cancel_booking, booking_id, reason="Sick")

    event = events(app, path)[uid(booking_id)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["TRANSP"]) == "TRANSPARENT"


def test_holds_never_show_even_once_they_expired(app):
    business = open_business(app)
    hold = book(app, business, "2026-11-23 10:00", hold_minutes=10)
    kept = book(app, business, "2026-11-23 12:00")
    path = feed_path(app, business)

    assert list(events(app, path)) == [uid(kept)]

    with app.app_context():
        lifecycle.expire_due(db.session, NOW + timedelta(minutes=11))
        db.session.commit()
    shown = events(app, path)
    assert uid(hold) not in shown and list(shown) == [uid(kept)]


def test_the_feed_reaches_two_months_back_and_a_year_ahead(app):
    business = open_business(app)
    old = book(app, business, "2026-09-15 10:00", now=datetime(2026, 9, 1, tzinfo=UTC))
    recent = book(app, business, "2026-10-01 10:00", now=datetime(2026, 9, 1, tzinfo=UTC))
    soon = book(app, business, "2027-11-01 10:00")
    later = book(app, business, "2027-12-01 10:00")

    shown = events(app, feed_path(app, business))

    assert uid(recent) in shown and uid(soon) in shown
    assert uid(old) not in shown and uid(later) not in shown


# -- whose bookings ---------------------------------------------------------------------------


def test_a_resource_feed_has_only_that_resources_bookings(app):
    business = open_business(app)
    huda = book(app, business, "2026-11-23 10:00", resource=0)
    omar = book(app, business, "2026-11-23 10:00", resource=1)

    shown = events(app, feed_path(app, business, resource=0))
    everything = events(app, feed_path(app, business))

    assert list(shown) == [uid(huda)]
    assert "Dr Omar" not in str(shown[uid(huda)].get("DESCRIPTION"))
    assert set(everything) == {uid(huda), uid(omar)}


def test_a_resource_in_its_own_zone_writes_its_times_there(app):
    business = open_business(app, "Asia/Riyadh")
    with app.app_context():
        db.session.get(Resource, business.resource_ids[1]).timezone = "Asia/Dubai"
        db.session.commit()
    booking_id = book(app, business, "2026-11-23 10:00", resource=1)

    calendar = strictly_parsed(read(app, feed_path(app, business)).data)

    [event] = calendar.events
    assert str(event["UID"]) == uid(booking_id)
    assert event["DTSTART"].params["TZID"] == "Asia/Dubai"
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 11, 23, 7, tzinfo=UTC)
    assert {tz.tz_name for tz in calendar.timezones} == {"Asia/Riyadh", "Asia/Dubai"}


def test_another_organizations_bookings_never_appear(app):
    north = open_business(app, name="North Clinic")
    south = open_business(app, name="South Clinic")
    mine = book(app, north, "2026-11-23 10:00")
    theirs = book(app, south, "2026-11-23 10:00")

    assert list(events(app, feed_path(app, north))) == [uid(mine)]
    assert list(events(app, feed_path(app, north, resource=0))) == [uid(mine)]
    assert list(events(app, feed_path(app, south))) == [uid(theirs)]


# -- the address ------------------------------------------------------------------------------


def _feed(app, business: Business) -> CalendarFeed:
    with app.app_context():
        organization = db.session.get(Organization, business.organization_id)
        return feeds.feed_for(db.session, organization, now=NOW)


def test_a_new_address_replaces_the_old_one(app):
    business = open_business(app)
    old = feed_path(app, business)
    with app.app_context():
        organization = db.session.get(Organization, business.organization_id)
        feed = feeds.feed_for(db.session, organization, now=NOW)
        feeds.regenerate(db.session, organization, feed, NOW)
        db.session.commit()
    new = feed_path(app, business)

    client = app.test_client()
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_turned_off_feed_answers_404_in_plain_text(app):
    business = open_business(app)
    path = feed_path(app, business)
    with app.app_context():
        organization = db.session.get(Organization, business.organization_id)
        feeds.revoke(db.session, organization, feeds.feed_for(db.session, organization, now=NOW))
        db.session.commit()

    response = app.test_client().get(path)

    assert response.status_code == 404
    assert response.mimetype == "text/plain"


@pytest.mark.parametrize(
    "token",
    ["nothing", "abc.def", ".", "x" * 300, "{id}.{wrong}", "{id}", "{id}.{signature}x"],
)
def test_a_forged_or_damaged_address_answers_404(app, token):
    business = open_business(app)
    path = feed_path(app, business)
    feed_id, signature = path.rsplit("/", 1)[1].removesuffix(".ics").split(".")
    token = token.format(id=feed_id, signature=signature, wrong="A" * len(signature))

    assert app.test_client().get(f"/calendar/feed/{token}.ics").status_code == 404


def test_an_unchanged_feed_answers_304_and_a_change_gives_a_new_etag(app):
    business = open_business(app)
    booking_id = book(app, business, "2026-11-23 10:00")
    path = feed_path(app, business)
    client = app.test_client()
    first = client.get(path)
    etag = first.headers["ETag"]

    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    change(app, business, lifecycle.cancel_booking, booking_id)
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_61st_reading_in_an_hour_is_refused(app):
    business = open_business(app)
    path = feed_path(app, business)
    client = app.test_client()

    answers = [client.get(path).status_code for _ in range(60)]
    refused = client.get(path)

    assert set(answers) == {200}
    assert refused.status_code == 429
    assert refused.mimetype == "text/plain" and int(refused.headers["Retry-After"]) > 0
    # Another feed's readers are not held back by this one's.
    assert client.get(feed_path(app, business, resource=0)).status_code == 200


def test_the_last_reading_is_kept_to_the_minute(app):
    business = open_business(app)
    path = feed_path(app, business)
    assert _feed(app, business).last_read_at is None

    read(app, path)
    assert _feed(app, business).last_read_at == NOW

    app.config["MAWID_NOW"] = NOW + timedelta(seconds=40)
    read(app, path)
    assert _feed(app, business).last_read_at == NOW  # not a write for every reading

    app.config["MAWID_NOW"] = NOW + timedelta(minutes=2)
    read(app, path)
    assert _feed(app, business).last_read_at == NOW + timedelta(minutes=2)


def test_a_feed_is_read_the_same_on_each_database(any_app):
    business = open_business(any_app, "America/New_York")
    first = book(any_app, business, "2026-10-30 10:00")
    change(
        any_app,
        business,
        lifecycle.reschedule_booking,
        first,
        start=at("2026-11-02 10:00", business.timezone),
        now=EARLIER,
    )
    path = feed_path(any_app, business)

    [event] = events(any_app, path).values()

    assert str(event["UID"]) == uid(first) and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 11, 2, 15, tzinfo=UTC)
    assert _feed(any_app, business).last_read_at == NOW
