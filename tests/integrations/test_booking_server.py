"""The booking server (seed 004) as a reservation partner meets it: Shifa Clinic is merchant,
Consultation the service, Dr Huda the staff member. The seed's three calls are replayed as
its JSON examples show them (with Shifa's ids, and 30 minutes for the seed's 75), then what
a partner relies on around them: availability that follows bookings, idempotent retries,
booking failures, moves that keep the booking id, and credentials that keep each partner to
its own merchant and bookings."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.web.conftest import Site, build_site
from webapp.extensions import db
from webapp.integrations.booking_server_shapes import booking_status
from webapp.manage import booking_partners
from webapp.models import (
    Booking,
    BookingPartner,
    BookingStatus,
    BookingType,
    Customer,
    Organization,
    PartnerBooking,
    WebsiteVersion,
)

SUNDAY_9 = "1795327200"  # Sunday 22 November 2026, 09:00 in Riyadh: the first free time
SUNDAY_930 = "1795329000"
SUNDAY_10 = "1795330800"
THIRTY_MINUTES = "1800"


@dataclass(frozen=True)
class Partner:
    username: str
    password: str
    organization_id: str


def make_partner(app: Flask, organization_id: str, name: str = "Reserve with Google") -> Partner:
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        row, password = booking_partners.create_partner(db.session, organization, name=name)
        db.session.commit()
        return Partner(row.username, password, organization_id)


def basic(username: str, password: str) -> dict:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def call(app: Flask, partner: Partner | None, method: str, body: dict | None = None, **kwargs):
    """One call as the partner makes it (``partner=None``: without credentials)."""
    headers = basic(partner.username, partner.password) if partner else {}
    return app.test_client().post(f"/rwg/v3/{method}", json=body, headers=headers, **kwargs)


def seed_lookup(site: Site) -> dict:
    return {
        "merchant_id": site.organization_id,
        "slot_time": [
            {
                "availability_tag": "5042328",
                "duration_sec": THIRTY_MINUTES,
                "resource_ids": {"staff_id": site.resources["huda"]},
                "service_id": site.types["consultation"],
                "start_sec": SUNDAY_9,
            }
        ],
    }


def seed_slot(site: Site, start: str = SUNDAY_9) -> dict:
    return {
        "availability_tag": "5042328",
        "confirmation_mode": "CONFIRMATION_MODE_SYNCHRONOUS",
        "duration_sec": THIRTY_MINUTES,
        "merchant_id": site.organization_id,
        "resources": {"staff_id": site.resources["huda"]},
        "service_id": site.types["consultation"],
        "start_sec": start,
    }


def seed_user(**overrides) -> dict:
    user = {
        "email": "john.smith@gmail.com",
        "family_name": "Smith",
        "given_name": "John",
        "telephone": "+12091111111",
        "user_id": "1111111111111111111",
    }
    return {**user, **overrides}


def seed_create(site: Site, token: str = "13490670332760737439", **changes) -> dict:
    body = {
        "idempotency_token": token,
        "payment_information": {"prepayment_status": "PREPAYMENT_NOT_PROVIDED"},
        "slot": seed_slot(site),
        "user_information": seed_user(),
    }
    return {**body, **changes}


def someone(n: int) -> dict:
    """Another user of the partner."""
    return seed_user(
        email=f"user{n}@example.com", telephone=f"+96650000{n:04d}", user_id=f"user-{n}"
    )


def booked(site: Site) -> list[Booking]:
    return [b for b in site.bookings() if b.status != BookingStatus.CANCELED]


@pytest.fixture
def partner(site) -> Partner:
    return make_partner(site.app, site.organization_id)


@pytest.fixture
def rwg(site, partner):
    """Calls of Shifa's partner: ``rwg("CreateBooking", body)``."""
    return lambda method, body=None, **kwargs: call(site.app, partner, method, body, **kwargs)


