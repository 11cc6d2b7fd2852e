"""API clients and booking partners: who books with the organization from outside."""

from __future__ import annotations

from webapp.api.openapi.model import (
    BOOLEAN,
    INSTANT,
    NULLABLE_INSTANT,
    NULLABLE_STRING,
    STRING,
    array,
    described,
    obj,
)
from webapp.manage.oauth_clients import MAX_NAME, SCOPES

SCOPE = {"type": "string", "enum": list(SCOPES)}
NAME_IN = {"type": "string", "minLength": 1, "maxLength": MAX_NAME}
CLIENT = {
    "clientId": described(STRING, "The client_id it sends to /oauth/token."),
    "name": STRING,
    "public": described(BOOLEAN, "A public module client has no secret."),
    "scopes": array(SCOPE),
    "secretHint": described(NULLABLE_STRING, "The secret's last characters; null when public."),
    "createdAt": INSTANT,
    "lastUsedAt": NULLABLE_INSTANT,
    "revokedAt": NULLABLE_INSTANT,
}
PARTNER = {
    "username": described(STRING, "The HTTP Basic username for the booking server."),
    "name": STRING,
    "passwordHint": described(STRING, "The password's last characters."),
    "createdAt": INSTANT,
    "lastUsedAt": NULLABLE_INSTANT,
    "revokedAt": NULLABLE_INSTANT,
}

SCHEMAS: dict = {
    "OAuthClient": obj(CLIENT, list(CLIENT)),
    "NewOAuthClient": obj(
        {
            **CLIENT,
            "clientSecret": described(
                STRING, "The client_secret, shown this once; absent for a public client."
            ),
        },
        list(CLIENT),
    ),
    "OAuthClientInput": obj(
        {
            "name": NAME_IN,
            "scopes": described(
                array(SCOPE, minItems=1), "What the client may do; every scope when left out."
            ),
            "public": described(
                BOOLEAN,
                "true: a public module client, with no secret (anyone who knows its id "
                "can book as it).",
            ),
        },
        ["name"],
    ),
    "BookingPartner": obj(PARTNER, list(PARTNER)),
    "NewBookingPartner": obj(
        {**PARTNER, "password": described(STRING, "The password, shown this once.")},
        [*PARTNER, "password"],
    ),
    "BookingPartnerInput": obj({"name": NAME_IN}, ["name"]),
}
