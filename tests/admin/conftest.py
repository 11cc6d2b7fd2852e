"""The staff admin as a business meets it: a clinic with an owner, an admin and a doctor who
controls one resource, a second clinic next door, and a client signed in as any of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import make_booking_type, make_resource
from webapp import accounts
from webapp.extensions import db
from webapp.models import Member, Organization, User, Website

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clinic:
    organization_id: str
    website_id: str
    app_id: str
    owner_id: str
    admin_id: str
    staff_id: str
    own_resource_id: str  # the staff member's resource
    other_resource_id: str  # a colleague's resource the staff member must not manage
    type_id: str


def _user(email: str, name: str) -> User:
    return accounts.create_user(db.session, email=email, password=PASSWORD, name=name)


def build_clinic(app: Flask, prefix: str, timezone: str = "Asia/Riyadh") -> Clinic:
    with app.app_context():
        owner = _user(f"{prefix}-owner@example.com", "Huda Owner")
        organization, website = accounts.create_organization(
            db.session,
            owner=owner,
            name=f"{prefix.title()} Clinic",
            timezone=timezone,
            slug=f"{prefix}-clinic",
        )
        admin = _user(f"{prefix}-admin@example.com", "Adel Admin")
        staff = _user(f"{prefix}-doctor@example.com", "Dr Salma")
        booking_type = make_booking_type(db.session, organization, name="Checkup", color="#2a7ab0")
        own = make_resource(db.session, organization, booking_type, name="Dr Salma")
        other = make_resource(db.session, organization, booking_type, name="Dr Omar")
        db.session.add(Member(organization_id=organization.id, user_id=admin.id, role="admin"))
        member = Member(organization_id=organization.id, user_id=staff.id, role="staff")
        member.resources.append(own)
        db.session.add(member)
        db.session.commit()
        return Clinic(
            organization_id=organization.id,
            website_id=website.id,
            app_id=website.app_id,
            owner_id=owner.id,
            admin_id=admin.id,
            staff_id=staff.id,
            own_resource_id=own.id,
            other_resource_id=other.id,
            type_id=booking_type.id,
        )


@pytest.fixture
def clinic(app) -> Clinic:
    return build_clinic(app, "north")


@pytest.fixture
def other_clinic(app) -> Clinic:
    """Another tenant on the same server; nothing of it may show in the first one's admin."""
    return build_clinic(app, "south")


def sign_in(client: FlaskClient, user_id: str) -> FlaskClient:
    """A session signed in as the user (the login form itself has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    return client


@pytest.fixture
def owner(app, clinic) -> FlaskClient:
    return sign_in(app.test_client(), clinic.owner_id)


@pytest.fixture
def admin(app, clinic) -> FlaskClient:
    return sign_in(app.test_client(), clinic.admin_id)


@pytest.fixture
def staff(app, clinic) -> FlaskClient:
    return sign_in(app.test_client(), clinic.staff_id)


@pytest.fixture
def nocsrf(app):
    """Forms posted without their token (CSRF has its own tests)."""
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


def text(response) -> str:
    return response.get_data(as_text=True)


def csrf_token(response) -> str:
    found = _CSRF.search(text(response))
    assert found, "the page has no form token"
    return unescape(found.group(1))


def htmx(**headers) -> dict:
    """Headers of an HTMX request (optionally for one target element)."""
    result = {"HX-Request": "true"}
    if "target" in headers:
        result["HX-Target"] = headers.pop("target")
    result.update(headers)
    return result


def row(app, model, **where):
    with app.app_context():
        return db.session.scalar(select(model).filter_by(**where))


__all__ = ["Organization", "Website"]
