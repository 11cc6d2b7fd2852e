"""API clients and booking partners through the management API: made with a name, the secret
or password answered once, listed without it, revoked by their public id; admins only, and
each organization sees only its own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api.management_setup import Desk, build_desk
from webapp.extensions import db
from webapp.manage import booking_partners
from webapp.models import ApiKey, BookingPartner, OAuthClient

CLIENTS = "/api/management/oauthClients"
PARTNERS = "/api/management/bookingPartners"
ALL_SCOPES = ["org:read", "availability:read", "appointments:write"]


@pytest.fixture
def desk(app) -> Desk:
    return build_desk(app)


def _rows(app, model, **where) -> list:
    with app.app_context():
        rows = list(db.session.scalars(select(model).filter_by(**where)))
        db.session.expunge_all()
        return rows


def _token(desk: Desk, client_id: str, secret: str | None = None):
    form = {"grant_type": "client_credentials", "client_id": client_id}
    if secret:
        form["client_secret"] = secret
    return desk.client.post("/oauth/token", data=form)


def _signs_in(app, username: str, password: str) -> bool:
    with app.app_context():
        return booking_partners.authenticate_partner(db.session, username, password) is not None


def _error(response) -> dict:
    return response.get_json()["error"]


# --- API clients ---------------------------------------------------------------------------------


def test_an_admin_adds_a_client_and_its_secret_is_answered_once(app, desk):
    made = desk.post(CLIENTS, {"name": "Clinic app", "scopes": ["availability:read"]})

    assert made.status_code == 201, made.get_json()
    assert made.headers["Cache-Control"] == "no-store"
    result = made.get_json()["result"]
    client_id, secret = result["clientId"], result["clientSecret"]
    assert client_id.startswith("mwc_") and secret.startswith("mws_")
    assert (result["name"], result["public"], result["scopes"]) == (
        "Clinic app",
        False,
        ["availability:read"],
    )
    assert result["secretHint"] == secret[-6:] and result["revokedAt"] is None
    token = _token(desk, client_id, secret)
    assert token.status_code == 200 and token.get_json()["scope"] == "availability:read"

    listed = desk.get(CLIENTS)

    assert listed.status_code == 200
    assert secret not in listed.get_data(as_text=True)
    (shown,) = listed.get_json()["result"]
    assert shown["clientId"] == client_id and "clientSecret" not in shown
    assert shown["lastUsedAt"] is not None  # it has just been used
    assert set(shown) == {
        "clientId",
        "name",
        "public",
        "scopes",
        "secretHint",
        "createdAt",
        "lastUsedAt",
        "revokedAt",
    }


def test_a_public_module_client_has_no_secret_and_every_scope_by_default(app, desk):
    made = desk.post(CLIENTS, {"name": "Website module", "public": True})

    result = made.get_json()["result"]
    assert made.status_code == 201
    assert "clientSecret" not in result
    assert (result["public"], result["scopes"], result["secretHint"]) == (True, ALL_SCOPES, None)
    assert _token(desk, result["clientId"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "App", "scopes": []}, "scopes"),
        ({"name": "App", "scopes": ["admin:all"]}, "scopes"),
        ({"name": "App", "scopes": [1, 2]}, "scopes"),
        ({"name": "App", "scopes": {"org:read": True}}, "scopes"),
        ({"name": "App", "public": "yes"}, "public"),
    ],
)
def test_bad_input_names_the_field_and_makes_nothing(app, desk, body, field):
    answer = desk.post(CLIENTS, body)

    assert answer.status_code == 422
    assert _error(answer)["code"] == "VALIDATION_ERROR"
    assert _error(answer)["details"]["field"] == field
    assert _rows(app, OAuthClient) == []


def test_a_body_that_is_not_an_object_is_refused(app, desk):
    answer = desk.call("POST", CLIENTS, data="[1]", content_type="application/json")

    assert answer.status_code == 422
    assert _rows(app, OAuthClient) == []


def test_deleting_a_client_revokes_it_and_its_tokens_at_once(app, desk):
    made = desk.post(CLIENTS, {"name": "Clinic app"}).get_json()["result"]
    refresh = _token(desk, made["clientId"], made["clientSecret"]).get_json()["refresh_token"]

    deleted = desk.delete(f"{CLIENTS}/{made['clientId']}")

    assert deleted.status_code == 200
    assert deleted.get_json()["result"]["revokedAt"] is not None
    refused = _token(desk, made["clientId"], made["clientSecret"])
    assert refused.status_code in (400, 401)
    assert refused.get_json()["error"] == "invalid_client"
    again = desk.client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": made["clientId"],
            "client_secret": made["clientSecret"],
            "refresh_token": refresh,
        },
    )
    assert again.status_code in (400, 401)
    # Revoked clients stay listed, revoked; deleting again changes nothing.
    (listed,) = desk.get(CLIENTS).get_json()["result"]
    assert listed["revokedAt"] == deleted.get_json()["result"]["revokedAt"]
    assert desk.delete(f"{CLIENTS}/{made['clientId']}").get_json() == deleted.get_json()


def test_an_organization_key_manages_clients_as_an_admin(app, desk):
    made = desk.post(CLIENTS, {"name": "Provisioned"}, who="key")

    assert made.status_code == 201
    (row,) = _rows(app, OAuthClient)
    (key,) = _rows(app, ApiKey, organization_id=desk.clinic.organization_id)
    assert row.created_by == f"api:{key.id}"


# --- booking partners ----------------------------------------------------------------------------


def test_an_admin_adds_a_partner_and_its_password_is_answered_once(app, desk):
    made = desk.post(PARTNERS, {"name": "Maps booking"}, who="owner")

    assert made.status_code == 201, made.get_json()
    assert made.headers["Cache-Control"] == "no-store"
    result = made.get_json()["result"]
    username, password = result["username"], result["password"]
    assert username.startswith("mwp_") and result["name"] == "Maps booking"
    assert _signs_in(app, username, password)
    listed = desk.get(PARTNERS)
    assert password not in listed.get_data(as_text=True)
    assert [p["username"] for p in listed.get_json()["result"]] == [username]
    assert "password" not in listed.get_json()["result"][0]

    deleted = desk.delete(f"{PARTNERS}/{username}")

    assert deleted.status_code == 200
    assert deleted.get_json()["result"]["revokedAt"] is not None
    assert not _signs_in(app, username, password)


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": ["Maps"]}, {"name": "x" * 101}])
def test_a_partner_needs_a_name(app, desk, body):
    answer = desk.post(PARTNERS, body)

    assert answer.status_code == 422
    assert _error(answer)["details"]["field"] == "name"
    assert _rows(app, BookingPartner) == []


# --- who may call, and for which organization ----------------------------------------------------


def test_staff_members_and_callers_without_credentials_are_refused(app, desk):
    made = desk.post(CLIENTS, {"name": "Clinic app"}).get_json()["result"]
    partner = desk.post(PARTNERS, {"name": "Maps booking"}).get_json()["result"]
    calls = [
        ("GET", CLIENTS, None),
        ("POST", CLIENTS, {"name": "Mine"}),
        ("DELETE", f"{CLIENTS}/{made['clientId']}", None),
        ("GET", PARTNERS, None),
        ("POST", PARTNERS, {"name": "Mine"}),
        ("DELETE", f"{PARTNERS}/{partner['username']}", None),
    ]

    as_staff = [desk.call(m, path, "staff", json=body).status_code for m, path, body in calls]
    anonymous = [desk.call(m, path, None, json=body).status_code for m, path, body in calls]

    assert as_staff == [403] * 6
    assert anonymous == [401] * 6
    assert [c.revoked_at for c in _rows(app, OAuthClient)] == [None]
    assert [p.revoked_at for p in _rows(app, BookingPartner)] == [None]


def test_another_organizations_clients_and_partners_are_out_of_reach(app, desk):
    def as_south(method: str, path: str, json=None):
        headers = {"X-APP-ID": desk.other.app_id}
        return desk.call(method, path, "south_key", json=json, headers=headers)

    south_client = as_south("POST", CLIENTS, {"name": "South app"}).get_json()["result"]
    south_partner = as_south("POST", PARTNERS, {"name": "South partner"}).get_json()["result"]
    desk.post(CLIENTS, {"name": "North app"})

    clients = desk.get(CLIENTS).get_json()["result"]
    partners = desk.get(PARTNERS).get_json()["result"]
    deletes = [
        desk.delete(f"{CLIENTS}/{south_client['clientId']}"),
        desk.delete(f"{PARTNERS}/{south_partner['username']}"),
        desk.delete(f"{CLIENTS}/mwc_unknown"),
    ]
    # A credential of the south clinic does not work with the north clinic's app id.
    crossed = desk.get(CLIENTS, who="south_key")

    assert [c["name"] for c in clients] == ["North app"] and partners == []
    assert [d.status_code for d in deletes] == [404] * 3
    assert _error(deletes[0])["code"] == "NOT_FOUND"
    assert crossed.status_code == 401
    assert as_south("GET", CLIENTS).get_json()["result"][0]["revokedAt"] is None
    assert as_south("GET", PARTNERS).get_json()["result"][0]["revokedAt"] is None


def test_the_calls_are_described_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()

    assert set(spec["paths"][CLIENTS]) == {"get", "post"}
    assert set(spec["paths"][CLIENTS + "/{client_id}"]) == {"delete"}
    assert set(spec["paths"][PARTNERS + "/{username}"]) == {"delete"}
    made = spec["paths"][CLIENTS]["post"]["responses"]["201"]["content"]["application/json"]
    assert made["example"]["result"]["clientSecret"]
    assert "clientSecret" in spec["components"]["schemas"]["NewOAuthClient"]["properties"]


def test_clients_and_partners_work_alike_on_each_database(any_app):
    desk = build_desk(any_app)

    made = desk.post(CLIENTS, {"name": "Clinic app", "scopes": ["org:read"]})
    partner = desk.post(PARTNERS, {"name": "Maps booking"})
    listed = desk.get(CLIENTS).get_json()["result"]
    deleted = desk.delete(f"{CLIENTS}/{made.get_json()['result']['clientId']}")
    partner_deleted = desk.delete(f"{PARTNERS}/{partner.get_json()['result']['username']}")

    assert made.status_code == partner.status_code == 201
    assert [c["scopes"] for c in listed] == [["org:read"]]
    assert deleted.status_code == partner_deleted.status_code == 200
    assert _token(desk, made.get_json()["result"]["clientId"], "x").status_code in (400, 401)
