"""The add-appointment admin widget over HTTP: the shell, the token exchange, booking and
rescheduling as the token's member, and what the host page is told."""

from __future__ import annotations

import json
import re

import pytest

from tests.admin.conftest import text
from tests.conftest import NOW
from tests.factories import at, create_booking
from webapp.auth import tokens
from webapp.extensions import db
from webapp.models import Booking, BookingType, Organization, User, Website

HOST = "https://crm.example.com"


@pytest.fixture
def allowed(app, clinic):
    with app.app_context():
        db.session.get(Website, clinic.website_id).allowed_domains = [HOST]
        db.session.commit()


def _refresh(app, clinic, user_id=None):
    with app.app_context():
        _row, raw = tokens.issue_refresh_token(
            db.session,
            user=db.session.get(User, user_id or clinic.staff_id),
            organization=db.session.get(Organization, clinic.organization_id),
            now=NOW,
            label="CRM",
        )
        db.session.commit()
        return raw


def _bearer(app, clinic, user_id=None) -> dict:
    claims = tokens.AccessClaims(clinic.organization_id, user_id=user_id or clinic.staff_id)
    token = tokens.issue_access_token(claims, secret_key=app.config["SECRET_KEY"])
    return {"Authorization": f"Bearer {token}", "HX-Request": "true"}


def _event(page: str) -> dict:
    found = re.search(
        r"<script type=\"application/json\" data-webview-event>(.*?)</script>", page, re.S
    )
    assert found, "no event for the host page"
    return json.loads(found.group(1))


def test_the_shell_is_arabic_by_default_and_framable_only_by_allowed_origins(
    client, clinic, allowed
):
    response = client.get(f"/webviews/add-appointment?orgId={clinic.organization_id}")

    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl"' in text(response)
    assert response.headers["Content-Security-Policy"] == f"frame-ancestors 'self' {HOST}"
    assert "X-Frame-Options" not in response.headers
    english = client.get(f"/webviews/add-appointment?orgId={clinic.organization_id}&lang=en")
    assert '<html lang="en" dir="ltr"' in text(english)


def test_an_unknown_organization_has_no_widget(client, clinic):
    assert client.get("/webviews/add-appointment?orgId=nope").status_code == 404
    assert client.get("/webviews/add-appointment").status_code == 404


def test_the_form_needs_a_valid_access_token(app, client, clinic, other_clinic):
    url = f"/webviews/add-appointment/form?orgId={clinic.organization_id}"

    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer mwa_forged"}).status_code == 401
    # A token for another organization does not open this one.
    assert client.get(url, headers=_bearer(app, other_clinic)).status_code == 401
    assert client.get(url, headers=_bearer(app, clinic)).status_code == 200


def test_a_refresh_token_is_exchanged_only_for_an_allowed_host(app, client, clinic, allowed):
    raw = _refresh(app, clinic)
    url = f"/webviews/token?orgId={clinic.organization_id}"

    refused = client.post(
        url, json={"refreshToken": raw}, headers={"X-Webview-Origin": "https://evil.example"}
    )
    answered = client.post(url, json={"refreshToken": raw}, headers={"X-Webview-Origin": HOST})
    wrong = client.post(url, json={"refreshToken": "mwr_nope"}, headers={"X-Webview-Origin": HOST})

    assert refused.status_code == 403
    assert wrong.status_code == 401
    assert answered.status_code == 200
    access = answered.get_json()["accessToken"]
    form = client.get(
        f"/webviews/add-appointment/form?orgId={clinic.organization_id}",
        headers={"Authorization": f"Bearer {access}"},
    )
    assert form.status_code == 200


def test_a_revoked_refresh_token_stops_working(app, client, clinic, allowed):
    raw = _refresh(app, clinic)
    with app.app_context():
        row = tokens.find_refresh_token(db.session, raw, NOW)
        tokens.revoke(db.session, row, NOW)
        db.session.commit()

    response = client.post(
        f"/webviews/token?orgId={clinic.organization_id}",
        json={"refreshToken": raw},
        headers={"X-Webview-Origin": HOST},
    )
    assert response.status_code == 401