@pytest.fixture
def made(site, rwg) -> str:
    """The seed's booking, made; its partner booking id."""
    answer = rwg("CreateBooking", seed_create(site))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["booking"]["booking_id"]


# --- the seed's calls ------------------------------------------------------------------------


def test_the_seeds_lookup_answers_as_the_seed_shows(site, rwg):
    answer = rwg("BatchAvailabilityLookup", seed_lookup(site))

    assert answer.status_code == 200
    assert answer.get_json() == {
        "slot_time_availability": [
            {
                "available": True,
                "slot_time": {
                    "availability_tag": "5042328",
                    "confirmation_mode": "CONFIRMATION_MODE_SYNCHRONOUS",
                    "duration_sec": THIRTY_MINUTES,
                    "resource_ids": {"staff_id": site.resources["huda"]},
                    "service_id": site.types["consultation"],
                    "start_sec": SUNDAY_9,
                },
            }
        ]
    }


def test_the_seeds_create_booking_books_dr_huda_and_answers_as_the_seed_shows(site, rwg):
    answer = rwg("CreateBooking", seed_create(site))

    assert answer.status_code == 200
    got = answer.get_json()["booking"]
    assert isinstance(got["booking_id"], str) and got["booking_id"]
    assert got == {
        "booking_id": got["booking_id"],
        "payment_information": {"prepayment_status": "PREPAYMENT_NOT_PROVIDED"},
        "slot": seed_slot(site),
        "status": "CONFIRMED",
        "user_information": seed_user(),
    }
    [booking] = site.bookings()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.resource_id == site.resources["huda"]
    assert booking.start_at.isoformat() == "2026-11-22T06:00:00+00:00"
    assert (booking.source, booking.website_id) == ("partner", site.website_id)
    with site.db() as session:
        customer = session.get(Customer, booking.customer_id)
        assert (customer.first_name, customer.last_name) == ("John", "Smith")
        assert (customer.email, customer.phone) == ("john.smith@gmail.com", "+12091111111")


def test_create_booking_retried_with_its_token_answers_the_same_booking(site, rwg):
    first = rwg("CreateBooking", seed_create(site))
    again = rwg("CreateBooking", seed_create(site))

    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert len(site.bookings()) == 1


def test_the_seeds_update_booking_cancels(site, rwg, made):
    answer = rwg("UpdateBooking", {"booking": {"booking_id": made, "status": "CANCELED"}})

    assert answer.status_code == 200
    got = answer.get_json()["booking"]
    assert (got["booking_id"], got["status"]) == (made, "CANCELED")
    [booking] = site.bookings()
    assert (booking.status, booking.canceled_by) == (BookingStatus.CANCELED, "customer")


def test_a_partners_calls_on_each_database(any_app):
    any_app.config["MESSAGES_CAPTURE"] = []
    site = build_site(any_app)
    partner = make_partner(any_app, site.organization_id)

    def rwg(method, body):
        answer = call(any_app, partner, method, body)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def available(start):
        body = seed_lookup(site)
        body["slot_time"][0]["start_sec"] = start
        return rwg("BatchAvailabilityLookup", body)["slot_time_availability"][0]["available"]

    assert available(SUNDAY_9) is True
    made = rwg("CreateBooking", seed_create(site))["booking"]["booking_id"]
    assert rwg("CreateBooking", seed_create(site))["booking"]["booking_id"] == made
    assert available(SUNDAY_9) is False
    move = {"booking": {"booking_id": made, "slot": {"start_sec": SUNDAY_10}}}
    assert rwg("UpdateBooking", move)["booking"]["slot"]["start_sec"] == SUNDAY_10
    assert (available(SUNDAY_9), available(SUNDAY_10)) == (True, False)
    cancel = {"booking": {"booking_id": made, "status": "CANCELED"}}
    assert rwg("UpdateBooking", cancel)["booking"]["status"] == "CANCELED"
    assert rwg("UpdateBooking", cancel)["booking_failure"]["cause"] == "BOOKING_ALREADY_CANCELLED"
    assert available(SUNDAY_10) is True
    assert rwg("GetBookingStatus", {"booking_id": made})["booking_status"] == "CANCELED"
    assert booked(site) == []


