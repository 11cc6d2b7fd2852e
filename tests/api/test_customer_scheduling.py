"""Customer Scheduling through the API (seed 002) as an app's customer meets it: a signed-in
customer books one of the website's times and gets the booking back, in the seed's shape;
bad input names its field, a retry with the same key books nothing twice, and nothing of
the business next door can be booked."""

from __future__ import annotations

import pytest

from tests.api.customer_calls import SUNDAY, book, new_customer
from tests.api.shifa import Api, api_for, error, result
from tests.factories import make_field
from webapp.models import Booking, BookingType, Customer, Organization

# The smallest PNG there is: one transparent pixel.
PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6"
    "kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def api(app) -> Api:
    app.config["MESSAGES_CAPTURE"] = []
    return api_for(app, "Shifa Clinic")


@pytest.fixture
def next_door(app) -> Api:
    return api_for(app, "Noor Dental")


@pytest.fixture
def sara(api) -> str:
    return new_customer(api, first_name="Sara", last_name="Haddad", email="sara@example.com")[1]


def bookings_of(api: Api) -> list[Booking]:
    return api.site.bookings()


def add_field(api: Api, key: str, **values) -> None:
    with api.site.db() as session:
        make_field(session, session.get(Organization, api.site.organization_id), key, **values)
        session.commit()


# -- booking ---------------------------------------------------------------------------------


def test_a_customer_books_a_time_and_gets_the_booking_in_the_seeds_shape(app, api, sara):
    booked = result(book(api, sara), 201)

    site = api.site
    assert booked["status"] == "CONFIRMED"
    assert (booked["startDate"], booked["startTime"]) == (SUNDAY, 900)
    assert booked["startDateTime"] == "2026-11-22T09:00:00+03:00"
    assert booked["endDateTime"] == "2026-11-22T09:30:00+03:00"
    assert booked["timeZone"] == "Asia/Riyadh" and booked["duration"] == 30
    assert booked["typeId"] == site.types["consultation"]
    assert booked["type"]["id"] == site.types["consultation"]
    assert booked["type"]["name"] == "Consultation"
    assert booked["resourceId"] == site.resources["huda"]
    assert booked["resource"]["name"] == "Dr Huda"
    assert booked["payment"] == {
        "invoiceId": None,
        "invoiceNumber": None,
        "paymentLink": None,
        "paymentWebViewLink": None,
        "currency": "SAR",
        "subTotal": "150.00",
        "discount": "0.00",
        "total": "150.00",
        "balance": "150.00",
        "deposit": "50.00",
    }
    assert booked["queuePosition"] is None and booked["estimatedWaitMinutes"] is None
    [stored] = bookings_of(api)
    assert stored.id == booked["id"] and stored.source == "api"
    assert stored.website_id == site.website_id
    with site.db() as session:
        assert session.get(Customer, stored.customer_id).email == "sara@example.com"
    assert "Booking confirmed: Consultation" in site.subjects_to("sara@example.com")


def test_an_iso_start_and_no_resource_book_the_least_busy_doctor_for_free(api, sara):
    api.site.book_directly("huda", "2026-11-22 10:00", service="vaccination")

    booked = result(
        book(
            api,
            sara,
            doctor=None,
            type=api.site.types["vaccination"],
            date=None,
            time=None,
            startDateTime="2026-11-22T06:00:00Z",
        ),
        201,
    )

    assert booked["startDateTime"] == "2026-11-22T09:00:00+03:00"
    assert booked["resource"]["name"] == "Dr Layla"  # Dr Huda has a booking that day
    assert booked["payment"] is None  # vaccination is free


def test_date_time_and_the_same_instant_as_startdatetime_agree(api, sara):
    booked = result(book(api, sara, startDateTime="2026-11-22T06:00:00+00:00"), 201)

    assert booked["startTime"] == 900


