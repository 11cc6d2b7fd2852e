"""Manage API clients and booking partners: the outside systems that book with the
organization. An API client gets tokens at ``/oauth/token`` (seeds 001 and 003); a booking
partner calls the booking server at ``/rwg/v3/`` (seed 004). The client's secret and the
partner's password are answered once, by the call that made them; lists show neither."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _

from webapp.api.access import management
from webapp.api.blueprint import body, bp, ok
from webapp.api.shapes.accounts import instant
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.manage import booking_partners as partners
from webapp.manage import oauth_clients as clients
from webapp.models import BookingPartner, OAuthClient
from webapp.public.blueprint import now


def client_shape(row: OAuthClient) -> dict:
    return {
        "clientId": row.client_id,
        "name": row.name,
        "public": row.is_public,
        "scopes": list(row.scopes),
        "secretHint": None if row.is_public else row.secret_hint,
        "createdAt": instant(row.created_at),
        "lastUsedAt": instant(row.last_used_at),
        "revokedAt": instant(row.revoked_at),
    }


def partner_shape(row: BookingPartner) -> dict:
    return {
        "username": row.username,
        "name": row.name,
        "passwordHint": row.password_hint,
        "createdAt": instant(row.created_at),
        "lastUsedAt": instant(row.last_used_at),
        "revokedAt": instant(row.revoked_at),
    }


def _secret_answer(result: dict):
    """201 with a secret in it, which no cache may keep."""
    response = ok(result, 201)
    response.headers["Cache-Control"] = "no-store"
    return response


def _public_flag(data: dict) -> bool:
    value = data.get("public", False)
    if not isinstance(value, bool):
        raise ValidationFailed(_("public must be true or false."), field="public")
    return value


# --- API clients -----------------------------------------------------------------------------


@bp.get("/management/oauthClients")
@management("admin")
def oauth_clients_list():
    result = [client_shape(row) for row in clients.clients_of(db.session, g.organization)]
    db.session.commit()
    return ok(result)


@bp.post("/management/oauthClients")
@management("admin")
def oauth_client_create():
    data = body()
    public = _public_flag(data)
    row, secret = clients.create_client(
        db.session,
        g.organization,
        name=data.get("name"),
        scopes=data.get("scopes"),
        public=public,
        created_by=g.caller.actor.label,
    )
    result = client_shape(row)
    if secret is not None:  # a public module client has none
        result["clientSecret"] = secret
    db.session.commit()
    return _secret_answer(result)


@bp.delete("/management/oauthClients/<client_id>")
@management("admin")
def oauth_client_delete(client_id: str):
    row = clients.revoke_client(db.session, g.organization, client_id, now=now())
    result = client_shape(row)
    db.session.commit()
    return ok(result)


# --- booking partners ------------------------------------------------------------------------


@bp.get("/management/bookingPartners")
@management("admin")
def booking_partners_list():
    result = [partner_shape(row) for row in partners.partners_of(db.session, g.organization)]
    db.session.commit()
    return ok(result)


@bp.post("/management/bookingPartners")
@management("admin")
def booking_partner_create():
    data = body()
    row, password = partners.create_partner(
        db.session, g.organization, name=data.get("name"), created_by=g.caller.actor.label
    )
    result = {**partner_shape(row), "password": password}
    db.session.commit()
    return _secret_answer(result)


@bp.delete("/management/bookingPartners/<username>")
@management("admin")
def booking_partner_delete(username: str):
    row = partners.revoke_partner(db.session, g.organization, username, now=now())
    result = partner_shape(row)
    db.session.commit()
    return ok(result)