# --- availability ----------------------------------------------------------------------------


def test_a_booked_slot_is_no_longer_available(site, rwg, made):
    answer = rwg("BatchAvailabilityLookup", seed_lookup(site))

    [slot] = answer.get_json()["slot_time_availability"]
    assert slot["available"] is False


def test_lookup_answers_each_slot_in_order(site, rwg):
    consultation, vaccination = site.types["consultation"], site.types["vaccination"]
    site.book_directly("huda", "2026-11-22 09:30")

    def slot(start, service=consultation, duration=THIRTY_MINUTES, **resources):
        item = {"service_id": service, "start_sec": start, "duration_sec": duration}
        return {**item, "resource_ids": resources} if resources else item

    huda, omar = site.resources["huda"], site.resources["omar"]
    slots = [
        slot(SUNDAY_930, staff_id=huda),  # taken
        slot(SUNDAY_930, staff_id=omar),  # free
        slot(SUNDAY_930),  # any doctor: Dr Omar and Dr Layla are free
        slot(SUNDAY_9, duration="900"),  # not how long a consultation lasts
        slot(SUNDAY_9, service=vaccination, duration="900", staff_id=omar),  # no vaccinations
        slot(SUNDAY_9, service="no-such-service"),
        slot("1795327260", staff_id=omar),  # 09:01 is not on the customers' grid
        slot("1795244400", staff_id=omar),  # Saturday 09:00: nobody works
        slot(SUNDAY_9, party_size=2),  # one appointment is for one person
        slot(int(SUNDAY_10), duration=1800, staff_id=omar),  # numbers are read too
    ]

    answer = rwg(
        "BatchAvailabilityLookup", {"merchant_id": site.organization_id, "slot_time": slots}
    )

    assert answer.status_code == 200
    got = answer.get_json()["slot_time_availability"]
    assert [s["available"] for s in got] == [False, True, True] + [False] * 6 + [True]
    assert got[-1]["slot_time"]["start_sec"] == SUNDAY_10  # int64 values answer as strings
    assert "confirmation_mode" not in got[5]["slot_time"]  # an unknown service has no mode


def test_a_service_that_needs_approval_is_asynchronous_and_waits_for_the_merchant(site, rwg):
    site.update(BookingType, site.types["consultation"], auto_confirm=False)

    looked = rwg("BatchAvailabilityLookup", seed_lookup(site)).get_json()
    created = rwg("CreateBooking", seed_create(site)).get_json()["booking"]
    status = rwg("GetBookingStatus", {"booking_id": created["booking_id"]}).get_json()

    mode = looked["slot_time_availability"][0]["slot_time"]["confirmation_mode"]
    assert mode == "CONFIRMATION_MODE_ASYNCHRONOUS"
    assert created["status"] == "PENDING_MERCHANT_CONFIRMATION"
    assert status["booking_status"] == "PENDING_MERCHANT_CONFIRMATION"
    assert site.bookings()[0].status == BookingStatus.PENDING_APPROVAL


# --- booking failures ------------------------------------------------------------------------


def test_a_taken_slot_booked_with_another_token_is_slot_unavailable(site, rwg, made):
    answer = rwg("CreateBooking", seed_create(site, token="another", user_information=someone(1)))

    assert answer.status_code == 200
    assert answer.get_json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"
    assert len(site.bookings()) == 1
    with site.db() as session:  # nothing is kept of a booking that was not made
        assert session.scalar(select(func.count()).select_from(Customer)) == 1


def test_the_same_user_booking_the_slot_again_has_already_booked_it(site, rwg, made):
    body = seed_create(site, token="second-try")
    del body["slot"]["resources"]  # any doctor: Dr Omar is free, but John is booked then

    answer = rwg("CreateBooking", body)

    assert answer.get_json()["booking_failure"]["cause"] == "SLOT_ALREADY_BOOKED_BY_USER"
    assert len(site.bookings()) == 1


