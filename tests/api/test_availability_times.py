"""Free times through the API (seed 002): exactly the times Shifa Clinic's booking website
offers, narrowed by resource filters, lengthened by time adjusters, with a rescheduled
booking's own time free again, a page of days at a time."""

from __future__ import annotations

import pytest

from tests.api.shifa import Api, api_for, error, result
from tests.factories import make_customer
from tests.web.conftest import starts
from webapp.models import Organization, Resource

SUNDAY = "2026-11-22"


@pytest.fixture
def api(any_app) -> Api:
    return api_for(any_app, "Shifa Clinic")


@pytest.fixture
def next_door(any_app) -> Api:
    return api_for(any_app, "Noor Dental")


def times_of(api: Api, **body) -> dict[str, list[dict]]:
    days = result(api.post("/api/availability/times", body))
    return {day["date"]: day["times"] for day in days}


def test_times_are_the_ones_the_booking_website_offers(api):
    omar = api.site.resources["omar"]
    api.site.book_directly("omar", f"{SUNDAY} 10:00")
    page = api.site.time_step("consultation", "omar", date=SUNDAY)

    days = times_of(api, type=api.site.types["consultation"], resourceFilters={"resource": omar})

    offered = [t["startDateTime"] for t in days[SUNDAY]]
    assert offered == starts(page)
    assert "2026-11-22T10:00:00+03:00" not in offered
    assert list(days)[:5] == [SUNDAY, "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"]
    first = days[SUNDAY][1]
    assert first == {
        "time": 930,
        "startDateTime": "2026-11-22T09:30:00+03:00",
        "timeZone": "Asia/Riyadh",
        "resources": [omar],
    }


def test_resource_filters_narrow_the_times(api):
    consultation = api.site.types["consultation"]
    everyone = times_of(api, type=consultation)[SUNDAY][0]["resources"]
    assert everyone == [api.site.resources[n] for n in ("huda", "omar", "layla")]

    derm = times_of(
        api, type=consultation, resourceFiltersCustomFields={"specialty": "dermatology"}
    )
    south = times_of(
        api, type=consultation, resourceFilters={"category": api.site.categories["south"]}
    )

    assert {r for t in derm[SUNDAY] for r in t["resources"]} == {api.site.resources["omar"]}
    assert {r for t in south[SUNDAY] for r in t["resources"]} == {api.site.resources["layla"]}


def test_a_time_adjuster_lengthens_the_slots(api):
    body = {
        "type": api.site.types["consultation"],
        "resourceFilters": {"resource": api.site.resources["huda"]},
    }

    plain = [t["time"] for t in times_of(api, **body)[SUNDAY]]
    xray = times_of(api, **body, timeAdjustersCustomFields={"extras": "xray"})
    longer = [t["time"] for t in xray[SUNDAY]]

    assert plain[-1] == 1630 and 1230 in plain
    assert longer[-1] == 1600 and 1230 not in longer and 1200 in longer
    refused = api.post(
        "/api/availability/times", {**body, "timeAdjustersCustomFields": {"extras": "gold"}}
    )
    answer = error(refused, 422)
    assert answer["details"]["field"] == "timeAdjustersCustomFields"
    assert "extras" in answer["details"]["fields"]


def test_rescheduling_frees_the_bookings_own_time(api, next_door):
    with api.site.db() as session:
        organization = session.get(Organization, api.site.organization_id)
        sara, ali = make_customer(session, organization).id, make_customer(session, organization).id
        session.commit()
    booking_id = api.site.book_directly("huda", f"{SUNDAY} 10:00", customer_id=sara)
    body = {
        "type": api.site.types["consultation"],
        "resourceFilters": {"resource": api.site.resources["huda"]},
    }

    taken = [t["time"] for t in times_of(api, **body)[SUNDAY]]
    mine = api.post(
        "/api/availability/times",
        {**body, "rescheduleBookingId": booking_id},
        Authorization=api.token(customer_id=sara),
    )
    by_staff = api.post(
        "/api/availability/times",
        {**body, "rescheduleBookingId": booking_id},
        Authorization=api.token(staff=True),
    )

    assert 1000 not in taken
    assert 1000 in [t["time"] for t in result(mine)[0]["times"]]
    assert 1000 in [t["time"] for t in result(by_staff)[0]["times"]]
    for headers in ({}, {"Authorization": api.token(customer_id=ali)}):
        answer = api.post(
            "/api/availability/times", {**body, "rescheduleBookingId": booking_id}, **headers
        )
        assert error(answer, 404)["details"] == {"field": "rescheduleBookingId"}
    elsewhere = {"type": next_door.site.types["consultation"], "rescheduleBookingId": booking_id}
    assert error(next_door.post("/api/availability/times", elsewhere), 404)["code"] == "NOT_FOUND"


