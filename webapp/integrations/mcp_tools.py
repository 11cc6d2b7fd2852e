"""The tools of the MCP server (``/mcp``): what each one is for, the arguments it takes and
the result it gives, as JSON Schema, and the call.

The tools are the booking operations of :mod:`webapp.integrations.bookings`, the same the
hold/confirm API offers, so both answer alike: the credential's organization only, on its
website's terms. A tool is listed and callable only with its scope. ``hold`` and
``confirm`` take an ``idempotency_key``: a retry with the same key and arguments gets the
first result again instead of a second hold or booking.

Arguments are checked against the tool's input schema (a small subset of JSON Schema: the
one these schemas use) before the operation checks their meaning."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from webapp.booking.errors import ValidationFailed
from webapp.booking.idempotency import run_idempotent
from webapp.extensions import db
from webapp.integrations import bookings
from webapp.integrations.access import Integration


class InvalidArguments(ValidationFailed):
    """The arguments do not fit the tool's input schema."""


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    description: str
    scope: str
    input_schema: dict
    output_schema: dict
    annotations: dict
    operation: Callable[[Integration, dict], dict]
    idempotency_key: bool = False

    def describe(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": self.input_schema,
            "outputSchema": self.output_schema,
            "annotations": {"title": self.title, **self.annotations},
        }


# --- schemas ------------------------------------------------------------------------------------


def _object(properties: dict, required: tuple[str, ...] = ()) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


def _result(properties: dict, required: tuple[str, ...]) -> dict:
    # Results may gain fields; clients validate what is promised.
    return {"type": "object", "properties": properties, "required": list(required)}


def _id(description: str, optional: bool = False) -> dict:
    kind = ["string", "null"] if optional else "string"
    return {"type": kind, "minLength": 1, "maxLength": 64, "description": description}


START = {
    "type": "string",
    "maxLength": 40,
    "format": "date-time",
    "description": "A start from get_availability, ISO-8601 with its offset "
    "(e.g. 2026-11-22T09:00:00+03:00).",
}
IDEMPOTENCY_KEY = {
    "type": ["string", "null"],
    "pattern": "^[!-~]{1,255}$",
    "description": "Any unique string (up to 255 printable characters) for this action; "
    "a retry with the same key and arguments answers the first result again.",
}
SERVICE = _result(
    {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "description": {"type": ["string", "null"]},
        "duration_minutes": {"type": "integer"},
        "price": {"type": ["string", "null"], "description": "Decimal amount, e.g. 150.00"},
        "currency": {"type": ["string", "null"]},
    },
    ("id", "name", "duration_minutes"),
)
SLOT = _result(
    {"start": {"type": "string"}, "end": {"type": "string"}, "resource_id": {"type": "string"}},
    ("start", "end", "resource_id"),
)
TIMES = {
    "start": {"type": "string", "format": "date-time"},
    "end": {"type": "string", "format": "date-time"},
    "resource_id": {"type": ["string", "null"]},
    "service_id": {"type": "string"},
}
APPOINTMENT = {"appointment_id": {"type": "string"}, "status": {"type": "string"}, **TIMES}
READ = {"readOnlyHint": True, "openWorldHint": False}
WRITE = {"readOnlyHint": False, "destructiveHint": False, "openWorldHint": False}

TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            name="list_services",
            title="List services",
            description="The services customers can book, with their ids, length in minutes "
            "and price. Start here: the other tools take a service_id from this list.",
            scope="org:read",
            input_schema=_object({}),
            output_schema=_result({"services": {"type": "array", "items": SERVICE}}, ("services",)),
            annotations={**READ, "idempotentHint": True},
            operation=lambda integration, data: bookings.list_services(integration),
        ),
        Tool(
            name="get_availability",
            title="Find free times",
            description="Free start times of a service from a date, for one day or up to 14 "
            "(days), each with the resource (staff member or room) free then. Pass one of "
            "these starts to hold.",
            scope="availability:read",
            input_schema=_object(
                {
                    "service_id": _id("The service, from list_services."),
                    "date": {
                        "type": "string",
                        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                        "format": "date",
                        "description": "The first day, YYYY-MM-DD, in the business's timezone.",
                    },
                    "days": {
                        "type": ["integer", "null"],
                        "minimum": 1,
                        "maximum": bookings.MAX_DAYS,
                        "description": "How many days from date (default 1).",
                    },
                    "resource_id": _id("Only this resource's times.", optional=True),
                },
                ("service_id", "date"),
            ),
            output_schema=_result(
                {
                    "service_id": {"type": "string"},
                    "timezone": {"type": "string"},
                    "slots": {"type": "array", "items": SLOT},
                },
                ("timezone", "slots"),
            ),
            annotations={**READ, "idempotentHint": True},
            operation=bookings.find_slots,
        ),
        Tool(
            name="hold",
            title="Hold a time",
            description="Keep a free start for the customer for a few minutes (until "
            "expires_at) while their details are asked; then confirm it. Without resource_id "
            "the least busy free resource is chosen.",
            scope="appointments:write",
            input_schema=_object(
                {
                    "service_id": _id("The service, from list_services."),
                    "start": START,
                    "resource_id": _id("The resource, from get_availability.", optional=True),
                    "idempotency_key": IDEMPOTENCY_KEY,
                },
                ("service_id", "start"),
            ),
            output_schema=_result(
                {
                    "hold_id": {"type": "string"},
                    "status": {"type": "string"},
                    "expires_at": {"type": "string", "format": "date-time"},
                    **TIMES,
                },
                ("hold_id", "expires_at", "start", "end"),
            ),
            annotations={**WRITE, "idempotentHint": False},
            operation=bookings.hold,
            idempotency_key=True,
        ),
        Tool(
            name="confirm",
            title="Confirm a booking",
            description="Book a held time for the customer: their name, and an email or a "
            "phone number with country code. Answers the appointment_id to keep.",
            scope="appointments:write",
            input_schema=_object(
                {
                    "hold_id": _id("The hold, from hold."),
                    "contact": _object(
                        {
                            "name": {"type": "string", "minLength": 1, "maxLength": 200},
                            "email": {"type": ["string", "null"], "maxLength": 254},
                            "phone": {
                                "type": ["string", "null"],
                                "maxLength": 40,
                                "description": "With country code, e.g. +966501234567.",
                            },
                        },
                        ("name",),
                    ),
                    "answers": {
                        "type": ["object", "null"],
                        "description": "Answers to the business's booking questions, by "
                        "question id, when it asks any.",
                    },
                    "idempotency_key": IDEMPOTENCY_KEY,
                },
                ("hold_id", "contact"),
            ),
            output_schema=_result(APPOINTMENT, ("appointment_id", "status", "start", "end")),
            annotations={**WRITE, "idempotentHint": True},
            operation=bookings.confirm,
            idempotency_key=True,
        ),
        Tool(
            name="reschedule",
            title="Reschedule an appointment",
            description="Move an appointment to another free start (from get_availability). "
            "A new appointment replaces it: keep the new appointment_id.",
            scope="appointments:write",
            input_schema=_object(
                {
                    "appointment_id": _id("The appointment, from confirm."),
                    "start": START,
                    "resource_id": _id("Move to this resource.", optional=True),
                },
                ("appointment_id", "start"),
            ),
            output_schema=_result(
                {**APPOINTMENT, "previous_appointment_id": {"type": "string"}},
                ("appointment_id", "status", "start", "end", "previous_appointment_id"),
            ),
            # The old appointment is canceled and its time given up.
            annotations={**WRITE, "destructiveHint": True, "idempotentHint": False},
            operation=bookings.reschedule,
        ),
        Tool(
            name="cancel",
            title="Cancel an appointment",
            description="Cancel an appointment for the customer; its time becomes free.",
            scope="appointments:write",
            input_schema=_object(
                {
                    "appointment_id": _id("The appointment, from confirm."),
                    "reason": {"type": ["string", "null"], "maxLength": 500},
                },
                ("appointment_id",),
            ),
            output_schema=_result(
                {"appointment_id": {"type": "string"}, "status": {"const": "CANCELED"}},
                ("appointment_id", "status"),
            ),
            annotations={**WRITE, "destructiveHint": True, "idempotentHint": True},
            operation=bookings.cancel,
        ),
    )
}


