"""Management calls on who books with the organization from outside: API clients (the
client credentials of /oauth/token) and booking partners (the booking server's users)."""

from __future__ import annotations

from webapp.api.openapi.model import Operation, array, ref

CLIENTS = "Manage API Clients"
PARTNERS = "Manage Booking Partners"
CLIENT_ID = {"client_id": "The client's clientId."}
USERNAME = {"username": "The partner's username."}
CLIENT = {
    "clientId": "mwc_5f0c1e9a7b3d4c2e8a6f1b0d9c7e5a3f",
    "name": "Front desk tablet",
    "public": False,
    "scopes": ["org:read", "availability:read", "appointments:write"],
    "secretHint": "x7Qa2b",
    "createdAt": "2026-11-21T06:00:00+00:00",
    "lastUsedAt": None,
    "revokedAt": None,
}
PARTNER = {
    "username": "mwp_3c9e1a7f5b2d8c4e6a0f1b3d",
    "name": "Maps booking",
    "passwordHint": "k9Lm2P",
    "createdAt": "2026-11-21T06:00:00+00:00",
    "lastUsedAt": None,
    "revokedAt": None,
}
REVOKED = {"revokedAt": "2026-11-21T07:00:00+00:00"}


def _call(summary: str, tag: str, **values) -> Operation:
    return Operation(summary, tag, auth="management", errors=(401, 403), **values)


OPERATIONS: dict = {
    "api.oauth_clients_list": _call(
        "List API clients",
        CLIENTS,
        response=array(ref("OAuthClient")),
        response_example=[CLIENT],
        description="Admins. Active clients first (newest first), then revoked ones; "
        "secrets are never shown again.",
    ),
    "api.oauth_client_create": _call(
        "Create an API client",
        CLIENTS,
        request=ref("OAuthClientInput"),
        request_example={"name": "Front desk tablet", "scopes": ["availability:read"]},
        response=ref("NewOAuthClient"),
        response_example={**CLIENT, "clientSecret": "mws_Vd3...the whole secret, shown once"},
        status=201,
        description='Admins. Answers the clientId and clientSecret; with "public": true a '
        "public module client, which has no secret.",
    ),
    "api.oauth_client_delete": _call(
        "Revoke an API client",
        CLIENTS,
        path=CLIENT_ID,
        response=ref("OAuthClient"),
        response_example={**CLIENT, **REVOKED},
        description="Admins. The client and every token it holds stop working at once.",
    ),
    "api.booking_partners_list": _call(
        "List booking partners",
        PARTNERS,
        response=array(ref("BookingPartner")),
        response_example=[PARTNER],
        description="Admins. Active partners first (newest first), then revoked ones.",
    ),
    "api.booking_partner_create": _call(
        "Create a booking partner",
        PARTNERS,
        request=ref("BookingPartnerInput"),
        request_example={"name": "Maps booking"},
        response=ref("NewBookingPartner"),
        response_example={**PARTNER, "password": "the whole password, shown once"},
        status=201,
        description="Admins. Answers the username and password the partner sends to the "
        "booking server (/rwg/v3/) with HTTP Basic authentication.",
    ),
    "api.booking_partner_delete": _call(
        "Revoke a booking partner",
        PARTNERS,
        path=USERNAME,
        response=ref("BookingPartner"),
        response_example={**PARTNER, **REVOKED},
        description="Admins. The partner's credentials stop working at once.",
    ),
}