def test_several_doctors_asked_for_give_the_least_busy_one_free(api, sara):
    doctors = [api.site.resources["huda"], api.site.resources["omar"]]
    api.site.book_directly("huda", "2026-11-22 11:00")

    booked = result(book(api, sara, resourceFilters={"resources": doctors}), 201)
    second = result(book(api, sara, resourceFilters={"resources": doctors}), 201)
    lost = error(book(api, sara, resourceFilters={"resources": doctors}), 409)

    assert booked["resource"]["name"] == "Dr Omar"
    assert second["resource"]["name"] == "Dr Huda"
    assert lost["details"]["next_available"] == "2026-11-22T09:30:00+03:00"


def test_a_time_just_taken_answers_409_with_the_nearest_free_time(api, sara):
    api.site.book_directly("huda", "2026-11-22 09:00")

    lost = error(book(api, sara), 409)

    assert lost["code"] == "BOOKING_CONFLICT"
    assert lost["details"]["next_available"] == "2026-11-22T09:30:00+03:00"
    assert len(bookings_of(api)) == 1


def test_answers_to_the_questions_shape_the_booking(api, sara):
    add_field(api, "reason", name="Reason for the visit", type="text", visibility="public")
    add_field(api, "scan", name="Previous scan", type="photo", optional=True, visibility="public")
    add_field(api, "insurer", scope="customer", name="Insurer", visibility="public", optional=True)

    booked = result(
        book(
            api,
            sara,
            doctor=None,
            resourceFiltersCustomFields={"specialty": "dermatology"},
            timeAdjustersCustomFields={"extras": "xray"},
            bookingInfoCustomFields={
                "reason": "  Rash on the arm ",
                "scan": {"fileName": "scan.png", "data": f"data:image/png;base64,{PIXEL}"},
            },
            customerCustomFields={"firstName": "Sarah", "insurer": "Bupa"},
        ),
        201,
    )

    assert booked["resource"]["name"] == "Dr Omar"  # the dermatologist
    assert booked["duration"] == 60 and booked["endDateTime"].startswith("2026-11-22T10:00")
    assert booked["payment"]["total"] == "250.00"  # with the X-ray
    info = booked["info"]
    assert info["reason"] == "Rash on the arm"
    assert info["extras"] == "xray" and info["specialty"] == "dermatology"
    assert info["scan"]["name"] == "scan.png" and info["scan"]["contentType"] == "image/png"
    [stored] = bookings_of(api)
    with api.site.db() as session:
        customer = session.get(Customer, stored.customer_id)
        assert customer.first_name == "Sarah" and customer.data == {"insurer": "Bupa"}


def test_staff_only_answers_stay_out_of_the_customers_booking(api, sara):
    booked = result(book(api, sara), 201)
    api.site.update(Booking, booked["id"], info={"triage": "urgent"})

    again = result(api.get(f"/api/customer/bookings/{booked['id']}", Authorization=sara))

    assert again["info"] == {}


def test_arabic_names_come_back_in_arabic(api, sara):
    booked = result(book(api, sara, lang="ar"), 201)
    answer = book(api, sara, time=1000)

    assert booked["type"]["name"] == "استشارة"
    assert "٢٠٢٦" in booked["display"]["date"]
    assert result(answer, 201)["type"]["name"] == "Consultation"


# -- who may book ----------------------------------------------------------------------------


@pytest.mark.parametrize("credential", ["none", "garbage", "staff", "next_door"])
def test_booking_needs_the_customers_own_access_token(api, next_door, credential):
    tokens = {
        "none": None,
        "garbage": "Bearer mwa_forged",
        "staff": api.token(staff=True),
        "next_door": new_customer(next_door)[1],
    }

    refused = error(book(api, tokens[credential]), 401)

    assert refused["code"] == "UNAUTHORIZED"
    assert bookings_of(api) == []


