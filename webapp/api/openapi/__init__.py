"""The API's OpenAPI 3.1 description, built from the application's own routes and the
documentation of each operation (``operations.py``) with its schemas (``schemas.py``).

Every ``/api`` route must be documented: ``build_spec`` raises for one that is not, and a
test builds it."""

from __future__ import annotations

import re
from copy import deepcopy

from flask import Flask

from webapp.api.openapi.model import Operation
from webapp.api.openapi.operations import OPERATIONS, TAGS
from webapp.api.openapi.schemas import SCHEMAS

PARAMETER = re.compile(r"<(?:[a-z]+:)?([A-Za-z_]+)>")
ERROR_TEXT = {
    400: "Malformed request",
    401: "Missing, expired or invalid credentials",
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
        "description": "Language of names and messages (others are ignored: en).",
        "schema": {"enum": ["en", "ar"]},
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "1 to 255 visible ASCII characters. Replays of the same key answer "
        "the first response (Idempotent-Replayed: true); the same key with another body "
        "answers 422.",
        "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
        "example": "3f1c2a9e-booking-1",
    },
}
REPLAYED = {
    "description": "true when this is the stored answer to an earlier request with the key.",
    "schema": {"enum": ["true"]},
}
RETRY_AFTER = {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
# The description and its page describe the API; they are not operations of it.
NOT_OPERATIONS = frozenset({"api.openapi_json", "api.docs"})
SECURITY = {
    "none": [],
    # Works without credentials; a staff token or an API key unlocks more (showAll).
    "optional": [{}, {"bearerAuth": []}, {"apiKey": []}],
    "customer": [{"bearerAuth": []}],
    "management": [{"bearerAuth": []}, {"apiKey": []}],
}


def _path(rule: str) -> tuple[str, list[str]]:
    names = PARAMETER.findall(rule)
    return PARAMETER.sub(lambda m: "{" + m.group(1) + "}", rule), names


def _envelope(schema: dict | None, *, paginated: bool, extra: dict) -> dict:
    result = schema if schema is not None else {}
    properties = {"result": result}
    required = ["result"]
    if paginated:
        properties["pagination"] = {"$ref": "#/components/schemas/Pagination"}
        required.append("pagination")
    for name, member in extra.items():
        properties[name] = deepcopy(member)
        required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def _example(doc: Operation) -> dict:
    """The whole answer of the example: the result in its envelope."""
    example = {"result": deepcopy(doc.response_example)}
    if doc.paginated:
        example["pagination"] = {"nextPageToken": None, "hasMore": False}
    for name, member in doc.envelope.items():
        if member.get("examples"):
            example[name] = member["examples"][0]
    return example


def _operation(operation_id: str, method: str, doc: Operation, path_names: list[str]) -> dict:
    parameters = [
        {"$ref": "#/components/parameters/" + ("XAppId" if doc.app_id else "XAppIdOptional")},
        {"$ref": "#/components/parameters/Lang"},
    ]
    if doc.idempotent:
        parameters.append({"$ref": "#/components/parameters/IdempotencyKey"})
    for name in path_names:
        parameter = {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        if name in doc.path:
            parameter["description"] = doc.path[name]
        parameters.append(parameter)
    parameters.extend(deepcopy(doc.query))
    envelope = _envelope(doc.response, paginated=doc.paginated, extra=doc.envelope)
    success = {
        "description": doc.response_description,
        "content": {"application/json": {"schema": envelope}},
    }
    if doc.response_example is not None:
        success["content"]["application/json"]["example"] = _example(doc)
    responses = {str(doc.status): success}
    for status in doc.also:
        responses[str(status)] = deepcopy(success)
    if doc.idempotent:
        for response in responses.values():
            response["headers"] = {"Idempotent-Replayed": deepcopy(REPLAYED)}
    for status in sorted(set(doc.errors) | {400, 404, 413, 422, 429}):
        responses[str(status)] = {
            "description": ERROR_TEXT.get(status, "Error"),
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}
            },
        }
    responses["429"]["headers"] = {"Retry-After": deepcopy(RETRY_AFTER)}
    operation = {
        "operationId": operation_id,
        "summary": doc.summary,
        "tags": [doc.tag],
        "parameters": parameters,
        "responses": responses,
        "security": SECURITY[doc.auth],
    }
    if doc.description:
        operation["description"] = doc.description
    if doc.request is not None:
        body = {"required": doc.request_required, "content": {"application/json": {}}}
        body["content"]["application/json"]["schema"] = deepcopy(doc.request)
        if doc.request_example is not None:
            body["content"]["application/json"]["example"] = deepcopy(doc.request_example)
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
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for method in methods:
            doc = docs.get(method.lower()) if isinstance(docs, dict) else docs
            if doc is None:
                missing.append(f"{rule.endpoint} {method}")
                continue
            # The view's name; a view with several methods adds the method.
            operation_id = rule.endpoint.removeprefix("api.")
            if len(methods) > 1:
                operation_id += f"_{method.lower()}"
            paths.setdefault(path, {})[method.lower()] = _operation(
                operation_id, method.lower(), doc, names
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
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
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
