"""Management API callers for tests: two clinics (north and south), each with an owner, an
admin and a staff member, and the credentials each of them can present."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from tests.admin.conftest import Clinic
from webapp import accounts
from webapp.auth.tokens import AccessClaims, issue_access_token
from webapp.extensions import db
from webapp.models import Organization, User


def staff_token(app: Flask, clinic: Clinic, user_id: str) -> str:
    claims = AccessClaims(clinic.organization_id, user_id=user_id)
    return issue_access_token(claims, secret_key=app.config["SECRET_KEY"])


def organization_key(app: Flask, clinic: Clinic, name: str = "integration") -> str:
    with app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        raw = accounts.issue_organization_key(db.session, organization, name)
        db.session.commit()
        return raw


def account_key(app: Flask, user_id: str, name: str = "laptop") -> str:
    with app.app_context():
        raw = accounts.issue_account_key(db.session, db.session.get(User, user_id), name)
        db.session.commit()
        return raw


@dataclass
class Api:
    """A client that sends a credential and, unless told otherwise, no app id."""

    app: Flask

    def call(self, method: str, path: str, *, key=None, app_id=None, json=None, **headers):
        if key:
            headers["Authorization"] = f"Bearer {key}"
        if app_id:
            headers["X-APP-ID"] = app_id
        client = self.app.test_client()
        return client.open(path, method=method, json=json, headers=headers)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.call("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)


def error_of(response) -> dict:
    return response.get_json()["error"]
