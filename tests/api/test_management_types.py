"""Manage types through the API (seed 002): every setting the seed lists, the resources
offering a type, and what is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.api.management_setup import Desk, build_desk, error_of, field_of
from tests.factories import at, create_booking
from webapp.booking.states import Actor
from webapp.extensions import db
from webapp.models import BookingType, Organization

T = "/api/management/types"
EVERYTHING = {
    "name": "Whitening",
    "name_translations": {"ar": "تبييض"},
    "description": "Brighter teeth in one visit",
    "description_translations": {"ar": "أسنان أنصع في زيارة واحدة"},
    "minutes": 45,
    "leaveMinutesBefore": 5,
    "leaveMinutesAfter": 10,
    "category": "cosmetic",
    "color": "#2A7AB0",
    "on": True,
    "price": "300.00",
    "oldPrice": "350.00",
    "priceIncrease": "10.00",
    "priceIncreaseDays": 2,
    "depositAmount": "50.00",
    "depositPercentage": None,
    "schedule": {"note": "kept as given"},
    "timeOptions": {"showOclock": True, "showHalfHour": True, "showFixedTimes": "800,1230"},
    "photos": [{"url": "https://cdn.example.com/white.jpg", "id": "w1"}],
    "autoConfirm": True,
    "paymentMethods": ["manual", "creditCard"],
    "bookFromWebsite": False,
    "queueEnabled": True,
}


@pytest.fixture
def desk(app) -> Desk:
    return build_desk(app)


def _count(desk) -> int:
    with desk.app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(BookingType)
            .where(BookingType.organization_id == desk.clinic.organization_id)
        )


def test_an_admin_creates_a_type_with_every_seed_field_and_reads_it_back(desk):
    sent = {**EVERYTHING, "resources": [desk.clinic.own_resource_id]}

    created = desk.post(T, sent)

    assert created.status_code == 201, created.get_json()
    result = created.get_json()["result"]
    expected = {
        **EVERYTHING,
        "name_translations": {"en": "Whitening", "ar": "تبييض"},
        "description_translations": {
            "en": "Brighter teeth in one visit",
            "ar": "أسنان أنصع في زيارة واحدة",
        },
        "color": "#2a7ab0",
        "photos": [{"url": "https://cdn.example.com/white.jpg", "id": "w1"}],
        "resources": [desk.clinic.own_resource_id],
        "currency": "SAR",
        "position": 0,
    }
    assert {k: result[k] for k in expected} == expected
    assert "pendingCount" not in result
    read = desk.get(f"{T}/{result['id']}", "staff").get_json()["result"]
    assert read == result
    # The resource offers it now.
    resource = desk.get(f"/api/management/resources/{desk.clinic.own_resource_id}")
    assert result["id"] in resource.get_json()["result"]["types"]


def test_the_list_pages_through_every_type_once(desk):
    for n in range(4):
        assert (
            desk.post(T, {"name": f"Service {n}", "minutes": 30, "position": n}).status_code == 201
        )
    seen, token = [], None
    for _page in range(3):
        query = {"limit": 2, **({"nextPageToken": token} if token else {})}
        answer = desk.get(T, "staff", query_string=query).get_json()
        seen += [t["id"] for t in answer["result"]]
        token = answer["pagination"]["nextPageToken"]
        if not answer["pagination"]["hasMore"]:
            break

    assert token is None and len(seen) == len(set(seen)) == 5


def test_an_update_changes_only_what_it_sends(desk):
    created = desk.post(T, {**EVERYTHING, "resources": [desk.clinic.own_resource_id]})
    path = f"{T}/{created.get_json()['result']['id']}"

    changed = desk.put(path, {"minutes": 60, "price": "320.00", "resources": []}, "key")

    assert changed.status_code == 200
    result = changed.get_json()["result"]
    assert result["minutes"] == 60 and result["price"] == "320.00"
    assert result["resources"] == [] and result["depositAmount"] == "50.00"
    assert result["timeOptions"] == EVERYTHING["timeOptions"]
    assert result["schedule"] == EVERYTHING["schedule"]
    # What was read can be sent back unchanged.
    assert desk.put(path, result).get_json()["result"] == result


def test_names_are_answered_and_written_in_the_request_language(desk):
    created = desk.post(T, {"name": "Cleaning", "minutes": 30}).get_json()["result"]

    desk.put(f"{T}/{created['id']}", {"name": "تنظيف"}, lang="ar")
    arabic = desk.get(T, lang="ar").get_json()["result"]
    english = desk.get(f"{T}/{created['id']}").get_json()["result"]

    assert "تنظيف" in [t["name"] for t in arabic]
    assert english["name"] == "Cleaning"
    assert english["name_translations"] == {"en": "Cleaning", "ar": "تنظيف"}


def test_deleting_a_type_never_booked_removes_it(desk):
    created = desk.post(T, {"name": "Cleaning", "minutes": 30}).get_json()["result"]

    answer = desk.delete(f"{T}/{created['id']}")

    assert answer.status_code == 200
    assert answer.get_json()["result"] == {"id": created["id"], "deleted": True}
    assert answer.get_json()["message"]
    assert desk.get(f"{T}/{created['id']}").status_code == 404


def test_a_booked_type_is_switched_off_instead(desk):
    with desk.app.app_context():
        create_booking(
            db.session,
            db.session.get(Organization, desk.clinic.organization_id),
            db.session.get(BookingType, desk.clinic.type_id),
            start=at("2026-11-22 10:00"),
            now=at("2026-11-21 09:00"),
            actor=Actor("staff"),
        )
        db.session.commit()

    answer = desk.delete(f"{T}/{desk.clinic.type_id}")

    assert answer.status_code == 200
    assert answer.get_json()["result"] == {"id": desk.clinic.type_id, "deleted": False, "on": False}
    assert desk.get(f"{T}/{desk.clinic.type_id}").get_json()["result"]["on"] is False


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("GET", T, None),
        ("POST", T, {"name": "X"}),
        ("GET", f"{T}/{{type}}", None),
        ("PUT", f"{T}/{{type}}", {"name": "X"}),
        ("DELETE", f"{T}/{{type}}", None),
    ],
)
@pytest.mark.parametrize("who", [None, "mwd_nope", "mwa_nope", "south_key", "south_admin"])
def test_without_a_valid_credential_of_this_organization_the_answer_is_401(
    desk, method, path, json, who
):
    answer = desk.call(method, path.format(type=desk.clinic.type_id), who, json=json)

    assert answer.status_code == 401 and error_of(answer)["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("POST", T, {"name": "X"}),
        ("PUT", f"{T}/{{type}}", {"name": "X"}),
        ("DELETE", f"{T}/{{type}}", None),
    ],
)
def test_a_staff_member_may_read_but_not_write_types(desk, method, path, json):
    answer = desk.call(method, path.format(type=desk.clinic.type_id), "staff", json=json)

    assert answer.status_code == 403 and error_of(answer)["code"] == "FORBIDDEN"
    assert _count(desk) == 1
    assert desk.get(f"{T}/{desk.clinic.type_id}", "staff").get_json()["result"]["name"] == "Checkup"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_another_organizations_type_answers_like_an_unknown_one(desk, method):
    json = {"name": "Taken"} if method == "PUT" else None
    foreign = desk.call(method, f"{T}/{desk.other.type_id}", json=json)
    unknown = desk.call(method, f"{T}/{'z' * 20}", json=json)

    assert foreign.status_code == unknown.status_code == 404
    assert error_of(foreign) == error_of(unknown)
    with desk.app.app_context():
        assert db.session.get(BookingType, desk.other.type_id).name == "Checkup"


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "minutes": 0}, "minutes"),
        ({"name": "X", "minutes": "thirty"}, "minutes"),
        ({"name": "X", "leaveMinutesBefore": -5}, "leaveMinutesBefore"),
        ({"name": "X", "price": "abc"}, "price"),
        ({"name": "X", "price": "10.005"}, "price"),
        ({"name": "X", "price": "-1"}, "price"),
        ({"name": "X", "oldPrice": "20.00", "price": None}, "oldPrice"),
        ({"name": "X", "price": "100.00", "depositAmount": "150.00"}, "depositAmount"),
        ({"name": "X", "priceIncrease": "10.00"}, "priceIncreaseDays"),
        ({"name": "X", "priceIncreaseDays": 0}, "priceIncreaseDays"),
        ({"name": "X", "color": "blue"}, "color"),
        ({"name": "X", "paymentMethods": ["cash"]}, "paymentMethods"),
        ({"name": "X", "timeOptions": {"showEveryMinute": True}}, "timeOptions"),
        ({"name": "X", "timeOptions": "half"}, "timeOptions"),
        ({"name": "X", "schedule": []}, "schedule"),
        ({"name": "X", "resources": ["nosuchresource"]}, "resources"),
        ({"name": "X", "on": 1}, "on"),
        ({"name": "X", "durationMinutes": 30}, "durationMinutes"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(desk, sent, field):
    created = desk.post(T, sent)
    updated = desk.put(f"{T}/{desk.clinic.type_id}", sent)

    for answer in (created, updated):
        assert answer.status_code == 422, answer.get_json()
        assert field_of(answer) == field and error_of(answer)["message"]
    assert _count(desk) == 1
    with desk.app.app_context():
        assert db.session.get(BookingType, desk.clinic.type_id).name == "Checkup"


def test_a_new_type_needs_a_name_and_another_organizations_resource_cannot_offer_it(desk):
    nameless = desk.post(T, {"minutes": 30})
    foreign = desk.post(T, {"name": "X", "resources": [desk.other.own_resource_id]})

    assert nameless.status_code == 422 and field_of(nameless) == "name"
    assert foreign.status_code == 422 and field_of(foreign) == "resources"
    assert _count(desk) == 1
