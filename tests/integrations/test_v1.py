"""The hold/confirm API (seed 003) as an integrator's backend uses it: a token from
/oauth/token, the services, the free times, a hold, its confirmation for a customer, a
reschedule and a cancel, each with what the clinic's calendar shows afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_field
from tests.integrations.conftest import access_token, bearer, register_client
from webapp.manage import api_keys, oauth_clients
from webapp.models import (
    Booking,
    BookingType,
    Customer,
    IdempotencyRecord,
    Organization,
    OutboxMessage,
)

SUNDAY_9 = "2026-11-22T09:00:00+03:00"
SUNDAY_930 = "2026-11-22T09:30:00+03:00"
SUNDAY_10 = "2026-11-22T10:00:00+03:00"
SARA = {"name": "Sara Haddad", "email": "Sara@Example.com", "phone": "+966501234567"}


# --- how an integrator calls -------------------------------------------------------------------


def get(site, token, path, **params):
    return site.client.get(f"/api/v1{path}", query_string=params, headers=bearer(token))


def post(site, token, path, body=None, *, key=None, **options):
    headers = bearer(token)
    if key:
        headers["Idempotency-Key"] = key
    return site.client.post(f"/api/v1{path}", json=body, headers=headers, **options)


def slots(site, token, service="consultation", **params):
    answer = get(site, token, "/availability", service_id=site.types[service], **params)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["slots"]


def free(site, token, start, doctor="huda", service="consultation") -> bool:
    wanted = {"start": start, "resource_id": site.resources[doctor]}
    return any(
        {k: s[k] for k in ("start", "resource_id")} == wanted
        for s in slots(site, token, service, date=start[:10])
    )


def hold(site, token, start=SUNDAY_9, doctor="huda", service="consultation", **extra):
    body = {"service_id": site.types[service], "start": start, **extra}
    if doctor:
        body["resource_id"] = site.resources[doctor]
    return post(site, token, "/appointments/hold", body)


def book(site, token, start=SUNDAY_9, doctor="huda", contact=None) -> str:
    """Hold and confirm; the appointment id."""
    held = hold(site, token, start, doctor)
    assert held.status_code == 201, held.get_json()
    body = {"hold_id": held.get_json()["hold_id"], "contact": contact or SARA}
    done = post(site, token, "/appointments/confirm", body)
    assert done.status_code == 200, done.get_json()
    return done.get_json()["appointment_id"]


def problem(answer) -> dict:
    return answer.get_json()["error"]


def count(site, model) -> int:
    with site.db() as session:
        return session.scalar(select(func.count()).select_from(model))


# --- the walkthrough -----------------------------------------------------------------------


def test_the_seed_walkthrough_books_moves_and_cancels_an_appointment(site, registered):
    client = site.app.test_client()
    first = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": registered.client_id,
            "client_secret": registered.secret,
        },
    )
    refresh = first.get_json()["refresh_token"]
    second = client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": registered.client_id,
            "client_secret": registered.secret,
            "refresh_token": refresh,
            "organization_id": site.organization_id,
        },
    )
    token = second.get_json()["access_token"]

    services = get(site, token, "/services").get_json()["services"]
    consultation = next(s for s in services if s["name"] == "Consultation")
    assert consultation == {
        "id": site.types["consultation"],
        "name": "Consultation",
        "description": "",
        "duration_minutes": 30,
        "price": "150.00",
        "currency": "SAR",
    }

    listed = get(site, token, "/availability", service_id=consultation["id"], date="2026-11-22")
    assert listed.get_json()["timezone"] == "Asia/Riyadh"
    offered = listed.get_json()["slots"]
    assert offered[0] == {
        "start": SUNDAY_9,
        "end": SUNDAY_930,
        "resource_id": site.resources["huda"],
    }
    assert {s["resource_id"] for s in offered if s["start"] == SUNDAY_9} == set(
        site.resources.values()
    )

    held = hold(site, token)
    assert held.status_code == 201
    hold_id = held.get_json()["hold_id"]
    assert held.get_json() == {
        "hold_id": hold_id,
        "status": "TEMPORARY",
        "expires_at": "2026-11-21T09:10:00+03:00",  # ten minutes from now
        "start": SUNDAY_9,
        "end": SUNDAY_930,
        "resource_id": site.resources["huda"],
        "service_id": site.types["consultation"],
    }
    assert not free(site, token, SUNDAY_9)
    assert free(site, token, SUNDAY_9, doctor="omar")

    confirmation = {"hold_id": hold_id, "contact": SARA}
    confirmed = post(site, token, "/appointments/confirm", confirmation, key="confirm-1")
    assert confirmed.status_code == 200
    assert confirmed.get_json() == {
        "appointment_id": hold_id,
        "status": "CONFIRMED",
        "start": SUNDAY_9,
        "end": SUNDAY_930,
        "resource_id": site.resources["huda"],
        "service_id": site.types["consultation"],
    }
    retried = post(site, token, "/appointments/confirm", confirmation, key="confirm-1")
    assert retried.status_code == 200
    assert retried.get_data() == confirmed.get_data()
    assert retried.headers["Idempotent-Replayed"] == "true"
    other = post(
        site,
        token,
        "/appointments/confirm",
        {**confirmation, "contact": {**SARA, "name": "Someone Else"}},
        key="confirm-1",
    )
    assert other.status_code == 422
    assert problem(other)["code"] == "IDEMPOTENCY_KEY_REUSED"
    [booked] = site.bookings()
    assert booked.status == "CONFIRMED"
    with site.db() as session:
        customer = session.get(Customer, booked.customer_id)
        assert (customer.first_name, customer.last_name) == ("Sara", "Haddad")
        assert (customer.email, customer.phone) == ("sara@example.com", "+966501234567")
    assert not free(site, token, SUNDAY_9)

    moved = post(
        site, token, "/appointments/reschedule", {"appointment_id": hold_id, "start": SUNDAY_10}
    )
    assert moved.status_code == 200, moved.get_json()
    new_id = moved.get_json()["appointment_id"]
    assert new_id != hold_id
    assert moved.get_json()["previous_appointment_id"] == hold_id
    assert moved.get_json()["start"] == SUNDAY_10
    assert moved.get_json()["status"] == "CONFIRMED"
    assert site.booking(hold_id).status == "CANCELED"
    assert site.booking(new_id).status == "CONFIRMED"
    assert free(site, token, SUNDAY_9)
    assert not free(site, token, SUNDAY_10)

    # The integration kept the first id: it still names the appointment.
    canceled = post(
        site, token, "/appointments/cancel", {"appointment_id": hold_id, "reason": "Travel"}
    )
    assert canceled.status_code == 200
    assert canceled.get_json() == {"appointment_id": new_id, "status": "CANCELED"}
    assert site.booking(new_id).status == "CANCELED"
    assert site.booking(new_id).cancel_reason == "Travel"
    assert free(site, token, SUNDAY_10)

    again = post(site, token, "/appointments/cancel", {"appointment_id": new_id})
    assert again.status_code == 409
    assert problem(again)["code"] == "INVALID_TRANSITION"
    assert problem(again)["details"]["field"] == "appointment_id"


def test_the_customer_is_emailed_and_the_new_booking_is_announced(site, token):
    appointment = book(site, token)

    subjects = site.subjects_to("sara@example.com")
    assert "Booking confirmed: Consultation" in subjects
    with site.db() as session:
        events = session.scalars(
            select(OutboxMessage.event).where(OutboxMessage.booking_id == appointment)
        ).all()
    assert "newAppointment" in events  # delivered to booking.created subscribers


def test_a_service_that_needs_approval_waits_for_it(site, token):
    site.update(BookingType, site.types["consultation"], auto_confirm=False)

    appointment = book(site, token)

    assert site.booking(appointment).status == "PENDING_APPROVAL"
    with site.db() as session:
        assert session.scalar(
            select(OutboxMessage.event).where(OutboxMessage.booking_id == appointment)
        ) == ("newBooking")


def test_without_a_resource_the_least_busy_free_one_is_held(site, token):
    book(site, token, SUNDAY_930, doctor="huda")

    held = hold(site, token, SUNDAY_9, doctor=None)

    assert held.status_code == 201
    assert held.get_json()["resource_id"] != site.resources["huda"]


def test_a_taken_time_answers_409_with_the_nearest_free_time(site, token):
    book(site, token)

    taken = hold(site, token)

    assert taken.status_code == 409
    assert problem(taken)["code"] == "BOOKING_CONFLICT"
    assert problem(taken)["details"]["next_available"] == SUNDAY_930
    assert problem(taken)["details"]["field"] == "start"


def test_an_expired_hold_cannot_be_confirmed_and_its_time_is_free_again(site, token):
    held = hold(site, token).get_json()
    site.app.config["MAWID_NOW"] += timedelta(minutes=11)
    fresh = access_token(site.app, register_client(site.app, site.organization_id))

    late = post(site, fresh, "/appointments/confirm", {"hold_id": held["hold_id"], "contact": SARA})

    assert late.status_code == 409
    assert problem(late)["code"] == "HOLD_EXPIRED"
    assert free(site, fresh, SUNDAY_9)
    assert hold(site, fresh).status_code == 201
    assert count(site, Customer) == 0


def test_confirming_twice_without_a_key_is_refused_the_second_time(site, token):
    held = hold(site, token).get_json()
    body = {"hold_id": held["hold_id"], "contact": SARA}
    assert post(site, token, "/appointments/confirm", body).status_code == 200

    second = post(site, token, "/appointments/confirm", body)

    assert second.status_code == 409
    assert problem(second)["code"] == "INVALID_TRANSITION"
    assert problem(second)["details"]["field"] == "hold_id"


def test_a_hold_can_be_retried_with_its_key(site, token):
    first = post(
        site,
        token,
        "/appointments/hold",
        {"service_id": site.types["consultation"], "start": SUNDAY_9},
        key="hold-1",
    )
    second = post(
        site,
        token,
        "/appointments/hold",
        {"service_id": site.types["consultation"], "start": SUNDAY_9},
        key="hold-1",
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.get_data() == first.get_data()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(site.bookings()) == 1


def test_required_booking_questions_must_be_answered(site, token):
    with site.db() as session:
        organization = session.get(Organization, site.organization_id)
        make_field(session, organization, "insurance", name="Insurance number", optional=False)
        session.commit()
    held = hold(site, token).get_json()

    unanswered = post(
        site, token, "/appointments/confirm", {"hold_id": held["hold_id"], "contact": SARA}
    )
    answered = post(
        site,
        token,
        "/appointments/confirm",
        {"hold_id": held["hold_id"], "contact": SARA, "answers": {"insurance": "TAW-1234"}},
    )

    assert unanswered.status_code == 422
    assert problem(unanswered)["details"]["field"] == "answers.insurance"
    assert answered.status_code == 200
    assert site.booking(held["hold_id"]).info["insurance"] == "TAW-1234"


def test_availability_spans_days_and_is_empty_outside_the_booking_window(site, token):
    week = slots(site, token, date="2026-11-22", days=7)
    dates = sorted({s["start"][:10] for s in week})

    assert dates == ["2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"]
    assert slots(site, token, date="2026-11-01") == []  # past
    assert slots(site, token, date="2027-06-01") == []  # beyond the 60-day horizon
    only_omar = slots(site, token, date="2026-11-22", resource_id=site.resources["omar"])
    assert {s["resource_id"] for s in only_omar} == {site.resources["omar"]}


def test_services_customers_cannot_book_are_not_listed(site, token):
    site.update(BookingType, site.types["vaccination"], book_from_website=False)

    names = [s["name"] for s in get(site, token, "/services").get_json()["services"]]
    listed = get(
        site, token, "/availability", service_id=site.types["vaccination"], date="2026-11-22"
    )

    assert names == ["Consultation"]
    assert listed.status_code == 404


# --- credentials ---------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer garbage", "Basic dXNlcjpwYXNz"])
def test_a_call_without_a_valid_credential_answers_401(site, header):
    headers = {"Authorization": header} if header else {}

    answer = site.client.get("/api/v1/services", headers=headers)

    assert answer.status_code == 401
    assert problem(answer)["code"] == "UNAUTHORIZED"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_answers_401(site, token):
    site.app.config["MAWID_NOW"] += timedelta(minutes=6)

    answer = get(site, token, "/services")

    assert answer.status_code == 401


def test_a_revoked_clients_token_answers_401(site, registered, token):
    assert get(site, token, "/services").status_code == 200
    with site.db() as session:
        organization = session.get(Organization, site.organization_id)
        oauth_clients.revoke_client(
            session, organization, registered.client_id, now=site.app.config["MAWID_NOW"]
        )
        session.commit()

    assert get(site, token, "/services").status_code == 401
    assert hold(site, token).status_code == 401


def test_a_token_without_the_scope_answers_403(site):
    reader = register_client(site.app, site.organization_id, scopes=["org:read"])
    token = access_token(site.app, reader)

    listed = get(site, token, "/services")
    times = get(site, token, "/availability", service_id=site.types["consultation"], date="x")
    held = hold(site, token)

    assert listed.status_code == 200
    assert (times.status_code, held.status_code) == (403, 403)
    assert problem(held)["details"]["required_scope"] == "appointments:write"
    assert 'scope="appointments:write"' in held.headers["WWW-Authenticate"]
    assert site.bookings() == []


def test_an_organization_api_key_may_book(site):
    with site.db() as session:
        organization = session.get(Organization, site.organization_id)
        _row, raw = api_keys.create_key(session, organization, "Front desk")
        session.commit()

    assert book(site, raw)


# --- tenants and clients ---------------------------------------------------------------------


def test_another_organizations_ids_answer_404_and_stay_as_they_were(site, other_site, token):
    noor = access_token(site.app, register_client(site.app, other_site.organization_id))
    noor_hold = hold(other_site, noor).get_json()["hold_id"]
    noor_booked = book(other_site, noor, SUNDAY_10)
    service = other_site.types["consultation"]

    answers = [
        get(site, token, "/availability", service_id=service, date="2026-11-22"),
        post(site, token, "/appointments/hold", {"service_id": service, "start": SUNDAY_930}),
        post(site, token, "/appointments/confirm", {"hold_id": noor_hold, "contact": SARA}),
        post(
            site,
            token,
            "/appointments/reschedule",
            {"appointment_id": noor_booked, "start": SUNDAY_930},
        ),
        post(site, token, "/appointments/cancel", {"appointment_id": noor_booked}),
    ]

    assert [a.status_code for a in answers] == [404] * 5
    assert [problem(a)["details"]["field"] for a in answers] == [
        "service_id",
        "service_id",
        "hold_id",
        "appointment_id",
        "appointment_id",
    ]
    assert other_site.booking(noor_hold).status == "TEMPORARY"
    assert other_site.booking(noor_booked).status == "CONFIRMED"
    assert len(other_site.bookings()) == 2
    assert site.bookings() == []


def test_a_public_client_acts_only_on_appointments_it_made(site, token):
    public = access_token(site.app, register_client(site.app, site.organization_id, public=True))
    theirs = book(site, token)
    own = book(site, public, SUNDAY_10)

    refused = post(site, public, "/appointments/cancel", {"appointment_id": theirs})
    moved = post(
        site, public, "/appointments/reschedule", {"appointment_id": own, "start": SUNDAY_930}
    )
    canceled = post(site, public, "/appointments/cancel", {"appointment_id": own})

    assert refused.status_code == 404
    assert site.booking(theirs).status == "CONFIRMED"
    assert moved.status_code == 200  # the moved appointment is still its own
    assert canceled.get_json() == {
        "appointment_id": moved.get_json()["appointment_id"],
        "status": "CANCELED",
    }
    # A confidential client of the organization acts on any of its appointments.
    assert post(site, token, "/appointments/cancel", {"appointment_id": theirs}).status_code == 200


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "2026-11-22"}, "service_id"),
        ({"service_id": "consultation"}, "date"),
        ({"service_id": "consultation", "date": "22/11/2026"}, "date"),
        ({"service_id": "consultation", "date": "2026-02-30"}, "date"),
        ({"service_id": "consultation", "date": "2026-11-22", "days": "0"}, "days"),
        ({"service_id": "consultation", "date": "2026-11-22", "days": "15"}, "days"),
        ({"service_id": "consultation", "date": "2026-11-22", "days": "two"}, "days"),
    ],
)
def test_bad_availability_questions_answer_422_naming_the_field(site, token, params, field):
    if "service_id" in params:
        params["service_id"] = site.types[params["service_id"]]

    answer = get(site, token, "/availability", **params)

    assert answer.status_code == 422
    assert problem(answer)["details"]["field"] == field


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"start": SUNDAY_9}, "service_id", "VALIDATION_ERROR"),
        ({"service_id": 42, "start": SUNDAY_9}, "service_id", "VALIDATION_ERROR"),
        ({"service_id": "consultation"}, "start", "VALIDATION_ERROR"),
        (
            {"service_id": "consultation", "start": "2026-11-22T09:00:00"},
            "start",
            "VALIDATION_ERROR",
        ),
        ({"service_id": "consultation", "start": "Sunday 9am"}, "start", "VALIDATION_ERROR"),
        (
            {"service_id": "consultation", "start": "2026-11-22T09:07:00+03:00"},
            "start",
            "INVALID_TIME",
        ),
        (
            {"service_id": "consultation", "start": "2026-11-20T09:00:00+03:00"},
            "start",
            "OUTSIDE_WINDOW",
        ),
        (
            {"service_id": "consultation", "start": "2026-11-22T20:00:00+03:00"},
            "start",
            "INVALID_TIME",
        ),
        (
            {"service_id": "consultation", "start": SUNDAY_9, "resource_id": 7},
            "resource_id",
            "VALIDATION_ERROR",
        ),
    ],
)
def test_bad_holds_answer_422_naming_the_field_and_hold_nothing(site, token, body, field, code):
    if body.get("service_id") == "consultation":
        body["service_id"] = site.types["consultation"]

    answer = post(site, token, "/appointments/hold", body)

    assert answer.status_code == 422, answer.get_json()
    assert problem(answer)["code"] == code
    assert problem(answer)["details"]["field"] == field
    assert site.bookings() == []


def test_an_unknown_resource_answers_404(site, token):
    answer = hold(site, token, doctor=None, resource_id="no-such-doctor")

    assert answer.status_code == 404
    assert problem(answer)["details"]["field"] == "resource_id"


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        (None, "contact"),
        ("Sara", "contact"),
        ({"email": "sara@example.com"}, "contact.name"),
        ({"name": "   ", "email": "sara@example.com"}, "contact.name"),
        ({"name": "Sara"}, "contact.email"),
        ({"name": "Sara", "email": "not an address"}, "contact.email"),
        ({"name": "Sara", "phone": "call me"}, "contact.phone"),
        ({"name": "Sara", "email": ["sara@example.com"]}, "contact.email"),
    ],
)
def test_bad_contacts_answer_422_naming_the_field_and_write_nothing(site, token, contact, field):
    held = hold(site, token).get_json()

    answer = post(
        site, token, "/appointments/confirm", {"hold_id": held["hold_id"], "contact": contact}
    )

    assert answer.status_code == 422
    assert problem(answer)["details"]["field"] == field
    assert site.booking(held["hold_id"]).status == "TEMPORARY"
    assert count(site, Customer) == 0


@pytest.mark.parametrize("raw", ["", "[]", "null", '"text"', "{not json", "[" * 5000])
def test_a_body_that_is_not_a_json_object_answers_422(site, token, raw):
    answer = site.client.post(
        "/api/v1/appointments/hold",
        data=raw,
        headers={**bearer(token), "Content-Type": "application/json"},
    )

    assert answer.status_code == 422
    assert problem(answer)["details"]["field"] == "body"


def test_a_huge_body_answers_413_and_writes_nothing(site, token):
    body = {"service_id": site.types["consultation"], "start": SUNDAY_9, "pad": "x" * 100_000}

    answer = post(site, token, "/appointments/hold", body, key="big")

    assert answer.status_code == 413
    assert problem(answer)["code"] == "PAYLOAD_TOO_LARGE"
    assert site.bookings() == []
    assert count(site, IdempotencyRecord) == 0


def test_a_reschedule_to_a_taken_time_leaves_the_appointment_where_it_was(site, token):
    mine = book(site, token)
    book(site, token, SUNDAY_10)

    answer = post(
        site, token, "/appointments/reschedule", {"appointment_id": mine, "start": SUNDAY_10}
    )

    assert answer.status_code == 409
    assert problem(answer)["code"] == "BOOKING_CONFLICT"
    assert site.booking(mine).status == "CONFIRMED"
    assert count(site, Booking) == 2
