"""Junk in every field of every integration's writes: each answers a 4xx (or, on the booking
server, a partner failure) and nothing is booked. A valid request is taken apart one field at
a time, the way a careless or hostile client would send it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.integrations.conftest import bearer
from tests.integrations.test_booking_server import call as partner_call
from tests.integrations.test_booking_server import make_partner, seed_create
from webapp.extensions import db
from webapp.models import Booking, Customer

START = "2026-11-22T09:00:00+03:00"
JUNK = [
    None,
    "",
    " ",
    0,
    -1,
    1.5,
    10**30,
    True,
    [],
    {},
    ["a", {"b": None}],
    "x" * 5000,
    "2026-13-45T99:99:99+03:00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "\u0000\ud7ff",
]


def _variants(body: dict, prefix: str = ""):
    """The body with one field (at any depth) replaced by each junk value, or left out."""
    for key, value in body.items():
        path = prefix + key
        for junk in JUNK:
            yield path, {**body, key: junk}
        yield path + " (left out)", {k: v for k, v in body.items() if k != key}
        if isinstance(value, dict):
            for inner, changed in _variants(value, path + "."):
                yield inner, {**body, key: changed}


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        bookings = db.session.scalar(select(func.count()).select_from(Booking))
        customers = db.session.scalar(select(func.count()).select_from(Customer))
        return bookings, customers


def _hold_id(app, site, token) -> str:
    held = app.test_client().post(
        "/api/v1/appointments/hold",
        json={"service_id": site.types["consultation"], "start": START},
        headers=bearer(token),
    )
    assert held.status_code == 201, held.get_json()
    return held.get_json()["hold_id"]


def _live_bookings(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Booking).where(Booking.status != "CANCELED")
        )


def _send_all(post, body: dict, required: set[str]) -> list[str]:
    """Send every variant; none may fail the server, junk in a required field is refused.
    Answers the paths whose variant was accepted (free text such as a name may be anything)."""
    accepted = []
    for path, variant in _variants(body):
        answer = post(variant)
        assert answer.status_code < 500, (path, variant, answer.status_code)
        if path.split(" ")[0] in required:
            assert 400 <= answer.status_code < 500, (path, variant, answer.status_code)
        elif answer.status_code < 300:
            accepted.append(path)
    return accepted


def test_hold_and_confirm_refuse_junk_in_every_field(app, site, token):
    app.config["RATELIMIT_ENABLED"] = False
    client = app.test_client()

    def hold(body):
        return client.post("/api/v1/appointments/hold", json=body, headers=bearer(token))

    def confirm(body):
        return client.post("/api/v1/appointments/confirm", json=body, headers=bearer(token))

    hold_body = {"service_id": site.types["consultation"], "start": START}
    assert _send_all(hold, hold_body, {"service_id", "start"}) == []
    assert _counts(app) == (0, 0)

    confirm_body = {
        "hold_id": _hold_id(app, site, token),
        "contact": {"name": "Sara Ali", "email": "sara@example.com", "phone": "+966501234567"},
    }
    _send_all(confirm, confirm_body, {"hold_id", "contact"})
    assert _live_bookings(app) == 1  # the hold, confirmed at most once


def test_the_module_api_refuses_junk_in_every_field(app, site, token):
    app.config["RATELIMIT_ENABLED"] = False
    client = app.test_client()
    base = f"/module/v3/en/organization/{site.organization_id}"
    template = site.types["consultation"]
    earliest = client.get(
        f"{base}/bookingTemplate/{template}/bookingSlot/earliest", headers=bearer(token)
    )
    slot_id = earliest.get_json()["bookingSlotList"][0]["id"]
    add = {
        "bookingSlotId": slot_id,
        "customer": {"firstName": "John", "lastName": "Doe", "email": "jd@scrubs.doc"},
    }

    def post(body):
        answer = client.post(f"{base}/appointment/add", json=body, headers=bearer(token))
        if answer.status_code >= 400:
            assert answer.get_json()["messageList"][0]["type"] == "ERROR"
        return answer

    _send_all(post, add, {"bookingSlotId", "customer"})
    assert _live_bookings(app) <= 1
    for query in ({"rangeStart": "2026-02-30"}, {"rangeStart": "x" * 500}, {"rangeEnd": "1"}):
        answer = client.get(
            f"{base}/bookingTemplate/{template}/bookingSlot/list",
            query_string=query,
            headers=bearer(token),
        )
        assert 400 <= answer.status_code < 500, query


def test_the_booking_server_refuses_junk_in_every_field(app, site):
    app.config["RATELIMIT_ENABLED"] = False
    partner = make_partner(app, site.organization_id)
    for n, (path, body) in enumerate(_variants(seed_create(site))):
        if not path.startswith("idempotency_token"):
            body = {**body, "idempotency_token": f"junk-{n}"}
        answer = partner_call(app, partner, "CreateBooking", body)
        assert answer.status_code < 500, (path, body, answer.status_code)
        data = answer.get_json()
        # A partner failure, a refused request, or a booking when only optional parts suffered.
        assert answer.status_code >= 400 or "booking_failure" in data or "booking" in data, path
    with app.app_context():
        live = db.session.scalar(
            select(func.count()).select_from(Booking).where(Booking.status != "CANCELED")
        )
    assert live <= 1  # whatever was sent, the slot was booked at most once


@pytest.mark.parametrize(
    "raw",
    ["", "null", "[]", "{", '"text"', json.dumps({"a": [[[[[[[[[[[[[[[]]]]]]]]]]]]]]]})],
)
def test_bodies_that_are_not_objects_are_refused_everywhere(app, site, token, raw):
    partner = make_partner(app, site.organization_id)
    client = app.test_client()
    headers = {**bearer(token), "Content-Type": "application/json"}
    answers = [
        client.post("/api/v1/appointments/hold", data=raw, headers=headers),
        client.post(
            f"/module/v3/en/organization/{site.organization_id}/appointment/add",
            data=raw,
            headers=headers,
        ),
        partner_call(app, partner, "CreateBooking", data=raw, content_type="application/json"),
        client.post("/mcp", data=raw, headers={**headers, "Accept": "application/json"}),
    ]
    for answer in answers:
        assert 400 <= answer.status_code < 500, (answer.request.path, answer.status_code)
