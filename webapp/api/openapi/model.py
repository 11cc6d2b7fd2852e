"""How one API operation is documented, and the small helpers its schemas are written with.

Schemas are JSON Schema (OpenAPI 3.1); ``ref("Name")`` points at ``schemas.SCHEMAS``."""

from __future__ import annotations

from dataclasses import dataclass, field

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
NULLABLE_INTEGER = {"type": ["integer", "null"]}
BOOLEAN = {"type": "boolean"}
OBJECT = {"type": "object"}
DATE = {"type": "string", "format": "date", "examples": ["2026-11-22"]}
INSTANT = {"type": "string", "format": "date-time"}
NULLABLE_INSTANT = {"type": ["string", "null"], "format": "date-time"}
# Amounts are strings with two decimals, as the seed writes them ("150.00").
MONEY = {
    "type": "string",
    "pattern": r"^\d+\.\d{2}$",
    "examples": ["150.00"],
    "description": 'An amount with two decimals, such as "150.00".',
}
NULLABLE_MONEY = {**MONEY, "type": ["string", "null"]}
MILITARY = {
    "type": "integer",
    "minimum": 0,
    "maximum": 2359,
    "description": "Military time on the website's clock: 930 is 09:30, 1820 is 18:20.",
}
TRANSLATIONS = {
    "type": "object",
    "additionalProperties": STRING,
    "description": 'The text in each language, such as {"en": "Checkup", "ar": "فحص"}.',
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def array(item: dict, **extra) -> dict:
    return {"type": "array", "items": item, **extra}


def nullable(schema: dict) -> dict:
    """``schema`` or null (a ``$ref`` is wrapped, a plain type gets ``null`` added)."""
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    return {**schema, "type": [*kinds, "null"]}


def obj(properties: dict, required: tuple | list = (), **extra) -> dict:
    """An object with these properties (others allowed: answers may grow)."""
    schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    return schema


def described(schema: dict, text: str) -> dict:
    return {**schema, "description": text}


def query(
    name: str,
    description: str,
    schema: dict | None = None,
    required: bool = False,
    example: object = None,
) -> dict:
    parameter = {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }
    if example is not None:
        parameter["example"] = example
    return parameter


BOOLEAN_QUERY = {"type": "boolean", "default": False}


def version_query() -> dict:
    return query(
        "version",
        "default (live, the default) or draft",
        {"type": "string", "enum": ["default", "draft"], "default": "default"},
    )


LIMIT_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 100}


def page_query(default: int) -> list[dict]:
    """``limit`` and ``nextPageToken`` of a paginated list."""
    return [
        query("limit", f"Items per page, 1 to 100 (default {default}).", LIMIT_SCHEMA),
        query("nextPageToken", "The token of the previous page's pagination (opaque, expires)."),
    ]


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    auth: str = "none"  # none | optional | customer | management
    request: dict | None = None
    request_required: bool = True
    request_example: object = None
    response: dict | None = None
    response_description: str = "Done"
    response_example: object = None
    paginated: bool = False
    status: int = 200
    # Other success statuses answered with the same body (e.g. 200 when nothing was new).
    also: tuple[int, ...] = ()
    errors: tuple[int, ...] = ()
    query: list = field(default_factory=list)
    idempotent: bool = False
    app_id: bool = True
    description: str = ""
    # Members of the answer next to ``result`` (e.g. a deletion's ``message``).
    envelope: dict = field(default_factory=dict)
    path: dict = field(default_factory=dict)  # path parameter name -> description
