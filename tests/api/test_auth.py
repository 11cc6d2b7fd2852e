"""The API's authentication (seed 002): one-time codes for staff (isOrgMember) and
customers, refresh tokens that rotate, and what a leaked or foreign token gets."""

from __future__ import annotations

import re

import pytest

from tests.admin.conftest import build_clinic
from webapp.extensions import db
from webapp.models import Customer, RefreshToken


@pytest.fixture
def api(app):
    """A client speaking to the north clinic's website, with every message captured."""
    app.config["MESSAGES_CAPTURE"] = []
    clinic = build_clinic(app, "north")
    client = app.test_client()
    client.clinic = clinic
    client.headers = {"X-APP-ID": clinic.app_id}
    return client


def _post(api, path, json, **headers):
    return api.post(path, json=json, headers={**api.headers, **headers})


def _code(app) -> str:
    return re.search(r"\b(\d{6})\b", app.config["MESSAGES_CAPTURE"][-1]["text"]).group(1)


def _sign_in(app, api, **identity) -> dict:
    asked = _post(api, "/api/auth/otp/request", identity)
    assert asked.status_code == 200, asked.get_json()
    answer = _post(api, "/api/auth/otp/verify", {**identity, "code": _code(app)})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["result"]


def test_a_staff_member_signs_in_with_a_code_and_gets_tokens_for_the_admin_widgets(app, api):
    staff = {"method": "email", "email": "NORTH-doctor@example.com", "isOrgMember": True}

    result = _sign_in(app, api, **staff)

    assert result["refreshToken"].startswith("mwr_")
    assert result["accessToken"].startswith("mwa_")
    assert result["user"]["role"] == "staff" and result["user"]["isOrgMember"] is True
    # The access token opens the add-appointment widget as that staff member.
    form = api.get(
        f"/webviews/add-appointment/form?orgId={api.clinic.organization_id}",
        headers={"Authorization": f"Bearer {result['accessToken']}"},
    )
    assert form.status_code == 200


def test_an_unknown_staff_address_gets_the_same_answer_and_no_code(app, api):
    known = _post(
        api,
        "/api/auth/otp/request",
        {"method": "email", "email": "north-admin@example.com", "isOrgMember": True},
    )
    unknown = _post(
        api,
        "/api/auth/otp/request",
        {"method": "email", "email": "stranger@example.com", "isOrgMember": True},
    )

    assert known.status_code == unknown.status_code == 200
    assert known.get_json() == unknown.get_json()
    assert [m["to"] for m in app.config["MESSAGES_CAPTURE"]] == ["north-admin@example.com"]


def test_a_customer_signs_in_by_phone_and_becomes_a_customer(app, api):
    result = _sign_in(app, api, method="sms", phoneNumber="+966 50 123 4567")

    assert result["user"]["isOrgMember"] is False
    with app.app_context():
        customer = db.session.get(Customer, result["user"]["id"])
        assert customer.phone == "+966501234567"
        assert customer.organization_id == api.clinic.organization_id
    # A customer's token is not a staff member's: the admin widgets refuse it.
    form = api.get(
        f"/webviews/add-appointment/form?orgId={api.clinic.organization_id}",
        headers={"Authorization": f"Bearer {result['accessToken']}"},
    )
    assert form.status_code == 401


def test_guessing_codes_is_stopped_after_five_tries(app, api):
    identity = {"method": "email", "email": "north-owner@example.com", "isOrgMember": True}
    _post(api, "/api/auth/otp/request", identity)
    right = _code(app)
    wrong = "000000" if right != "000000" else "111111"

    answers = [_post(api, "/api/auth/otp/verify", {**identity, "code": wrong}) for _ in range(5)]
    last = _post(api, "/api/auth/otp/verify", {**identity, "code": right})

    assert [a.get_json()["error"]["code"] for a in answers[:4]] == ["OTP_INVALID"] * 4
    assert last.status_code == 422
    assert last.get_json()["error"]["code"] == "OTP_EXPIRED"


def test_refresh_tokens_rotate_and_a_reused_one_revokes_its_family(app, api):
    first = _sign_in(app, api, method="email", email="north-owner@example.com", isOrgMember=True)

    second = api.get(f"/api/auth/token?refreshToken={first['refreshToken']}", headers=api.headers)
    assert second.status_code == 200
    newer = second.get_json()["result"]
    assert newer["refreshToken"] != first["refreshToken"]

    reused = api.get(f"/api/auth/token?refreshToken={first['refreshToken']}", headers=api.headers)
    assert reused.status_code == 401
    assert reused.get_json()["error"]["code"] == "TOKEN_REUSED"
    after = api.get(f"/api/auth/token?refreshToken={newer['refreshToken']}", headers=api.headers)
    assert after.status_code == 401  # the thief's copy and the owner's both stop
    with app.app_context():
        assert all(row.revoked_at for row in db.session.scalars(db.select(RefreshToken)))


def test_a_token_of_another_organization_is_refused(app, api):
    result = _sign_in(app, api, method="email", email="north-owner@example.com", isOrgMember=True)
    south = build_clinic(app, "south")

    answer = api.get(
        f"/api/auth/token?refreshToken={result['refreshToken']}", headers={"X-APP-ID": south.app_id}
    )

    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"method": "pigeon", "email": "a@example.com"}, "method"),
        ({"method": {}, "email": "a@example.com"}, "method"),
        ({"method": ["email"], "email": "a@example.com"}, "method"),
        ({"method": "email"}, "email"),
        ({"method": "sms", "phoneNumber": "12"}, "phoneNumber"),
        ({"method": "email", "email": "a@example.com", "isOrgMember": "yes"}, "isOrgMember"),
    ],
)
def test_bad_requests_name_the_field(api, payload, field):
    answer = _post(api, "/api/auth/otp/request", payload)

    assert answer.status_code == 422
    assert answer.get_json()["error"]["details"]["field"] == field


def test_without_an_app_id_the_api_says_which_header_is_missing(app, api):
    answer = app.test_client().post("/api/auth/otp/request", json={"method": "email"})

    assert answer.status_code == 404
    assert answer.get_json()["error"]["details"] == {"header": "X-APP-ID"}


def test_too_many_code_requests_are_answered_429_with_retry_after(app, api):
    identity = {"method": "email", "email": "north-owner@example.com", "isOrgMember": True}
    answers = [_post(api, "/api/auth/otp/request", identity) for _ in range(6)]

    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[-1].get_json()["error"]["code"] == "RATE_LIMITED"
    assert int(answers[-1].headers["Retry-After"]) > 0