def test_another_businesss_service_or_doctor_answers_like_an_unknown_one(api, next_door, sara):
    foreign_type = error(book(api, sara, type=next_door.site.types["consultation"]), 404)
    unknown_type = error(book(api, sara, type="nosuchservice"), 404)
    foreign_doctor = error(
        book(api, sara, resourceFilters={"resource": next_door.site.resources["huda"]}), 404
    )
    unknown_doctor = error(book(api, sara, resourceFilters={"resource": "nosuchdoctor"}), 404)

    assert foreign_type == unknown_type
    assert foreign_type["code"] == "INVALID_SERVICE"
    assert foreign_doctor == unknown_doctor
    assert foreign_doctor["code"] == "INVALID_RESOURCE"
    assert bookings_of(api) == [] and next_door.site.bookings() == []


def test_a_website_that_assigns_doctors_itself_refuses_a_chosen_one(api, sara):
    api.site.configure(booking_policy="leastFirst")

    refused = error(book(api, sara), 422)
    booked = result(book(api, sara, doctor=None), 201)

    assert refused["details"]["field"] == "resourceFilters.resource"
    assert booked["resourceId"] in api.site.resources.values()


# -- bad input -------------------------------------------------------------------------------

BAD_INPUT = [
    ({"type": None}, "type"),
    ({"type": 42}, "type"),
    ({"date": None, "time": None}, "date"),
    ({"date": "22/11/2026"}, "date"),
    ({"time": 2460}, "time"),
    ({"time": "9am"}, "time"),
    ({"time": True}, "time"),
    ({"date": None, "startDateTime": "2026-11-22T09:00"}, "startDateTime"),
    ({"startDateTime": "2026-11-22T10:00:00+03:00"}, "startDateTime"),  # not date and time
    ({"time": 1300}, "time"),  # the midday break
    ({"date": "2027-06-01"}, "time"),  # past the booking horizon
    ({"assign": False}, "date"),  # the queue takes no time
    ({"assign": "no"}, "assign"),
    ({"showAll": True}, "showAll"),
    ({"resourceFilters": ["x"]}, "resourceFilters"),
    ({"resourceFilters": {"doctor": "x"}}, "resourceFilters.doctor"),
    ({"resourceFilters": {"resource": "a", "resources": ["b"]}}, "resourceFilters.resources"),
    (
        {"resourceFiltersCustomFields": {"specialty": "surgery"}},
        "resourceFiltersCustomFields.specialty",
    ),
    ({"resourceFiltersCustomFields": {"colour": "red"}}, "resourceFiltersCustomFields.colour"),
    ({"timeAdjustersCustomFields": {"extras": "gold"}}, "timeAdjustersCustomFields.extras"),
    ({"timeAdjustersCustomFields": {"hours": 2}}, "timeAdjustersCustomFields.hours"),
    ({"bookingInfoCustomFields": {"nope": "x"}}, "bookingInfoCustomFields.nope"),
    ({"bookingInfoCustomFields": "x"}, "bookingInfoCustomFields"),
    ({"customerCustomFields": {"email": "someone@else.example"}}, "customerCustomFields.email"),
    ({"customerCustomFields": {"lastName": "x" * 101}}, "customerCustomFields.lastName"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUT)
def test_bad_input_names_its_field_and_books_nothing(api, sara, change, field):
    refused = error(book(api, sara, **change), 422)

    assert refused["details"]["field"] == field
    assert refused["message"]
    assert bookings_of(api) == []


def test_questions_are_checked_as_on_the_website(api, sara):
    add_field(api, "reason", name="Reason for the visit", type="text", visibility="public")
    add_field(api, "scan", name="Previous scan", type="photo", optional=True, visibility="public")
    forged = {"fileName": "scan.png", "data": "data:image/png;base64,PGh0bWw+"}

    missing = error(book(api, sara), 422)
    not_a_photo = error(
        book(api, sara, bookingInfoCustomFields={"reason": "Rash", "scan": forged}), 422
    )
    not_base64 = error(
        book(
            api,
            sara,
            bookingInfoCustomFields={"reason": "Rash", "scan": {"data": "data:;base64,%%%"}},
        ),
        422,
    )

    assert missing["details"]["field"] == "bookingInfoCustomFields.reason"
    assert "Reason for the visit" in missing["message"]
    assert not_a_photo["details"]["field"] == "bookingInfoCustomFields.scan"
    assert not_base64["details"]["field"] == "bookingInfoCustomFields.scan"
    assert bookings_of(api) == []


def test_a_body_that_is_not_an_object_is_refused(api, sara):
    answer = api.client.put(
        "/api/customer/scheduling/new",
        data="[1, 2]",
        content_type="application/json",
        headers={"X-APP-ID": api.app_id, "Authorization": sara},
    )

    assert error(answer, 422)["code"] == "VALIDATION_ERROR"


# -- retries and limits ----------------------------------------------------------------------


def test_a_retry_with_the_same_key_gets_the_first_answer_byte_for_byte(app, api, sara):
    first = book(api, sara, key="retry-1")
    second = book(api, sara, key="retry-1")

    assert first.status_code == second.status_code == 201
    assert second.get_data() == first.get_data()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(bookings_of(api)) == 1
    assert api.site.subjects_to("sara@example.com").count("Booking confirmed: Consultation") == 1


def test_the_same_key_with_another_body_or_customer_is_refused(api, sara):
    result(book(api, sara, key="retry-2"), 201)
    _, omar_patient = new_customer(api)

    other_body = error(book(api, sara, key="retry-2", time=1000), 422)
    other_customer = error(book(api, omar_patient, key="retry-2"), 422)

    assert other_body["code"] == other_customer["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(bookings_of(api)) == 1


def test_booking_is_limited_per_client(app, api, sara):
    app.config["BOOKING_RATE_LIMIT"] = "2/minute"

    answers = [book(api, sara, time=time) for time in (900, 1000, 1100)]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert error(answers[2], 429)["code"] == "RATE_LIMITED"
    assert int(answers[2].headers["Retry-After"]) > 0
    assert len(bookings_of(api)) == 2


def test_an_unpaid_booking_waits_for_payment_when_payments_are_online(api, sara):
    api.site.update(Organization, api.site.organization_id, online_payments_enabled=True)
    api.site.update(BookingType, api.site.types["consultation"], payment_methods=["creditCard"])

    booked = result(book(api, sara), 201)

    assert booked["status"] == "PENDING_PAYMENT"
    assert booked["payment"]["balance"] == "150.00"


# -- wall-clock times the clocks skip or repeat ------------------------------------------------


def test_a_wall_time_shown_twice_is_refused_naming_both_instants(api, sara):
    api.site.configure(timezone="America/New_York")

    repeated = error(book(api, sara, date="2026-11-01", time=130), 422)
    repeated_second = "2026-11-01T01:30:00-05:00"
    skipped = error(book(api, sara, date="2026-03-08", time=230), 422)

    assert repeated["details"]["field"] == "time"
    assert repeated["details"]["candidates"] == [
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:30:00-05:00",
    ]
    assert "2026-11-01T01:30:00-05:00" in repeated["message"]
    # Naming the instant settles it; then the time is merely past.
    settled = book(api, sara, date="2026-11-01", time=130, startDateTime=repeated_second)
    assert error(settled, 422)["code"] == "OUTSIDE_WINDOW"
    assert skipped["details"]["field"] == "time"
    assert bookings_of(api) == []


def test_date_and_time_are_read_on_the_websites_clock(api, sara):
    api.site.configure(timezone="Europe/London")  # 06:00 in London is 09:00 in Riyadh

    booked = result(book(api, sara, time=600), 201)

    assert booked["timeZone"] == "Europe/London"
    assert (booked["startDate"], booked["startTime"]) == (SUNDAY, 600)
    assert booked["startDateTime"] == "2026-11-22T06:00:00+00:00"
