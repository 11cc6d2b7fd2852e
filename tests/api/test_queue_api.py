"""Instant and queue booking through the API (seed 002): a customer joins a service's queue
with ``assign: false`` and no date or time, sees their place and wait, and moves up as others
leave, are taken or run out of time; a paid service waits for its payment first. Queues are
per service, and a provider sees only the services its resource offers, oldest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.api.customer_calls import call, new_customer
from tests.api.shifa import Api, api_for, error, result
from tests.conftest import NOW
from webapp.booking import invoices, lifecycle
from webapp.extensions import db
from webapp.models import Booking, BookingType, Customer, Organization, OutboxMessage

JOIN = "/api/customer/scheduling/new"
ASSIGN = "/api/management/bookings/assign"
UNASSIGNED = "/api/management/bookings/unassigned"
WALK_IN = "/api/management/scheduling/new"


@pytest.fixture
def api(any_app) -> Api:
    # Several customers join from one address in a test: more than the usual ten a minute.
    any_app.config.update(MESSAGES_CAPTURE=[], BOOKING_RATE_LIMIT="1000/minute")
    return api_for(any_app, "Shifa Clinic")


@pytest.fixture
def owner(api) -> str:
    return api.token(staff=True)


def join(api: Api, token: str | None = None, service: str = "vaccination", **body):
    """A customer (a new one unless ``token``) joins the service's queue a minute after the
    one before, so that the queue's order is the order of the calls."""
    api.site.app.config["MAWID_NOW"] += timedelta(minutes=1)
    token = token or new_customer(api)[1]
    sent = {"type": api.site.types[service], "assign": False, **body}
    return call(api, "PUT", JOIN, token, sent)


def queued(api: Api, count: int, service: str = "vaccination") -> list[tuple[str, str]]:
    """``count`` customers in the service's queue: (token, booking id) in their order."""
    found = []
    for _ in range(count):
        token = new_customer(api)[1]
        found.append((token, result(join(api, token, service), 201)["id"]))
    return found


def place(api: Api, token: str, booking_id: str) -> tuple[int | None, int | None]:
    item = result(call(api, "GET", f"/api/customer/bookings/{booking_id}", token))
    return item["queuePosition"], item["estimatedWaitMinutes"]


def places(api: Api, waiting: list[tuple[str, str]]) -> list[int | None]:
    return [place(api, token, booking_id)[0] for token, booking_id in waiting]


def events(api: Api, name: str, booking_id: str | None = None) -> list[dict]:
    with api.site.db() as session:
        statement = select(OutboxMessage).where(
            OutboxMessage.organization_id == api.site.organization_id, OutboxMessage.event == name
        )
        if booking_id:
            statement = statement.where(OutboxMessage.booking_id == booking_id)
        return [row.payload for row in session.scalars(statement.order_by(OutboxMessage.id))]


def take(api: Api, owner: str, booking_id: str, doctor: str = "huda"):
    sent = {"bookingId": booking_id, "resourceId": api.site.resources[doctor]}
    return call(api, "POST", ASSIGN, owner, sent)


def pay_online(api: Api) -> None:
    """The clinic takes card payments, and the consultation (150, deposit 50) is paid so."""
    api.site.update(Organization, api.site.organization_id, online_payments_enabled=True)
    api.site.update(BookingType, api.site.types["consultation"], payment_methods=["creditCard"])


# -- joining -----------------------------------------------------------------------------------


def test_a_customer_joins_the_queue_with_no_date_or_time(api):
    joined = result(join(api), 201)

    assert joined["status"] == "PENDING_ASSIGNMENT"
    assert (joined["queuePosition"], joined["estimatedWaitMinutes"]) == (1, 15)
    assert joined["typeId"] == api.site.types["vaccination"]
    assert joined["startDateTime"] is None and joined["resourceId"] is None
    assert joined["payment"] is None  # a free service
    stored = api.site.booking(joined["id"])
    assert stored.website_id == api.site.website_id and stored.source == "api"
    # The default hour in the queue, from when the booking joined it.
    assert stored.expires_at == NOW + timedelta(minutes=1 + 60)
    [offered] = events(api, "bookingUnassigned", joined["id"])
    assert offered["typeId"] == api.site.types["vaccination"]
    assert sorted(offered["resourceIds"]) == sorted(
        [api.site.resources["huda"], api.site.resources["layla"]]
    )


