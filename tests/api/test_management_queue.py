"""The queue (seed 002, Instant and Queue Booking) as providers meet it: the waiting bookings a
resource could serve, oldest first, and taking one of them. Of twenty providers taking the
same booking at once, on SQLite and on PostgreSQL, exactly one gets it."""

from __future__ import annotations

import threading

import pytest

from tests.api.management_calls import Desk, book, error, open_desk, queue, result, status_of
from tests.conftest import NOW
from tests.factories import at, make_booking_type
from webapp.extensions import db
from webapp.models import Booking, Organization, Resource

UNASSIGNED = "/api/management/bookings/unassigned"
ASSIGN = "/api/management/bookings/assign"
RACERS = 20


@pytest.fixture
def desk(app) -> Desk:
    return open_desk(app)


def _scan_queue(desk: Desk) -> str:
    """A booking waiting for a scan, a service only the colleague's resource offers."""
    with desk.app.app_context():
        organization = db.session.get(Organization, desk.clinic.organization_id)
        scan = make_booking_type(db.session, organization, name="Scan")
        scanner = db.session.get(Resource, desk.clinic.other_resource_id)
        scanner.booking_types.append(scan)
        booking = Booking(
            organization_id=organization.id,
            booking_type_id=scan.id,
            status="PENDING_ASSIGNMENT",
            duration=30,
            created_at=NOW,
            updated_at=NOW,
        )
        db.session.add(booking)
        db.session.commit()
        return booking.id


def _ids(items) -> list[str]:
    return [item["id"] for item in items]


def test_a_resource_sees_its_queue_oldest_first(desk):
    second = queue(desk, minutes_ago=5)
    first = queue(desk, minutes_ago=20)
    scan = _scan_queue(desk)
    book(desk, at("2026-11-22 09:00"))  # booked for a time: not in any queue

    waiting = result(desk.get(f"{UNASSIGNED}?resourceId={desk.clinic.own_resource_id}"))

    assert _ids(waiting) == [first, second]
    assert [w["queuePosition"] for w in waiting] == [1, 2]
    assert [w["estimatedWaitMinutes"] for w in waiting] == [30, 60]
    assert waiting[0]["status"] == "PENDING_ASSIGNMENT" and waiting[0]["resourceId"] is None
    assert waiting[0]["startDateTime"] is None and waiting[0]["customer"]["firstName"] == "Sara"
    other = result(desk.get(f"{UNASSIGNED}?resourceId={desk.clinic.other_resource_id}"))
    assert _ids(other) == [first, second, scan]


def test_a_queue_with_no_one_waiting_is_empty(desk):
    assert result(desk.get(f"{UNASSIGNED}?resourceId={desk.clinic.own_resource_id}")) == []


def test_a_booking_whose_time_in_the_queue_ran_out_is_not_listed(desk):
    queue(desk, minutes_ago=61)  # waited longer than its hour

    assert result(desk.get(f"{UNASSIGNED}?resourceId={desk.clinic.own_resource_id}")) == []


def test_the_queue_comes_in_pages(desk):
    waiting = [queue(desk, minutes_ago=m) for m in (50, 40, 30, 20, 10)]
    seen, token = [], ""
    while True:
        answer = desk.get(
            f"{UNASSIGNED}?resourceId={desk.clinic.own_resource_id}&limit=2&nextPageToken={token}"
        )
        seen += _ids(result(answer))
        token = answer.get_json()["pagination"]["nextPageToken"]
        if not answer.get_json()["pagination"]["hasMore"]:
            break

    assert seen == waiting


@pytest.mark.parametrize(
    ("query", "who", "status", "field"),
    [
        ("", "admin", 422, "resourceId"),
        ("resourceId=nope", "admin", 404, "resourceId"),
        ("resourceId={other}", "staff", 404, "resourceId"),
        ("resourceId={south}", "admin", 404, "resourceId"),
    ],
)
def test_the_queue_of_a_resource_the_caller_cannot_use(desk, query, who, status, field):
    query = query.format(other=desk.clinic.other_resource_id, south=desk.south.own_resource_id)

    assert error(desk.get(f"{UNASSIGNED}?{query}", who=who), status)["details"]["field"] == field


def test_a_doctor_takes_a_booking_from_the_queue(desk):
    booking_id = queue(desk)

    item = result(
        desk.post(
            ASSIGN,
            {"bookingId": booking_id, "resourceId": desk.clinic.own_resource_id},
            who="staff",
        )
    )

    assert (item["status"], item["resourceId"]) == ("CONFIRMED", desk.clinic.own_resource_id)
    assert item["startDateTime"] == "2026-11-21T09:00:00+03:00"  # from now
    assert item["queuePosition"] is None and item["estimatedWaitMinutes"] is None
    assert result(desk.get(f"{UNASSIGNED}?resourceId={desk.clinic.own_resource_id}")) == []


