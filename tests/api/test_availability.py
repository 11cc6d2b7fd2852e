"""Availability through the API (seed 002) as an app builder meets it: the resources,
branches and services of Shifa Clinic, the same ones its booking website offers, one page at
a time, in English or Arabic, and nothing of the business next door."""

from __future__ import annotations

import pytest

from tests.api.shifa import Api, api_for, error, result
from tests.factories import make_customer
from webapp.accounts import issue_organization_key
from webapp.api import pagination
from webapp.models import Booking, Organization, Resource, ResourceCategory


@pytest.fixture
def api(any_app) -> Api:
    return api_for(any_app, "Shifa Clinic")


@pytest.fixture
def next_door(any_app) -> Api:
    return api_for(any_app, "Noor Dental")


def names(items) -> list[str]:
    return [item["name"] for item in items]


# -- resources -------------------------------------------------------------------------


def test_resources_are_the_websites_in_its_order_with_only_public_custom_data(api):
    api.site.update(
        Resource, api.site.resources["omar"], meta={"specialty": "dermatology", "salary": 9000}
    )

    found = result(api.post("/api/availability/resources"))

    assert names(found) == ["Dr Huda", "Dr Omar", "Dr Layla"]
    omar = found[1]
    assert omar["meta"] == {"specialty": "dermatology"}  # the salary is not the public's
    assert omar["category"] == api.site.categories["north"]
    assert omar["types"] == [api.site.types["consultation"]]
    assert omar["bookFromWebsite"] is True and omar["photo"] is None


def test_resources_narrow_by_service_branch_and_filter(api):
    def listed(**body):
        return names(result(api.post("/api/availability/resources", body)))

    assert listed(type=api.site.types["vaccination"]) == ["Dr Huda", "Dr Layla"]
    assert listed(resourceFilters={"category": api.site.categories["south"]}) == ["Dr Layla"]
    assert listed(resourceFiltersCustomFields={"specialty": "dermatology"}) == ["Dr Omar"]
    assert listed(resourceFiltersCustomFields={"specialty": ["dermatology", "pediatrics"]}) == [
        "Dr Huda",
        "Dr Omar",
        "Dr Layla",
    ]
    both = [api.site.resources["layla"], api.site.resources["omar"]]
    assert listed(resourceFilters={"resources": both}) == ["Dr Omar", "Dr Layla"]


def test_resources_page_through_every_order_and_refuse_other_tokens(api, monkeypatch):
    first = api.post("/api/availability/resources", {"limit": 2, "sortBy": "name"})
    page = first.get_json()
    assert names(page["result"]) == ["Dr Huda", "Dr Layla"]
    assert page["pagination"]["hasMore"] is True
    token = page["pagination"]["nextPageToken"]

    second = api.post(
        "/api/availability/resources", {"limit": 2, "sortBy": "name", "nextPageToken": token}
    ).get_json()
    assert names(second["result"]) == ["Dr Omar"]
    assert second["pagination"] == {"nextPageToken": None, "hasMore": False}

    newest = api.post(
        "/api/availability/resources", {"sortBy": "createdAt", "sortByDirection": "desc"}
    )
    assert names(result(newest)) == ["Dr Layla", "Dr Omar", "Dr Huda"]

    other_order = {"limit": 2, "sortBy": "createdAt", "nextPageToken": token}
    forged = {"limit": 2, "sortBy": "name", "nextPageToken": token[:-3] + "abc"}
    for body in (other_order, forged):
        refused = error(api.post("/api/availability/resources", body), 422)
        assert refused["details"]["field"] == "nextPageToken"
    types_token = api.post("/api/availability/types", {"limit": 1}).get_json()["pagination"]
    other_list = {"sortBy": "name", "nextPageToken": types_token["nextPageToken"]}
    assert error(api.post("/api/availability/resources", other_list), 422)["details"] == {
        "field": "nextPageToken"
    }
    monkeypatch.setattr(pagination, "TOKEN_MAX_AGE", -1)
    expired = error(
        api.post("/api/availability/resources", {"sortBy": "name", "nextPageToken": token}), 422
    )
    assert "expired" in expired["message"] and expired["details"]["field"] == "nextPageToken"


