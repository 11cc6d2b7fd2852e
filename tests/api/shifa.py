"""Shifa Clinic (tests/web/conftest.py ``build_site``) as an API client meets it: requests
carry the website's ``X-APP-ID``, and tokens are issued for its staff or its customers."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.web.conftest import Site, build_site
from webapp.auth import tokens
from webapp.models import Member, Website


@dataclass
class Api:
    site: Site
    client: FlaskClient
    app_id: str

    def post(self, path: str, json=None, **headers):
        return self.client.post(
            path,
            json=json if json is not None else {},
            headers={"X-APP-ID": self.app_id, **headers},
        )

    def get(self, path: str, **headers):
        return self.client.get(path, headers={"X-APP-ID": self.app_id, **headers})

    def token(self, *, staff: bool = False, customer_id: str | None = None) -> str:
        """An ``Authorization`` header for the owner (``staff``) or a customer."""
        with self.site.db() as session:
            user_id = None
            if staff:
                user_id = session.scalar(
                    select(Member.user_id).where(
                        Member.organization_id == self.site.organization_id
                    )
                )
            claims = tokens.AccessClaims(self.site.organization_id, user_id, customer_id)
            raw = tokens.issue_access_token(claims, secret_key=self.site.app.config["SECRET_KEY"])
        return f"Bearer {raw}"


def api_for(app: Flask, name: str) -> Api:
    site = build_site(app, name=name)
    with site.db() as session:
        app_id = session.get(Website, site.website_id).app_id
    return Api(site, app.test_client(), app_id)


def result(answer, status: int = 200):
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()["result"]


def error(answer, status: int) -> dict:
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()["error"]