# --- listing and calling ------------------------------------------------------------------------


def describe(integration: Integration) -> list[dict]:
    """The tools this credential may call."""
    return [tool.describe() for tool in TOOLS.values() if integration.allows(tool.scope)]


def call(tool: Tool, integration: Integration, arguments: dict, now: datetime) -> str:
    """Run the tool; its result as JSON text (kept as sent, so a replay sends it again)."""
    problem = violation(tool.input_schema, arguments, "")
    if problem is not None:
        raise problem
    data = {key: value for key, value in arguments.items() if value is not None}
    key = data.pop("idempotency_key", None)

    def run() -> tuple[int, str]:
        return 200, json.dumps(tool.operation(integration, data), ensure_ascii=False)

    if not tool.idempotency_key:
        return run()[1]
    return run_idempotent(
        db.session,
        integration.organization.id,
        key,
        f"mcp.{tool.name}",
        # Another credential's key is not theirs to replay.
        {"caller": integration.actor.label, "arguments": data},
        run,
        now,
    ).body


def result(structured: dict, *, is_error: bool = False) -> dict:
    return result_text(json.dumps(structured, ensure_ascii=False), is_error=is_error)


def result_text(text: str, *, is_error: bool = False) -> dict:
    """A tool result: the JSON for models that read text, and the same as structured content."""
    return {
        "content": [{"type": "text", "text": text}],
        "structuredContent": json.loads(text),
        "isError": is_error,
    }


# --- checking arguments -------------------------------------------------------------------------

JSON_TYPES = {
    "string": lambda v: isinstance(v, str),
    # As JSON Schema counts: 2.0 is an integer.
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def violation(schema: dict, value: object, path: str) -> InvalidArguments | None:
    """The first way ``value`` breaks ``schema``, naming the field (``contact.email``)."""
    field = path or "arguments"
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    if kinds and not any(JSON_TYPES[kind](value) for kind in kinds):
        return InvalidArguments(_type_message(kinds[0], field), field=field)
    if isinstance(value, str):
        return _string_violation(schema, value, field)
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            message = _(
                "%(field)s must be from %(low)s to %(high)s.", field=field, low=low, high=high
            )
            return InvalidArguments(message, field=field)
    if isinstance(value, dict):
        return _object_violation(schema, value, path)
    return None


def _string_violation(schema: dict, value: str, field: str) -> InvalidArguments | None:
    if len(value) < schema.get("minLength", 0):
        return InvalidArguments(_("%(field)s is required.", field=field), field=field)
    if len(value) > schema.get("maxLength", len(value)):
        limit = schema["maxLength"]
        message = _("%(field)s must be at most %(limit)d characters.", field=field, limit=limit)
        return InvalidArguments(message, field=field)
    if "pattern" in schema and not re.search(schema["pattern"], value):
        message = _("%(field)s is not in the expected form.", field=field)
        return InvalidArguments(message, field=field)
    return None


def _object_violation(schema: dict, value: dict, path: str) -> InvalidArguments | None:
    properties = schema.get("properties", {})
    for name in schema.get("required", ()):
        if value.get(name) is None:
            field = f"{path}.{name}" if path else name
            return InvalidArguments(_("%(field)s is required.", field=field), field=field)
    for name, item in value.items():
        field = f"{path}.{str(name)[:64]}" if path else str(name)[:64]
        if name not in properties:
            if schema.get("additionalProperties", True) is False:
                message = _("%(field)s is not an argument of this tool.", field=field)
                return InvalidArguments(message, field=field)
            continue
        problem = violation(properties[name], item, field)
        if problem is not None:
            return problem
    return None


def _type_message(kind: str, field: str) -> str:
    if kind == "string":
        return _("%(field)s must be a string.", field=field)
    if kind == "integer":
        return _("%(field)s must be a whole number.", field=field)
    if kind == "object":
        return _("%(field)s must be an object.", field=field)
    return _("%(field)s has the wrong type.", field=field)
