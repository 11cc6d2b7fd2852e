"""Manage Bookings (seed 002) as a clinic's back office uses it: the list with its filters and
pages, one booking, and cancel, approve, reject and end, for an owner, an admin, an API key
and a doctor who sees only their own resource."""

from __future__ import annotations

import pytest

from tests.api.management_calls import Desk, book, count, error, open_desk, result, status_of
from tests.factories import at
from webapp.auth import tokens
from webapp.extensions import db
from webapp.models import Booking, BookingHistory

SUNDAY_9 = at("2026-11-22 09:00")
LIST = "/api/management/bookings"


@pytest.fixture
def desk(app) -> Desk:
    return open_desk(app)


def _ids(items) -> list[str]:
    return [item["id"] for item in items]


# --- the list ---------------------------------------------------------------------------------


def test_the_list_writes_each_booking_as_the_seed_does(desk):
    booking_id = book(desk, SUNDAY_9)

    found = result(desk.get(f"{LIST}?orderDirection=asc"))

    assert _ids(found) == [booking_id]
    item = found[0]
    assert item["status"] == "CONFIRMED"
    assert (item["startDate"], item["startTime"]) == ("2026-11-22", 900)
    assert item["startDateTime"] == "2026-11-22T09:00:00+03:00"
    assert item["endDateTime"] == "2026-11-22T09:30:00+03:00"
    assert (item["timeZone"], item["duration"]) == ("Asia/Riyadh", 30)
    assert item["typeId"] == desk.clinic.type_id and item["type"]["name"] == "Checkup"
    assert item["resourceId"] == desk.clinic.own_resource_id
    assert item["resource"]["name"] == "Dr Salma"
    assert item["customer"]["firstName"] == "Sara" and item["customerId"]
    assert item["payment"] is None and item["queuePosition"] is None


def test_the_list_is_latest_first_unless_asked_otherwise(desk):
    early = book(desk, SUNDAY_9)
    late = book(desk, at("2026-11-23 10:00"))

    assert _ids(result(desk.get(LIST))) == [late, early]
    assert _ids(result(desk.get(f"{LIST}?orderDirection=asc"))) == [early, late]


def test_the_list_filters_as_the_seed_offers(desk):
    sunday = book(desk, SUNDAY_9)
    monday = book(desk, at("2026-11-23 10:00"), resource="other")
    canceled = book(desk, at("2026-11-24 10:00"))
    desk.post("/api/management/bookings/cancel", {"bookingId": canceled})
    with desk.app.app_context():
        customer_id = db.session.get(Booking, monday).customer_id

    def listed(query: str) -> set[str]:
        return set(_ids(result(desk.get(f"{LIST}?{query}"))))

    assert listed("from=2026-11-23") == {monday, canceled}
    assert listed("to=2026-11-23") == {sunday, monday}
    assert listed("from=2026-11-23T00:00:00%2B03:00&to=2026-11-23T23:59:00%2B03:00") == {monday}
    assert listed(f"resources={desk.clinic.other_resource_id}") == {monday}
    assert listed(f"resources={desk.clinic.own_resource_id},{desk.clinic.other_resource_id}") == {
        sunday,
        monday,
        canceled,
    }
    assert listed("status=CANCELED") == {canceled}
    assert listed("status=CONFIRMED,CANCELED") == {sunday, monday, canceled}
    assert listed(f"customerId={customer_id}") == {monday}
    assert listed(f"type={desk.clinic.type_id}") == {sunday, monday, canceled}
    assert listed("type=unknown") == set()
    # Made on Saturday: all of them by when they were made, none by when they start.
    assert listed("dateType=createdAt&from=2026-11-21&to=2026-11-21") == {
        sunday,
        monday,
        canceled,
    }
    assert listed("from=2026-11-21&to=2026-11-21") == set()


def test_pages_follow_each_other_without_gaps_or_repeats(desk):
    made = [book(desk, at(f"2026-11-22 {hour:02d}:00")) for hour in (9, 10, 11, 12, 14)]

    seen, token, pages = [], None, 0
    while True:
        query = "orderDirection=asc&limit=2" + (f"&nextPageToken={token}" if token else "")
        answer = desk.get(f"{LIST}?{query}")
        seen += _ids(result(answer))
        pages += 1
        pagination = answer.get_json()["pagination"]
        if not pagination["hasMore"]:
            assert pagination["nextPageToken"] is None
            break
        token = pagination["nextPageToken"]

    assert seen == made and pages == 3


