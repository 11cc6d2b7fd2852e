"""``/oauth/token``: API clients get tokens the way seeds 001 and 003 describe, with an OAuth
client library as integrators use one; expired, revoked, foreign and under-scoped tokens are
refused where they are presented."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from authlib.integrations.requests_client import OAuth2Session

from tests.integrations.conftest import access_token, bearer, register_client, serving
from webapp.extensions import db
from webapp.manage import oauth_clients
from webapp.models import Organization, RefreshToken, Website

TOKEN = "/oauth/token"


def _post(app, data=None, **kwargs):
    return app.test_client().post(TOKEN, data=data, **kwargs)


def _credentials(registered) -> dict:
    return {
        "grant_type": "client_credentials",
        "client_id": registered.client_id,
        "client_secret": registered.secret,
    }


def _later(app, seconds: int) -> None:
    app.config["MAWID_NOW"] += timedelta(seconds=seconds)


# --- an OAuth client library ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_authlib_client_gets_a_refresh_token_then_an_organization_token(app, site, method):
    registered = register_client(app, site.organization_id)
    with serving(app) as base:
        oauth = OAuth2Session(
            registered.client_id, registered.secret, token_endpoint_auth_method=method
        )
        first = oauth.fetch_token(base + TOKEN, grant_type="client_credentials")
        assert first["token_type"] == "Bearer"
        assert first["expires_in"] == 300
        assert first["refresh_token"].startswith("mwr_")
        assert first["scope"] == "org:read availability:read appointments:write"

        second = oauth.refresh_token(
            base + TOKEN,
            refresh_token=first["refresh_token"],
            organization_id=site.organization_id,
        )
        assert second["expires_in"] == 300
        assert second["access_token"].startswith("mwa_")
        # authlib keeps the refresh token it had, since none came back: it stays valid.
        assert second["refresh_token"] == first["refresh_token"]

        services = oauth.get(base + "/api/v1/services")
        assert services.status_code == 200
        assert {s["name"] for s in services.json()["services"]} == {"Consultation", "Vaccination"}


def test_form_and_json_bodies_are_both_accepted(app, registered):
    form = _post(app, data=_credentials(registered))
    as_json = _post(app, json=_credentials(registered))
    assert form.status_code == as_json.status_code == 200
    assert form.headers["Cache-Control"] == "no-store"
    # Seed 001 sends a form body under a JSON content type; it is read as a form.
    mislabelled = _post(
        app,
        data=urlencode(_credentials(registered)),
        content_type="application/json",
    )
    assert mislabelled.status_code == 200


# --- lifetimes --------------------------------------------------------------------------------


def test_access_token_lives_five_minutes(app, site, registered):
    token = access_token(app, registered)
    _later(app, 299)
    assert app.test_client().get("/api/v1/services", headers=bearer(token)).status_code == 200
    _later(app, 1)
    refused = app.test_client().get("/api/v1/services", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "UNAUTHORIZED"


def test_refresh_token_is_exchanged_again_and_again_for_thirty_minutes(app, site, registered):
    refresh = _post(app, data=_credentials(registered)).get_json()["refresh_token"]
    exchange = {
        **_credentials(registered),
        "grant_type": "refresh_token",
        "refresh_token": refresh,
        "organization_id": site.organization_id,
    }
    assert _post(app, data=exchange).status_code == 200
    _later(app, 1799)
    assert _post(app, data=exchange).status_code == 200
    _later(app, 1)
    expired = _post(app, data=exchange)
    assert expired.status_code == 400
    assert expired.get_json()["error"] == "invalid_grant"


# --- scopes -----------------------------------------------------------------------------------


def test_a_narrower_scope_can_be_asked_for_and_is_enforced(app, site, registered):
    token = access_token(app, registered, scope="org:read")
    client = app.test_client()
    assert client.get("/api/v1/services", headers=bearer(token)).status_code == 200
    refused = client.get(
        "/api/v1/availability",
        query_string={"service_id": site.types["consultation"], "date": "2026-11-22"},
        headers=bearer(token),
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "FORBIDDEN"
    assert "availability:read" in refused.headers["WWW-Authenticate"]


def test_a_scope_the_client_was_not_granted_is_refused(app, site):
    reader = register_client(app, site.organization_id, scopes=["org:read"])
    for scope in ("appointments:write", "org:read admin"):
        answer = _post(app, data={**_credentials(reader), "scope": scope})
        assert answer.status_code == 400
        assert answer.get_json()["error"] == "invalid_scope"
    token = access_token(app, reader)
    held = app.test_client().post(
        "/api/v1/appointments/hold",
        json={"service_id": site.types["consultation"], "start": "2026-11-22T09:00:00+03:00"},
        headers=bearer(token),
    )
    assert held.status_code == 403


def test_a_scope_taken_from_the_client_stops_its_live_tokens(app, site, registered):
    token = access_token(app, registered)
    with app.app_context():
        row = oauth_clients.find_client(db.session, registered.client_id)
        row.scopes = ["availability:read"]
        db.session.commit()
    assert app.test_client().get("/api/v1/services", headers=bearer(token)).status_code == 403


# --- who may ask ------------------------------------------------------------------------------


def test_wrong_or_missing_secrets_are_refused(app, site, registered):
    public = register_client(app, site.organization_id, public=True)
    attempts = [
        {**_credentials(registered), "client_secret": "mws_wrong"},
        {"grant_type": "client_credentials", "client_id": registered.client_id},
        {"grant_type": "client_credentials", "client_id": "mwc_unknown"},
        # A public client has no secret; one sent is not its own.
        {"grant_type": "client_credentials", "client_id": public.client_id, "client_secret": "x"},
    ]
    for data in attempts:
        answer = _post(app, data=data)
        assert answer.status_code == 401, data
        assert answer.get_json()["error"] == "invalid_client"
        assert "access_token" not in answer.get_json()


def test_a_refresh_token_serves_its_own_client_and_organization_only(app, site, other_site):
    ours = register_client(app, site.organization_id)
    theirs = register_client(app, other_site.organization_id)
    refresh = _post(app, data=_credentials(ours)).get_json()["refresh_token"]
    as_other_org = _post(
        app,
        data={
            **_credentials(ours),
            "grant_type": "refresh_token",
            "refresh_token": refresh,
            "organization_id": other_site.organization_id,
        },
    )
    assert as_other_org.status_code == 400
    assert as_other_org.get_json()["error"] == "invalid_grant"
    as_other_client = _post(
        app,
        data={**_credentials(theirs), "grant_type": "refresh_token", "refresh_token": refresh},
    )
    assert as_other_client.get_json()["error"] == "invalid_grant"


def test_a_token_reads_its_own_organization_only(app, site, other_site, registered):
    token = access_token(app, registered)
    answer = app.test_client().get(
        "/api/v1/availability",
        query_string={"service_id": other_site.types["consultation"], "date": "2026-11-22"},
        headers=bearer(token),
    )
    assert answer.status_code == 404
    # The management API takes staff tokens and keys, never a client's token.
    with app.app_context():
        app_id = db.session.get(Website, site.website_id).app_id
    managed = app.test_client().get(
        "/api/management/bookings", headers={**bearer(token), "X-APP-ID": app_id}
    )
    assert managed.status_code == 401


def test_revoking_a_client_stops_its_tokens_at_once(app, site, registered):
    refresh = _post(app, data=_credentials(registered)).get_json()["refresh_token"]
    token = access_token(app, registered)
    with app.app_context():
        organization = db.session.get(Organization, site.organization_id)
        oauth_clients.revoke_client(
            db.session, organization, registered.client_id, now=app.config["MAWID_NOW"]
        )
        db.session.commit()
        assert db.session.query(RefreshToken).filter_by(revoked_at=None).count() == 0
    assert app.test_client().get("/api/v1/services", headers=bearer(token)).status_code == 401
    assert _post(app, data=_credentials(registered)).status_code == 401
    again = _post(
        app,
        data={**_credentials(registered), "grant_type": "refresh_token", "refresh_token": refresh},
    )
    assert again.status_code == 401


# --- bad requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ("grant_type=password&username=a&password=b", None, "unsupported_grant_type"),
        ("", None, "unsupported_grant_type"),
        ("{not json", "application/json", "invalid_request"),
        ('["a list"]', "application/json", "unsupported_grant_type"),
    ],
)
def test_bad_token_requests_get_an_oauth_error(app, registered, body, content_type, error):
    answer = _post(
        app,
        data=body,
        content_type=content_type or "application/x-www-form-urlencoded",
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"] == error


def test_a_refresh_request_without_its_token_is_refused(app, registered):
    answer = _post(app, data={**_credentials(registered), "grant_type": "refresh_token"})
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_request"


def test_a_huge_body_is_refused(app, registered):
    answer = _post(app, data={**_credentials(registered), "padding": "x" * 20_000})
    assert answer.status_code == 413


def test_token_requests_are_rate_limited(app, registered):
    app.config["OAUTH_TOKEN_RATE_LIMIT"] = "3/minute"
    answers = [_post(app, data=_credentials(registered)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].headers["Retry-After"]
