"""Signing in, out and back, recovering a password, switching organizations."""

from __future__ import annotations

import re

import pytest

from tests.admin.conftest import PASSWORD, csrf_token, htmx, sign_in, text
from webapp import accounts
from webapp.extensions import db
from webapp.models import Member, User


@pytest.fixture
def messages(app):
    app.config["MESSAGES_CAPTURE"] = []
    return app.config["MESSAGES_CAPTURE"]


def test_admin_pages_send_strangers_to_the_sign_in_page(client, clinic):
    response = client.get("/admin/resources")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=/admin/resources")


def test_an_htmx_request_without_a_session_reloads_the_sign_in_page(client, clinic):
    response = client.get("/admin/resources", headers=htmx())

    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/admin/login")


def test_an_owner_signs_in_with_the_form_and_lands_where_they_were_going(client, clinic):
    page = client.get("/admin/login?next=/admin/resources")
    response = client.post(
        "/admin/login",
        data={
            "email": "NORTH-owner@example.com ",
            "password": PASSWORD,
            "next": "/admin/resources",
            "csrf_token": csrf_token(page),
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/resources"
    assert "Dr Omar" in text(client.get("/admin/resources"))


@pytest.mark.parametrize("target", ["https://evil.example/admin", "//evil.example/x", "/north"])
def test_sign_in_never_sends_people_off_the_admin(client, clinic, nocsrf, target):
    response = client.post(
        "/admin/login",
        data={"email": "north-owner@example.com", "password": PASSWORD, "next": target},
    )

    assert response.headers["Location"] == "/admin/"


def test_a_wrong_password_is_refused_with_the_same_message_as_an_unknown_email(
    client, clinic, nocsrf
):
    wrong = client.post(
        "/admin/login", data={"email": "north-owner@example.com", "password": "nope nope"}
    )
    unknown = client.post("/admin/login", data={"email": "nobody@example.com", "password": "x"})

    assert wrong.status_code == unknown.status_code == 422
    assert "The email or the password is not right." in text(wrong)
    assert "The email or the password is not right." in text(unknown)


def test_sign_in_is_rate_limited_per_address(client, clinic, nocsrf):
    statuses = [
        client.post("/admin/login", data={"email": "x@example.com", "password": "y"}).status_code
        for _ in range(12)
    ]

    assert statuses[:10] == [422] * 10
    assert statuses[-1] == 429


def test_signing_out_ends_the_session(owner, clinic):
    page = owner.get("/admin/")
    owner.post("/admin/logout", data={"csrf_token": csrf_token(page)})

    assert owner.get("/admin/").status_code == 302


def test_a_form_without_its_token_is_refused(owner, clinic):
    response = owner.post("/admin/resources/categories", data={"name": "Branches"})

    assert response.status_code == 400
    assert "CSRF" in text(response)


def test_a_forgotten_password_is_reset_by_the_emailed_link_once(
    client, app, clinic, nocsrf, messages
):
    answer = client.post("/admin/password/forgot", data={"email": "north-doctor@example.com"})
    unknown = client.post("/admin/password/forgot", data={"email": "nobody@example.com"})

    assert text(answer) == text(unknown)  # no hint of which addresses have accounts
    assert len(messages) == 1
    link = re.search(r"http://localhost(/admin/password/reset/\S+)", messages[0]["text"]).group(1)

    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    done = client.post(link, data={"password": "a new secret 42", "confirm": "a new secret 42"})
    assert done.status_code == 303
    assert client.get(link).status_code == 404  # used once
    with app.app_context():
        user = db.session.get(User, clinic.staff_id)
        assert user.check_password("a new secret 42")


def test_a_member_of_two_organizations_switches_between_them(app, client, clinic, other_clinic):
    with app.app_context():
        db.session.add(
            Member(
                organization_id=other_clinic.organization_id, user_id=clinic.owner_id, role="admin"
            )
        )
        db.session.commit()
    sign_in(client, clinic.owner_id)
    page = client.get("/admin/resources")
    assert "Dr Omar" in text(page)
    first = "North Clinic" if "North Clinic</option>" in text(page) else None
    assert first

    client.post(
        "/admin/organization",
        data={"organization_id": other_clinic.organization_id, "csrf_token": csrf_token(page)},
    )
    assert "South Clinic" in text(client.get("/admin/resources"))


def test_nobody_switches_into_an_organization_they_do_not_belong_to(owner, other_clinic, nocsrf):
    response = owner.post(
        "/admin/organization", data={"organization_id": other_clinic.organization_id}
    )

    assert response.status_code == 404


def test_a_user_without_any_organization_is_told_so(app, client, clinic):
    with app.app_context():
        user = accounts.create_user(db.session, email="lonely@example.com", password=PASSWORD)
        db.session.commit()
        user_id = user.id
    response = sign_in(client, user_id).get("/admin/")

    assert response.status_code == 403


def test_admin_pages_refuse_to_be_framed(owner, clinic):
    response = owner.get("/admin/calendar")

    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_admin_is_arabic_and_right_to_left_on_request(owner, clinic):
    page = owner.get("/admin/?lang=ar").get_data(as_text=True)

    assert '<html lang="ar" dir="rtl">' in page
