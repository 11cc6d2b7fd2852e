"""Manage Webhooks (seed 002): subscriptions to a trigger at an https address, the signing
secret shown once, deleting by trigger and address, and sample payloads in the seed's
shape (seed 000's envelope for its event names)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from tests.admin.conftest import Clinic, build_clinic
from tests.api.tenants import Api, error_of, organization_key, staff_token
from webapp.extensions import db
from webapp.models import BookingType, WebhookSubscription
from webapp.notify.triggers import ALIASES, TRIGGERS

HOOKS = "/api/management/webhooks"
HOOK_URL = "https://crm.example.com/hooks/mawid"


@pytest.fixture
def api(app) -> Api:
    return Api(app)


@pytest.fixture
def north(app) -> Clinic:
    return build_clinic(app, "north")


@pytest.fixture
def south(app) -> Clinic:
    return build_clinic(app, "south")


def _rows(app, clinic, *, active=True) -> list[WebhookSubscription]:
    with app.app_context():
        query = select(WebhookSubscription).filter_by(organization_id=clinic.organization_id)
        if active:
            query = query.filter_by(disabled_at=None)
        rows = list(db.session.scalars(query.order_by(WebhookSubscription.created_at)))
        db.session.expunge_all()
        return rows


@pytest.fixture
def admin(app, north) -> dict:
    return {"key": staff_token(app, north, north.admin_id), "app_id": north.app_id}


def test_a_subscription_answers_its_secret_once_and_lists_without_it(app, api, north, admin):
    response = api.post(
        HOOKS, json={"trigger": "newBooking", "url": HOOK_URL, "reference": "crm-1"}, **admin
    )

    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["result"] == "success"
    assert answer["secret"].startswith("whsec_") and len(answer["secret"]) > 30
    assert response.headers["Cache-Control"] == "no-store"
    (row,) = _rows(app, north)
    assert (row.trigger, row.url, row.reference) == ("newBooking", HOOK_URL, "crm-1")
    assert row.secret == answer["secret"]  # kept to sign deliveries
    listed = api.get(HOOKS, **admin)
    assert listed.status_code == 200
    assert answer["secret"] not in listed.get_data(as_text=True)
    (item,) = listed.get_json()["result"]
    assert (item["trigger"], item["url"], item["reference"]) == ("newBooking", HOOK_URL, "crm-1")
    assert listed.get_json()["pagination"]["hasMore"] is False


@pytest.mark.parametrize("trigger", [*TRIGGERS, *ALIASES])
def test_every_seed_trigger_and_event_name_can_be_subscribed(app, api, north, admin, trigger):
    response = api.post(HOOKS, json={"trigger": trigger, "url": HOOK_URL}, **admin)

    assert response.status_code == 201
    assert [r.trigger for r in _rows(app, north)] == [trigger]


def test_the_seed_trigger_ids_are_spelled_as_the_seed_spells_them():
    assert set(TRIGGERS) == {
        "newBooking",
        "newAppointment",
        "appointmentRescheduled",
        "bookingRejected",
        "customerCanceled",
        "providerCanceled",
        "bookingUnassigned",
        "bookingAssigned",
        "bookingExpired",
        "queuePositionUpdated",
        "oneDayBeforeAppointment",
        "oneHourBeforeAppointment",
        "tenMinutesBeforeAppointment",
        "beforeAppointment",
        "afterAppointment",
        "oneDayAfterAppointment",
    }
    assert set(ALIASES) == {
        "booking.created",
        "booking.confirmed",
        "booking.cancelled",
        "booking.completed",
        "booking.rescheduled",
    }


def test_adding_the_same_subscription_again_renews_its_secret(app, api, north, admin):
    body = {"trigger": "newAppointment", "url": HOOK_URL}
    first = api.post(HOOKS, json=body, **admin).get_json()["secret"]

    again = api.post(HOOKS, json=body, **admin)

    assert again.status_code == 200
    assert again.get_json()["secret"] != first
    (row,) = _rows(app, north)
    assert row.secret == again.get_json()["secret"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": HOOK_URL}, "trigger"),
        ({"trigger": "bookingConfirmed", "url": HOOK_URL}, "trigger"),
        ({"trigger": ["newBooking"], "url": HOOK_URL}, "trigger"),
        ({"trigger": "newBooking"}, "url"),
        ({"trigger": "newBooking", "url": "http://crm.example.com/hook"}, "url"),
        ({"trigger": "newBooking", "url": "ftp://crm.example.com/hook"}, "url"),
        ({"trigger": "newBooking", "url": "https://localhost/hook"}, "url"),
        ({"trigger": "newBooking", "url": "https://127.0.0.1/hook"}, "url"),
        ({"trigger": "newBooking", "url": "https://10.1.2.3/hook"}, "url"),
        ({"trigger": "newBooking", "url": "https://[::1]/hook"}, "url"),
        ({"trigger": "newBooking", "url": "https://169.254.169.254/latest"}, "url"),
        ({"trigger": "newBooking", "url": "https://intranet/hook"}, "url"),
        ({"trigger": "newBooking", "url": "https://printer.local/hook"}, "url"),
        ({"trigger": "newBooking", "url": "https://user:pw@crm.example.com/"}, "url"),
        ({"trigger": "newBooking", "url": 42}, "url"),
        ({"trigger": "newBooking", "url": HOOK_URL, "reference": "r" * 201}, "reference"),
    ],
)
def test_a_bad_subscription_names_its_field_and_saves_nothing(app, api, north, admin, body, field):
    response = api.post(HOOKS, json=body, **admin)

    assert response.status_code == 422
    assert error_of(response)["details"]["field"] == field
    assert _rows(app, north, active=False) == []


def test_loopback_addresses_are_let_through_only_when_the_app_allows_them(app, api, north, admin):
    body = {"trigger": "newBooking", "url": "http://localhost:9000/hook"}
    assert api.post(HOOKS, json=body, **admin).status_code == 422

    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = True
    allowed = api.post(HOOKS, json=body, **admin)
    public_http = api.post(HOOKS, json={**body, "url": "http://crm.example.com/"}, **admin)

    assert allowed.status_code == 201
    assert public_http.status_code == 422  # only loopback may skip https


def test_deleting_by_trigger_and_address_stops_those_subscriptions(app, api, north, admin):
    for reference in ("a", "b"):
        body = {"trigger": "customerCanceled", "url": HOOK_URL, "reference": reference}
        api.post(HOOKS, json=body, **admin)
    api.post(HOOKS, json={"trigger": "newBooking", "url": HOOK_URL}, **admin)

    one = api.delete(
        HOOKS, json={"trigger": "customerCanceled", "url": HOOK_URL, "reference": "a"}, **admin
    )

    assert one.status_code == 200 and one.get_json() == {"result": "success"}
    assert sorted((r.trigger, r.reference) for r in _rows(app, north)) == [
        ("customerCanceled", "b"),
        ("newBooking", ""),
    ]
    every = api.delete(HOOKS, json={"trigger": "customerCanceled", "url": HOOK_URL}, **admin)
    assert every.status_code == 200
    assert [r.trigger for r in _rows(app, north)] == ["newBooking"]
    assert len(_rows(app, north, active=False)) == 3  # stopped ones are kept, disabled
    again = api.delete(HOOKS, json={"trigger": "customerCanceled", "url": HOOK_URL}, **admin)
    assert again.status_code == 404


def test_a_delete_needs_a_trigger_and_an_address(app, api, north, admin):
    missing_url = api.delete(HOOKS, json={"trigger": "newBooking"}, **admin)
    missing_trigger = api.delete(HOOKS, json={"url": HOOK_URL}, **admin)

    assert error_of(missing_url)["details"]["field"] == "url"
    assert error_of(missing_trigger)["details"]["field"] == "trigger"


def test_webhooks_list_page_by_page(app, api, north, admin):
    for n in range(3):
        api.post(HOOKS, json={"trigger": "newBooking", "url": f"{HOOK_URL}/{n}"}, **admin)

    first = api.get(f"{HOOKS}?limit=2", **admin).get_json()
    token = first["pagination"]["nextPageToken"]
    second = api.get(f"{HOOKS}?limit=2&nextPageToken={token}", **admin).get_json()

    assert first["pagination"]["hasMore"] is True
    assert second["pagination"]["hasMore"] is False
    urls = [h["url"] for h in first["result"] + second["result"]]
    assert len(first["result"]) == 2
    assert sorted(urls) == [f"{HOOK_URL}/{n}" for n in range(3)]  # each once


def test_a_staff_member_cannot_see_or_change_webhooks(app, api, north):
    staff = {"key": staff_token(app, north, north.staff_id), "app_id": north.app_id}
    body = {"trigger": "newBooking", "url": HOOK_URL}

    assert api.get(HOOKS, **staff).status_code == 403
    assert api.post(HOOKS, json=body, **staff).status_code == 403
    assert api.post(f"{HOOKS}/sample", json={"trigger": "newBooking"}, **staff).status_code == 403
    assert api.get(HOOKS, app_id=north.app_id).status_code == 401
    assert _rows(app, north) == []


def test_one_organizations_webhooks_are_invisible_to_another(app, api, north, south, admin):
    api.post(HOOKS, json={"trigger": "newBooking", "url": HOOK_URL}, **admin)
    south_key = {"key": organization_key(app, south), "app_id": south.app_id}

    listed = api.get(HOOKS, **south_key)
    deleted = api.delete(HOOKS, json={"trigger": "newBooking", "url": HOOK_URL}, **south_key)
    with_north_app = api.get(HOOKS, key=south_key["key"], app_id=north.app_id)

    assert listed.get_json()["result"] == []
    assert deleted.status_code == 404
    assert with_north_app.status_code == 401
    assert len(_rows(app, north)) == 1


def test_a_sample_payload_has_the_seeds_shape_with_the_organizations_own_service(
    app, api, north, admin
):
    response = api.post(
        f"{HOOKS}/sample", json={"trigger": "newBooking", "reference": "crm-1"}, **admin
    )

    assert response.status_code == 200
    (payload,) = response.get_json()["result"]
    assert set(payload) == {
        "id",
        "trigger",
        "customer",
        "provider",
        "resource",
        "page",
        "type",
        "dateTime",
        "info",
        "data",
    }
    assert payload["trigger"] == "newBooking"
    assert payload["type"]["name"] == "Checkup" and payload["type"]["id"] == north.type_id
    assert payload["page"]["appId"] == north.app_id
    assert payload["info"]["status"] == "PENDING_APPROVAL"
    assert payload["data"] == {"reference": "crm-1"}
    # dateTime is a JSON string of the UTC start, as the seed writes it.
    start = datetime.fromisoformat(json.loads(payload["dateTime"]).replace("Z", "+00:00"))
    assert start == datetime.fromisoformat(payload["info"]["startDateTime"])
    assert payload["info"]["timeZone"] == "Asia/Riyadh"
    assert payload["info"]["startDate"] == "2026-11-22" and payload["info"]["startTime"] == 1000


def test_a_sample_for_a_seed_000_event_name_uses_its_envelope(app, api, north, admin):
    response = api.post(f"{HOOKS}/sample", json={"trigger": "booking.created"}, **admin)

    (payload,) = response.get_json()["result"]
    assert payload["event"] == "booking.created"
    assert set(payload["data"]) == {"id", "service", "duration", "scheduled_at", "customer"}
    assert payload["data"]["scheduled_at"] == "2026-11-22T07:00:00Z"
    assert payload["data"]["service"] == "Checkup"


def test_a_sample_names_the_service_in_the_requested_language(app, api, north, admin):
    with app.app_context():
        db.session.get(BookingType, north.type_id).name_translations = {"ar": "فحص"}
        db.session.commit()

    response = api.post(f"{HOOKS}/sample", json={"trigger": "newAppointment"}, lang="ar", **admin)

    (payload,) = response.get_json()["result"]
    assert payload["type"]["name"] == "فحص"


def test_a_sample_needs_a_known_trigger(app, api, north, admin):
    response = api.post(f"{HOOKS}/sample", json={"trigger": "bookingConfirmed"}, **admin)

    assert response.status_code == 422
    assert error_of(response)["details"]["field"] == "trigger"
    assert "newAppointment" in error_of(response)["message"]


def test_subscriptions_page_and_stop_on_each_database(any_app):
    clinic = build_clinic(any_app, "north")
    api = Api(any_app)
    admin = {"key": organization_key(any_app, clinic), "app_id": clinic.app_id}
    for n in range(3):
        api.post(HOOKS, json={"trigger": "booking.created", "url": f"{HOOK_URL}/{n}"}, **admin)

    first = api.get(f"{HOOKS}?limit=2", **admin).get_json()
    token = first["pagination"]["nextPageToken"]
    second = api.get(f"{HOOKS}?limit=2&nextPageToken={token}", **admin).get_json()
    stopped = api.delete(
        HOOKS, json={"trigger": "booking.created", "url": f"{HOOK_URL}/1"}, **admin
    )

    assert len(first["result"]) == 2 and len(second["result"]) == 1
    assert stopped.status_code == 200
    assert len(api.get(HOOKS, **admin).get_json()["result"]) == 2
