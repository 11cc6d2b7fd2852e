"""The JSON objects of the API, as JSON Schema (OpenAPI 3.1 components)."""

from __future__ import annotations

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}

SCHEMAS: dict = {
    "ErrorEnvelope": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": STRING,
                    "message": STRING,
                    "details": {"type": "object"},
                },
            }
        },
    },
    "Pagination": {
        "type": "object",
        "required": ["nextPageToken", "hasMore"],
        "properties": {"nextPageToken": NULLABLE_STRING, "hasMore": {"type": "boolean"}},
    },
    "OtpRequest": {
        "type": "object",
        "required": ["method"],
        "properties": {
            "method": {"type": "string", "enum": ["sms", "whatsapp", "email"]},
            "phoneNumber": STRING,
            "email": STRING,
            "isOrgMember": {"type": "boolean", "default": False},
            "turnstileToken": STRING,
            "recaptchaToken": STRING,
        },
    },
    "OtpVerify": {
        "type": "object",
        "required": ["method", "code"],
        "properties": {
            "method": {"type": "string", "enum": ["sms", "whatsapp", "email"]},
            "phoneNumber": STRING,
            "email": STRING,
            "isOrgMember": {"type": "boolean", "default": False},
            "code": STRING,
        },
    },
    "OtpRequested": {
        "type": "object",
        "properties": {
            "method": STRING,
            "sent": {"type": "boolean"},
            "expiresInSeconds": {"type": "integer"},
        },
    },
    "Tokens": {
        "type": "object",
        "required": ["refreshToken", "accessToken", "accessTokenExpiresAt", "user"],
        "properties": {
            "refreshToken": STRING,
            "accessToken": STRING,
            "accessTokenExpiresAt": {"type": "string", "format": "date-time"},
            "user": {
                "type": "object",
                "properties": {
                    "id": STRING,
                    "isOrgMember": {"type": "boolean"},
                    "role": NULLABLE_STRING,
                    "organizationId": STRING,
                },
            },
        },
    },
}
