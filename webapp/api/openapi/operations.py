"""What each API operation takes and answers, for the OpenAPI description and the docs page.

Keyed by Flask endpoint; a value is an ``Operation`` (one method) or ``{method: Operation}``.
Schemas are JSON Schema (OpenAPI 3.1); ``ref("Name")`` points at ``schemas.SCHEMAS``."""

from __future__ import annotations

from dataclasses import dataclass, field


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def array(item: dict) -> dict:
    return {"type": "array", "items": item}


def query(name: str, description: str, schema: dict | None = None, required=False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    auth: str = "none"  # none | customer | management
    request: dict | None = None
    request_required: bool = True
    request_example: dict | None = None
    response: dict | None = None
    response_description: str = "Done"
    response_example: object = None
    paginated: bool = False
    status: int = 200
    errors: tuple[int, ...] = ()
    query: list = field(default_factory=list)
    idempotent: bool = False
    app_id: bool = True
    description: str = ""


OPERATIONS: dict = {
    "api.otp_request": Operation(
        "Request Otp",
        "Authentication",
        request=ref("OtpRequest"),
        request_example={"method": "email", "email": "sara@example.com", "isOrgMember": False},
        response=ref("OtpRequested"),
        response_example={"method": "email", "sent": True, "expiresInSeconds": 600},
        description="Sends a 6-digit code valid 10 minutes. The answer is the same whether or "
        "not the address is known; staff (isOrgMember) get a code only when they belong to "
        "the organization.",
    ),
    "api.otp_verify": Operation(
        "Verify Otp",
        "Authentication",
        request=ref("OtpVerify"),
        request_example={"method": "email", "email": "sara@example.com", "code": "123456"},
        response=ref("Tokens"),
        errors=(),
        description="At most 5 tries per code. Answers a refresh token and a 5-minute "
        "access token.",
    ),
    "api.token_refresh": Operation(
        "Get Access Token",
        "Authentication",
        query=[query("refreshToken", "A refresh token from Verify Otp", required=True)],
        response=ref("Tokens"),
        errors=(401,),
        description="Rotates: the refresh token given stops working and a new one is "
        "answered. Presenting an exchanged token again revokes every token of that sign-in.",
    ),
}
