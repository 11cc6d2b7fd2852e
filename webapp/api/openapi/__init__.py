"""The API's OpenAPI 3.1 description, built from the application's own routes and the
documentation of each operation (``operations.py``) with its schemas (``schemas.py``).

Every ``/api`` route must be documented: ``build_spec`` raises for one that is not, and a
test builds it."""

from __future__ import annotations

import re
from copy import deepcopy

from flask import Flask

from webapp.api.openapi.operations import OPERATIONS, Operation
from webapp.api.openapi.schemas import SCHEMAS

PARAMETER = re.compile(r"<(?:[a-z]+:)?([A-Za-z_]+)>")
ERROR_TEXT = {
    400: "Malformed request",
    401: "Missing or invalid credentials",
    403: "The caller's role does not allow this",
    404: "Unknown id (or another organization's: they answer alike)",
    409: "Conflict (the time was just taken, or a duplicate request is in progress)",
    413: "The body is too large",
    422: "Invalid input; details name the field",
    429: "Too many requests; see Retry-After",
}
HEADERS = {
    "XAppId": {
        "name": "X-APP-ID",
        "in": "header",
        "required": True,
        "description": "The website's app id; it selects the organization.",
        "schema": {"type": "string"},
        "example": "h66w3DSEcsKlu8ReaclX",
    },
    "XAppIdOptional": {
        "name": "X-APP-ID",
        "in": "header",
        "required": False,
        "description": "The website's app id (not needed for account-level calls).",
        "schema": {"type": "string"},
    },
    "Lang": {
        "name": "lang",
        "in": "header",
        "required": False,
        "description": "Language of names and messages.",
        "schema": {"type": "string", "enum": ["en", "ar"]},
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Replays of the same key answer the first response; the same key "
        "with another body answers 422.",
        "schema": {"type": "string", "maxLength": 255},
    },
}
# The description and its page describe the API; they are not operations of it.
NOT_OPERATIONS = frozenset({"api.openapi_json", "api.docs"})
SECURITY = {
    "none": [],
    "customer": [{"bearerAuth": []}],
    "management": [{"bearerAuth": []}, {"apiKey": []}],
}


def _path(rule: str) -> tuple[str, list[str]]:
    names = PARAMETER.findall(rule)
    return PARAMETER.sub(lambda m: "{" + m.group(1) + "}", rule), names


def _envelope(schema: dict | None, *, paginated: bool) -> dict:
    result = schema if schema is not None else {}
    properties = {"result": result}
    required = ["result"]
    if paginated:
        properties["pagination"] = {"$ref": "#/components/schemas/Pagination"}
        required.append("pagination")
    return {"type": "object", "properties": properties, "required": required}


def _operation(endpoint: str, method: str, doc: Operation, path_names: list[str]) -> dict:
    parameters = [
        {"$ref": "#/components/parameters/" + ("XAppId" if doc.app_id else "XAppIdOptional")},
        {"$ref": "#/components/parameters/Lang"},
    ]
    if doc.idempotent:
        parameters.append({"$ref": "#/components/parameters/IdempotencyKey"})
    for name in path_names:
        parameters.append(
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        )
    parameters.extend(deepcopy(doc.query))
    success = {
        "description": doc.response_description,
        "content": {
            "application/json": {"schema": _envelope(doc.response, paginated=doc.paginated)}
        },
    }
    if doc.response_example is not None:
        success["content"]["application/json"]["example"] = doc.response_example
    responses = {str(doc.status): success}
    for status in sorted(set(doc.errors) | {400, 404, 413, 422, 429}):
        responses[str(status)] = {
            "description": ERROR_TEXT.get(status, "Error"),
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}
            },
        }
    operation = {
        "operationId": endpoint.removeprefix("api.") + ("" if method == "get" else f"_{method}"),
        "summary": doc.summary,
        "tags": [doc.tag],
        "parameters": parameters,
        "responses": responses,
        "security": SECURITY[doc.auth],
    }
    if doc.description:
        operation["description"] = doc.description
    if doc.request is not None and method in {"post", "put", "patch"}:
        body = {"required": doc.request_required, "content": {"application/json": {}}}
        body["content"]["application/json"]["schema"] = doc.request
        if doc.request_example is not None:
            body["content"]["application/json"]["example"] = doc.request_example
        operation["requestBody"] = body
    return operation


def build_spec(app: Flask, server_url: str = "/") -> dict:
    paths: dict[str, dict] = {}
    missing = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api.") or rule.endpoint in NOT_OPERATIONS:
            continue
        docs = OPERATIONS.get(rule.endpoint)
        if docs is None:
            missing.append(rule.endpoint)
            continue
        path, names = _path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            doc = docs.get(method.lower()) if isinstance(docs, dict) else docs
            if doc is None:
                missing.append(f"{rule.endpoint} {method}")
                continue
            paths.setdefault(path, {})[method.lower()] = _operation(
                rule.endpoint, method.lower(), doc, names
            )
    if missing:
        raise LookupError("undocumented API routes: " + ", ".join(missing))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mawid API",
            "version": "1.0.0",
            "description": "Appointment booking: availability, scheduling, customers and "
            'management of one organization per X-APP-ID. Answers are {"result": ...}; '
            "lists add pagination {nextPageToken, hasMore}; errors are "
            '{"error": {"code", "message", "details"}}. Times come as the website\'s '
            "date + military time (1830 = 18:30) and as ISO-8601 with offset and timeZone.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": deepcopy(SCHEMAS),
            "parameters": deepcopy(HEADERS),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A customer's or staff member's access token, or an API key.",
                },
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY"},
            },
        },
    }
