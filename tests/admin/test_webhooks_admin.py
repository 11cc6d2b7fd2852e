"""Webhooks in the admin: endpoints added with a secret shown once, test events and
redeliveries queued for the worker, secrets rotated with a day's overlap, endpoints stopped
for failing enabled again, and a delivery log that pages and polls."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from itertools import count

import pytest

from tests.admin.conftest import build_clinic, csrf_token, htmx, sign_in, text
from tests.conftest import NOW
from webapp.extensions import db
from webapp.models import BookingType, WebhookAttempt, WebhookDelivery, WebhookSubscription
from webapp.notify.triggers import ALIASES, TRIGGERS

HOOK_URL = "https://crm.example.com/hooks/mawid"
_SECRET = re.compile(r'<p class="secret" id="new-secret">([^<]+)</p>')
_ROW_IDS = re.compile(r'<tbody class="delivery" id="d-([^"]+)"')
_OLDER = re.compile(r'href="([^"]+\?before=[^"]+)"')
_numbers = count()


def _add(client, trigger: str = "newBooking", url: str = HOOK_URL, reference: str = "crm"):
    return client.post(
        "/admin/webhooks", data={"trigger": trigger, "url": url, "reference": reference}
    )


def _endpoint(app, clinic, **overrides) -> str:
    values = {
        "organization_id": clinic.organization_id,
        "trigger": "newAppointment",
        "url": HOOK_URL,
        "reference": "crm",
        "secret": "whsec_" + "A" * 32,
        "created_at": NOW - timedelta(days=2),
        "secret_issued_at": NOW - timedelta(days=2),
    }
    values.update(overrides)
    with app.app_context():
        row = WebhookSubscription(**values)
        db.session.add(row)
        db.session.commit()
        return row.id


def _delivery(app, clinic, subscription_id: str, **overrides) -> str:
    values = {
        "organization_id": clinic.organization_id,
        "subscription_id": subscription_id,
        "message_id": f"msg_test_{next(_numbers)}",
        "trigger": "newAppointment",
        "payload": {"id": "b1", "trigger": "newAppointment"},
        "status": "failed",
        "attempts": 10,
        "created_at": NOW - timedelta(hours=1),
    }
    values.update(overrides)
    with app.app_context():
        row = WebhookDelivery(**values)
        db.session.add(row)
        db.session.commit()
        return row.id


def _read(app, model, row_id):
    with app.app_context():
        row = db.session.get(model, row_id)
        db.session.expunge_all()
        return row


def _subscriptions(app, clinic) -> list[WebhookSubscription]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                db.select(WebhookSubscription).filter_by(organization_id=clinic.organization_id)
            )
        )
        db.session.expunge_all()
        return rows


def _deliveries(app, subscription_id: str) -> list[WebhookDelivery]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                db.select(WebhookDelivery).filter_by(subscription_id=subscription_id)
            )
        )
        db.session.expunge_all()
        return rows


# --- endpoints -------------------------------------------------------------------------------


def test_an_added_endpoint_shows_its_secret_once(app, owner, clinic, nocsrf):
    response = _add(owner, "newBooking", reference="CRM north")

    page = text(response)
    assert response.status_code == 201, page
    assert "you will not see it again" in page
    secret = _SECRET.search(page).group(1)
    assert secret.startswith("whsec_")
    assert response.headers["Cache-Control"] == "no-store"
    (row,) = _subscriptions(app, clinic)
    assert (row.trigger, row.url, row.reference, row.secret) == (
        "newBooking",
        HOOK_URL,
        "CRM north",
        secret,
    )
    assert row.created_by == f"staff:{clinic.owner_id}"

    listed = text(owner.get("/admin/webhooks"))
    detail = text(owner.get(f"/admin/webhooks/{row.id}"))
    assert HOOK_URL in listed and "New booking awaiting approval" in listed and "Active" in listed
    assert secret not in listed and secret not in detail
    assert HOOK_URL in detail and "CRM north" in detail


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.1/x", "Webhook addresses must start with https://."),
        ("https://10.0.0.1/x", "10.0.0.1 is not on the public internet"),
        ("", "This is required."),
    ],
)
def test_an_address_webhooks_cannot_reach_is_refused(app, owner, clinic, nocsrf, url, message):
    response = _add(owner, url=url)

    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert 'id="f-url"' in page and 'aria-invalid="true"' in page
    assert not _SECRET.search(page)
    assert _subscriptions(app, clinic) == []


def test_a_loopback_address_is_allowed_only_where_configured(app, owner, clinic, nocsrf):
    refused = _add(owner, url="http://127.0.0.1:8080/hook")
    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = "1"
    allowed = _add(owner, url="http://127.0.0.1:8080/hook")

    assert refused.status_code == 422
    assert allowed.status_code == 201
    assert [row.url for row in _subscriptions(app, clinic)] == ["http://127.0.0.1:8080/hook"]


def test_the_same_endpoint_twice_is_refused_and_keeps_its_secret(app, owner, clinic, nocsrf):
    first = _SECRET.search(text(_add(owner))).group(1)

    again = _add(owner)

    assert again.status_code == 422
    assert "already gets this event" in text(again)
    (row,) = _subscriptions(app, clinic)
    assert row.secret == first


def test_the_event_choice_offers_every_trigger_and_the_short_event_names(owner, clinic):
    page = text(owner.get("/admin/webhooks"))

    for name in (*TRIGGERS, *ALIASES):
        assert f'<option value="{name}"' in page
    assert "Any new booking (booking.created)" in page


def test_the_list_shows_status_and_last_weeks_counts_but_not_removed_endpoints(app, owner, clinic):
    active = _endpoint(app, clinic, url="https://a.example.com/hook")
    _endpoint(
        app,
        clinic,
        url="https://b.example.com/hook",
        created_at=NOW - timedelta(days=1),
        disabled_at=NOW - timedelta(hours=3),
        disabled_reason="failing",
    )
    _endpoint(app, clinic, url="https://gone.example.com/hook", disabled_at=NOW)
    for status in ("delivered", "delivered", "failed"):
        _delivery(app, clinic, active, status=status)
    _delivery(app, clinic, active, status="failed", created_at=NOW - timedelta(days=8))

    page = text(owner.get("/admin/webhooks"))

    assert "a.example.com" in page and "b.example.com" in page
    assert "gone.example.com" not in page
    assert "2 delivered" in page and "1 failed" in page
    assert "Disabled: kept failing" in page
    assert page.index("b.example.com") < page.index("a.example.com")  # newest first


# --- test events, redelivery -----------------------------------------------------------------


def test_a_test_event_is_queued_with_the_sample_body_of_the_trigger(app, owner, clinic, nocsrf):
    hook = _endpoint(app, clinic, trigger="newAppointment")
    with app.app_context():
        db.session.get(BookingType, clinic.type_id).name_translations = {"ar": "فحص"}
        db.session.commit()

    response = owner.post(f"/admin/webhooks/{hook}/test?lang=ar")

    assert response.status_code == 303
    (delivery,) = _deliveries(app, hook)
    assert delivery.is_test and delivery.status == "pending" and delivery.attempts == 0
    assert delivery.next_attempt_at == NOW and delivery.leased_until is None
    assert delivery.message_id.startswith("msg_") and len(delivery.message_id) <= 40
    payload = delivery.payload
    assert payload["trigger"] == "newAppointment"
    assert payload["info"]["status"] == "CONFIRMED"
    # Real deliveries carry the business's own names, whatever language the admin reads.
    assert (payload["type"]["id"], payload["type"]["name"]) == (clinic.type_id, "Checkup")
    assert payload["page"]["appId"] == clinic.app_id
    assert payload["data"] == {"reference": "crm"}
    assert payload["info"]["startDate"] == "2026-11-22" and payload["info"]["startTime"] == 1000


def test_a_test_event_for_a_short_event_name_uses_its_envelope(app, owner, clinic, nocsrf):
    hook = _endpoint(app, clinic, trigger="booking.created")

    response = owner.post(f"/admin/webhooks/{hook}/test", headers=htmx(target="deliveries"))

    assert response.status_code == 200
    assert "A test event is on its way" in response.headers["HX-Trigger"]
    (delivery,) = _deliveries(app, hook)
    assert delivery.payload["event"] == "booking.created"
    assert delivery.payload["data"]["service"] == "Checkup"
    # The log comes back with the new row, which asks for news until it is sent.
    page = text(response)
    assert page.lstrip().startswith('<section id="deliveries"')
    assert f'id="d-{delivery.id}"' in page and 'hx-trigger="every 2s"' in page
    assert "Queued" in page and "Test" in page


def test_a_failed_delivery_is_sent_again_with_the_same_webhook_id(app, owner, clinic, nocsrf):
    hook = _endpoint(app, clinic)
    delivery_id = _delivery(
        app,
        clinic,
        hook,
        message_id="msg_original",
        status="failed",
        attempts=10,
        last_status_code=500,
        leased_until=NOW - timedelta(hours=1),
    )

    response = owner.post(
        f"/admin/webhooks/{hook}/deliveries/{delivery_id}/redeliver",
        headers=htmx(target=f"d-{delivery_id}"),
    )

    assert response.status_code == 200
    assert "queued to be sent again" in response.headers["HX-Trigger"]
    again = _read(app, WebhookDelivery, delivery_id)
    assert (again.status, again.attempts, again.message_id) == ("pending", 0, "msg_original")
    assert again.next_attempt_at == NOW and again.leased_until is None
    assert len(_deliveries(app, hook)) == 1
    assert text(response).lstrip().startswith(f'<tbody class="delivery" id="d-{delivery_id}"')
    assert "Queued" in text(response)


def test_a_delivered_delivery_can_be_sent_again_from_a_plain_form(app, owner, clinic, nocsrf):
    hook = _endpoint(app, clinic)
    delivery_id = _delivery(app, clinic, hook, status="delivered", attempts=1)

    response = owner.post(f"/admin/webhooks/{hook}/deliveries/{delivery_id}/redeliver")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/webhooks/{hook}"
    assert _read(app, WebhookDelivery, delivery_id).status == "pending"
    assert "queued to be sent again" in text(owner.get(response.headers["Location"]))


def test_a_delivery_still_being_sent_is_not_sent_twice(app, owner, clinic, nocsrf):
    hook = _endpoint(app, clinic)
    later = NOW + timedelta(minutes=30)
    delivery_id = _delivery(app, clinic, hook, status="pending", attempts=3, next_attempt_at=later)

    response = owner.post(
        f"/admin/webhooks/{hook}/deliveries/{delivery_id}/redeliver",
        headers=htmx(target=f"d-{delivery_id}"),
    )

    assert response.status_code == 409
    assert "still being sent" in response.headers["HX-Trigger"]
    assert '"kind": "error"' in response.headers["HX-Trigger"]
    kept = _read(app, WebhookDelivery, delivery_id)
    assert (kept.status, kept.attempts, kept.next_attempt_at) == ("pending", 3, later)


def test_nothing_is_sent_to_an_endpoint_disabled_for_failing(app, owner, clinic, nocsrf):
    hook = _endpoint(app, clinic, disabled_at=NOW, disabled_reason="failing")
    delivery_id = _delivery(app, clinic, hook, status="failed")

    test = owner.post(f"/admin/webhooks/{hook}/test")
    redeliver = owner.post(f"/admin/webhooks/{hook}/deliveries/{delivery_id}/redeliver")

    assert test.status_code == redeliver.status_code == 303
    assert "Enable it before sending" in text(owner.get(f"/admin/webhooks/{hook}"))
    assert [d.status for d in _deliveries(app, hook)] == ["failed"]


# --- secrets, enabling, removing -------------------------------------------------------------


def test_a_rotated_secret_is_shown_once_and_the_old_one_signs_for_a_day(app, owner, clinic, nocsrf):
    hook = _endpoint(app, clinic)
    old = _read(app, WebhookSubscription, hook).secret

    response = owner.post(f"/admin/webhooks/{hook}/rotate", headers=htmx(target="endpoint"))

    assert response.status_code == 200
    page = text(response)
    new = _SECRET.search(page).group(1)
    assert new.startswith("whsec_") and new != old
    assert "you will not see it again" in page
    row = _read(app, WebhookSubscription, hook)
    assert (row.secret, row.previous_secret) == (new, old)
    assert row.previous_secret_expires_at == NOW + timedelta(hours=24)
    assert row.secret_issued_at == NOW
    later = text(owner.get(f"/admin/webhooks/{hook}"))
    assert new not in later and old not in later
    assert "also signs deliveries until" in later


def test_a_plain_form_gets_the_rotated_secret_on_the_page(app, owner, clinic, nocsrf):
    hook = _endpoint(app, clinic)

    response = owner.post(f"/admin/webhooks/{hook}/rotate")

    assert response.status_code == 200
    assert _SECRET.search(text(response)).group(1) == _read(app, WebhookSubscription, hook).secret
    assert "<h1>Webhook endpoint</h1>" in text(response)


def test_an_endpoint_disabled_for_failing_can_be_enabled(app, owner, clinic, nocsrf):
    hook = _endpoint(app, clinic, disabled_at=NOW - timedelta(hours=2), disabled_reason="failing")
    _delivery(app, clinic, hook, status="failed")
    before = text(owner.get(f"/admin/webhooks/{hook}"))

    response = owner.post(f"/admin/webhooks/{hook}/enable", headers=htmx())

    assert "stopped sending to this endpoint" in before and ">Enable<" in before
    assert "Send test event" not in before and "Redeliver" not in before
    assert response.headers["HX-Location"] == f"/admin/webhooks/{hook}"
    assert "enabled" in response.headers["HX-Trigger"]
    row = _read(app, WebhookSubscription, hook)
    assert row.disabled_at is None and row.disabled_reason is None
    after = text(owner.get(f"/admin/webhooks/{hook}"))
    assert "Send test event" in after and "Redeliver" in after and ">Enable<" not in after


def test_a_removed_endpoint_is_gone_and_its_waiting_deliveries_are_dropped(
    app, owner, clinic, nocsrf
):
    hook = _endpoint(app, clinic)
    waiting = _delivery(app, clinic, hook, status="pending", attempts=0, next_attempt_at=NOW)

    response = owner.post(f"/admin/webhooks/{hook}/remove", headers=htmx())

    assert response.headers["HX-Location"] == "/admin/webhooks"
    assert "The endpoint is removed" in response.headers["HX-Trigger"]
    row = _read(app, WebhookSubscription, hook)
    assert row.disabled_at == NOW and row.disabled_reason is None
    assert _read(app, WebhookDelivery, waiting).status == "failed"
    assert HOOK_URL not in text(owner.get("/admin/webhooks"))
    assert owner.get(f"/admin/webhooks/{hook}").status_code == 404
    assert owner.post(f"/admin/webhooks/{hook}/enable").status_code == 404


# --- the delivery log ------------------------------------------------------------------------


def test_the_log_shows_each_deliverys_answer_and_next_attempt(app, owner, clinic):
    hook = _endpoint(app, clinic)
    retrying = _delivery(
        app,
        clinic,
        hook,
        status="pending",
        attempts=3,
        last_attempt_at=NOW - timedelta(minutes=1),
        last_status_code=503,
        last_duration_ms=1234,
        last_error="HTTP 503: upstream busy",
        next_attempt_at=NOW + timedelta(minutes=30),
    )
    with app.app_context():
        for n, code in enumerate((500, 502, 503)):
            db.session.add(
                WebhookAttempt(
                    delivery_id=retrying,
                    at=NOW - timedelta(minutes=10 - n),
                    status_code=code,
                    duration_ms=100 + n,
                    error=f"HTTP {code}",
                )
            )
        db.session.commit()

    page = text(owner.get(f"/admin/webhooks/{hook}"))

    row = page[page.index(f'id="d-{retrying}"') :]
    row = row[: row.index("</tbody>")]
    assert "Retrying" in row and ">503<" in row and "1,234 ms" in row
    assert "in 30 minutes" in row and "9:30:00" in row  # Riyadh time
    assert "HTTP 503: upstream busy" in row
    assert row.index("HTTP 500") < row.index("HTTP 502") < row.index("HTTP 503</bdi>")
    assert "Redeliver" not in row  # it is still being sent
    assert 'hx-trigger="every 2s"' not in row  # nothing happens for half an hour


def test_the_log_escapes_what_a_receiver_answered_and_what_was_sent(app, owner, clinic):
    hook = _endpoint(app, clinic)
    hostile = '<script>alert("x")</script>'
    _delivery(
        app,
        clinic,
        hook,
        last_error=f"HTTP 500: {hostile}",
        payload={"note": "</pre><img src=x onerror=alert(1)>"},
    )

    page = text(owner.get(f"/admin/webhooks/{hook}"))

    assert hostile not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;/pre&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_log_pages_from_newest_to_oldest_without_repeats_on_both_databases(any_app):
    app = any_app
    app.config["ADMIN_PAGE_SIZE"] = 2
    clinic = build_clinic(app, "both")
    owner = sign_in(app.test_client(), clinic.owner_id)
    hook = _endpoint(app, clinic)
    hours = (1, 2, 2, 2, 3)  # three at the same instant
    made = [
        _delivery(app, clinic, hook, message_id=f"msg_{n}", created_at=NOW - timedelta(hours=h))
        for n, h in enumerate(hours)
    ]
    with app.app_context():  # the database's own order, ties broken by id
        expected = list(
            db.session.scalars(
                db.select(WebhookDelivery.id)
                .filter_by(subscription_id=hook)
                .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            )
        )

    first = text(owner.get(f"/admin/webhooks/{hook}"))
    seen = _ROW_IDS.findall(first)
    more = _OLDER.search(first).group(1).replace("&amp;", "&")
    while more:
        rows = text(owner.get(more, headers=htmx(target="more-deliveries")))
        assert "<h1>" not in rows
        seen += _ROW_IDS.findall(rows)
        found = _OLDER.search(rows)
        more = found.group(1).replace("&amp;", "&") if found else None

    assert seen == expected and sorted(seen) == sorted(made)
    plain = text(owner.get(_OLDER.search(first).group(1).replace("&amp;", "&")))
    assert _ROW_IDS.findall(plain) == expected[2:4]
    assert "<h1>Webhook endpoint</h1>" in plain and "Newest deliveries" in plain
    assert owner.get(f"/admin/webhooks/{hook}?before=forged").status_code == 400
    assert "5 failed" in text(owner.get("/admin/webhooks"))  # counted in the database


def test_a_row_being_sent_asks_for_news_until_it_is_done(app, owner, clinic):
    hook = _endpoint(app, clinic)
    delivery_id = _delivery(app, clinic, hook, status="pending", attempts=0, next_attempt_at=NOW)
    page = text(owner.get(f"/admin/webhooks/{hook}"))
    poll = re.search(rf'id="d-{delivery_id}" hx-get="([^"]+)" hx-trigger="every 2s"', page)
    url = poll.group(1).replace("&amp;", "&")
    headers = htmx(target=f"d-{delivery_id}")

    unchanged = owner.get(url, headers=headers)
    with app.app_context():
        row = db.session.get(WebhookDelivery, delivery_id)
        row.status, row.attempts, row.last_status_code = "delivered", 1, 204
        row.last_attempt_at, row.last_duration_ms, row.next_attempt_at = NOW, 87, None
        db.session.commit()
    changed = owner.get(url, headers=headers)

    assert unchanged.status_code == 204 and unchanged.get_data() == b""
    assert changed.status_code == 200
    assert "Delivered" in text(changed) and ">204<" in text(changed) and "87 ms" in text(changed)
    assert "every 2s" not in text(changed)


def test_a_delivery_has_its_own_page_with_its_body(app, owner, clinic):
    hook = _endpoint(app, clinic)
    delivery_id = _delivery(app, clinic, hook, payload={"id": "b-42", "trigger": "newAppointment"})

    page = text(owner.get(f"/admin/webhooks/{hook}/deliveries/{delivery_id}"))

    assert "<h1>Delivery</h1>" in page
    assert json.dumps({"id": "b-42"}, indent=2)[2:-2].replace('"', "&#34;") in page
    assert "Redeliver" in page


def test_arabic_pages_read_right_to_left(app, owner, clinic):
    hook = _endpoint(app, clinic)
    _delivery(app, clinic, hook)

    page = text(owner.get(f"/admin/webhooks/{hook}?lang=ar"))

    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert f'dir="ltr">{HOOK_URL}<' in page


# --- who may do what -------------------------------------------------------------------------


def test_only_owners_and_admins_see_webhooks(app, owner, admin, staff, clinic, nocsrf):
    hook = _endpoint(app, clinic)
    delivery_id = _delivery(app, clinic, hook)

    assert 'href="/admin/webhooks"' in text(owner.get("/admin/keys"))
    assert admin.get(f"/admin/webhooks/{hook}").status_code == 200
    assert 'href="/admin/webhooks"' not in text(staff.get("/admin/widgets"))
    assert staff.get("/admin/webhooks").status_code == 403
    assert staff.get(f"/admin/webhooks/{hook}").status_code == 403
    assert _add(staff).status_code == 403
    assert staff.post(f"/admin/webhooks/{hook}/test").status_code == 403
    assert staff.post(f"/admin/webhooks/{hook}/rotate").status_code == 403
    assert staff.post(f"/admin/webhooks/{hook}/remove").status_code == 403
    redeliver = f"/admin/webhooks/{hook}/deliveries/{delivery_id}/redeliver"
    assert staff.post(redeliver).status_code == 403
    assert len(_subscriptions(app, clinic)) == 1 and _deliveries(app, hook)[0].status == "failed"


def test_another_organizations_endpoints_and_deliveries_answer_404(
    app, owner, clinic, other_clinic, nocsrf
):
    theirs = _endpoint(app, other_clinic, url="https://south.example.com/hook")
    their_delivery = _delivery(app, other_clinic, theirs)
    mine = _endpoint(app, clinic)

    assert "south.example.com" not in text(owner.get("/admin/webhooks"))
    for path in (
        f"/admin/webhooks/{theirs}",
        f"/admin/webhooks/{theirs}/deliveries/{their_delivery}",
        f"/admin/webhooks/{mine}/deliveries/{their_delivery}",
        "/admin/webhooks/nope",
    ):
        assert owner.get(path).status_code == 404, path
    for action in ("test", "rotate", "enable", "remove"):
        assert owner.post(f"/admin/webhooks/{theirs}/{action}").status_code == 404, action
    for hook in (theirs, mine):
        path = f"/admin/webhooks/{hook}/deliveries/{their_delivery}/redeliver"
        assert owner.post(path).status_code == 404
    (row,) = _subscriptions(app, other_clinic)
    assert row.disabled_at is None and row.previous_secret is None
    assert [d.status for d in _deliveries(app, theirs)] == ["failed"]


def test_every_change_needs_the_forms_token(app, owner, clinic):
    hook = _endpoint(app, clinic)
    delivery_id = _delivery(app, clinic, hook)
    paths = [
        "/admin/webhooks",
        f"/admin/webhooks/{hook}/test",
        f"/admin/webhooks/{hook}/rotate",
        f"/admin/webhooks/{hook}/enable",
        f"/admin/webhooks/{hook}/remove",
        f"/admin/webhooks/{hook}/deliveries/{delivery_id}/redeliver",
    ]

    refused = [owner.post(path, data={"url": HOOK_URL}).status_code for path in paths]
    token = csrf_token(owner.get(f"/admin/webhooks/{hook}"))
    accepted = owner.post(f"/admin/webhooks/{hook}/test", data={"csrf_token": token})

    assert refused == [400] * len(paths)
    assert accepted.status_code == 303
    assert len(_deliveries(app, hook)) == 2
    assert _read(app, WebhookSubscription, hook).secret == "whsec_" + "A" * 32
