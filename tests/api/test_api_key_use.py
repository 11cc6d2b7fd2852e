"""An API key notes when it was last used, at most once a minute, and many calls made at once
with one key all answer: on SQLite a read-only call that notes the use takes the write lock
first, instead of answering "database is locked" beside another one."""

from __future__ import annotations

import threading

from tests.api.management_setup import build_desk
from webapp.extensions import db
from webapp.models import ApiKey

CALLERS = 8
ROUNDS = 3


def _key_row(app, raw: str) -> ApiKey:
    with app.app_context():
        return next(k for k in db.session.query(ApiKey) if k.key_hint and raw.endswith(k.key_hint))


def _forget_use(app) -> None:
    with app.app_context():
        for key in db.session.query(ApiKey):
            key.last_used_at = None
        db.session.commit()


def test_a_key_shows_when_it_was_last_used(app):
    desk = build_desk(app)
    assert _key_row(app, desk.credentials["key"]).last_used_at is None

    assert desk.get("/api/management/resources", who="key").status_code == 200

    listed = desk.get(f"/api/management/organizations/{desk.clinic.organization_id}/apiKeys")
    [key] = [k for k in listed.get_json()["result"] if k["name"] == "tests"]
    assert key["lastUsedAt"] == app.config["MAWID_NOW"].isoformat()


def _at_once(app, headers: dict) -> list[int]:
    """``CALLERS`` calls released together; their status codes."""
    barrier = threading.Barrier(CALLERS)
    codes: list = [None] * CALLERS

    def call(index: int) -> None:
        client = app.test_client()
        barrier.wait(timeout=60)
        codes[index] = client.get("/api/management/resources", headers=headers).status_code

    threads = [threading.Thread(target=call, args=(i,)) for i in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return codes


def test_calls_made_at_once_with_one_key_all_answer(app):
    desk = build_desk(app)
    headers = {"X-APP-ID": desk.clinic.app_id, "Authorization": f"Bearer {desk.credentials['key']}"}
    for _round in range(ROUNDS):
        _forget_use(app)  # every call of the round notes the use

        assert _at_once(app, headers) == [200] * CALLERS
