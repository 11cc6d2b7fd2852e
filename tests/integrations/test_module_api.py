"""The module API of seed 001 as a module developer meets it: a token from /oauth/token, the
clinic's booking templates, their free slots, and an appointment booked from a slot id.
Every test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import event, func, select

from tests.conftest import NOW
from tests.integrations.conftest import access_token, bearer, register_client
from webapp.extensions import db
from webapp.models import Booking, Customer, CustomField, TimeRules

ODD_HEADER = {"Authorization": "Bearer eyJhbGc... https://api.bookingtime.com/app/v3/"}
JOHN = {"firstName": "John", "lastName": "Doe", "email": "jd@scrubs.doc"}
SUNDAY_TIMES = [f"{h:02d}:{m:02d}" for h in (9, 10, 11, 12, 14, 15, 16) for m in (0, 30)]


@pytest.fixture
def app(any_app):
    """Shifa Clinic, its clients and tokens (tests/integrations/conftest.py) on each
    database in turn."""
    return any_app


def module_path(site, rest: str, lang: str = "en") -> str:
    return f"/module/v3/{lang}/organization/{site.organization_id}/{rest}"


def slots_path(site, rest: str = "earliest", service: str = "consultation", **params) -> str:
    path = module_path(site, f"bookingTemplate/{site.types[service]}/bookingSlot/{rest}")
    return path + (f"?{urlencode(params)}" if params else "")


def earliest(site, token: str, service: str = "consultation") -> dict:
    answer = site.client.get(slots_path(site, service=service), headers=bearer(token))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def add(site, token: str, slot_id: str, customer=None, **extra):
    headers = {**bearer(token), **extra.pop("headers", {})}
    body = {"bookingSlotId": slot_id, "customer": customer or JOHN, **extra}
    return site.client.post(module_path(site, "appointment/add"), json=body, headers=headers)


def slot_for(answer: dict, site, doctor: str) -> dict:
    return next(
        s
        for s in answer["bookingSlotList"]
        if s["bookingResourceCombination"] == [site.resources[doctor]]
    )


def error_of(response) -> dict:
    """The one MESSAGE of an error answer, after checking the envelope around it."""
    body = response.get_json()
    assert body["content"] is None
    (message,) = body["messageList"]
    assert message["class"] == "MESSAGE" and message["type"] == "ERROR"
    return message


def booking_count(site) -> int:
    with site.db() as session:
        return session.scalar(
            select(func.count(Booking.id)).where(Booking.organization_id == site.organization_id)
        )


def customer_count(site) -> int:
    with site.db() as session:
        return session.scalar(
            select(func.count(Customer.id)).where(Customer.organization_id == site.organization_id)
        )


# --- seed 001's walkthrough ----------------------------------------------------------------


def test_seed_walkthrough_books_the_earliest_slot_for_john_doe(app, site):
    module = register_client(app, site.organization_id, public=True, name="Booking module")
    client = app.test_client()

    first = client.post(
        "/oauth/token",
        json={"grant_type": "client_credentials", "client_id": module.client_id},
        headers=ODD_HEADER,
    )
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["refresh_token"] and first.get_json()["expires_in"]

    form = urlencode(
        {
            "grant_type": "refresh_token",
            "client_id": module.client_id,
            "refresh_token": first.get_json()["refresh_token"],
            "organization_id": site.organization_id,
        }
    )
    second = client.post(
        "/oauth/token",
        data=form,
        headers={**ODD_HEADER, "Content-Type": "application/json"},
    )
    assert second.status_code == 200, second.get_json()
    assert second.get_json()["expires_in"] == 300
    token = second.get_json()["access_token"]

    listed = client.get(module_path(site, "bookingTemplate/list", "de"), headers=bearer(token))
    assert listed.status_code == 200, listed.get_json()
    content = listed.get_json()["content"]
    assert listed.get_json()["messageList"] == []
    assert content["class"] == "LIST" and content["recordTotal"] == 2
    names = {t["name"]: t["id"] for t in content["recordList"]}
    assert names == {
        "Consultation": site.types["consultation"],
        "Vaccination": site.types["vaccination"],
    }

    found = earliest(site, token)
    assert found["timeZone"] == "Asia/Riyadh"
    assert found["rangeStart"] == "2026-11-21T09:00:00+03:00"
    assert {s["timestamp"] for s in found["bookingSlotList"]} == {"2026-11-22T09:00:00+03:00"}
    chosen = slot_for(found, site, "huda")

    booked = add(site, token, chosen["id"])
    assert booked.status_code == 201, booked.get_json()
    appointment = booked.get_json()
    assert appointment["class"] == "APPOINTMENT"
    assert appointment["start"] == "2026-11-22T09:00:00+03:00"
    assert appointment["end"] == "2026-11-22T09:30:00+03:00"
    assert appointment["duration"] == 30
    assert appointment["name"] == "Consultation"
    assert appointment["status"] == "CONFIRMED"
    assert appointment["bookingTemplateId"] == site.types["consultation"]
    assert appointment["bookingResourceCombination"] == [site.resources["huda"]]
    assert appointment["bookingResourceList"][0]["name"] == "Dr Huda"
    customer = appointment["customer"]
    assert (customer["firstName"], customer["lastName"], customer["email"]) == (
        "John",
        "Doe",
        "jd@scrubs.doc",
    )

    with site.db() as session:
        stored = session.get(Booking, appointment["id"])
        person = session.get(Customer, stored.customer_id)
        assert (person.first_name, person.last_name, person.email) == (
            "John",
            "Doe",
            "jd@scrubs.doc",
        )
        assert stored.resource_id == site.resources["huda"]
        assert stored.start_at == NOW + timedelta(hours=24)

    again = earliest(site, token)
    offered = {
        (s["timestamp"], tuple(s["bookingResourceCombination"])) for s in again["bookingSlotList"]
    }
    assert (chosen["timestamp"], (site.resources["huda"],)) not in offered
    assert ("2026-11-22T09:00:00+03:00", (site.resources["omar"],)) in offered


# --- templates -----------------------------------------------------------------------------


def test_templates_carry_duration_price_window_and_customer_rules(site, token):
    listed = site.client.get(module_path(site, "bookingTemplate/list"), headers=bearer(token))
    consultation, vaccination = listed.get_json()["content"]["recordList"]
    assert consultation["class"] == "BOOKING_TEMPLATE"
    assert consultation["duration"] == 30
    assert consultation["price"] == {
        "class": "PRICE",
        "priceGross": 150.0,
        "taxRate": 0,
        "currency": "SAR",
    }
    assert (consultation["priceGross"], consultation["showPrice"]) == (150.0, True)
    assert consultation["nameI18nList"] == [{"class": "I18N", "locale": "ar", "value": "استشارة"}]
    # The doctors take bookings from now (no notice) for 60 days counting today.
    assert (consultation["bookingDayEarliest"], consultation["bookingDayLatest"]) == (0, 59)
    assert consultation["bookingLeadTime"] == 0
    assert consultation["customerEmailRequired"] is True
    assert consultation["customerMobileRequired"] is False
    assert consultation["emailTemplateList"] == [] and consultation["smsTemplateList"] == []
    assert (vaccination["duration"], vaccination["showPrice"]) == (15, False)
    assert consultation["address"] is None  # the website has no map yet


def test_templates_carry_the_address_the_websites_map_gives(site, token):
    site.configure(map={"label": "King Fahd Road, Riyadh", "lat": 24.71, "lng": 46.67})
    listed = site.client.get(module_path(site, "bookingTemplate/list"), headers=bearer(token))
    assert listed.get_json()["content"]["recordList"][0]["address"] == {
        "class": "ADDRESS",
        "name": "Shifa Clinic",
        "extra": "King Fahd Road, Riyadh",
        "geoCoordinates": {"class": "GEO_COORDINATES", "latitude": 24.71, "longitude": 46.67},
    }


def test_templates_answer_in_arabic_and_other_languages_in_the_websites(site, token):
    arabic = site.client.get(module_path(site, "bookingTemplate/list", "ar"), headers=bearer(token))
    german = site.client.get(module_path(site, "bookingTemplate/list", "de"), headers=bearer(token))
    assert arabic.get_json()["content"]["recordList"][0]["name"] == "استشارة"
    assert german.get_json()["content"]["recordList"][0]["name"] == "Consultation"


def test_a_notice_of_two_hours_and_a_shorter_horizon_shape_the_window(site, token):
    with site.db() as session:
        for rules in session.scalars(select(TimeRules)):
            rules.schedule_after_hours_from_now = 2
            rules.depth_of_days = 14
        session.commit()
    listed = site.client.get(module_path(site, "bookingTemplate/list"), headers=bearer(token))
    template = listed.get_json()["content"]["recordList"][0]
    assert (template["bookingDayEarliest"], template["bookingDayLatest"]) == (0, 13)
    assert template["bookingLeadTime"] == 120


# --- slots ---------------------------------------------------------------------------------


def test_the_week_lists_every_free_time_of_each_doctor_in_riyadh_time(site, token):
    answer = site.client.get(
        slots_path(site, "list", rangeStart="2026-11-22"), headers=bearer(token)
    )
    assert answer.status_code == 200, answer.get_json()
    week = answer.get_json()
    assert (week["rangeStart"], week["rangeEnd"]) == (
        "2026-11-22T00:00:00+03:00",
        "2026-11-29T00:00:00+03:00",
    )
    huda = [
        s["timestamp"]
        for s in week["bookingSlotList"]
        if s["bookingResourceCombination"] == [site.resources["huda"]]
    ]
    assert [t for t in huda if t.startswith("2026-11-22")] == [
        f"2026-11-22T{time}:00+03:00" for time in SUNDAY_TIMES
    ]
    assert huda[0] == "2026-11-22T09:00:00+03:00"
    days = {t[:10] for t in huda}
    assert days == {"2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"}
    assert all(s["timestamp"].endswith("+03:00") for s in week["bookingSlotList"])
    assert len(week["bookingSlotList"]) == 3 * 5 * len(SUNDAY_TIMES)


def test_the_week_starts_today_by_default_and_skips_taken_times(site, token):
    site.book_directly("huda", "2026-11-22 09:00")
    week = site.client.get(slots_path(site, "list"), headers=bearer(token)).get_json()
    assert week["rangeStart"] == "2026-11-21T00:00:00+03:00"
    assert week["rangeEnd"] == "2026-11-28T00:00:00+03:00"
    huda = [
        s["timestamp"]
        for s in week["bookingSlotList"]
        if s["bookingResourceCombination"] == [site.resources["huda"]]
    ]
    assert huda[0] == "2026-11-22T09:30:00+03:00"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"rangeStart": "22/11/2026"}, "rangeStart"),
        ({"rangeStart": "2026-11-22", "rangeEnd": "2026-11-29"}, "rangeEnd"),
        ({"rangeStart": "2026-11-22", "rangeEnd": "2026-11-21"}, "rangeEnd"),
    ],
)
def test_a_bad_week_answers_422_naming_the_parameter(site, token, params, field):
    answer = site.client.get(slots_path(site, "list", **params), headers=bearer(token))
    assert answer.status_code == 422
    assert error_of(answer)["details"]["field"] == field


def test_where_the_website_assigns_the_doctor_a_slot_names_every_free_one(site, token):
    site.configure(booking_policy="leastFirst")
    site.book_directly("huda", "2026-11-22 10:00")
    site.book_directly("omar", "2026-11-22 11:00")
    found = earliest(site, token)
    (slot,) = found["bookingSlotList"]
    assert set(slot["bookingResourceCombination"]) == set(site.resources.values())
    booked = add(site, token, slot["id"])
    assert booked.status_code == 201, booked.get_json()
    # The least busy doctor that day gets the booking.
    assert booked.get_json()["bookingResourceCombination"] == [site.resources["layla"]]


def test_with_no_free_time_in_the_window_earliest_lists_no_slot(site, token):
    with site.db() as session:
        for rules in session.scalars(select(TimeRules)):
            rules.depth_of_days = 1  # today only: a Saturday, when nobody works
        session.commit()
    found = earliest(site, token)
    assert found["bookingSlotList"] == []
    assert found["rangeEnd"] == "2026-11-22T00:00:00+03:00"


def test_an_unknown_template_answers_404(site, token):
    path = module_path(site, "bookingTemplate/nope/bookingSlot/earliest")
    answer = site.client.get(path, headers=bearer(token))
    assert answer.status_code == 404
    assert error_of(answer)["code"] == "NOT_FOUND"


# --- booking -------------------------------------------------------------------------------


def test_the_same_slot_twice_answers_409_the_second_time(site, token):
    chosen = slot_for(earliest(site, token), site, "omar")
    assert add(site, token, chosen["id"]).status_code == 201
    again = add(site, token, chosen["id"], customer={**JOHN, "email": "other@example.com"})
    assert again.status_code == 409
    message = error_of(again)
    assert message["code"] == "BOOKING_CONFLICT"
    assert message["details"]["next_available"].startswith("2026-11-22T09:30")
    assert booking_count(site) == 1


def test_a_tampered_slot_id_is_refused(site, token):
    chosen = slot_for(earliest(site, token), site, "huda")["id"]
    tampered = chosen[:-3] + ("AAA" if not chosen.endswith("AAA") else "BBB")
    answer = add(site, token, tampered)
    assert answer.status_code == 404
    assert error_of(answer)["details"]["field"] == "bookingSlotId"
    assert booking_count(site) == 0


def test_a_slot_id_of_another_organization_is_refused(app, site, other_site, token):
    noor = access_token(app, register_client(app, other_site.organization_id))
    theirs = earliest(other_site, noor)["bookingSlotList"][0]["id"]
    answer = add(site, token, theirs)
    assert answer.status_code == 404
    assert error_of(answer)["code"] == "NOT_FOUND"
    assert booking_count(site) == 0 and booking_count(other_site) == 0


def test_a_slot_id_older_than_a_day_is_refused(app, site, registered):
    chosen = slot_for(earliest(site, access_token(app, registered)), site, "layla")["id"]
    app.config["MAWID_NOW"] = NOW + timedelta(days=1, seconds=1)
    answer = add(site, access_token(app, registered), chosen)
    assert answer.status_code == 410
    assert error_of(answer)["code"] == "SLOT_EXPIRED"
    assert booking_count(site) == 0


@pytest.mark.parametrize(
    "customer, field",
    [
        ({"firstName": "John", "lastName": "Doe"}, "customer.email"),
        ({**JOHN, "email": "jd-at-scrubs"}, "customer.email"),
        ({**JOHN, "mobile": "12"}, "customer.mobile"),
        ({"lastName": "Doe", "email": "jd@scrubs.doc"}, "customer.firstName"),
        ("John Doe", "customer"),
    ],
)
def test_a_bad_customer_answers_422_naming_the_field_and_writes_nothing(
    site, token, customer, field
):
    chosen = slot_for(earliest(site, token), site, "huda")["id"]
    answer = site.client.post(
        module_path(site, "appointment/add"),
        json={"bookingSlotId": chosen, "customer": customer},
        headers=bearer(token),
    )
    assert answer.status_code == 422
    message = error_of(answer)
    assert message["details"]["field"] == field
    assert message["code"] == "VALIDATION_ERROR"
    assert booking_count(site) == 0 and customer_count(site) == 0


def test_a_phone_alone_identifies_the_customer(site, token):
    chosen = slot_for(earliest(site, token), site, "huda")["id"]
    with site.db() as session:
        session.add(
            CustomField(
                organization_id=site.organization_id,
                scope="customer",
                key="email",
                name="Email",
                type="text",
                text_type="email",
                optional=True,
                visibility="public",
            )
        )
        session.commit()
    customer = {"firstName": "Sara", "lastName": "Haddad", "mobile": "+966501234567"}
    booked = add(site, token, chosen, customer=customer, notes="First visit")
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json()["customer"]["mobile"] == "+966501234567"
    assert booked.get_json()["notes"] == "First visit"


def test_an_idempotency_key_books_once_and_replays_the_answer(site, token):
    chosen = slot_for(earliest(site, token), site, "huda")["id"]
    key = {"Idempotency-Key": "module-add-1"}
    first = add(site, token, chosen, headers=key)
    second = add(site, token, chosen, headers=key)
    assert first.status_code == second.status_code == 201
    assert second.get_data() == first.get_data()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert booking_count(site) == 1
    other = add(site, token, chosen, customer={**JOHN, "firstName": "Jim"}, headers=key)
    assert other.status_code == 422
    assert error_of(other)["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_racing_modules_book_a_slot_once(app, site, token):
    chosen = slot_for(earliest(site, token), site, "huda")["id"]
    start = threading.Barrier(4)
    statuses: list[int] = []

    def attempt(n: int) -> None:
        client = app.test_client()
        start.wait()
        answer = client.post(
            module_path(site, "appointment/add"),
            json={"bookingSlotId": chosen, "customer": {**JOHN, "email": f"p{n}@example.com"}},
            headers=bearer(token),
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert booking_count(site) == 1


# --- credentials ---------------------------------------------------------------------------


def test_without_a_token_the_answer_is_401(site):
    answer = site.client.get(module_path(site, "bookingTemplate/list"))
    assert answer.status_code == 401
    assert error_of(answer)["code"] == "UNAUTHORIZED"
    assert "invalid_token" in answer.headers["WWW-Authenticate"]


def test_an_expired_token_answers_401(app, site, token):
    app.config["MAWID_NOW"] = NOW + timedelta(seconds=301)
    answer = site.client.get(slots_path(site), headers=bearer(token))
    assert answer.status_code == 401
    assert error_of(answer)["code"] == "UNAUTHORIZED"


def test_a_token_without_availability_read_answers_403(app, site):
    reader = access_token(app, register_client(app, site.organization_id, scopes=["org:read"]))
    listed = site.client.get(module_path(site, "bookingTemplate/list"), headers=bearer(reader))
    assert listed.status_code == 200
    answer = site.client.get(slots_path(site), headers=bearer(reader))
    assert answer.status_code == 403
    assert error_of(answer)["code"] == "FORBIDDEN"
    assert 'scope="availability:read"' in answer.headers["WWW-Authenticate"]


def test_a_token_of_noor_dental_reads_nothing_of_shifa(app, site, other_site):
    noor = access_token(app, register_client(app, other_site.organization_id))
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        answers = [
            site.client.get(module_path(site, "bookingTemplate/list"), headers=bearer(noor)),
            site.client.get(slots_path(site), headers=bearer(noor)),
            site.client.get(slots_path(site, "list"), headers=bearer(noor)),
            site.client.post(
                module_path(site, "appointment/add"),
                json={"bookingSlotId": "x", "customer": JOHN},
                headers=bearer(noor),
            ),
        ]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [a.status_code for a in answers] == [403, 403, 403, 403]
    assert all(error_of(a)["code"] == "FORBIDDEN" for a in answers)
    read = " ".join(statements)
    assert "FROM oauth_clients" in read  # the credential itself is looked up
    for table in ("booking_types", "time_rules", "bookings", "customers"):
        assert f"FROM {table}" not in read
    assert booking_count(site) == 0


# --- addresses -----------------------------------------------------------------------------


def test_unknown_addresses_and_methods_answer_in_the_module_shape(site, token):
    nowhere = site.client.get("/module/v3/de/organization/x/nothing", headers=bearer(token))
    assert nowhere.status_code == 404
    assert error_of(nowhere)["code"] == "NOT_FOUND"
    wrong = site.client.post(module_path(site, "bookingTemplate/list"), headers=bearer(token))
    assert wrong.status_code == 405
    assert error_of(wrong)["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in wrong.headers["Allow"]
    assert site.client.get("/module").status_code == 404
    assert error_of(site.client.get("/module"))["code"] == "NOT_FOUND"
    bad_lang = site.client.get(
        module_path(site, "bookingTemplate/list", "deu"), headers=bearer(token)
    )
    assert bad_lang.status_code == 404 and error_of(bad_lang)["code"] == "NOT_FOUND"


def test_a_body_that_is_not_a_json_object_answers_422(site, token):
    answer = site.client.post(
        module_path(site, "appointment/add"),
        data="[1, 2]",
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    huge = site.client.post(
        module_path(site, "appointment/add"),
        data="{" + " " * 20000 + "}",
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert error_of(huge)["code"] == "PAYLOAD_TOO_LARGE"