def test_the_staff_member_books_and_the_host_hears_booking_created(app, client, clinic):
    url = f"/webviews/add-appointment/form?orgId={clinic.organization_id}&lang=en"
    form = client.get(
        url + f"&type_id={clinic.type_id}&day=2026-11-22", headers=_bearer(app, clinic)
    )
    assert "Dr Omar" not in text(form)  # the staff member's own resource only

    done = client.post(
        url,
        data={
            "type_id": clinic.type_id,
            "day": "2026-11-22",
            "start": "2026-11-22T10:00:00+03:00",
            "first_name": "Samir",
            "email": "samir@example.com",
        },
        headers=_bearer(app, clinic),
    )

    assert done.status_code == 200
    event = _event(text(done))
    assert event["type"] == "booking-created"
    booking = event["booking"]
    assert booking["startDate"] == "2026-11-22" and booking["startTime"] == 1000
    assert booking["resourceId"] == clinic.own_resource_id
    assert booking["customer"]["email"] == "samir@example.com"
    with app.app_context():
        stored = db.session.get(Booking, booking["id"])
        assert stored.source == "admin-widget"
        assert stored.created_by_user_id == clinic.staff_id


def test_a_failed_booking_tells_the_host_booking_error(app, client, clinic):
    url = f"/webviews/add-appointment/form?orgId={clinic.organization_id}&lang=en"
    response = client.post(
        url,
        data={
            "type_id": clinic.type_id,
            "day": "2026-11-22",
            "start": "2026-11-22T13:00:00+03:00",
            "first_name": "Samir",
        },
        headers=_bearer(app, clinic),
    )

    assert response.status_code == 422
    event = _event(text(response))
    assert event["type"] == "booking-error"
    assert event["error"]["code"] == "VALIDATION_ERROR"


def test_scheduling_type_id_skips_choosing_the_service(app, client, clinic):
    url = (
        f"/webviews/add-appointment/form?orgId={clinic.organization_id}&lang=en"
        f"&schedulingTypeId={clinic.type_id}&day=2026-11-22"
    )
    page = text(client.get(url, headers=_bearer(app, clinic)))

    assert 'name="type_id"' in page and '<select id="bf-type"' not in page
    assert "2026-11-22T09:00:00+03:00" in page


def test_reschedule_mode_moves_the_booking_and_tells_booking_rescheduled(app, client, clinic):
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        booking_type = db.session.get(BookingType, clinic.type_id)
        booking_id = create_booking(
            db.session,
            organization,
            booking_type,
            start=at("2026-11-22 09:00"),
            now=NOW,
            resource_id=clinic.own_resource_id,
        ).id
        db.session.commit()
    url = (
        f"/webviews/add-appointment/form?orgId={clinic.organization_id}&lang=en"
        f"&rescheduleBookingId={booking_id}"
    )

    done = client.post(
        url,
        data={"day": "2026-11-23", "start": "2026-11-23T11:00:00+03:00"},
        headers=_bearer(app, clinic),
    )

    event = _event(text(done))
    assert event["type"] == "booking-rescheduled"
    assert event["booking"]["rescheduledFrom"] == booking_id
    assert event["booking"]["startDateTime"] == "2026-11-23T11:00:00+03:00"


def test_a_colleagues_booking_cannot_be_rescheduled_by_staff(app, client, clinic):
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        booking_type = db.session.get(BookingType, clinic.type_id)
        booking_id = create_booking(
            db.session,
            organization,
            booking_type,
            start=at("2026-11-22 09:00"),
            now=NOW,
            resource_id=clinic.other_resource_id,
        ).id
        db.session.commit()
    url = (
        f"/webviews/add-appointment/form?orgId={clinic.organization_id}"
        f"&rescheduleBookingId={booking_id}"
    )
    assert client.get(url, headers=_bearer(app, clinic)).status_code == 404


def test_staff_create_and_revoke_their_widget_tokens_in_the_admin(app, staff, clinic, nocsrf):
    created = staff.post("/admin/widgets/tokens", data={"label": "Clinic CRM"})

    raw = re.search(r'id="new-token">(mwr_[^<]+)<', text(created)).group(1)
    page = text(staff.get("/admin/widgets"))
    assert raw not in page  # shown once
    assert "Clinic CRM" in page
    with app.app_context():
        row = tokens.find_refresh_token(db.session, raw, NOW)
        assert row.user_id == clinic.staff_id
        token_id = row.id
    staff.post(f"/admin/widgets/tokens/{token_id}/revoke")
    with app.app_context():
        assert tokens.find_refresh_token(db.session, raw, NOW) is None
