"""Who calls the booking integrations (the hold/confirm API, the module API, MCP), and what
they may do.

``Authorization: Bearer <credential>`` carries one of:
- an access token from ``/oauth/token``: its organization and the scopes it was granted,
  while its client is not revoked;
- an organization API key (``mwd_...``): its organization, every scope.

Both book as an integration acting for customers, on the website's terms (the services and
resources customers may book, on the customers' time grid), never as staff. No credential,
or one that is expired or revoked, answers 401; a missing scope or another organization 403.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import wraps

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.api.access import Forbidden, Unauthorized, credential, find_api_key
from webapp.auth import tokens
from webapp.booking.errors import BookingError
from webapp.booking.states import Actor
from webapp.extensions import db
from webapp.manage.oauth_clients import SCOPES
from webapp.models import ApiKey, OAuthClient, Organization, Website, WebsiteVersion
from webapp.public.blueprint import now
from webapp.security import limiter


@dataclass(frozen=True)
class Integration:
    organization: Organization
    actor: Actor
    scopes: frozenset[str]
    client: OAuthClient | None = None
    api_key: ApiKey | None = None
    website: Website | None = field(default=None, compare=False)

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def name(self) -> str:
        if self.client is not None:
            return self.client.name
        return self.api_key.name if self.api_key is not None else ""


def _organization(organization_id: str) -> Organization | None:
    organization = db.session.get(Organization, organization_id)
    return organization if organization is not None and not organization.is_deleted else None


def default_website(organization: Organization) -> Website | None:
    """The organization's first website, which integration bookings belong to (its timezone,
    its emails' links)."""
    return db.session.scalar(
        select(Website)
        .join(WebsiteVersion, WebsiteVersion.website_id == Website.id)
        .where(Website.organization_id == organization.id, WebsiteVersion.version == "default")
        .order_by(Website.created_at, Website.id)
        .limit(1)
    )


def resolve_integration(raw: str) -> Integration | None:
    """The integration a bearer credential names, or None when it names none."""
    if raw.startswith(tokens.ACCESS_PREFIX):
        claims = tokens.read_access_token(
            raw, secret_key=current_app.config["SECRET_KEY"], now=now()
        )
        if claims is None or not claims.client_id:
            return None
        client = db.session.get(OAuthClient, claims.client_id)
        if client is None or client.revoked_at is not None:
            return None
        organization = _organization(claims.organization_id)
        if organization is None or client.organization_id != organization.id:
            return None
        # A scope taken from the client after the token was issued is gone at once.
        scopes = frozenset(claims.scopes) & frozenset(client.scopes)
        return Integration(organization, Actor("client", client.id), scopes, client=client)
    key = find_api_key(raw, now())
    if key is not None and key.scope == "organization":
        organization = _organization(key.organization_id)
        if organization is not None:
            return Integration(organization, Actor("key", key.id), frozenset(SCOPES), api_key=key)
    return None


def require_integration(scope: str, organization_id: str | None = None) -> Integration:
    """The caller, with ``scope``, acting for ``organization_id`` when the path names one."""
    integration = resolve_integration(credential())
    if integration is None:
        raise Unauthorized(
            _(
                "Send an access token from /oauth/token or an organization API key: "
                "Authorization: Bearer <...>."
            )
        )
    if organization_id is not None and organization_id != integration.organization.id:
        raise Forbidden(
            _("This credential is not valid for this organization."),
            organizationId=str(organization_id)[:64],
        )
    if not integration.allows(scope):
        raise Forbidden(
            _("This credential lacks the %(scope)s scope.", scope=scope),
            required_scope=scope,
        )
    return integration


def _rate_key() -> str:
    return "integration:" + hashlib.sha256(credential().encode()).hexdigest()[:32]


def integration(scope: str, *, organization_arg: str | None = None):
    """The view needs an integration caller holding ``scope`` (in ``g.integration``); with
    ``organization_arg`` the URL's organization must be the caller's. Calls are limited per
    credential (``INTEGRATION_RATE_LIMIT``)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            organization_id = kwargs.get(organization_arg) if organization_arg else None
            g.integration = require_integration(scope, organization_id)
            g.organization = g.integration.organization
            return view(*args, **kwargs)

        return limiter.limit(
            lambda: current_app.config["INTEGRATION_RATE_LIMIT"],
            key_func=_rate_key,
            scope="integration",
        )(wrapped)

    return decorate


def bearer_error_headers(error: BookingError) -> dict[str, str]:
    """``WWW-Authenticate`` for a refused bearer credential (RFC 6750)."""
    if error.http_status == 401:
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    scope = error.details.get("required_scope")
    if error.http_status == 403 and scope:
        return {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'}
    return {}