def test_the_second_provider_hears_it_is_already_assigned(desk):
    booking_id = queue(desk)
    sent = {"bookingId": booking_id, "resourceId": desk.clinic.own_resource_id}
    result(desk.post(ASSIGN, sent, who="staff"))

    late = error(desk.post(ASSIGN, {**sent, "resourceId": desk.clinic.other_resource_id}), 400)

    assert late["code"] == "SCH-ALREADY_ASSIGNED"
    with desk.app.app_context():
        assert db.session.get(Booking, booking_id).resource_id == desk.clinic.own_resource_id


def test_a_retried_assign_gets_the_first_answer(desk):
    booking_id = queue(desk)
    sent = {"bookingId": booking_id, "resourceId": desk.clinic.own_resource_id}

    first = desk.post(ASSIGN, sent, **{"Idempotency-Key": "accept-1"})
    again = desk.post(ASSIGN, sent, **{"Idempotency-Key": "accept-1"})

    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()


def test_a_booking_that_waited_too_long_answers_bks_110(desk):
    booking_id = queue(desk, minutes_ago=61)
    sent = {"bookingId": booking_id, "resourceId": desk.clinic.own_resource_id}

    assert error(desk.post(ASSIGN, sent), 400)["code"] == "BKS-110"
    assert status_of(desk, booking_id) == "PENDING_ASSIGNMENT"


@pytest.mark.parametrize(
    ("sent", "who", "status", "field"),
    [
        ({"resourceId": "{own}"}, "admin", 422, "bookingId"),
        ({"bookingId": "{booking}"}, "admin", 422, "resourceId"),
        ({"bookingId": "{booking}", "resourceId": 7}, "admin", 422, "resourceId"),
        ({"bookingId": "{booking}", "resourceId": "{other}"}, "staff", 404, "resourceId"),
        ({"bookingId": "{booking}", "resourceId": "{south}"}, "admin", 404, "resourceId"),
        ({"bookingId": "{foreign}", "resourceId": "{own}"}, "admin", 404, "bookingId"),
    ],
)
def test_assign_refuses_what_it_cannot_do_and_leaves_the_booking_queued(
    desk, sent, who, status, field
):
    booking_id = queue(desk)
    ids = {
        "own": desk.clinic.own_resource_id,
        "other": desk.clinic.other_resource_id,
        "south": desk.south.own_resource_id,
        "booking": booking_id,
        "foreign": queue(desk, clinic=desk.south),
    }
    sent = {k: v.format(**ids) if isinstance(v, str) else v for k, v in sent.items()}

    assert error(desk.post(ASSIGN, sent, who=who), status)["details"]["field"] == field
    assert status_of(desk, booking_id) == "PENDING_ASSIGNMENT"


def test_a_resource_that_does_not_offer_the_service_cannot_take_it(desk):
    scan = _scan_queue(desk)
    sent = {"bookingId": scan, "resourceId": desk.clinic.own_resource_id}

    refused = error(desk.post(ASSIGN, sent), 404)

    assert (refused["code"], refused["details"]["field"]) == ("INVALID_RESOURCE", "resourceId")
    assert status_of(desk, scan) == "PENDING_ASSIGNMENT"


def test_a_queued_booking_reads_in_arabic(desk):
    booking_id = queue(desk)

    item = result(desk.get(f"/api/management/bookings/{booking_id}", who="staff", lang="ar"))

    assert item["type"]["name"] == "فحص" and item["queuePosition"] == 1


def test_twenty_providers_take_one_booking_at_once_and_one_gets_it(any_app):
    desk = open_desk(any_app)
    booking_id = queue(desk)
    sent = {"bookingId": booking_id, "resourceId": desk.clinic.own_resource_id}
    callers = ["admin", "owner", "key", "staff"]
    barrier = threading.Barrier(RACERS)
    answers: list = [None] * RACERS

    def take(index: int) -> None:
        client = any_app.test_client()
        headers = {
            "X-APP-ID": desk.clinic.app_id,
            "Authorization": desk.auth[callers[index % len(callers)]],
        }
        barrier.wait()
        answers[index] = client.post(ASSIGN, json=sent, headers=headers)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [400] * (RACERS - 1), codes
    losers = [a.get_json()["error"]["code"] for a in answers if a.status_code == 400]
    assert set(losers) == {"SCH-ALREADY_ASSIGNED"}
    with any_app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.status == "CONFIRMED"
        decisions = [h for h in booking.history if h.from_status == "PENDING_ASSIGNMENT"]
        assert len(decisions) == 1
