"""Integrations as an outside system meets them: Shifa Clinic and Noor Dental (the two
businesses of tests/web/conftest.py), API clients registered for them, and tokens obtained
the way seed 001 obtains them, through ``/oauth/token``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.api.live_demo import QuietHandler
from tests.web.conftest import Site, build_site
from webapp.extensions import db
from webapp.manage import oauth_clients
from webapp.models import Organization


@dataclass
class Registered:
    """An API client as its developer holds it."""

    client_id: str
    secret: str | None
    organization_id: str


def register_client(
    app: Flask, organization_id: str, *, scopes=None, public: bool = False, name="Booking app"
) -> Registered:
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        row, secret = oauth_clients.create_client(
            db.session, organization, name=name, scopes=scopes, public=public
        )
        db.session.commit()
        return Registered(row.client_id, secret, organization_id)


def access_token(app: Flask, registered: Registered, scope: str | None = None) -> str:
    """An organization access token, by client credentials then the refresh token."""
    client = app.test_client()
    form = {"grant_type": "client_credentials", "client_id": registered.client_id}
    if registered.secret:
        form["client_secret"] = registered.secret
    if scope:
        form["scope"] = scope
    first = client.post("/oauth/token", data=form)
    assert first.status_code == 200, first.get_json()
    second = client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": registered.client_id,
            "refresh_token": first.get_json()["refresh_token"],
            "organization_id": registered.organization_id,
            **({"client_secret": registered.secret} if registered.secret else {}),
        },
    )
    assert second.status_code == 200, second.get_json()
    return second.get_json()["access_token"]


@pytest.fixture
def web(app) -> Flask:
    """The app with the emails and webhooks it sends captured."""
    app.config.update(MESSAGES_CAPTURE=[])
    return app


@pytest.fixture
def site(web) -> Site:
    """Shifa Clinic (see tests/web/conftest.py ``site``): Consultation (30 min, 150) with
    Dr Huda, Dr Omar and Dr Layla; Vaccination (15 min) with Dr Huda and Dr Layla; they work
    Sunday to Thursday 09-13 and 14-17, Asia/Riyadh. Now is Saturday 21 November 2026, 09:00."""
    return build_site(web)


@pytest.fixture
def other_site(web) -> Site:
    """Noor Dental, a second business on the same installation."""
    return build_site(web, name="Noor Dental")


@pytest.fixture
def registered(app, site) -> Registered:
    """A confidential client of Shifa Clinic with every scope."""
    return register_client(app, site.organization_id)


@pytest.fixture
def token(app, registered) -> str:
    return access_token(app, registered)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app behind a real HTTP server on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