def test_places_move_up_as_people_leave_are_taken_or_run_out_of_time(api, owner):
    first, hurried, third, fourth = queued(api, 4)
    hurried_token, hurried_id = hurried
    # The second one waits five minutes at most.
    api.site.update(Booking, hurried_id, expires_at=NOW + timedelta(minutes=2 + 5))
    assert places(api, [first, hurried, third, fourth]) == [1, 2, 3, 4]
    assert place(api, *fourth) == (4, 60)

    left = result(
        call(api, "POST", "/api/customer/bookings/cancel", first[0], {"bookingId": first[1]})
    )

    assert left["status"] == "CANCELED" and left["queuePosition"] is None
    assert places(api, [hurried, third, fourth]) == [1, 2, 3]
    assert [e["queuePosition"] for e in events(api, "queuePositionUpdated", fourth[1])] == [3]

    taken = result(take(api, owner, third[1]))

    assert (taken["status"], taken["resourceId"]) == ("CONFIRMED", api.site.resources["huda"])
    assert taken["queuePosition"] is None and taken["estimatedWaitMinutes"] is None
    assert places(api, [hurried, fourth]) == [1, 2]
    assert [e["queuePosition"] for e in events(api, "queuePositionUpdated", fourth[1])] == [3, 2]

    api.site.app.config["MAWID_NOW"] += timedelta(minutes=10)
    with api.site.app.app_context():
        lifecycle.expire_due(db.session, api.site.app.config["MAWID_NOW"])
        db.session.commit()

    expired = api.site.booking(hurried_id)
    assert (expired.status, expired.cancel_reason) == ("REJECTED", "not assigned in time")
    assert len(events(api, "bookingExpired", hurried_id)) == 1
    assert place(api, *fourth) == (1, 15)
    assert [e["queuePosition"] for e in events(api, "queuePositionUpdated", fourth[1])] == [3, 2, 1]
    assert place(api, hurried_token, hurried_id) == (None, None)
    late = error(take(api, owner, hurried_id), 400)
    assert late["code"] == "BKS-110" and late["details"]["field"] == "bookingId"


@pytest.mark.parametrize(
    ("asked", "minutes"), [(None, 60), (1, 5), (5, 5), (30.0, 30), (180, 180), (999, 180)]
)
def test_the_time_in_the_queue_is_clamped_to_5_to_180_minutes(app, asked, minutes):
    app.config["MESSAGES_CAPTURE"] = []
    api = api_for(app, "Shifa Clinic")

    joined = result(join(api, assignmentTimeout=asked), 201)

    stored = api.site.booking(joined["id"])
    assert stored.expires_at - (NOW + timedelta(minutes=1)) == timedelta(minutes=minutes)
    assert stored.assignment_timeout == minutes


def test_each_service_has_its_own_queue(api):
    queued(api, 5, service="consultation")

    joined = result(join(api, service="vaccination"), 201)

    assert (joined["queuePosition"], joined["estimatedWaitMinutes"]) == (1, 15)
    counts = {
        item["id"]: item["pendingCount"] for item in result(api.post("/api/availability/types"))
    }
    assert counts == {api.site.types["consultation"]: 5, api.site.types["vaccination"]: 1}


def test_a_customer_polls_their_place_in_their_bookings(api):
    ahead = queued(api, 2)
    token = new_customer(api)[1]
    mine = result(join(api, token), 201)["id"]

    waiting = result(call(api, "GET", "/api/customer/bookings?status=PENDING_ASSIGNMENT", token))

    assert [(b["id"], b["queuePosition"], b["estimatedWaitMinutes"]) for b in waiting] == [
        (mine, 3, 45)
    ]
    assert places(api, ahead) == [1, 2]


def test_a_provider_sees_the_queues_of_the_services_its_resource_offers_oldest_first(api, owner):
    first_shot = queued(api, 1, "vaccination")[0][1]
    first_visit = queued(api, 1, "consultation")[0][1]
    second_shot = queued(api, 1, "vaccination")[0][1]
    second_visit = queued(api, 1, "consultation")[0][1]

    def queue_of(doctor: str) -> list[tuple[str, int]]:
        listed = result(
            call(api, "GET", f"{UNASSIGNED}?resourceId={api.site.resources[doctor]}", owner)
        )
        return [(b["id"], b["queuePosition"]) for b in listed]

    # Dr Omar gives consultations only; Dr Huda both services.
    assert queue_of("omar") == [(first_visit, 1), (second_visit, 2)]
    assert queue_of("huda") == [
        (first_shot, 1),
        (first_visit, 1),
        (second_shot, 2),
        (second_visit, 2),
    ]
    page = call(api, "GET", f"{UNASSIGNED}?resourceId={api.site.resources['huda']}&limit=3", owner)
    assert page.get_json()["pagination"]["hasMore"] is True


# -- a service paid online ---------------------------------------------------------------------


