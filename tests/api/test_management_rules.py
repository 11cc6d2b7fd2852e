"""A resource's time rules and off rules through the API, in DESIGN's shapes: who may read
and set them, what is refused, and that what is set is what the website then offers."""

from __future__ import annotations

import pytest

from tests.api.management_setup import Desk, build_desk, error_of, field_of
from webapp.extensions import db
from webapp.models import OffRules, TimeRules

R = "/api/management/resources"
HOURS = {
    "depthOfDays": 30,
    "scheduleAfterHoursFromNow": 2,
    "rules": [
        {
            "days": ["sunday", "monday"],
            "times": [{"start": 900, "end": 1300}, {"start": 1400, "end": 1700}],
        },
        {"from": "2026-12-01", "to": "2026-12-07", "days": ["tuesday"], "times": []},
    ],
}
OFF = {
    "rules": [
        {"type": "range", "from": "2026-12-24T00:00", "to": "2026-12-26T00:00", "note": "Eid"},
        {"type": "weekly", "days": ["friday"]},
        {"type": "date", "date": "2026-12-31", "note": ""},
    ]
}


@pytest.fixture
def desk(app) -> Desk:
    return build_desk(app)


def _stored_rules(desk, model, resource_id):
    with desk.app.app_context():
        row = db.session.get(model, resource_id)
        return None if row is None else list(row.rules)


def test_time_rules_are_read_and_replaced_in_designs_shape(desk):
    path = f"{R}/{desk.clinic.other_resource_id}/timeRules"

    saved = desk.put(path, HOURS)
    read = desk.get(path, "key")

    assert saved.status_code == 200
    assert saved.get_json() == read.get_json() == {"result": HOURS}


def test_a_resource_without_time_rules_reads_the_defaults(desk):
    created = desk.post(R, {"name": "New room"}).get_json()["result"]

    read = desk.get(f"{R}/{created['id']}/timeRules").get_json()["result"]
    off = desk.get(f"{R}/{created['id']}/offRules").get_json()["result"]

    assert read == {"depthOfDays": 30, "scheduleAfterHoursFromNow": 0, "rules": []}
    assert off == {"rules": []}


def test_a_time_rules_update_may_send_only_what_changes(desk):
    path = f"{R}/{desk.clinic.own_resource_id}/timeRules"
    before = desk.get(path).get_json()["result"]

    after = desk.put(path, {"depthOfDays": 90}).get_json()["result"]

    assert after == {**before, "depthOfDays": 90}


def test_off_rules_are_read_and_replaced_in_designs_shape(desk):
    path = f"{R}/{desk.clinic.own_resource_id}/offRules"

    saved = desk.put(path, OFF)
    read = desk.get(path, "staff")

    assert saved.status_code == 200
    assert saved.get_json() == read.get_json() == {"result": OFF}


def test_a_staff_member_sets_the_rules_of_their_own_resource_only(desk):
    own = f"{R}/{desk.clinic.own_resource_id}"
    other = f"{R}/{desk.clinic.other_resource_id}"

    assert desk.put(f"{own}/timeRules", HOURS, "staff").status_code == 200
    assert desk.put(f"{own}/offRules", OFF, "staff").status_code == 200
    for method, path, json in (
        ("GET", f"{other}/timeRules", None),
        ("PUT", f"{other}/timeRules", HOURS),
        ("GET", f"{other}/offRules", None),
        ("PUT", f"{other}/offRules", OFF),
    ):
        answer = desk.call(method, path, "staff", json=json)
        unknown = desk.call(
            method, path.replace(desk.clinic.other_resource_id, "x" * 20), json=json
        )
        assert answer.status_code == unknown.status_code == 404, (method, path)
        assert error_of(answer) == error_of(unknown)
    assert _stored_rules(desk, OffRules, desk.clinic.other_resource_id) is None


@pytest.mark.parametrize("kind", ["timeRules", "offRules"])
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_another_organizations_resource_answers_like_an_unknown_one(desk, kind, method):
    json = (HOURS if kind == "timeRules" else OFF) if method == "PUT" else None
    foreign = desk.call(method, f"{R}/{desk.other.own_resource_id}/{kind}", json=json)
    unknown = desk.call(method, f"{R}/{'y' * 20}/{kind}", json=json)

    assert foreign.status_code == unknown.status_code == 404
    assert error_of(foreign) == error_of(unknown)
    if method == "PUT" and kind == "offRules":
        assert _stored_rules(desk, OffRules, desk.other.own_resource_id) is None


