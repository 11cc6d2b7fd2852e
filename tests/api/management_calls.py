"""The north clinic (``tests/admin/conftest.py``) as a management client meets it: its owner,
admin and doctor with access tokens, an organization API key, the south clinic next door, and
bookings made through the booking service (queued ones written directly, as a customer's
instant booking leaves them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.admin.conftest import Clinic, build_clinic
from tests.conftest import NOW
from tests.factories import make_customer
from webapp import accounts
from webapp.auth import tokens
from webapp.booking import lifecycle
from webapp.extensions import db
from webapp.models import Booking, BookingType, Customer, Organization, Resource
from webapp.models import BookingStatus as S

SUNDAY = "2026-11-22"  # the day after the tests' fixed "now", a working day
CUSTOMER = lifecycle.Actor("customer")


@dataclass
class Desk:
    app: Flask
    client: FlaskClient
    clinic: Clinic
    south: Clinic
    auth: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, *, who: str | None = "admin", json=None, **headers):
        """``who``: owner, admin, staff (the doctor), key (an organization API key),
        south (the other clinic's admin) or None (no credential)."""
        sent = {"X-APP-ID": self.clinic.app_id, **headers}
        if who is not None:
            sent["Authorization"] = self.auth[who]
        return self.client.open(path, method=method, json=json, headers=sent)

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.call("POST", path, json=json if json is not None else {}, **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self.call("PUT", path, json=json if json is not None else {}, **kwargs)

    def organization(self, session) -> Organization:
        return session.get(Organization, self.clinic.organization_id)


def _bearer(app: Flask, clinic: Clinic, user_id: str) -> str:
    claims = tokens.AccessClaims(clinic.organization_id, user_id=user_id)
    return "Bearer " + tokens.issue_access_token(claims, secret_key=app.config["SECRET_KEY"])


def open_desk(app: Flask) -> Desk:
    north, south = build_clinic(app, "north"), build_clinic(app, "south")
    with app.app_context():
        organization = db.session.get(Organization, north.organization_id)
        key = accounts.issue_organization_key(db.session, organization, "front desk")
        checkup = db.session.get(BookingType, north.type_id)
        checkup.name_translations = {"ar": "فحص"}
        db.session.get(Resource, north.own_resource_id).name_translations = {"ar": "د. سلمى"}
        db.session.commit()
    auth = {
        "owner": _bearer(app, north, north.owner_id),
        "admin": _bearer(app, north, north.admin_id),
        "staff": _bearer(app, north, north.staff_id),
        "key": f"Bearer {key}",
        "south": _bearer(app, south, south.admin_id),
    }
    return Desk(app, app.test_client(), north, south, auth)


def result(answer, status: int = 200):
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()["result"]


def error(answer, status: int) -> dict:
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()["error"]


def book(
    desk: Desk,
    start: datetime,
    *,
    resource: str = "own",
    clinic: Clinic | None = None,
    customer_id: str | None = None,
    auto_confirm: bool = True,
    **values,
) -> str:
    """A booking made by a customer on the website; its id."""
    clinic = clinic or desk.clinic
    resource_id = clinic.own_resource_id if resource == "own" else clinic.other_resource_id
    with desk.app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        db.session.get(BookingType, clinic.type_id).auto_confirm = auto_confirm
        customer = db.session.get(Customer, customer_id) if customer_id else None
        booking = lifecycle.create_booking(
            db.session,
            organization,
            booking_type_id=clinic.type_id,
            start=start,
            actor=CUSTOMER,
            now=values.pop("now", NOW),
            customer=customer or make_customer(db.session, organization),
            resource_id=resource_id,
            **values,
        )
        db.session.commit()
        return booking.id


def queue(desk: Desk, *, minutes_ago: int = 0, clinic: Clinic | None = None) -> str:
    """A booking waiting in the queue for the clinic's service: no resource, no time yet."""
    clinic = clinic or desk.clinic
    made = NOW - timedelta(minutes=minutes_ago)
    with desk.app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        booking = Booking(
            organization_id=organization.id,
            booking_type_id=clinic.type_id,
            customer_id=make_customer(db.session, organization).id,
            status=S.PENDING_ASSIGNMENT.value,
            duration=30,
            expires_at=made + timedelta(minutes=60),
            source="api",
            created_at=made,
            updated_at=made,
        )
        db.session.add(booking)
        db.session.commit()
        return booking.id


def status_of(desk: Desk, booking_id: str) -> str:
    with desk.app.app_context():
        return db.session.get(Booking, booking_id).status


def count(desk: Desk, model) -> int:
    with desk.app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))