def test_a_paid_service_waits_for_its_payment_before_it_joins_the_queue(api):
    pay_online(api)

    joined = result(join(api, service="consultation"), 201)

    assert joined["status"] == "PENDING_PAYMENT"
    assert joined["queuePosition"] is None and joined["estimatedWaitMinutes"] is None
    payment = joined["payment"]
    assert payment["invoiceId"] and payment["invoiceNumber"] == 1
    assert (payment["total"], payment["balance"], payment["deposit"]) == (
        "150.00",
        "150.00",
        "50.00",
    )
    slug = api.site.slug
    assert payment["paymentLink"].startswith(f"http://localhost/{slug}/pay/")
    assert payment["paymentWebViewLink"].startswith(f"http://localhost/{slug}/pay/")
    assert payment["paymentWebViewLink"].endswith("/webview")
    assert api.client.get(payment["paymentLink"]).status_code == 200
    # No provider hears of it, and it is not counted as waiting, until it is paid.
    assert events(api, "bookingUnassigned", joined["id"]) == []
    counts = {i["id"]: i["pendingCount"] for i in result(api.post("/api/availability/types"))}
    assert counts[api.site.types["consultation"]] == 0

    with api.site.app.app_context():
        organization = db.session.get(Organization, api.site.organization_id)
        invoices.record_payment(
            db.session,
            organization,
            payment["invoiceId"],
            provider="sandbox",
            actor=lifecycle.Actor("customer"),
            now=api.site.app.config["MAWID_NOW"],
        )
        db.session.commit()

    token = api.token(customer_id=api.site.booking(joined["id"]).customer_id)
    paid = result(call(api, "GET", f"/api/customer/bookings/{joined['id']}", token))
    assert paid["status"] == "PENDING_ASSIGNMENT"
    assert (paid["queuePosition"], paid["estimatedWaitMinutes"]) == (1, 30)
    assert paid["payment"]["balance"] == "100.00" and paid["payment"]["paymentLink"] is None
    assert len(events(api, "bookingUnassigned", joined["id"])) == 1


def test_a_free_service_joins_the_queue_even_when_payments_are_online(api):
    pay_online(api)

    joined = result(join(api, service="vaccination"), 201)

    assert joined["status"] == "PENDING_ASSIGNMENT" and joined["payment"] is None


# -- what a queue request may not say ----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"date": "2026-11-22", "time": 900}, 422, "date"),
        ({"startDateTime": "2026-11-22T09:00:00+03:00"}, 422, "startDateTime"),
        ({"resourceFilters": {"resource": "x"}}, 422, "resourceFilters"),
        ({"timeAdjustersCustomFields": {"extras": "xray"}}, 422, "timeAdjustersCustomFields"),
        ({"assignmentTimeout": "ten"}, 422, "assignmentTimeout"),
        ({"assignmentTimeout": 7.5}, 422, "assignmentTimeout"),
        ({"assignmentTimeout": True}, 422, "assignmentTimeout"),
        ({"type": None}, 422, "type"),
        ({"type": "nope"}, 404, "type"),
    ],
)
def test_a_queue_request_that_names_a_time_or_a_bad_value_is_refused(app, change, status, field):
    app.config["MESSAGES_CAPTURE"] = []
    api = api_for(app, "Shifa Clinic")
    token = new_customer(api)[1]
    sent = {"type": api.site.types["vaccination"], "assign": False, **change}

    refused = error(
        call(api, "PUT", JOIN, token, {k: v for k, v in sent.items() if v is not None}), status
    )

    assert refused["details"]["field"] == field
    assert api.site.bookings() == []


def test_another_businesss_service_cannot_be_queued_for(app):
    app.config["MESSAGES_CAPTURE"] = []
    api, next_door = api_for(app, "Shifa Clinic"), api_for(app, "Noor Dental")
    token = new_customer(api)[1]
    sent = {"type": next_door.site.types["vaccination"], "assign": False}

    assert error(call(api, "PUT", JOIN, token, sent), 404)["code"] == "INVALID_SERVICE"
    assert next_door.site.bookings() == [] and api.site.bookings() == []


def test_a_retried_join_with_its_key_queues_once(api):
    token = new_customer(api)[1]
    sent = {"type": api.site.types["vaccination"], "assign": False}

    first = call(api, "PUT", JOIN, token, sent, **{"Idempotency-Key": "join-1"})
    again = call(api, "PUT", JOIN, token, sent, **{"Idempotency-Key": "join-1"})

    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert len(api.site.bookings()) == 1


# -- the front desk queues a walk-in -----------------------------------------------------------


def test_the_front_desk_queues_a_walk_in_customer(api, owner):
    ahead = queued(api, 1)
    walk_in = {
        "type": api.site.types["vaccination"],
        "assign": False,
        "assignmentTimeout": 20,
        "note": "At the desk",
        "customerIdentifier": {"phone": "+966501112233", "firstName": "Noura"},
    }
    api.site.app.config["MAWID_NOW"] += timedelta(minutes=1)

    queued_now = result(call(api, "PUT", WALK_IN, owner, walk_in), 201)

    assert queued_now["status"] == "PENDING_ASSIGNMENT" and queued_now["note"] == "At the desk"
    assert (queued_now["queuePosition"], queued_now["estimatedWaitMinutes"]) == (2, 30)
    assert queued_now["expiresAt"] == (NOW + timedelta(minutes=2 + 20)).isoformat()
    assert queued_now["customer"]["firstName"] == "Noura"
    with api.site.db() as session:
        assert session.scalar(select(Customer.id).where(Customer.phone == "+966501112233"))
    assert places(api, ahead) == [1]
    held = error(call(api, "PUT", "/api/management/scheduling/temporary", owner, walk_in), 422)
    assert held["details"]["field"] == "assign"
    timed = error(call(api, "PUT", WALK_IN, owner, {**walk_in, "time": 900}), 422)
    assert timed["details"]["field"] == "time"
