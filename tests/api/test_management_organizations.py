"""Manage Organizations (seed 002): an account API key lists and creates its user's
organizations, each reached by id with the user's role there; a closed organization
disappears from its website and the API."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import Clinic, build_clinic
from tests.api.tenants import Api, account_key, error_of, organization_key, staff_token
from webapp.extensions import db
from webapp.models import Organization

ORGS = "/api/management/organizations"


@pytest.fixture
def api(app) -> Api:
    return Api(app)


@pytest.fixture
def north(app) -> Clinic:
    return build_clinic(app, "north")


@pytest.fixture
def south(app) -> Clinic:
    return build_clinic(app, "south")


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Organization))


def test_an_account_key_creates_an_organization_it_then_manages_by_its_app_id(app, api, north):
    key = account_key(app, north.owner_id)

    made = api.post(
        ORGS,
        key=key,
        json={
            "name": "East Dental",
            "timezone": "Asia/Dubai",
            "businessTypeId": "dental",
            "businessCustomConfig": {"chairs": 4},
        },
    )

    assert made.status_code == 201, made.get_json()
    result = made.get_json()["result"]
    assert result["name"] == "East Dental" and result["timezone"] == "Asia/Dubai"
    assert result["role"] == "owner"
    assert result["businessTypeId"] == "dental"
    assert result["businessCustomConfig"] == {"chairs": 4}
    assert result["slug"] == "east-dental" and result["appId"]
    assert result["websiteUrl"].endswith("/east-dental/")
    # Management calls then send that appId as X-APP-ID.
    detail = api.get(f"{ORGS}/{result['id']}", key=key, app_id=result["appId"])
    assert detail.status_code == 200
    assert detail.get_json()["result"]["id"] == result["id"]
    website = api.get("/api/management/website", key=key, app_id=result["appId"])
    assert website.status_code == 200
    assert website.get_json()["result"]["name"] == "East Dental"
    assert app.test_client().get("/east-dental/").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Asia/Riyadh"}, "name"),
        ({"name": "  ", "timezone": "Asia/Riyadh"}, "name"),
        ({"name": 42, "timezone": "Asia/Riyadh"}, "name"),
        ({"name": "East", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "East"}, "timezone"),
        ({"name": "East", "timezone": "Asia/Riyadh", "businessCustomConfig": [1]}, None),
        ({"name": "East", "timezone": "Asia/Riyadh", "businessTypeId": 7}, "businessTypeId"),
        ({"name": "East", "timezone": "Asia/Riyadh", "slug": "north-clinic"}, "slug"),
        ({"name": "East", "timezone": "Asia/Riyadh", "slug": "api"}, "slug"),
    ],
)
def test_a_new_organization_needs_a_name_and_a_real_time_zone(app, api, north, body, field):
    key = account_key(app, north.owner_id)
    before = _count(app)

    response = api.post(ORGS, key=key, json=body)

    assert response.status_code == 422
    assert error_of(response)["details"]["field"] == (field or "businessCustomConfig")
    assert _count(app) == before


def test_only_an_account_key_creates_organizations(app, api, north):
    body = {"name": "East", "timezone": "Asia/Riyadh"}

    no_credential = api.post(ORGS, json=body)
    org_key = api.post(ORGS, key=organization_key(app, north), app_id=north.app_id, json=body)
    owner_token = staff_token(app, north, north.owner_id)
    token = api.post(ORGS, key=owner_token, app_id=north.app_id, json=body)

    assert no_credential.status_code == 401
    assert error_of(no_credential)["code"] == "UNAUTHORIZED"
    assert org_key.status_code == token.status_code == 403
    assert _count(app) == 1


def test_the_account_lists_its_users_organizations_page_by_page(app, api, north, south):
    key = account_key(app, north.owner_id)
    for name in ("East", "West"):
        assert api.post(ORGS, key=key, json={"name": name, "timezone": "UTC"}).status_code == 201

    first = api.get(f"{ORGS}?limit=2", key=key)
    token = first.get_json()["pagination"]["nextPageToken"]
    second = api.get(f"{ORGS}?limit=2&nextPageToken={token}", key=key)

    assert first.status_code == second.status_code == 200
    assert first.get_json()["pagination"]["hasMore"] is True
    assert second.get_json()["pagination"] == {"nextPageToken": None, "hasMore": False}
    names = [o["name"] for o in first.get_json()["result"] + second.get_json()["result"]]
    assert names == ["North Clinic", "East", "West"]  # not the south clinic: not theirs
    assert {o["role"] for o in first.get_json()["result"]} == {"owner"}


def test_a_forged_or_foreign_page_token_is_refused(app, api, north):
    key = account_key(app, north.owner_id)

    forged = api.get(f"{ORGS}?nextPageToken=abc", key=key)
    too_many = api.get(f"{ORGS}?limit=1000", key=key)

    assert forged.status_code == too_many.status_code == 422
    assert error_of(forged)["details"]["field"] == "nextPageToken"
    assert error_of(too_many)["details"]["field"] == "limit"


def test_an_organization_key_and_a_staff_token_list_their_own_organization(app, api, north):
    by_key = api.get(ORGS, key=organization_key(app, north), app_id=north.app_id)
    by_token = api.get(ORGS, key=staff_token(app, north, north.staff_id), app_id=north.app_id)

    assert [o["id"] for o in by_key.get_json()["result"]] == [north.organization_id]
    assert by_key.get_json()["result"][0]["role"] == "admin"
    assert [(o["id"], o["role"]) for o in by_token.get_json()["result"]] == [
        (north.organization_id, "staff")
    ]


def test_an_organization_is_read_with_the_callers_role_there(app, api, north):
    account = api.get(f"{ORGS}/{north.organization_id}", key=account_key(app, north.admin_id))
    token = staff_token(app, north, north.staff_id)
    staff = api.get(f"{ORGS}/{north.organization_id}", key=token, app_id=north.app_id)

    assert account.status_code == staff.status_code == 200
    assert account.get_json()["result"]["role"] == "admin"
    assert staff.get_json()["result"]["role"] == "staff"
    assert staff.get_json()["result"]["appId"] == north.app_id


def test_another_organizations_id_answers_like_an_unknown_one(app, api, north, south):
    owner_key = account_key(app, north.owner_id)
    org_key = organization_key(app, north)

    foreign = api.get(f"{ORGS}/{south.organization_id}", key=owner_key)
    unknown = api.get(f"{ORGS}/nosuchorganization00", key=owner_key)
    by_org_key = api.get(f"{ORGS}/{south.organization_id}", key=org_key, app_id=north.app_id)
    changed = api.put(
        f"{ORGS}/{south.organization_id}",
        key=org_key,
        app_id=north.app_id,
        json={"name": "Taken over", "timezone": "UTC"},
    )
    wrong_app = api.get(f"{ORGS}/{south.organization_id}", key=org_key, app_id=south.app_id)

    assert foreign.status_code == unknown.status_code == by_org_key.status_code == 404
    assert changed.status_code == 404
    assert error_of(foreign) == error_of(unknown) == error_of(by_org_key)
    assert wrong_app.status_code == 401  # the key is not a credential of the south clinic
    with app.app_context():
        assert db.session.get(Organization, south.organization_id).name == "South Clinic"


def test_an_admin_renames_the_organization_and_sets_its_time_zone(app, api, north):
    token = staff_token(app, north, north.admin_id)

    response = api.put(
        f"{ORGS}/{north.organization_id}",
        key=token,
        app_id=north.app_id,
        json={"name": "North Clinic & Labs", "timezone": "Asia/Dubai", "businessTypeId": "lab"},
    )

    assert response.status_code == 200, response.get_json()
    result = response.get_json()["result"]
    assert (result["name"], result["timezone"], result["businessTypeId"]) == (
        "North Clinic & Labs",
        "Asia/Dubai",
        "lab",
    )
    with app.app_context():
        row = db.session.get(Organization, north.organization_id)
        assert (row.name, row.timezone) == ("North Clinic & Labs", "Asia/Dubai")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "UTC"}, "name"),
        ({"name": "x" * 201, "timezone": "UTC"}, "name"),
        ({"name": "North", "timezone": "Nowhere"}, "timezone"),
        ({"name": "North", "timezone": "UTC", "businessCustomConfig": "big"}, None),
    ],
)
def test_a_bad_update_names_its_field_and_changes_nothing(app, api, north, body, field):
    response = api.put(
        f"{ORGS}/{north.organization_id}", key=account_key(app, north.owner_id), json=body
    )

    assert response.status_code == 422
    assert error_of(response)["details"]["field"] == (field or "businessCustomConfig")
    with app.app_context():
        row = db.session.get(Organization, north.organization_id)
        assert (row.name, row.timezone) == ("North Clinic", "Asia/Riyadh")


def test_a_staff_member_cannot_change_or_close_the_organization(app, api, north):
    token = staff_token(app, north, north.staff_id)
    path = f"{ORGS}/{north.organization_id}"

    changed = api.put(path, key=token, app_id=north.app_id, json={"name": "X", "timezone": "UTC"})
    closed = api.delete(path, key=token, app_id=north.app_id)

    assert changed.status_code == closed.status_code == 403
    assert error_of(closed)["code"] == "FORBIDDEN"


def test_only_an_owner_closes_the_organization(app, api, north):
    path = f"{ORGS}/{north.organization_id}"

    by_admin = api.delete(path, key=account_key(app, north.admin_id))
    by_org_key = api.delete(path, key=organization_key(app, north), app_id=north.app_id)

    assert by_admin.status_code == by_org_key.status_code == 403
    with app.app_context():
        assert db.session.get(Organization, north.organization_id).is_deleted is False


def test_a_closed_organization_disappears_from_its_website_and_the_api(app, api, north):
    owner = account_key(app, north.owner_id)
    org_key = organization_key(app, north)
    assert app.test_client().get("/north-clinic/").status_code == 200

    closed = api.delete(f"{ORGS}/{north.organization_id}", key=owner)

    assert closed.status_code == 200
    result = closed.get_json()["result"]
    assert result["id"] == north.organization_id and result["isDeleted"] is True
    assert result["deletedAt"]
    with app.app_context():
        row = db.session.get(Organization, north.organization_id)
        assert row.is_deleted is True and row.deleted_at is not None  # kept, not erased
    assert app.test_client().get("/north-clinic/").status_code == 404
    assert api.get("/api/website", app_id=north.app_id).status_code == 404
    assert api.get(ORGS, key=org_key, app_id=north.app_id).status_code == 404
    assert api.get(f"{ORGS}/{north.organization_id}", key=owner).status_code == 404
    assert api.get(ORGS, key=owner).get_json()["result"] == []


def test_permanent_deletion_is_refused_and_nothing_is_closed(app, api, north):
    response = api.delete(
        f"{ORGS}/{north.organization_id}?hardDelete=true", key=account_key(app, north.owner_id)
    )

    assert response.status_code == 422
    assert error_of(response)["details"]["field"] == "hardDelete"
    assert app.test_client().get("/north-clinic/").status_code == 200


def test_create_list_page_and_close_work_on_each_database(any_app):
    clinic = build_clinic(any_app, "north")
    api = Api(any_app)
    key = account_key(any_app, clinic.owner_id)
    made = api.post(ORGS, key=key, json={"name": "East", "timezone": "Asia/Riyadh"})
    assert made.status_code == 201

    first = api.get(f"{ORGS}?limit=1", key=key).get_json()
    token = first["pagination"]["nextPageToken"]
    second = api.get(f"{ORGS}?limit=1&nextPageToken={token}", key=key).get_json()
    closed = api.delete(f"{ORGS}/{made.get_json()['result']['id']}", key=key)

    assert [o["name"] for o in first["result"] + second["result"]] == ["North Clinic", "East"]
    assert closed.status_code == 200
    assert [o["name"] for o in api.get(ORGS, key=key).get_json()["result"]] == ["North Clinic"]
