"""A management API client for the tests: the north clinic (owner, admin, a doctor who
provides one resource) and the south clinic next door, with a credential for each kind of
caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient

from tests.admin.conftest import Clinic, build_clinic
from webapp import accounts
from webapp.auth.tokens import AccessClaims, issue_access_token
from webapp.extensions import db
from webapp.models import Organization


@dataclass
class Desk:
    """Calls the API as one of ``credentials`` (owner, admin, staff, key, south_key)."""

    app: Flask
    client: FlaskClient
    clinic: Clinic
    other: Clinic
    credentials: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, who: str | None = "admin", *, lang=None, **kw):
        headers = {"X-APP-ID": self.clinic.app_id, **kw.pop("headers", {})}
        if who is not None:
            headers["Authorization"] = f"Bearer {self.credentials.get(who, who)}"
        if lang:
            headers["lang"] = lang
        return self.client.open(path, method=method, headers=headers, **kw)

    def get(self, path, who="admin", **kw):
        return self.call("GET", path, who, **kw)

    def post(self, path, json, who="admin", **kw):
        return self.call("POST", path, who, json=json, **kw)

    def put(self, path, json, who="admin", **kw):
        return self.call("PUT", path, who, json=json, **kw)

    def delete(self, path, who="admin", **kw):
        return self.call("DELETE", path, who, **kw)


def _token(app: Flask, organization_id: str, user_id: str) -> str:
    return issue_access_token(
        AccessClaims(organization_id, user_id=user_id), secret_key=app.config["SECRET_KEY"]
    )


def build_desk(app: Flask) -> Desk:
    clinic, other = build_clinic(app, "north"), build_clinic(app, "south")
    with app.app_context():
        key = accounts.issue_organization_key(
            db.session, db.session.get(Organization, clinic.organization_id), "tests"
        )
        south_key = accounts.issue_organization_key(
            db.session, db.session.get(Organization, other.organization_id), "tests"
        )
        db.session.commit()
    org = clinic.organization_id
    return Desk(
        app,
        app.test_client(),
        clinic,
        other,
        {
            "owner": _token(app, org, clinic.owner_id),
            "admin": _token(app, org, clinic.admin_id),
            "staff": _token(app, org, clinic.staff_id),
            "key": key,
            "south_key": south_key,
            "south_admin": _token(app, other.organization_id, other.owner_id),
        },
    )


def error_of(response) -> dict:
    return response.get_json()["error"]


def field_of(response) -> str | None:
    return error_of(response)["details"].get("field")