def test_times_page_by_days_within_the_asked_range(api, monkeypatch):
    body = {"type": api.site.types["vaccination"], "limit": 2}

    first = api.post("/api/availability/times", body).get_json()
    token = first["pagination"]["nextPageToken"]
    second = api.post("/api/availability/times", {**body, "nextPageToken": token}).get_json()
    ranged = times_of(
        api, type=body["type"], **{"from": "2026-11-24T20:00:00Z", "to": "2026-11-26"}
    )

    assert [d["date"] for d in first["result"]] == [SUNDAY, "2026-11-23"]
    assert [d["date"] for d in second["result"]] == ["2026-11-24", "2026-11-25"]
    assert list(ranged) == ["2026-11-24", "2026-11-25", "2026-11-26"]
    last_week = times_of(api, type=body["type"], **{"from": "2026-11-01", "to": "2026-11-20"})
    assert last_week == {}
    other_type = {"type": api.site.types["consultation"], "nextPageToken": token}
    assert error(api.post("/api/availability/times", other_type), 422)["details"] == {
        "field": "nextPageToken"
    }


def test_show_flags_choose_the_start_times(api):
    body = {
        "type": api.site.types["consultation"],
        "resourceFilters": {"resource": api.site.resources["huda"]},
    }

    hourly = [t["time"] for t in times_of(api, **body, showOclock=True)[SUNDAY]]
    quarters = [t["time"] for t in times_of(api, **body, showQuarterHour=True)[SUNDAY]]
    fixed = times_of(api, **body, showOclock=False, showFixedTimes="930,1415")[SUNDAY]

    assert hourly == [900, 1000, 1100, 1200, 1400, 1500, 1600]
    assert 915 in quarters and 900 in quarters and 930 not in quarters
    assert [t["time"] for t in fixed] == [930, 1415]


def test_staff_see_times_of_resources_the_website_hides(api):
    omar = api.site.resources["omar"]
    api.site.update(Resource, omar, book_from_website=False)
    body = {"type": api.site.types["consultation"], "showAll": True}

    public = times_of(api, type=body["type"])
    staff = api.post("/api/availability/times", body, Authorization=api.token(staff=True))

    assert omar not in public[SUNDAY][0]["resources"]
    assert omar in result(staff)[0]["times"][0]["resources"]
    assert error(api.post("/api/availability/times", body), 403)["code"] == "FORBIDDEN"


def test_bad_time_requests_name_the_field(api, next_door):
    consultation = api.site.types["consultation"]
    cases = [
        ({}, 422, "type"),
        ({"type": "nope"}, 404, "type"),
        ({"type": next_door.site.types["consultation"]}, 404, "type"),
        ({"type": consultation, "from": "yesterday"}, 422, "from"),
        ({"type": consultation, "from": "2026-12-05", "to": "2026-12-01"}, 422, "to"),
        ({"type": consultation, "to": "2028-12-01"}, 422, "to"),
        ({"type": consultation, "limit": "many"}, 422, "limit"),
        ({"type": consultation, "showHalfHour": "maybe"}, 422, "showHalfHour"),
        ({"type": consultation, "showFixedTimes": "8am"}, 422, "showFixedTimes"),
        ({"type": consultation, "showOclock": False}, 422, "showOclock"),
        (
            {"type": consultation, "timeAdjustersCustomFields": "xray"},
            422,
            "timeAdjustersCustomFields",
        ),
        (
            {
                "type": consultation,
                "resourceFilters": {"resource": next_door.site.resources["huda"]},
            },
            404,
            "resourceFilters",
        ),
        (
            {
                "type": api.site.types["vaccination"],
                "resourceFilters": {"resource": api.site.resources["omar"]},
            },
            404,
            "resourceFilters",
        ),
        ({"type": consultation, "rescheduleBookingId": 12}, 404, "rescheduleBookingId"),
    ]
    for body, status, field in cases:
        answer = error(api.post("/api/availability/times", body), status)
        assert answer["details"].get("field") == field, (body, answer)
        assert answer["message"]
