"""My Bookings through the API (seed 002): a signed-in customer lists their bookings page by
page, filters them, reads one, and cancels one while the website still allows it. Another
customer's bookings, and another business's, answer exactly like unknown ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.customer_calls import book, call, new_customer
from tests.api.shifa import Api, api_for, error, result
from webapp.api import pagination
from webapp.models import Booking, BookingStatus, Invoice

SUNDAY_TIMES = [900, 930, 1000, 1030, 1100]


@pytest.fixture
def api(app) -> Api:
    app.config["MESSAGES_CAPTURE"] = []
    return api_for(app, "Shifa Clinic")


@pytest.fixture
def sara(api) -> tuple[str, str]:
    return new_customer(api, first_name="Sara", email="sara@example.com")


def listed(api: Api, token: str, query: str = "") -> tuple[list[dict], dict]:
    answer = call(api, "GET", f"/api/customer/bookings{query}", token)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["result"], answer.get_json()["pagination"]


def book_times(api: Api, customer_id: str, times=SUNDAY_TIMES) -> list[str]:
    """Bookings of the customer on Sunday at these times (hhmm), oldest first."""
    return [
        api.site.book_directly(
            "huda", f"2026-11-22 {t // 100:02d}:{t % 100:02d}", customer_id=customer_id
        )
        for t in times
    ]


# -- listing ---------------------------------------------------------------------------------


def test_the_list_is_the_customers_own_newest_first_page_after_page(api, sara):
    customer_id, token = sara
    ids = book_times(api, customer_id)
    someone_else, _ = new_customer(api)
    book_times(api, someone_else, [1400])

    first, page = listed(api, token, "?limit=2")
    second, page2 = listed(api, token, f"?limit=2&nextPageToken={page['nextPageToken']}")
    third, page3 = listed(api, token, f"?limit=2&nextPageToken={page2['nextPageToken']}")

    assert [b["id"] for b in first + second + third] == ids[::-1]
    assert page["hasMore"] and page2["hasMore"]
    assert page3 == {"nextPageToken": None, "hasMore": False}
    assert [b["startTime"] for b in first] == [1100, 1030]
    assert first[0]["type"]["name"] == "Consultation" and first[0]["resource"]["name"] == "Dr Huda"


def test_the_default_page_holds_ten(api, sara):
    customer_id, token = sara
    book_times(api, customer_id, [900, 930, 1000, 1030, 1100, 1130, 1200, 1230, 1400, 1430, 1500])

    found, page = listed(api, token)

    assert len(found) == 10 and page["hasMore"]


def test_filters_order_and_includes(api, sara):
    customer_id, token = sara
    ids = book_times(api, customer_id, [900, 1000, 1100])
    api.site.update(Booking, ids[1], status=BookingStatus.CANCELED.value)
    with api.site.db() as session:
        session.add(
            Invoice(
                organization_id=api.site.organization_id,
                booking_id=ids[0],
                customer_id=customer_id,
                number=7,
                currency="SAR",
                sub_total=150,
                total=150,
                balance=0,
                amount_paid=150,
                status="PAID",
            )
        )
        session.commit()

    oldest_first, _ = listed(api, token, "?orderDirection=asc")
    canceled, _ = listed(api, token, "?status=CANCELED")
    active, _ = listed(api, token, "?status=CONFIRMED,PENDING_APPROVAL")
    morning, _ = listed(api, token, "?from=2026-11-22T09:30:00%2B03:00&to=2026-11-22T10:00:00")
    unencoded_plus, _ = listed(api, token, "?from=2026-11-22T09:30:00+03:00&to=2026-11-22T10:00")
    that_day, _ = listed(api, token, "?from=2026-11-22&to=2026-11-22")
    next_day, _ = listed(api, token, "?from=2026-11-23")
    other_doctor, _ = listed(api, token, f"?resource={api.site.resources['omar']}")
    [with_extras] = listed(api, token, "?includes=customer,invoice&orderDirection=asc&limit=1")[0]

    assert [b["id"] for b in oldest_first] == ids
    assert [b["id"] for b in canceled] == [ids[1]]
    assert [b["id"] for b in active] == [ids[2], ids[0]]
    assert [b["id"] for b in morning] == [b["id"] for b in unencoded_plus] == [ids[1]]
    assert len(that_day) == 3 and next_day == [] and other_doctor == []
    assert with_extras["customer"]["firstName"] == "Sara"
    assert with_extras["invoice"]["number"] == 7 and with_extras["invoice"]["balance"] == "0.00"
    assert with_extras["payment"]["invoiceNumber"] == 7
    assert with_extras["payment"]["balance"] == "0.00"


def test_by_creation_date_the_order_follows_when_they_were_made(api, sara, now):
    customer_id, token = sara
    made_first, made_later = book_times(api, customer_id, [1100, 900])
    api.site.update(Booking, made_later, created_at=now + timedelta(hours=1))
    same_moment = book_times(api, customer_id, [1400, 1430, 1500])  # made together with the first

    by_creation, _ = listed(api, token, "?dateType=createdAt")
    by_time, _ = listed(api, token, "?dateType=dateTime&orderDirection=desc")
    paged, token_page = [], ""
    while True:
        page, more = listed(api, token, f"?dateType=createdAt&limit=1{token_page}")
        paged += page
        if not more["hasMore"]:
            break
        token_page = f"&nextPageToken={more['nextPageToken']}"

    assert by_creation[0]["id"] == made_later
    assert {b["id"] for b in by_creation[1:]} == {made_first, *same_moment}
    assert [b["id"] for b in paged] == [b["id"] for b in by_creation]  # ties kept in order
    assert [b["startTime"] for b in by_time] == [1500, 1430, 1400, 1100, 900]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?dateType=updatedAt", "dateType"),
        ("?orderDirection=up", "orderDirection"),
        ("?status=LOST", "status"),
        ("?status=TEMPORARY", "status"),
        ("?includes=secrets", "includes"),
        ("?limit=0", "limit"),
        ("?limit=many", "limit"),
        ("?from=yesterday", "from"),
        ("?to=2026-13-01", "to"),
        ("?nextPageToken=forged", "nextPageToken"),
    ],
)
def test_bad_list_parameters_name_their_field(api, sara, query, field):
    answer = call(api, "GET", f"/api/customer/bookings{query}", sara[1])

    assert error(answer, 422)["details"]["field"] == field


def test_a_page_token_of_another_list_or_order_is_refused(api, app, sara):
    with app.test_request_context():
        foreign = pagination.encode("customer.invoices", [3])
        other_order = pagination.encode("customer.bookings.dateTime.asc", ["x", "y"])

    for token in (foreign, other_order):
        answer = call(api, "GET", f"/api/customer/bookings?nextPageToken={token}", sara[1])
        assert error(answer, 422)["details"]["field"] == "nextPageToken"


def test_arabic_names_in_the_list(api, sara):
    book_times(api, sara[0], [900])

    [found] = call(api, "GET", "/api/customer/bookings", sara[1], lang="ar").get_json()["result"]

    assert found["type"]["name"] == "استشارة"
    assert found["display"]["status"] != "Confirmed"


# -- one booking -----------------------------------------------------------------------------


def test_a_customer_reads_their_booking(api, sara):
    [booking_id] = book_times(api, sara[0], [900])

    found = result(call(api, "GET", f"/api/customer/bookings/{booking_id}", sara[1]))

    assert found["id"] == booking_id and found["startDateTime"] == "2026-11-22T09:00:00+03:00"


def test_someone_elses_or_another_businesss_booking_answers_like_an_unknown_one(app, api, sara):
    next_door = api_for(app, "Noor Dental")
    theirs = book_times(api, new_customer(api)[0], [900])[0]
    next_door_customer, next_door_token = new_customer(next_door)
    foreign = next_door.site.book_directly(
        "huda", "2026-11-22 10:00", customer_id=next_door_customer
    )

    answers = [
        call(api, "GET", f"/api/customer/bookings/{booking_id}", sara[1])
        for booking_id in (theirs, foreign, "nosuchbooking")
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert answers[0].get_json() == answers[1].get_json() == answers[2].get_json()
    # The other business's own customer, signed in there, is refused here too.
    assert call(api, "GET", f"/api/customer/bookings/{foreign}", next_door_token).status_code == 401


def test_my_bookings_need_a_customer_token(api, sara):
    [booking_id] = book_times(api, sara[0], [900])

    for path in ("/api/customer/bookings", f"/api/customer/bookings/{booking_id}"):
        assert error(call(api, "GET", path), 401)["code"] == "UNAUTHORIZED"
        assert call(api, "GET", path, api.token(staff=True)).status_code == 401


# -- canceling -------------------------------------------------------------------------------


def cancel(api: Api, token: str | None, key: str | None = None, **body):
    headers = {"Idempotency-Key": key} if key else {}
    return call(api, "POST", "/api/customer/bookings/cancel", token, body, **headers)


def test_a_customer_cancels_their_booking_and_hears_about_it(app, api, sara):
    booked = result(book(api, sara[1]), 201)

    canceled = result(cancel(api, sara[1], bookingId=booked["id"], reason="Feeling better"))

    assert canceled["status"] == "CANCELED" and canceled["cancelReason"] == "Feeling better"
    stored = api.site.booking(booked["id"])
    assert stored.status == "CANCELED" and stored.canceled_by == "customer"
    assert "Booking canceled: Consultation" in api.site.subjects_to("sara@example.com")
    # The time is free again.
    assert result(book(api, new_customer(api)[1]), 201)["startTime"] == 900


def test_a_customer_leaves_the_queue_before_a_provider_takes_the_booking(app, api, sara):
    booked = result(book(api, sara[1]), 201)
    waiting = {"status": BookingStatus.PENDING_ASSIGNMENT.value, "resource_id": None}
    api.site.update(Booking, booked["id"], start_at=None, end_at=None, **waiting)

    canceled = result(cancel(api, sara[1], bookingId=booked["id"]))

    assert canceled["status"] == "CANCELED" and canceled["startDateTime"] is None
    # The customer hears that their place is given up, with no time to speak of.
    assert "Booking canceled: Consultation" in api.site.subjects_to("sara@example.com")


def test_canceling_twice_or_too_late_is_refused(api, sara):
    booked = result(book(api, sara[1]), 201)
    result(cancel(api, sara[1], bookingId=booked["id"]))
    again = error(cancel(api, sara[1], bookingId=booked["id"]), 409)

    api.site.configure(change_notice_hours=48)
    soon = result(book(api, sara[1], time=1000), 201)
    too_late = error(cancel(api, sara[1], bookingId=soon["id"]), 422)

    assert again["code"] == "INVALID_TRANSITION"
    assert too_late["code"] == "OUTSIDE_WINDOW"
    assert "48 hours" in too_late["message"]
    assert too_late["details"]["deadline"] == "2026-11-20T10:00:00+03:00"
    assert api.site.booking(soon["id"]).status == "CONFIRMED"


def test_a_retried_cancel_gets_the_first_answer(api, sara):
    booked = result(book(api, sara[1]), 201)

    first = cancel(api, sara[1], key="cancel-1", bookingId=booked["id"])
    second = cancel(api, sara[1], key="cancel-1", bookingId=booked["id"])

    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert error(cancel(api, sara[1], key="cancel-1", bookingId="other"), 422)["code"] == (
        "IDEMPOTENCY_KEY_REUSED"
    )


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "bookingId"),
        ({"bookingId": 12}, 422, "bookingId"),
        ({"bookingId": "BOOKING", "reason": "x" * 501}, 422, "reason"),
        ({"bookingId": "nosuchbooking"}, 404, "bookingId"),
    ],
)
def test_bad_cancel_input_names_its_field(api, sara, body, status, field):
    booked = result(book(api, sara[1]), 201)
    body = {k: booked["id"] if v == "BOOKING" else v for k, v in body.items()}

    assert error(cancel(api, sara[1], **body), status)["details"]["field"] == field
    assert api.site.booking(booked["id"]).status == "CONFIRMED"


def test_nobody_else_cancels_a_customers_booking(app, api, sara):
    booked = result(book(api, sara[1]), 201)
    next_door = api_for(app, "Noor Dental")

    other_customer = cancel(api, new_customer(api)[1], bookingId=booked["id"])
    no_token = cancel(api, None, bookingId=booked["id"])
    next_door_customer = cancel(next_door, new_customer(next_door)[1], bookingId=booked["id"])

    assert error(other_customer, 404)["code"] == "NOT_FOUND"
    assert error(no_token, 401)["code"] == "UNAUTHORIZED"
    assert error(next_door_customer, 404)["code"] == "NOT_FOUND"
    assert api.site.booking(booked["id"]).status == "CONFIRMED"


CUSTOMER_OPERATIONS = [
    ("PUT", "/api/customer/scheduling/new"),
    ("GET", "/api/customer/bookings"),
    ("GET", "/api/customer/bookings/BOOKING"),
    ("POST", "/api/customer/bookings/cancel"),
    ("GET", "/api/customer/profile"),
    ("PUT", "/api/customer/profile"),
    ("GET", "/api/customer/invoices"),
    ("GET", "/api/customer/invoices/INVOICE"),
]


@pytest.mark.parametrize(("method", "path"), CUSTOMER_OPERATIONS)
@pytest.mark.parametrize("token", [None, "Bearer mwa_forged", "Basic c2FyYTpzZWNyZXQ="])
def test_every_customer_operation_refuses_a_missing_or_forged_token(api, sara, method, path, token):
    [booking_id] = book_times(api, sara[0], [900])
    path = path.replace("BOOKING", booking_id).replace("INVOICE", "any")

    refused = error(call(api, method, path, token, {"bookingId": booking_id}), 401)

    assert refused["code"] == "UNAUTHORIZED"
    assert api.site.booking(booking_id).status == "CONFIRMED"