def test_resource_details_in_arabic(api):
    huda = api.site.resources["huda"]
    api.site.update(Resource, huda, name_translations={"ar": "د. هدى"}, description="Paediatrician")

    english = result(api.get(f"/api/availability/resources/{huda}"))
    arabic = result(api.get(f"/api/availability/resources/{huda}", lang="ar"))

    assert english["name"] == "Dr Huda" and english["description"] == "Paediatrician"
    assert arabic["name"] == "د. هدى" and arabic["name_translations"] == {"ar": "د. هدى"}
    assert error(api.get("/api/availability/resources/nope"), 404)["code"] == "NOT_FOUND"


def test_another_website_never_shows_this_ones_resources(api, next_door):
    huda = api.site.resources["huda"]

    theirs = result(next_door.post("/api/availability/resources"))
    assert huda not in {r["id"] for r in theirs}
    foreign = next_door.get(f"/api/availability/resources/{huda}")
    unknown = next_door.get("/api/availability/resources/nope0000000000000000")
    assert error(foreign, 404) == error(unknown, 404)
    narrowed = next_door.post(
        "/api/availability/resources", {"resourceFilters": {"resource": huda}}
    )
    assert error(narrowed, 404)["code"] == "INVALID_RESOURCE"
    by_type = next_door.post(
        "/api/availability/resources", {"type": api.site.types["consultation"]}
    )
    assert error(by_type, 404)["code"] == "INVALID_SERVICE"


def test_show_all_is_for_staff_only(api):
    omar = api.site.resources["omar"]
    api.site.update(Resource, omar, book_from_website=False)
    everything = {"showAll": True}

    assert names(result(api.post("/api/availability/resources"))) == ["Dr Huda", "Dr Layla"]
    staff = api.post("/api/availability/resources", everything, Authorization=api.token(staff=True))
    assert names(result(staff)) == ["Dr Huda", "Dr Omar", "Dr Layla"]
    assert error(api.get(f"/api/availability/resources/{omar}"), 404)["code"] == "NOT_FOUND"
    staff_details = api.get(
        f"/api/availability/resources/{omar}?showAll=true", Authorization=api.token(staff=True)
    )
    assert result(staff_details)["bookFromWebsite"] is False

    with api.site.db() as session:
        key = issue_organization_key(
            session, session.get(Organization, api.site.organization_id), "back office"
        )
        session.commit()
    by_key = api.post("/api/availability/resources", everything, Authorization=f"Bearer {key}")
    assert names(result(by_key)) == ["Dr Huda", "Dr Omar", "Dr Layla"]

    anonymous = error(api.post("/api/availability/resources", everything), 403)
    assert anonymous["code"] == "FORBIDDEN" and anonymous["details"] == {"field": "showAll"}
    with api.site.db() as session:
        organization = session.get(Organization, api.site.organization_id)
        customer_id = make_customer(session, organization).id
        session.commit()
    as_customer = api.post(
        "/api/availability/resources", everything, Authorization=api.token(customer_id=customer_id)
    )
    assert error(as_customer, 403)["code"] == "FORBIDDEN"
    stale = api.post("/api/availability/resources", everything, Authorization="Bearer mwa_x.y.z")
    assert error(stale, 401)["code"] == "UNAUTHORIZED"
    a_key = api.post("/api/availability/resources", everything, Authorization="Bearer mwd_k")
    assert error(a_key, 403)["code"] == "FORBIDDEN"


