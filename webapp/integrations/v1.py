"""The hold/confirm API of seed 003 at ``/api/v1``: services, free times, and holding,
confirming, rescheduling and canceling appointments, for a bearer access token from
``/oauth/token`` or an organization API key (see :mod:`access`). The operations themselves
are in :mod:`bookings`, shared with the MCP server.

Answers are plain JSON objects; errors ``{"error": {"code", "message", "details"}}``.
Every POST accepts an ``Idempotency-Key``: a retry answers the first answer byte for byte
(``Idempotent-Replayed: true``), the same key with another body 422."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _

from webapp.api.blueprint import answer_once
from webapp.booking.errors import BookingError, ValidationFailed
from webapp.errors import envelope
from webapp.extensions import db
from webapp.integrations import bookings
from webapp.integrations.access import Integration, bearer_error_headers, integration

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")

MAX_BODY = 64 * 1024
AVAILABILITY_PARAMS = ("service_id", "date", "days", "resource_id")

Operation = Callable[[Integration, dict], dict]


@bp.errorhandler(BookingError)
def refused(error: BookingError):
    """The error envelope, and what a refused bearer credential should do (RFC 6750)."""
    db.session.rollback()
    response = envelope(error.code, error.message, error.http_status, error.details)
    response.headers.update(bearer_error_headers(error))
    if isinstance(error.details.get("retry_after"), int):
        response.headers["Retry-After"] = str(error.details["retry_after"])
    return response


@bp.get("/services")
@integration("org:read")
def services_list():
    return jsonify(bookings.list_services(g.integration))


@bp.get("/availability")
@integration("availability:read")
def availability_get():
    query = {name: request.args[name] for name in AVAILABILITY_PARAMS if name in request.args}
    return jsonify(bookings.find_slots(g.integration, query))


@bp.post("/appointments/hold")
@integration("appointments:write")
def appointments_hold():
    return _write("hold", bookings.hold, status=201)


@bp.post("/appointments/confirm")
@integration("appointments:write")
def appointments_confirm():
    # Answers to booking questions may carry files (base64), within the upload limit.
    limit = MAX_BODY + current_app.config["UPLOAD_MAX_BYTES"] * 4 // 3
    return _write("confirm", bookings.confirm, limit=limit)


@bp.post("/appointments/reschedule")
@integration("appointments:write")
def appointments_reschedule():
    return _write("reschedule", bookings.reschedule)


@bp.post("/appointments/cancel")
@integration("appointments:write")
def appointments_cancel():
    return _write("cancel", bookings.cancel)


def _write(name: str, operation: Operation, *, status: int = 200, limit: int = MAX_BODY):
    """Run the operation once per ``Idempotency-Key`` and commit."""
    data = _body(limit)
    caller: Integration = g.integration

    def answer() -> tuple[int, str]:
        return status, jsonify(operation(caller, data)).get_data(as_text=True)

    # Another caller's key is not theirs to replay.
    payload = {"caller": caller.actor.label, "body": data}
    return answer_once(caller.organization.id, f"api.v1.{name}", payload, answer)


def _body(limit: int) -> dict:
    """The JSON object sent; a larger body than ``limit`` answers 413."""
    request.max_content_length = limit
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise ValidationFailed(_("The body must be a JSON object."), field="body")
    return data