def test_a_page_token_belongs_to_its_own_list(desk):
    for hour in (9, 10, 11):
        book(desk, at(f"2026-11-22 {hour:02d}:00"))
    token = desk.get(f"{LIST}?limit=1").get_json()["pagination"]["nextPageToken"]

    other_order = desk.get(f"{LIST}?limit=1&orderDirection=asc&nextPageToken={token}")
    forged = desk.get(f"{LIST}?nextPageToken=abc")

    assert error(other_order, 422)["details"]["field"] == "nextPageToken"
    assert error(forged, 422)["details"]["field"] == "nextPageToken"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=DONE", "status"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("from=yesterday", "from"),
        ("from=2026-11-23&to=2026-11-22", "to"),
        ("orderDirection=sideways", "orderDirection"),
        ("dateType=whenever", "dateType"),
        ("includes=everything", "includes"),
    ],
)
def test_bad_list_parameters_name_their_field(desk, query, field):
    assert error(desk.get(f"{LIST}?{query}"), 422)["details"]["field"] == field


def test_a_doctor_lists_only_the_bookings_of_their_own_resource(desk):
    mine = book(desk, SUNDAY_9)
    book(desk, SUNDAY_9, resource="other")

    assert _ids(result(desk.get(LIST, who="staff"))) == [mine]
    assert len(result(desk.get(LIST, who="key"))) == 2


def test_names_come_in_the_language_asked_for(desk):
    book(desk, SUNDAY_9)

    item = result(desk.get(LIST, lang="ar"))[0]

    assert item["type"]["name"] == "فحص"
    assert item["resource"]["name"] == "د. سلمى"


# --- one booking -------------------------------------------------------------------------------


def test_one_booking_by_its_id(desk):
    booking_id = book(desk, SUNDAY_9, note="first visit")

    item = result(desk.get(f"{LIST}/{booking_id}"))

    assert item["id"] == booking_id and item["note"] == "first visit"
    assert item["invoice"] is None


def test_a_doctor_cannot_read_a_colleagues_booking_and_cannot_tell_it_exists(desk):
    theirs = book(desk, SUNDAY_9, resource="other")

    hidden = desk.get(f"{LIST}/{theirs}", who="staff")
    unknown = desk.get(f"{LIST}/no-such-booking", who="staff")

    assert error(hidden, 404) == error(unknown, 404)
    assert result(desk.get(f"{LIST}/{theirs}", who="owner"))["id"] == theirs


def test_another_organizations_booking_answers_like_an_unknown_one(desk):
    foreign = book(desk, SUNDAY_9, clinic=desk.south)

    assert error(desk.get(f"{LIST}/{foreign}"), 404) == error(desk.get(f"{LIST}/nope"), 404)
    canceled = desk.post(f"{LIST}/cancel", {"bookingId": foreign})
    assert error(canceled, 404)["details"]["field"] == "bookingId"
    assert status_of(desk, foreign) == "CONFIRMED"


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("south", 401)],
)
def test_without_a_credential_of_this_organization_nothing_is_read(desk, who, status):
    book(desk, SUNDAY_9)

    assert error(desk.get(LIST, who=who), status)["code"] == "UNAUTHORIZED"


def test_a_customer_token_is_not_a_management_credential(desk):
    claims = tokens.AccessClaims(desk.clinic.organization_id, customer_id="someone")
    raw = tokens.issue_access_token(claims, secret_key=desk.app.config["SECRET_KEY"])
    desk.auth["customer"] = f"Bearer {raw}"

    assert error(desk.get(LIST, who="customer"), 401)["code"] == "UNAUTHORIZED"


# --- what providers do with a booking ---------------------------------------------------------


def test_cancel_with_a_reason(desk):
    booking_id = book(desk, SUNDAY_9)

    item = result(desk.post(f"{LIST}/cancel", {"bookingId": booking_id, "reason": "ill"}))

    assert (item["status"], item["cancelReason"]) == ("CANCELED", "ill")
    assert status_of(desk, booking_id) == "CANCELED"


