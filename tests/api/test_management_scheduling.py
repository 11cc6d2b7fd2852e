"""Manage Scheduling (seed 002) as a front desk uses it: booking for a customer named by id,
email or phone (made when new), holding a time and confirming it, moving a booking, retrying
safely with an Idempotency-Key, and refusals that name the field and keep nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.management_calls import (
    SUNDAY,
    Desk,
    book,
    count,
    error,
    open_desk,
    result,
    status_of,
)
from tests.conftest import NOW
from tests.factories import at, make_customer, make_field
from webapp.extensions import db
from webapp.models import Booking, Customer, Organization

NEW = "/api/management/scheduling/new"
HOLD = "/api/management/scheduling/temporary"
CONFIRM = "/api/management/scheduling/confirm"


@pytest.fixture
def desk(app) -> Desk:
    return open_desk(app)


def _body(desk: Desk, **values) -> dict:
    """Sunday 09:00 with Dr Salma for a new customer, unless ``values`` say otherwise
    (``None`` drops a member)."""
    sent = {
        "type": desk.clinic.type_id,
        "date": SUNDAY,
        "time": 900,
        "resourceFilters": {"resource": desk.clinic.own_resource_id},
        "customerIdentifier": {"phone": "+966501234567", "firstName": "Noura", "lastName": "Ali"},
        "note": "first visit",
        **values,
    }
    return {k: v for k, v in sent.items() if v is not None}


def _existing_customer(desk: Desk, clinic=None, **values) -> str:
    clinic = clinic or desk.clinic
    with desk.app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        customer_id = make_customer(db.session, organization, **values).id
        db.session.commit()
        return customer_id


# --- booking for a customer -----------------------------------------------------------------------


def test_the_desk_books_for_a_new_customer(desk):
    item = result(desk.put(NEW, _body(desk)), 201)

    assert (item["status"], item["startDate"], item["startTime"]) == ("CONFIRMED", SUNDAY, 900)
    assert item["startDateTime"] == "2026-11-22T09:00:00+03:00"
    assert (item["timeZone"], item["duration"]) == ("Asia/Riyadh", 30)
    assert item["resourceId"] == desk.clinic.own_resource_id
    assert item["note"] == "first visit"
    customer = item["customer"]
    assert (customer["firstName"], customer["lastName"]) == ("Noura", "Ali")
    assert customer["phone"] == "+966501234567"


@pytest.mark.parametrize(
    "identifier",
    [
        {"id": "{id}"},
        {"email": "SARA@example.com"},
        {"phone": "+966 50 999 8888", "firstName": "ignored for a known customer"},
    ],
    ids=["by-id", "by-email", "by-phone"],
)
def test_a_known_customer_is_found_by_id_email_or_phone(desk, identifier):
    known = _existing_customer(desk, email="sara@example.com", phone="+966509998888")
    identifier = {k: v.format(id=known) for k, v in identifier.items()}

    item = result(desk.put(NEW, _body(desk, customerIdentifier=identifier)), 201)

    assert item["customerId"] == known
    assert item["customer"]["firstName"] == "Sara"
    assert count(desk, Customer) == 1  # no one new


def test_a_start_can_be_given_as_an_iso_instant(desk):
    sent = _body(desk, date=None, time=None, startDateTime="2026-11-22T07:30:00+01:00")

    item = result(desk.put(NEW, sent), 201)

    assert (item["startDate"], item["startTime"]) == (SUNDAY, 930)


def test_any_free_resource_is_chosen_when_none_is_named(desk):
    book(desk, at("2026-11-22 09:00"))  # Dr Salma is busy

    item = result(desk.put(NEW, _body(desk, resourceFilters=None)), 201)

    assert item["resourceId"] == desk.clinic.other_resource_id


def test_a_doctor_books_their_own_resource_only(desk):
    mine = result(desk.put(NEW, _body(desk, resourceFilters=None), who="staff"), 201)
    theirs = desk.put(
        NEW,
        _body(desk, time=1000, resourceFilters={"resource": desk.clinic.other_resource_id}),
        who="staff",
    )

    assert mine["resourceId"] == desk.clinic.own_resource_id
    assert error(theirs, 404)["details"]["field"] == "resourceFilters"
    assert count(desk, Booking) == 1


def test_a_taken_time_answers_409_with_the_nearest_free_one(desk):
    book(desk, at("2026-11-22 09:00"))

    taken = error(desk.put(NEW, _body(desk)), 409)

    assert (taken["code"], taken["details"]["field"]) == ("BOOKING_CONFLICT", "time")
    assert taken["details"]["next_available"] == "2026-11-22T09:30:00+03:00"
    assert count(desk, Customer) == 1  # the new customer was not kept either


def test_a_time_outside_working_hours_names_the_time(desk):
    refused = error(desk.put(NEW, _body(desk, time=1330)), 422)

    assert (refused["code"], refused["details"]["field"]) == ("INVALID_TIME", "time")


def test_staff_answer_questions_shown_only_to_staff(desk):
    with desk.app.app_context():
        organization = db.session.get(Organization, desk.clinic.organization_id)
        make_field(db.session, organization, "triage", visibility="providerOnly", optional=True)
        db.session.commit()

    item = result(desk.put(NEW, _body(desk, bookingInfoCustomFields={"triage": "urgent"})), 201)

    assert item["info"] == {"triage": "urgent"}


def test_names_come_in_the_language_asked_for(desk):
    item = result(desk.put(NEW, _body(desk), lang="ar"), 201)

    assert item["type"]["name"] == "فحص" and item["resource"]["name"] == "د. سلمى"


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"type": None}, 422, "type"),
        ({"type": "unknown"}, 404, "type"),
        ({"date": None}, 422, "date"),
        ({"date": "22/11/2026"}, 422, "date"),
        ({"time": 2460}, 422, "time"),
        ({"time": "nine"}, 422, "time"),
        ({"customerIdentifier": None}, 422, "customerIdentifier"),
        ({"customerIdentifier": {"name": "Noura"}}, 422, "customerIdentifier.name"),
        ({"customerIdentifier": {"email": "not-an-email"}}, 422, "customerIdentifier.email"),
        ({"customerIdentifier": {"phone": "12"}}, 422, "customerIdentifier.phone"),
        ({"customerIdentifier": {"phone": "+966501112222"}}, 422, "customerIdentifier.firstName"),
        ({"customerIdentifier": {"id": "nobody"}}, 404, "customerIdentifier.id"),
        ({"customerIdentifier": {"id": "x", "email": "a@b.co"}}, 422, "customerIdentifier"),
        ({"assign": False}, 422, "date"),  # the queue takes no time
        ({"showAll": "yes"}, 422, "showAll"),
        ({"note": "x" * 2001}, 422, "note"),
        ({"resourceFilters": {"doctor": "x"}}, 422, "resourceFilters"),
        ({"resourceFilters": {"resource": "nope"}}, 404, "resourceFilters"),
        ({"bookingInfoCustomFields": {"mood": "good"}}, 422, "bookingInfoCustomFields.mood"),
        ({"timeAdjustersCustomFields": "long"}, 422, "timeAdjustersCustomFields"),
    ],
)
def test_bad_input_names_the_field_and_keeps_nothing(desk, change, status, field):
    refused = error(desk.put(NEW, _body(desk, **change)), status)

    assert refused["details"]["field"] == field
    assert (count(desk, Booking), count(desk, Customer)) == (0, 0)


def test_another_organizations_customer_answers_like_an_unknown_one(desk):
    foreign = _existing_customer(desk, clinic=desk.south)

    refused = desk.put(NEW, _body(desk, customerIdentifier={"id": foreign}))
    unknown = desk.put(NEW, _body(desk, customerIdentifier={"id": "nobody"}))

    assert error(refused, 404) == error(unknown, 404)


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("south", 401)])
def test_scheduling_needs_a_credential_of_this_organization(desk, who, status):
    assert error(desk.put(NEW, _body(desk), who=who), status)["code"] == "UNAUTHORIZED"
    assert count(desk, Booking) == 0


def test_a_retried_booking_is_made_once(desk):
    sent = _body(desk)

    first = desk.put(NEW, sent, **{"Idempotency-Key": "desk-42"})
    again = desk.put(NEW, sent, **{"Idempotency-Key": "desk-42"})
    other = desk.put(NEW, _body(desk, time=1000), **{"Idempotency-Key": "desk-42"})

    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert error(other, 422)["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert error(desk.put(NEW, sent, **{"Idempotency-Key": "bad key"}), 400)["code"] == (
        "INVALID_IDEMPOTENCY_KEY"
    )
    assert count(desk, Booking) == 1


def test_a_key_is_replayed_only_to_the_caller_who_used_it(desk):
    sent = _body(desk, resourceFilters=None)
    result(desk.put(NEW, sent, **{"Idempotency-Key": "shared-1"}), 201)

    other = desk.put(NEW, sent, who="staff", **{"Idempotency-Key": "shared-1"})

    assert error(other, 422)["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert count(desk, Booking) == 1


# --- holds ----------------------------------------------------------------------------------------


def test_a_hold_blocks_the_time_until_it_is_confirmed(desk):
    hold = result(desk.put(HOLD, _body(desk, reservedForMinutes=10)), 201)

    assert hold["status"] == "TEMPORARY"
    assert hold["expiresAt"] == (NOW + timedelta(minutes=10)).isoformat()
    taken = desk.put(
        NEW, _body(desk, customerIdentifier={"email": "b@example.com", "firstName": "B"})
    )
    assert error(taken, 409)["code"] == "BOOKING_CONFLICT"

    confirmed = result(desk.post(CONFIRM, {"bookingId": hold["id"]}))

    assert (confirmed["id"], confirmed["status"]) == (hold["id"], "CONFIRMED")
    assert confirmed["expiresAt"] is None


def test_a_hold_lasts_fifteen_minutes_unless_told(desk):
    hold = result(desk.put(HOLD, _body(desk)), 201)

    assert hold["expiresAt"] == (NOW + timedelta(minutes=15)).isoformat()


@pytest.mark.parametrize("minutes", [0, 121, "10", 2.5, True])
def test_a_hold_length_out_of_range_is_refused(desk, minutes):
    refused = error(desk.put(HOLD, _body(desk, reservedForMinutes=minutes)), 422)

    assert refused["details"]["field"] == "reservedForMinutes"
    assert count(desk, Booking) == 0


def test_a_hold_that_ran_out_cannot_be_confirmed(desk):
    hold = result(desk.put(HOLD, _body(desk, reservedForMinutes=5)), 201)
    desk.app.config["MAWID_NOW"] = NOW + timedelta(minutes=6)

    refused = error(desk.post(CONFIRM, {"bookingId": hold["id"]}), 409)

    assert (refused["code"], refused["details"]["field"]) == ("HOLD_EXPIRED", "bookingId")


def test_only_a_hold_can_be_confirmed(desk):
    booking_id = book(desk, at("2026-11-22 09:00"))

    refused = error(desk.post(CONFIRM, {"bookingId": booking_id}), 409)

    assert refused["code"] == "INVALID_TRANSITION"
    assert error(desk.post(CONFIRM, {}), 422)["details"]["field"] == "bookingId"
    foreign = book(desk, at("2026-11-22 09:00"), clinic=desk.south)
    assert error(desk.post(CONFIRM, {"bookingId": foreign}), 404)["details"]["field"] == "bookingId"


def test_a_retried_confirm_gets_the_first_answer(desk):
    hold = result(desk.put(HOLD, _body(desk)), 201)

    first = desk.post(CONFIRM, {"bookingId": hold["id"]}, **{"Idempotency-Key": "confirm-1"})
    again = desk.post(CONFIRM, {"bookingId": hold["id"]}, **{"Idempotency-Key": "confirm-1"})

    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()


# --- moving a booking -----------------------------------------------------------------------------


def test_rescheduling_cancels_the_booking_and_makes_one_at_the_new_time(desk):
    old = book(desk, at("2026-11-22 09:00"))

    item = result(desk.put(NEW, _body(desk, time=1100, rescheduleBookingId=old)), 201)

    assert (item["startTime"], item["status"], item["rescheduledFrom"]) == (1100, "CONFIRMED", old)
    assert item["customer"]["firstName"] == "Sara"  # the booking keeps its customer
    assert status_of(desk, old) == "CANCELED"


def test_rescheduling_into_a_hold(desk):
    old = book(desk, at("2026-11-22 09:00"))

    hold = result(desk.put(HOLD, _body(desk, time=1100, rescheduleBookingId=old)), 201)

    assert (hold["status"], hold["rescheduledFrom"]) == ("TEMPORARY", old)
    assert status_of(desk, old) == "CANCELED"
    assert result(desk.post(CONFIRM, {"bookingId": hold["id"]}))["status"] == "CONFIRMED"


@pytest.mark.parametrize(
    ("change", "who", "status", "field"),
    [
        ({"rescheduleBookingId": "{theirs}"}, "staff", 404, "rescheduleBookingId"),
        ({"rescheduleBookingId": "{foreign}"}, "admin", 404, "rescheduleBookingId"),
        ({"rescheduleBookingId": "{mine}", "type": "other-service"}, "admin", 422, "type"),
        (
            {"rescheduleBookingId": "{mine}", "resourceFilters": {"category": "c"}},
            "admin",
            404,
            "resourceFilters",
        ),
    ],
)
def test_a_move_the_caller_cannot_make_changes_nothing(desk, change, who, status, field):
    ids = {
        "mine": book(desk, at("2026-11-22 09:00")),
        "theirs": book(desk, at("2026-11-22 09:00"), resource="other"),
        "foreign": book(desk, at("2026-11-22 09:00"), clinic=desk.south),
    }
    change = {k: v.format(**ids) if isinstance(v, str) else v for k, v in change.items()}

    refused = error(desk.put(NEW, _body(desk, time=1100, **change), who=who), status)

    assert refused["details"]["field"] == field
    assert {status_of(desk, i) for i in ids.values()} == {"CONFIRMED"}
    assert count(desk, Booking) == 3