def test_a_slot_that_is_not_offered_is_slot_unavailable(site, rwg):
    bodies = [
        seed_create(site, token="a", slot={**seed_slot(site), "duration_sec": "4500"}),
        seed_create(site, token="b", slot={**seed_slot(site), "service_id": "nope"}),
        seed_create(site, token="c", slot={**seed_slot(site), "resources": {"staff_id": "x"}}),
        seed_create(site, token="d", slot=seed_slot(site, start="1795244400")),  # Saturday
    ]

    causes = [rwg("CreateBooking", b).get_json()["booking_failure"]["cause"] for b in bodies]

    assert causes == ["SLOT_UNAVAILABLE"] * 4
    assert site.bookings() == []


def test_a_token_used_again_for_another_request_is_refused(site, rwg, made):
    body = seed_create(site, slot=seed_slot(site, start=SUNDAY_10))

    answer = rwg("CreateBooking", body)

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert (error["code"], error["details"]["field"]) == ("INVALID_ARGUMENT", "idempotency_token")
    assert len(site.bookings()) == 1


# --- cancel and move -------------------------------------------------------------------------


def test_canceling_twice_says_the_booking_is_already_cancelled(site, rwg, made):
    cancel = {"booking": {"booking_id": made, "status": "CANCELED"}}
    rwg("UpdateBooking", cancel)

    again = rwg("UpdateBooking", cancel)

    assert again.status_code == 200
    assert again.get_json()["booking_failure"]["cause"] == "BOOKING_ALREADY_CANCELLED"
    assert again.get_json()["booking"]["status"] == "CANCELED"


def test_a_booking_that_has_taken_place_cannot_be_cancelled(site, rwg, made):
    site.app.config["MAWID_NOW"] = booked(site)[0].start_at  # the appointment begins

    answer = rwg("UpdateBooking", {"booking": {"booking_id": made, "status": "CANCELED"}})

    assert answer.get_json()["booking_failure"]["cause"] == "BOOKING_NOT_CANCELLABLE"
    assert booked(site)[0].status == BookingStatus.CONFIRMED


def test_cancels_follow_the_websites_change_notice(site, rwg, made):
    with site.db() as session:
        live = session.scalar(
            select(WebsiteVersion).where(WebsiteVersion.website_id == site.website_id)
        )
        live.change_notice_hours = 48
        session.commit()

    answer = rwg("UpdateBooking", {"booking": {"booking_id": made, "status": "CANCELED"}})

    assert answer.get_json()["booking_failure"]["cause"] == "OUTSIDE_CANCELLATION_WINDOW"
    assert booked(site)[0].status == BookingStatus.CONFIRMED


def test_a_move_keeps_the_booking_id_and_takes_the_new_time(site, rwg, made):
    move = {
        "booking": {"booking_id": made, "slot": {"start_sec": SUNDAY_10}},
        "update_mask": "slot.start_sec",
    }

    answer = rwg("UpdateBooking", move)

    assert answer.status_code == 200
    got = answer.get_json()["booking"]
    assert (got["booking_id"], got["slot"]["start_sec"], got["status"]) == (
        made,
        SUNDAY_10,
        "CONFIRMED",
    )
    [now_booked] = booked(site)
    assert now_booked.start_at.isoformat() == "2026-11-22T07:00:00+00:00"
    assert now_booked.resource_id == site.resources["huda"]
    status = rwg("GetBookingStatus", {"booking_id": made}).get_json()
    assert status["booking_status"] == "CONFIRMED"
    free_again = rwg("BatchAvailabilityLookup", seed_lookup(site)).get_json()
    assert free_again["slot_time_availability"][0]["available"] is True


