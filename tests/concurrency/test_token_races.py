"""Clients racing to exchange one refresh token, with real threads, on SQLite and
PostgreSQL: one exchange wins; a second presentation of the token is treated as a leak."""

from __future__ import annotations

import re
import threading

import pytest

from tests.admin.conftest import build_clinic
from tests.conftest import NOW
from webapp.auth import tokens
from webapp.extensions import db
from webapp.models import Organization, User

CLIENTS = 4


@pytest.fixture
def raw_token(any_app):
    clinic = build_clinic(any_app, "tokens")
    with any_app.app_context():
        _row, raw = tokens.issue_refresh_token(
            db.session,
            organization=db.session.get(Organization, clinic.organization_id),
            user=db.session.get(User, clinic.staff_id),
            now=NOW,
        )
        db.session.commit()
    return clinic, raw


def test_one_exchange_wins_and_the_others_revoke_the_family(any_app, raw_token):
    clinic, raw = raw_token
    barrier = threading.Barrier(CLIENTS)
    answers: list = [None] * CLIENTS

    def client(index: int) -> None:
        http = any_app.test_client()
        barrier.wait()
        answers[index] = http.get(
            f"/api/auth/token?refreshToken={raw}", headers={"X-APP-ID": clinic.app_id}
        )

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [401] * (CLIENTS - 1), codes
    winner = next(a for a in answers if a.status_code == 200).get_json()["result"]
    with any_app.app_context():
        # Someone presented the token twice: nobody keeps a usable token of this sign-in.
        assert tokens.find_refresh_token(db.session, winner["refreshToken"], NOW) is None


def test_a_code_signs_in_once_however_many_use_it_at_once(any_app):
    clinic = build_clinic(any_app, "codes")
    any_app.config["MESSAGES_CAPTURE"] = []
    headers = {"X-APP-ID": clinic.app_id}
    identity = {"method": "email", "email": "codes-owner@example.com", "isOrgMember": True}
    asked = any_app.test_client().post("/api/auth/otp/request", json=identity, headers=headers)
    assert asked.status_code == 200
    code = re.search(r"\b(\d{6})\b", any_app.config["MESSAGES_CAPTURE"][-1]["text"]).group(1)
    barrier = threading.Barrier(CLIENTS)
    answers: list = [None] * CLIENTS

    def client(index: int) -> None:
        http = any_app.test_client()
        barrier.wait()
        answers[index] = http.post(
            "/api/auth/otp/verify", json={**identity, "code": code}, headers=headers
        )

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [422] * (CLIENTS - 1), codes
