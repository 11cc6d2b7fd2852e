"""The MCP server of seed 003 at ``/mcp``: the Model Context Protocol's Streamable HTTP
transport, stateless, carrying JSON-RPC 2.0.

Every ``POST /mcp`` carries one JSON-RPC message and the caller's credential
(``Authorization: Bearer <access token from /oauth/token | organization API key>``). A request
is answered at once with its JSON-RPC response as ``application/json``; a notification, or a
response from the client, with 202 and no body. Nothing is kept between calls: no
``Mcp-Session-Id`` is issued and no server-initiated stream is offered, so ``GET`` and
``DELETE`` answer 405.

Protocol versions served: 2025-11-25 and 2025-06-18 (one message per POST, tool results with
``structuredContent``). ``initialize`` answers the client's version when it is one of them,
else the newest; later calls name theirs in ``MCP-Protocol-Version`` (another value answers
400; none is read as the oldest served). The two differ in one thing a client sees: arguments
that fail a tool's input schema are a JSON-RPC error (-32602) at 2025-06-18 and a tool result
with ``isError`` at 2025-11-25, so the model can correct them.

Refusals before any method runs (a foreign ``Origin``, no credential, a body too large) answer
their HTTP status with a JSON-RPC error whose ``data.code`` is the stable code of the other
APIs (``UNAUTHORIZED``, ``FORBIDDEN``, ...). The tools are in :mod:`mcp_tools`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.api.access import credential
from webapp.booking.errors import BookingError
from webapp.extensions import db
from webapp.integrations import mcp_tools
from webapp.integrations.access import Integration, default_website, resolve_integration
from webapp.public.blueprint import now
from webapp.security import limiter

bp = Blueprint("mcp", __name__)

VERSIONS = ("2025-11-25", "2025-06-18")  # newest first
# Versions where arguments failing the input schema are a protocol error (-32602); later
# ones answer a tool result with isError, which the model reads and corrects.
SCHEMA_ERRORS_AS_PROTOCOL_ERRORS = frozenset({"2025-06-18"})
VERSION_HEADER = "MCP-Protocol-Version"
MAX_BODY = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602


class RpcError(Exception):
    """A JSON-RPC error, sent with the HTTP ``status`` (and ``headers``) it calls for."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        data: dict | None = None,
        status: int = 200,
        headers: dict | None = None,
    ):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data
        self.status, self.headers = status, headers or {}


def refusal(status: int, code: str, message: str, headers: dict | None = None) -> RpcError:
    """An HTTP-level refusal: the message was not processed."""
    return RpcError(INVALID_REQUEST, message, data={"code": code}, status=status, headers=headers)


@dataclass(frozen=True)
class Call:
    """One JSON-RPC request as a method sees it."""

    integration: Integration
    version: str
    params: dict


# --- the transport ------------------------------------------------------------------------------


def _rate_limit() -> str:
    return current_app.config["INTEGRATION_RATE_LIMIT"]


def _rate_key() -> str:
    # Per credential, like the other integrations: one office runs many agents.
    return "mcp:" + hashlib.sha256(credential().encode()).hexdigest()[:32]


@bp.post("/mcp")
@limiter.limit(_rate_limit, key_func=_rate_key, scope="integration")
def mcp_post():
    message: dict = {}
    try:
        _check_origin()
        _check_media_types()
        integration = _caller()
        message = _read_message()
        if "method" not in message or "id" not in message:
            # A notification, or a response to a request this server never sends.
            _header_version()
            return current_app.response_class(status=202)
        result = _dispatch(integration, message)
        return _send({"jsonrpc": "2.0", "id": message["id"], "result": result})
    except RpcError as error:
        return _error(message.get("id"), error)


@bp.route("/mcp", methods=["GET", "DELETE"])
def mcp_other():
    """No server-initiated stream and no session to end."""
    error = refusal(
        405,
        "METHOD_NOT_ALLOWED",
        _("This server offers no event stream and keeps no session: POST each message."),
        {"Allow": "POST"},
    )
    return _error(None, error)