def test_a_move_to_a_taken_time_keeps_the_booking_where_it_was(site, rwg, made):
    site.book_directly("huda", "2026-11-22 10:00")
    move = {"booking": {"booking_id": made, "slot": {"start_sec": SUNDAY_10}}}

    answer = rwg("UpdateBooking", move)

    assert answer.get_json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"
    assert answer.get_json()["booking"]["slot"]["start_sec"] == SUNDAY_9
    mine = [b for b in booked(site) if b.source == "partner"]
    assert [b.start_at.isoformat() for b in mine] == ["2026-11-22T06:00:00+00:00"]


def test_a_canceled_booking_cannot_move(site, rwg, made):
    rwg("UpdateBooking", {"booking": {"booking_id": made, "status": "CANCELED"}})

    answer = rwg(
        "UpdateBooking", {"booking": {"booking_id": made, "slot": {"start_sec": SUNDAY_10}}}
    )

    assert answer.get_json()["booking_failure"]["cause"] == "BOOKING_ALREADY_CANCELLED"
    assert booked(site) == []


# --- reading bookings ------------------------------------------------------------------------


def test_get_booking_status(site, rwg, made):
    answer = rwg("GetBookingStatus", {"booking_id": made})

    assert answer.status_code == 200
    assert answer.get_json() == {
        "booking_id": made,
        "booking_status": "CONFIRMED",
        "prepayment_status": "PREPAYMENT_NOT_PROVIDED",
    }


def test_list_bookings_shows_the_users_bookings_latest_first(site, rwg, made):
    site.app.config["MAWID_NOW"] = site.app.config["MAWID_NOW"].replace(minute=5)
    later = seed_create(site, token="later", slot=seed_slot(site, start=SUNDAY_10))
    second = rwg("CreateBooking", later).get_json()["booking"]["booking_id"]
    rwg(
        "CreateBooking",
        seed_create(
            site, token="x", user_information=someone(2), slot=seed_slot(site, start=SUNDAY_930)
        ),
    )

    answer = rwg("ListBookings", {"user_id": "1111111111111111111"})

    assert answer.status_code == 200
    listed = answer.get_json()["bookings"]
    assert [b["booking_id"] for b in listed] == [second, made]
    assert listed[1]["user_information"] == seed_user()
    assert rwg("ListBookings", {"user_id": "nobody"}).get_json() == {"bookings": []}


@pytest.mark.parametrize(
    ("status", "canceled_by", "expected"),
    [
        ("CONFIRMED", None, "CONFIRMED"),
        ("COMPLETED", None, "CONFIRMED"),
        ("PENDING_APPROVAL", None, "PENDING_MERCHANT_CONFIRMATION"),
        ("PENDING_ASSIGNMENT", None, "PENDING_MERCHANT_CONFIRMATION"),
        ("PENDING_PAYMENT", None, "PENDING_CLIENT_CONFIRMATION"),
        ("CANCELED", "customer", "CANCELED"),
        ("CANCELED", "provider", "CANCELED"),
        ("CANCELED", "system", "FAILED"),  # unpaid past its payment window
        ("REJECTED", None, "DECLINED_BY_MERCHANT"),
        ("TEMPORARY", None, "FAILED"),
    ],
)
def test_every_booking_status_has_a_partner_status(status, canceled_by, expected):
    booking = SimpleNamespace(status=status, canceled_by=canceled_by)
    assert booking_status(booking) == expected


def test_every_lifecycle_status_is_covered():
    from webapp.integrations.booking_server_shapes import STATUS_FOR

    assert set(STATUS_FOR) == set(BookingStatus)


# --- credentials and tenancy -----------------------------------------------------------------


