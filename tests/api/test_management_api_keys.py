"""Organization and account API keys (seed 002): the raw key is shown once, in the answer
that made it; lists show the name and last characters; a key works as a credential at once
and stops the moment it is deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import Clinic, build_clinic
from tests.api.tenants import Api, account_key, error_of, organization_key, staff_token
from webapp.extensions import db
from webapp.models import ApiKey

ORGS = "/api/management/organizations"
ACCOUNT_KEYS = "/api/management/account/apiKeys"


@pytest.fixture
def api(app) -> Api:
    return Api(app)


@pytest.fixture
def north(app) -> Clinic:
    return build_clinic(app, "north")


@pytest.fixture
def south(app) -> Clinic:
    return build_clinic(app, "south")


def _keys_path(clinic) -> str:
    return f"{ORGS}/{clinic.organization_id}/apiKeys"


def _active(app, **where) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(select(ApiKey.name).filter_by(revoked_at=None, **where)).all()
        )


def test_an_organization_key_is_shown_once_and_works_until_deleted(app, api, north):
    admin = staff_token(app, north, north.admin_id)

    made = api.post(_keys_path(north), key=admin, app_id=north.app_id, json={"name": "CRM"})

    assert made.status_code == 201, made.get_json()
    assert made.headers["Cache-Control"] == "no-store"
    result = made.get_json()["result"]
    raw = result["key"]
    assert raw.startswith("mwd_") and result["keyHint"] == raw[-6:]
    assert (result["name"], result["scope"]) == ("CRM", "organization")
    assert result["organizationId"] == north.organization_id
    listed = api.get(_keys_path(north), key=admin, app_id=north.app_id)
    assert raw not in listed.get_data(as_text=True)
    assert [(k["name"], k["keyHint"]) for k in listed.get_json()["result"]] == [("CRM", raw[-6:])]
    # The key is a credential for management calls, as an admin of the clinic.
    works = api.get("/api/management/website", key=raw, app_id=north.app_id)
    assert works.status_code == 200
    assert api.get(_keys_path(north), key=raw, app_id=north.app_id).status_code == 200

    deleted = api.delete(f"{_keys_path(north)}/CRM", key=admin, app_id=north.app_id)

    assert deleted.status_code == 200
    assert deleted.get_json()["result"]["name"] == "CRM"
    assert deleted.get_json()["result"]["revokedAt"]
    assert api.get("/api/management/website", key=raw, app_id=north.app_id).status_code == 401
    assert api.get(_keys_path(north), key=admin, app_id=north.app_id).get_json()["result"] == []


def test_an_account_key_manages_any_of_its_organizations_keys_without_an_app_id(app, api, north):
    owner = account_key(app, north.owner_id)

    made = api.post(_keys_path(north), key=owner, json={"name": "Zapier"})
    removed = api.delete(_keys_path(north), key=owner, json={"name": "Zapier"})

    assert made.status_code == 201
    assert removed.status_code == 200
    assert _active(app, organization_id=north.organization_id) == []


def test_a_staff_member_cannot_manage_keys(app, api, north):
    token = staff_token(app, north, north.staff_id)

    listed = api.get(_keys_path(north), key=token, app_id=north.app_id)
    made = api.post(_keys_path(north), key=token, app_id=north.app_id, json={"name": "Mine"})
    account = api.post(ACCOUNT_KEYS, key=token, app_id=north.app_id, json={"name": "Mine"})
    staff_account = api.post(
        _keys_path(north), key=account_key(app, north.staff_id), json={"name": "Mine"}
    )

    assert listed.status_code == made.status_code == account.status_code == 403
    assert staff_account.status_code == 403
    assert _active(app, organization_id=north.organization_id) == []


def test_no_credential_gets_no_keys(app, api, north):
    assert api.get(_keys_path(north), app_id=north.app_id).status_code == 401
    assert api.get(ACCOUNT_KEYS).status_code == 401
    assert api.get(ACCOUNT_KEYS, key="mwd_forged").status_code == 401


def test_an_organization_key_cannot_touch_another_organizations_keys(app, api, north, south):
    north_key = organization_key(app, north)
    organization_key(app, south, "south-crm")

    listed = api.get(_keys_path(south), key=north_key, app_id=north.app_id)
    made = api.post(_keys_path(south), key=north_key, app_id=north.app_id, json={"name": "x"})
    deleted = api.delete(f"{_keys_path(south)}/south-crm", key=north_key, app_id=north.app_id)
    by_account = api.delete(f"{_keys_path(south)}/south-crm", key=account_key(app, north.owner_id))

    assert listed.status_code == made.status_code == deleted.status_code == 404
    assert by_account.status_code == 404
    assert _active(app, organization_id=south.organization_id) == ["south-crm"]
    # A key's name is only looked up among its own organization's keys.
    own = api.delete(f"{_keys_path(north)}/south-crm", key=north_key, app_id=north.app_id)
    assert own.status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 101}, "100"), ({"name": 5}, "name")],
)
def test_a_key_needs_a_name(app, api, north, body, message):
    response = api.post(_keys_path(north), key=account_key(app, north.owner_id), json=body)

    assert response.status_code == 422
    assert error_of(response)["details"]["field"] == "name"
    assert message in error_of(response)["message"]
    assert _active(app, organization_id=north.organization_id) == []


def test_two_active_keys_never_share_a_name(app, api, north):
    owner = account_key(app, north.owner_id)
    assert api.post(_keys_path(north), key=owner, json={"name": "CRM"}).status_code == 201

    again = api.post(_keys_path(north), key=owner, json={"name": "CRM"})
    unknown = api.delete(f"{_keys_path(north)}/Nope", key=owner)
    nameless = api.delete(_keys_path(north), key=owner, json={})

    assert again.status_code == 422 and error_of(again)["details"]["field"] == "name"
    assert unknown.status_code == 404
    assert nameless.status_code == 422 and error_of(nameless)["details"]["field"] == "name"
    assert _active(app, organization_id=north.organization_id) == ["CRM"]


def test_an_account_key_makes_account_keys_that_act_as_the_user(app, api, north):
    first = account_key(app, north.owner_id, "laptop")

    made = api.post(ACCOUNT_KEYS, key=first, json={"name": "CI server"})

    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "no-store"
    result = made.get_json()["result"]
    raw = result["key"]
    assert result["scope"] == "account" and "organizationId" not in result
    listed = api.get(ACCOUNT_KEYS, key=first)
    assert sorted(k["name"] for k in listed.get_json()["result"]) == ["CI server", "laptop"]
    assert raw not in listed.get_data(as_text=True)
    # The new key reaches the user's organizations.
    orgs = api.get(ORGS, key=raw)
    assert [o["id"] for o in orgs.get_json()["result"]] == [north.organization_id]
    assert api.get("/api/management/website", key=raw, app_id=north.app_id).status_code == 200

    deleted = api.delete(f"{ACCOUNT_KEYS}/CI server", key=first)

    assert deleted.status_code == 200
    assert api.get(ORGS, key=raw).status_code == 401
    assert _active(app, user_id=north.owner_id) == ["laptop"]


def test_account_keys_belong_to_their_user_only(app, api, north, south):
    account_key(app, south.owner_id, "south laptop")
    north_key = account_key(app, north.owner_id)

    listed = api.get(ACCOUNT_KEYS, key=north_key)
    deleted = api.delete(f"{ACCOUNT_KEYS}/south laptop", key=north_key)

    assert [k["name"] for k in listed.get_json()["result"]] == ["laptop"]
    assert deleted.status_code == 404
    assert _active(app, user_id=south.owner_id) == ["south laptop"]


def test_an_organization_key_has_no_account_keys(app, api, north):
    org_key = organization_key(app, north)

    listed = api.get(ACCOUNT_KEYS, key=org_key, app_id=north.app_id)
    made = api.post(ACCOUNT_KEYS, key=org_key, app_id=north.app_id, json={"name": "x"})
    without_app = api.get(ACCOUNT_KEYS, key=org_key)

    assert listed.status_code == made.status_code == 403
    assert without_app.status_code == 401


def test_an_admin_signed_in_manages_their_own_account_keys(app, api, north):
    token = staff_token(app, north, north.admin_id)

    made = api.post(ACCOUNT_KEYS, key=token, app_id=north.app_id, json={"name": "Phone"})
    removed = api.delete(ACCOUNT_KEYS, key=token, app_id=north.app_id, json={"name": "Phone"})

    assert made.status_code == 201 and removed.status_code == 200
    assert _active(app, user_id=north.admin_id) == []


def test_the_account_key_count_in_the_database_is_unchanged_by_a_refused_call(app, api, north):
    owner = account_key(app, north.owner_id)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(ApiKey))

    api.post(ACCOUNT_KEYS, key=owner, json={"name": ["not", "text"]})

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiKey)) == before