@bp.errorhandler(429)
def _rate_limited(exc):
    message = _("Too many requests. Try again later.")
    return _error(None, refusal(429, "RATE_LIMITED", message))


def _send(body: dict, status: int = 200, headers: dict | None = None):
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


def _error(message_id, error: RpcError):
    body: dict = {"code": error.code, "message": error.message}
    if error.data is not None:
        body["data"] = error.data
    answer_id = message_id if _valid_id(message_id) else None
    return _send({"jsonrpc": "2.0", "id": answer_id, "error": body}, error.status, error.headers)


def _origin_key(url: str) -> tuple | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname, port


def _check_origin() -> None:
    """A browser page of another site must not reach the server through a visitor's
    network (DNS rebinding): an ``Origin`` other than the server's own is refused."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    public = current_app.config.get("PUBLIC_BASE_URL") or ""
    own = {_origin_key(request.host_url), _origin_key(public)}
    key = _origin_key(origin)
    if key is None or key not in own:
        raise refusal(403, "FORBIDDEN_ORIGIN", _("Requests from this origin are not accepted."))


def _check_media_types() -> None:
    accept = request.accept_mimetypes
    if request.headers.get("Accept") and not accept.best_match(["application/json"]):
        raise refusal(406, "NOT_ACCEPTABLE", _("Accept application/json."))
    if request.mimetype != "application/json":
        raise refusal(415, "UNSUPPORTED_MEDIA_TYPE", _("Send the message as application/json."))


def _caller() -> Integration:
    raw = credential()
    integration = resolve_integration(raw) if raw else None
    if integration is None:
        challenge = 'Bearer error="invalid_token"' if raw else "Bearer"
        raise refusal(
            401,
            "UNAUTHORIZED",
            _(
                "Send an access token from /oauth/token or an organization API key: "
                "Authorization: Bearer <...>."
            ),
            {"WWW-Authenticate": challenge},
        )
    g.integration, g.organization = integration, integration.organization
    return integration


def _read_message() -> dict:
    request.max_content_length = MAX_BODY
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge:
        message = _("The message is too large (at most %(size)s bytes).", size=MAX_BODY)
        raise refusal(413, "PAYLOAD_TOO_LARGE", message) from None
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested beyond what a parser takes
        raise RpcError(PARSE_ERROR, _("The body is not valid JSON."), status=400) from None
    _check_message(message)
    return message


def _valid_id(value) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _check_message(message) -> None:
    """One JSON-RPC 2.0 request, notification or response (batches ended at 2025-06-18)."""
    if isinstance(message, list):
        raise RpcError(INVALID_REQUEST, _("Send one message per request, not a batch."), status=400)
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        raise RpcError(INVALID_REQUEST, _("This is not a JSON-RPC 2.0 message."), status=400)
    if "id" in message and not _valid_id(message["id"]):
        raise RpcError(INVALID_REQUEST, _("The id must be a string or an integer."), status=400)
    if "method" in message:
        if not isinstance(message["method"], str):
            raise RpcError(INVALID_REQUEST, _("The method must be a string."), status=400)
    elif "id" not in message or ("result" in message) == ("error" in message):
        raise RpcError(INVALID_REQUEST, _("This is not a JSON-RPC 2.0 message."), status=400)


def _header_version() -> str:
    value = request.headers.get(VERSION_HEADER)
    if value is None:
        return VERSIONS[-1]
    if value not in VERSIONS:
        raise RpcError(
            INVALID_REQUEST,
            _("Unsupported MCP protocol version."),
            data={"supported": list(VERSIONS), "requested": value[:64]},
            status=400,
        )
    return value


# --- the methods --------------------------------------------------------------------------------


def _dispatch(integration: Integration, message: dict) -> dict:
    method = METHODS.get(message["method"])
    if method is None:
        raise RpcError(
            METHOD_NOT_FOUND, _("Unknown method: %(method)s.", method=message["method"][:64])
        )
    params = message.get("params", {})
    if not isinstance(params, dict):
        raise RpcError(INVALID_PARAMS, _("The params must be an object."))
    chosen = None if message["method"] == "initialize" else _header_version()
    return method(Call(integration, chosen or VERSIONS[0], params))


def initialize(call: Call) -> dict:
    params = call.params
    requested = params.get("protocolVersion")
    if not (
        isinstance(requested, str)
        and isinstance(params.get("capabilities"), dict)
        and isinstance(params.get("clientInfo"), dict)
    ):
        raise RpcError(
            INVALID_PARAMS, _("initialize needs protocolVersion, capabilities and clientInfo.")
        )
    chosen = requested if requested in VERSIONS else VERSIONS[0]
    info = {"name": "mawid", "title": "Mawid", "version": _version()}
    if chosen == "2025-11-25":
        info["description"] = "Appointment booking: services, free times, holds and bookings."
    return {
        "protocolVersion": chosen,
        "capabilities": {"tools": {"listChanged": False}},
        "serverInfo": info,
        "instructions": _instructions(call.integration),
    }


def _version() -> str:
    try:
        return version("mawid")
    except PackageNotFoundError:
        return "0"


def _instructions(integration: Integration) -> str:
    organization = integration.organization
    website = default_website(organization)
    timezone = website.settings.timezone if website is not None else organization.timezone
    return _(
        "You book appointments with %(name)s. Times are ISO-8601 with an offset; the "
        "business's timezone is %(timezone)s. The flow: list_services, then get_availability "
        "for the chosen service and day, then hold the chosen start (a hold keeps the time "
        "for a few minutes, until expires_at), then confirm the hold with the customer's "
        "name and email or phone. Keep the appointment_id to reschedule or cancel later. When "
        "a call answers isError, read error.code: BOOKING_CONFLICT means the time was taken "
        "(error.details.next_available suggests another), HOLD_EXPIRED means hold again.",
        name=organization.name,
        timezone=timezone,
    )


def ping(call: Call) -> dict:
    return {}


def tools_list(call: Call) -> dict:
    cursor = call.params.get("cursor")
    if cursor is not None:
        raise RpcError(INVALID_PARAMS, _("This list has no further pages."))
    return {"tools": mcp_tools.describe(call.integration)}


def tools_call(call: Call) -> dict:
    name, arguments = call.params.get("name"), call.params.get("arguments")
    tool = mcp_tools.TOOLS.get(name) if isinstance(name, str) else None
    if tool is None:
        raise RpcError(INVALID_PARAMS, _("Unknown tool: %(name)s.", name=str(name)[:64]))
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise RpcError(INVALID_PARAMS, _("The arguments must be an object."))
    if not call.integration.allows(tool.scope):
        raise refusal(
            403,
            "FORBIDDEN",
            _("This credential lacks the %(scope)s scope.", scope=tool.scope),
            {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{tool.scope}"'},
        )
    try:
        body = mcp_tools.call(tool, call.integration, arguments, now())
    except mcp_tools.InvalidArguments as error:
        db.session.rollback()
        if call.version in SCHEMA_ERRORS_AS_PROTOCOL_ERRORS:
            raise RpcError(INVALID_PARAMS, error.message, data=error.to_dict()) from None
        return mcp_tools.result({"error": error.to_dict()}, is_error=True)
    except BookingError as error:
        db.session.rollback()
        return mcp_tools.result({"error": error.to_dict()}, is_error=True)
    db.session.commit()
    return mcp_tools.result_text(body)


METHODS = {
    "initialize": initialize,
    "ping": ping,
    "tools/list": tools_list,
    "tools/call": tools_call,
}