@pytest.mark.parametrize("method", ["HealthCheck", "BatchAvailabilityLookup", "CreateBooking"])
def test_calls_without_valid_credentials_are_unauthenticated(site, partner, method):
    revoked = make_partner(site.app, site.organization_id, name="Old partner")
    with site.db() as session:
        organization = session.get(Organization, site.organization_id)
        row = booking_partners.revoke_partner(
            session, organization, revoked.username, now=site.app.config["MAWID_NOW"]
        )
        assert row.revoked_at is not None
        session.commit()
    wrong = Partner(partner.username, "not-the-password", site.organization_id)

    for who in (None, wrong, revoked):
        answer = call(site.app, who, method, seed_create(site))
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == 'Basic realm="booking server"'
        assert answer.get_json()["error"]["code"] == "UNAUTHENTICATED"
    assert site.bookings() == []


def test_health_check_answers_for_valid_credentials(site, partner):
    client = site.app.test_client()
    headers = basic(partner.username, partner.password)

    assert client.get("/rwg/v3/HealthCheck", headers=headers).get_json() == {}
    assert client.post("/rwg/v3/HealthCheck", headers=headers).status_code == 200


def test_calls_are_limited_per_partner(site, partner, rwg):
    site.app.config["INTEGRATION_RATE_LIMIT"] = "2/minute"

    answers = [rwg("HealthCheck") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1].get_json()["error"]["code"] == "RESOURCE_EXHAUSTED"
    assert "Retry-After" in answers[-1].headers


def test_another_merchant_is_forbidden_and_nothing_is_booked(site, other_site, rwg):
    theirs = seed_create(site)
    theirs["slot"] = {
        **seed_slot(site),
        "merchant_id": other_site.organization_id,
        "service_id": other_site.types["consultation"],
        "resources": {"staff_id": other_site.resources["huda"]},
    }
    lookup = {**seed_lookup(other_site), "merchant_id": other_site.organization_id}

    booked_there = rwg("CreateBooking", theirs)
    looked_there = rwg("BatchAvailabilityLookup", lookup)

    assert (booked_there.status_code, looked_there.status_code) == (403, 403)
    assert booked_there.get_json()["error"]["code"] == "PERMISSION_DENIED"
    assert site.bookings() == [] and other_site.bookings() == []


def test_another_partners_booking_is_not_found(site, other_site, rwg, made):
    same_clinic = make_partner(site.app, site.organization_id, name="Another marketplace")
    other_clinic = make_partner(site.app, other_site.organization_id)

    for stranger in (same_clinic, other_clinic):
        status = call(site.app, stranger, "GetBookingStatus", {"booking_id": made})
        cancel = call(
            site.app,
            stranger,
            "UpdateBooking",
            {"booking": {"booking_id": made, "status": "CANCELED"}},
        )
        listed = call(site.app, stranger, "ListBookings", {"user_id": "1111111111111111111"})
        assert (status.status_code, cancel.status_code) == (404, 404)
        assert status.get_json()["error"]["code"] == "NOT_FOUND"
        assert listed.get_json() == {"bookings": []}
    assert booked(site)[0].status == BookingStatus.CONFIRMED


# --- malformed requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slot": None}, "slot"),
        ({"user_information": seed_user(email="not an email")}, "user_information.email"),
        ({"user_information": seed_user(telephone="12")}, "user_information.telephone"),
        ({"user_information": seed_user(email=None, telephone=None)}, "user_information"),
        ({"user_information": seed_user(user_id=None)}, "user_information.user_id"),
        ({"payment_information": "paid"}, "payment_information"),
    ],
)
def test_malformed_bookings_are_invalid_arguments_and_book_nothing(site, rwg, change, field):
    body = {k: v for k, v in {**seed_create(site), **change}.items() if v is not None}

    answer = rwg("CreateBooking", body)

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert (error["code"], error["details"]["field"]) == ("INVALID_ARGUMENT", field)
    assert site.bookings() == []