def test_a_retried_cancel_gets_the_first_answer(desk):
    booking_id = book(desk, SUNDAY_9)
    sent = {"bookingId": booking_id, "reason": "ill"}

    first = desk.post(f"{LIST}/cancel", sent, **{"Idempotency-Key": "cancel-1"})
    again = desk.post(f"{LIST}/cancel", sent, **{"Idempotency-Key": "cancel-1"})
    other = desk.post(f"{LIST}/cancel", {**sent, "reason": "x"}, **{"Idempotency-Key": "cancel-1"})

    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert error(other, 422)["code"] == "IDEMPOTENCY_KEY_REUSED"
    # Without the key, cancelling again is refused: the booking is canceled already.
    assert error(desk.post(f"{LIST}/cancel", sent), 409)["code"] == "INVALID_TRANSITION"


def test_approve_and_reject_a_booking_waiting_for_approval(desk):
    approved = book(desk, SUNDAY_9, auto_confirm=False)
    rejected = book(desk, at("2026-11-22 10:00"), auto_confirm=False)
    assert status_of(desk, approved) == "PENDING_APPROVAL"

    assert result(desk.post(f"{LIST}/approve", {"bookingId": approved}))["status"] == "CONFIRMED"
    item = result(desk.post(f"{LIST}/reject", {"bookingId": rejected, "reason": "full"}))

    assert item["status"] == "REJECTED"
    again = error(desk.post(f"{LIST}/approve", {"bookingId": approved}), 409)
    assert (again["code"], again["details"]["field"]) == ("INVALID_TRANSITION", "bookingId")


def test_end_shortens_a_booking_to_the_time_served(desk):
    booking_id = book(desk, SUNDAY_9)
    desk.app.config["MAWID_NOW"] = at("2026-11-22 09:12")

    item = result(desk.post(f"{LIST}/end", {"bookingId": booking_id}))

    assert (item["status"], item["duration"]) == ("COMPLETED", 12)
    assert item["endDateTime"] == "2026-11-22T09:12:00+03:00"


def test_a_booking_not_yet_started_cannot_be_ended(desk):
    booking_id = book(desk, SUNDAY_9)

    refused = error(desk.post(f"{LIST}/end", {"bookingId": booking_id}), 409)

    assert refused["code"] == "INVALID_TRANSITION"
    assert status_of(desk, booking_id) == "CONFIRMED"


def test_a_doctor_acts_on_their_own_bookings_only(desk):
    mine = book(desk, SUNDAY_9, auto_confirm=False)
    theirs = book(desk, SUNDAY_9, resource="other", auto_confirm=False)

    refused = desk.post(f"{LIST}/approve", {"bookingId": theirs}, who="staff")

    assert error(refused, 404)["details"]["field"] == "bookingId"
    assert status_of(desk, theirs) == "PENDING_APPROVAL"
    item = result(desk.post(f"{LIST}/approve", {"bookingId": mine}, who="staff"))
    assert item["status"] == "CONFIRMED"


@pytest.mark.parametrize(
    ("action", "sent", "field"),
    [
        ("cancel", {}, "bookingId"),
        ("cancel", {"bookingId": 42}, "bookingId"),
        ("cancel", {"bookingId": "{id}", "reason": "x" * 1001}, "reason"),
        ("reject", {"bookingId": "{id}", "reason": ["no"]}, "reason"),
        ("approve", {"bookingId": ""}, "bookingId"),
        ("end", {"bookingId": None}, "bookingId"),
    ],
)
def test_bad_action_bodies_name_the_field_and_change_nothing(desk, action, sent, field):
    booking_id = book(desk, SUNDAY_9, auto_confirm=False)
    sent = {k: (booking_id if v == "{id}" else v) for k, v in sent.items()}
    changes = count(desk, BookingHistory)

    assert error(desk.post(f"{LIST}/{action}", sent), 422)["details"]["field"] == field
    assert status_of(desk, booking_id) == "PENDING_APPROVAL"
    assert count(desk, BookingHistory) == changes


def test_a_body_that_is_not_an_object_is_refused(desk):
    answer = desk.client.post(
        f"{LIST}/cancel",
        data="[1, 2]",
        content_type="application/json",
        headers={"X-APP-ID": desk.clinic.app_id, "Authorization": desk.auth["admin"]},
    )

    assert error(answer, 422)["code"] == "VALIDATION_ERROR"