def test_bad_resource_requests_name_the_field(api):
    cases = [
        ({"limit": 0}, "limit"),
        ({"sortBy": "salary"}, "sortBy"),
        ({"sortByDirection": "up"}, "sortByDirection"),
        ({"showAll": "sometimes"}, "showAll"),
        ({"resourceFilters": ["x"]}, "resourceFilters"),
        ({"resourceFilters": {"doctor": "x"}}, "resourceFilters"),
        ({"resourceFiltersCustomFields": {"salary": 1}}, "resourceFiltersCustomFields"),
        ({"resourceFiltersCustomFields": {"specialty": {"a": 1}}}, "resourceFiltersCustomFields"),
    ]
    for body, field in cases:
        refused = error(api.post("/api/availability/resources", body), 422)
        assert refused["details"]["field"] == field, body
    not_json = api.client.post(
        "/api/availability/resources", data="[1]", headers={"X-APP-ID": api.app_id}
    )
    assert error(not_json, 422)["code"] == "VALIDATION_ERROR"


# -- categories and services -------------------------------------------------------------


def test_branches_come_with_their_resources_a_page_at_a_time(api):
    api.site.update(
        ResourceCategory, api.site.categories["south"], name_translations={"ar": "الجنوب"}
    )

    everything = result(api.post("/api/availability/resourceCategories"))
    assert [(c["name"], names(c["resources"])) for c in everything] == [
        ("North branch", ["Dr Huda", "Dr Omar"]),
        ("South branch", ["Dr Layla"]),
    ]
    kids = {"resourceFiltersCustomFields": {"specialty": "pediatrics"}, "limit": 1}
    first = api.post("/api/availability/resourceCategories", kids).get_json()
    assert [names(c["resources"]) for c in first["result"]] == [["Dr Huda"]]
    token = first["pagination"]["nextPageToken"]
    second = api.post(
        "/api/availability/resourceCategories", {**kids, "nextPageToken": token}, lang="ar"
    )
    page = second.get_json()
    assert [c["name"] for c in page["result"]] == ["الجنوب"]
    assert page["pagination"]["hasMore"] is False


def test_services_with_prices_and_the_real_queue_length(api, now):
    consultation = api.site.types["consultation"]
    with api.site.db() as session:
        for status, expires in [
            ("PENDING_ASSIGNMENT", None),
            ("PENDING_ASSIGNMENT", now.replace(hour=8)),
            ("PENDING_ASSIGNMENT", now.replace(hour=5)),  # timed out, not swept yet
            ("REJECTED", None),
        ]:
            session.add(
                Booking(
                    organization_id=api.site.organization_id,
                    booking_type_id=consultation,
                    status=status,
                    duration=30,
                    expires_at=expires,
                )
            )
        session.commit()

    services = result(api.post("/api/availability/types", lang="ar"))

    assert names(services) == ["استشارة", "Vaccination"]
    first = services[0]
    assert first["pendingCount"] == 2 and services[1]["pendingCount"] == 0
    assert (first["price"], first["oldPrice"], first["depositAmount"]) == (
        "150.00",
        "200.00",
        "50.00",
    )
    assert first["minutes"] == 30 and first["currency"] == "SAR"
    omar = {"resourceFilters": {"resource": api.site.resources["omar"]}}
    assert names(result(api.post("/api/availability/types", omar))) == ["Consultation"]
    one = {"type": api.site.types["vaccination"]}
    assert names(result(api.post("/api/availability/types", one))) == ["Vaccination"]
    paged = api.post("/api/availability/types", {"limit": 1}).get_json()
    token = paged["pagination"]["nextPageToken"]
    rest = api.post("/api/availability/types", {"limit": 1, "nextPageToken": token}).get_json()
    assert names(rest["result"]) == ["Vaccination"] and rest["pagination"]["hasMore"] is False


def test_an_unknown_or_foreign_service_is_invalid(api, next_door):
    foreign = next_door.site.types["consultation"]
    unknown = error(api.post("/api/availability/types", {"type": "nope"}), 404)
    theirs = error(api.post("/api/availability/types", {"type": foreign}), 404)
    assert unknown == theirs
    assert unknown["code"] == "INVALID_SERVICE" and unknown["details"] == {"field": "type"}