@pytest.mark.parametrize(
    ("slot_time", "field"),
    [
        ({"start_sec": "soon"}, "slot_time[0].start_sec"),
        ({"start_sec": "-5"}, "slot_time[0].start_sec"),
        ({"duration_sec": True}, "slot_time[0].duration_sec"),
        ({"service_id": ["x"]}, "slot_time[0].service_id"),
        ({"resource_ids": "huda"}, "slot_time[0].resource_ids"),
    ],
)
def test_malformed_slots_are_invalid_arguments(site, rwg, slot_time, field):
    body = seed_lookup(site)
    body["slot_time"][0].update(slot_time)

    answer = rwg("BatchAvailabilityLookup", body)

    assert answer.status_code == 400
    assert answer.get_json()["error"]["details"]["field"] == field


def test_a_lookup_asks_for_at_most_a_hundred_slots(site, rwg):
    body = seed_lookup(site)
    body["slot_time"] = body["slot_time"] * 101

    answer = rwg("BatchAvailabilityLookup", body)

    assert answer.status_code == 400
    assert answer.get_json()["error"]["details"]["field"] == "slot_time"


def test_bodies_that_are_not_json_objects_are_invalid(site, partner):
    client = site.app.test_client()
    headers = {**basic(partner.username, partner.password), "Content-Type": "application/json"}

    for data in ("{not json", "[1, 2]"):
        answer = client.post("/rwg/v3/CreateBooking", data=data, headers=headers)
        assert answer.status_code == 400
        assert answer.get_json()["error"]["code"] == "INVALID_ARGUMENT"


def test_updates_name_what_changes(site, rwg, made):
    answers = [
        rwg("UpdateBooking", {"booking": {"booking_id": made}}),
        rwg("UpdateBooking", {"booking": {"booking_id": made, "status": "CONFIRMED"}}),
        rwg(
            "UpdateBooking",
            {"booking": {"booking_id": made, "status": "CANCELED"}, "update_mask": "user_id"},
        ),
    ]

    assert [a.status_code for a in answers] == [400, 400, 400]
    assert booked(site)[0].status == BookingStatus.CONFIRMED


def test_unknown_methods_and_verbs_answer_json(site, partner):
    client = site.app.test_client()
    headers = basic(partner.username, partner.password)

    unknown = client.post("/rwg/v3/CheckAvailability", json={}, headers=headers)
    wrong_verb = client.get("/rwg/v3/CreateBooking", headers=headers)

    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "NOT_FOUND"
    assert wrong_verb.status_code == 405
    assert "error" in wrong_verb.get_json()


def test_unknown_booking_ids_are_not_found(site, rwg):
    answer = rwg("GetBookingStatus", {"booking_id": "890"})

    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "NOT_FOUND"


def test_partner_bookings_keep_the_partners_fields(site, rwg, made):
    with site.db() as session:
        link = session.get(PartnerBooking, made)
        assert link.idempotency_token == "13490670332760737439"
        assert link.user_id == "1111111111111111111"
        assert link.availability_tag == "5042328"


# --- the command line ------------------------------------------------------------------------


def test_the_command_prints_credentials_that_work(site, runner):
    result = runner.invoke(
        args=[
            "create-booking-partner",
            "--organization",
            site.organization_id,
            "--name",
            "Reserve with Google",
            "--json",
        ]
    )

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert set(printed) == {"username", "password"}
    health = site.app.test_client().get(
        "/rwg/v3/HealthCheck", headers=basic(printed["username"], printed["password"])
    )
    assert health.status_code == 200


def test_the_command_prints_readable_lines_without_json(site, runner):
    result = runner.invoke(
        args=["create-booking-partner", "--organization", site.organization_id, "--name", "RwG"]
    )

    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert set(lines) == {"username", "password"}
    assert (
        call(site.app, Partner(lines["username"], lines["password"], ""), "HealthCheck").status_code
        == 200
    )


def test_the_command_refuses_an_unknown_organization(app, runner):
    result = runner.invoke(
        args=["create-booking-partner", "--organization", "nope", "--name", "RwG", "--json"]
    )

    assert result.exit_code != 0
    assert "No organization with id nope" in result.stderr
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BookingPartner)) == 0