@pytest.mark.parametrize("kind", ["timeRules", "offRules"])
@pytest.mark.parametrize("who", [None, "mwd_wrong", "south_key", "south_admin"])
def test_rules_need_a_credential_of_this_organization(desk, kind, who):
    path = f"{R}/{desk.clinic.own_resource_id}/{kind}"
    json = HOURS if kind == "timeRules" else OFF

    assert desk.get(path, who).status_code == 401
    assert desk.put(path, json, who).status_code == 401


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"depthOfDays": -1}, "depthOfDays"),
        ({"depthOfDays": "30"}, "depthOfDays"),
        ({"scheduleAfterHoursFromNow": -2}, "scheduleAfterHoursFromNow"),
        ({"rules": "always"}, "rules"),
        ({"rules": [{"days": ["someday"], "times": []}]}, "rules"),
        ({"rules": [{"days": ["monday"], "times": [{"start": 1300, "end": 900}]}]}, "rules"),
        ({"rules": [{"days": ["monday"], "times": [{"start": 960, "end": 1000}]}]}, "rules"),
        ({"rules": [{"from": "2026-12-09", "to": "2026-12-01", "times": []}]}, "rules"),
        ({"rules": [], "extra": 1}, "extra"),
    ],
)
def test_bad_time_rules_are_refused_naming_the_field_and_nothing_is_saved(desk, sent, field):
    before = _stored_rules(desk, TimeRules, desk.clinic.own_resource_id)

    answer = desk.put(f"{R}/{desk.clinic.own_resource_id}/timeRules", sent)

    assert answer.status_code == 422, answer.get_json()
    assert field_of(answer) == field and error_of(answer)["message"]
    assert _stored_rules(desk, TimeRules, desk.clinic.own_resource_id) == before


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({}, "rules"),
        ({"rules": {"type": "weekly"}}, "rules"),
        ({"rules": [{"type": "holiday"}]}, "rules"),
        (
            {"rules": [{"type": "range", "from": "2026-12-26T00:00", "to": "2026-12-24T00:00"}]},
            "rules",
        ),
        ({"rules": [{"type": "date", "date": "31/12/2026"}]}, "rules"),
        ({"rules": [{"type": "weekly", "days": ["caturday"]}]}, "rules"),
    ],
)
def test_bad_off_rules_are_refused_naming_the_field_and_nothing_is_saved(desk, sent, field):
    path = f"{R}/{desk.clinic.own_resource_id}/offRules"
    desk.put(path, OFF)

    answer = desk.put(path, sent)

    assert answer.status_code == 422, answer.get_json()
    assert field_of(answer) == field and error_of(answer)["message"]
    assert desk.get(path).get_json()["result"] == OFF


def test_a_resource_type_and_hours_set_through_the_api_are_offered_to_customers(desk):
    made = desk.post(
        "/api/management/types",
        {"name": "Whitening", "name_translations": {"ar": "تبييض"}, "minutes": 60},
    )
    type_id = made.get_json()["result"]["id"]
    room = desk.post(R, {"name": "Chair 3", "types": [type_id]}).get_json()["result"]
    hours = {
        "depthOfDays": 30,
        "scheduleAfterHoursFromNow": 0,
        "rules": [{"days": ["sunday"], "times": [{"start": 1000, "end": 1200}]}],
    }
    assert desk.put(f"{R}/{room['id']}/timeRules", hours).status_code == 200
    # A day off on the first Sunday: only the second one is offered.
    off = {"rules": [{"type": "date", "date": "2026-11-22", "note": ""}]}
    assert desk.put(f"{R}/{room['id']}/offRules", off).status_code == 200

    offered = desk.client.post(
        "/api/availability/times",
        json={"type": type_id, "from": "2026-11-22", "to": "2026-11-29"},
        headers={"X-APP-ID": desk.clinic.app_id},
    )

    assert offered.status_code == 200, offered.get_json()
    days = offered.get_json()["result"]
    assert [day["date"] for day in days] == ["2026-11-29"]
    times = days[0]["times"]
    # The website splits time on the hour and the half hour; an hour fits until 11:00.
    assert [t["time"] for t in times] == [1000, 1030, 1100]
    assert all(t["resources"] == [room["id"]] for t in times)
    assert times[0]["startDateTime"] == "2026-11-29T10:00:00+03:00"
