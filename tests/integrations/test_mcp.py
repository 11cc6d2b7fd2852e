"""The MCP server at ``/mcp`` as an MCP client meets it over HTTP, one JSON-RPC message per
POST: the handshake, the tools a credential's scopes allow, the protocol's errors, who may
call, and the booking flow the tools make, for Shifa Clinic and never for Noor Dental."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from tests.integrations.conftest import access_token, bearer, register_client
from tests.web.conftest import build_site
from webapp import accounts
from webapp.extensions import db
from webapp.models import BookingStatus, Organization

LATEST, PREVIOUS = "2025-11-25", "2025-06-18"
ACCEPT = "application/json, text/event-stream"
ALL_TOOLS = ["list_services", "get_availability", "hold", "confirm", "reschedule", "cancel"]
FIRST_START = "2026-11-22T09:00:00+03:00"  # Sunday, the clinic's first free time
CONTACT = {"name": "Sara Haddad", "email": "sara@example.com", "phone": "+966501234567"}


class Mcp:
    """An MCP client's HTTP exchanges with the server, as raw messages."""

    def __init__(self, app, credential: str | None, version: str = LATEST):
        self.client = app.test_client()
        self.credential = credential
        self.version = version
        self.next_id = 0

    def headers(self, **extra) -> dict:
        headers = {"Accept": ACCEPT, "MCP-Protocol-Version": self.version}
        if self.credential:
            headers.update(bearer(self.credential))
        return {**headers, **extra}

    def post(self, body, **headers):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            "/mcp", data=data, content_type="application/json", headers=self.headers(**headers)
        )

    def request(self, method: str, params: dict | None = None, **headers):
        self.next_id += 1
        body = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            body["params"] = params
        return self.post(body, **headers)

    def call(self, tool: str, **arguments) -> dict:
        """A tool's result (``content``, ``structuredContent``, ``isError``)."""
        answer = self.request("tools/call", {"name": tool, "arguments": arguments})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()["result"]

    def tools(self) -> list[dict]:
        return self.request("tools/list").get_json()["result"]["tools"]


def organization_key(app, organization_id: str) -> str:
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        raw = accounts.issue_organization_key(db.session, organization, "assistant")
        db.session.commit()
        return raw


def initialize_params(version: str = LATEST) -> dict:
    return {
        "protocolVersion": version,
        "capabilities": {},
        "clientInfo": {"name": "test-agent", "version": "1.0"},
    }


@pytest.fixture
def mcp(app, token) -> Mcp:
    """Shifa Clinic's booking app, holding every scope."""
    return Mcp(app, token)


def scoped(app, site, *scopes: str) -> Mcp:
    registered = register_client(app, site.organization_id, scopes=list(scopes))
    return Mcp(app, access_token(app, registered))


# --- the handshake ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [LATEST, PREVIOUS])
def test_initialize_answers_the_clients_version_and_how_to_book(mcp, version):
    answer = mcp.request("initialize", initialize_params(version))

    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    result = answer.get_json()["result"]
    assert result["protocolVersion"] == version
    assert result["capabilities"] == {"tools": {"listChanged": False}}
    assert result["serverInfo"]["name"] == "mawid"
    assert result["serverInfo"]["title"] == "Mawid"
    assert result["serverInfo"]["version"]
    for words in ("Shifa Clinic", "Asia/Riyadh", "list_services", "get_availability", "confirm"):
        assert words in result["instructions"]
    # Stateless: no session to carry.
    assert "Mcp-Session-Id" not in answer.headers


@pytest.mark.parametrize("offered", ["2024-11-05", "2025-03-26", "2099-01-01"])
def test_initialize_offers_the_newest_version_for_one_it_does_not_speak(mcp, offered):
    answer = mcp.request("initialize", initialize_params(offered))

    assert answer.get_json()["result"]["protocolVersion"] == LATEST


def test_notifications_and_client_responses_are_accepted_without_a_body(mcp):
    initialized = mcp.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
    response = mcp.post({"jsonrpc": "2.0", "id": 7, "result": {}})

    assert (initialized.status_code, initialized.get_data()) == (202, b"")
    assert (response.status_code, response.get_data()) == (202, b"")


def test_ping_answers_an_empty_result(mcp):
    answer = mcp.request("ping")

    assert answer.status_code == 200
    assert answer.get_json() == {"jsonrpc": "2.0", "id": 1, "result": {}}


def test_a_protocol_version_the_server_does_not_speak_is_refused(mcp):
    answer = mcp.request("tools/list", **{"MCP-Protocol-Version": "2025-03-26"})

    assert answer.status_code == 400
    assert answer.get_json()["error"]["data"]["supported"] == [LATEST, PREVIOUS]


# --- tools per scope ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scopes", "listed"),
    [
        (["org:read"], ["list_services"]),
        (["availability:read"], ["get_availability"]),
        (["appointments:write"], ["hold", "confirm", "reschedule", "cancel"]),
        (["org:read", "availability:read", "appointments:write"], ALL_TOOLS),
    ],
)
def test_tools_list_shows_what_the_credentials_scopes_allow(app, site, scopes, listed):
    tools = scoped(app, site, *scopes).tools()

    assert [tool["name"] for tool in tools] == listed


def test_each_tool_says_what_it_takes_gives_and_does(mcp):
    tools = {tool["name"]: tool for tool in mcp.tools()}

    for tool in tools.values():
        assert tool["title"] and tool["description"]
        assert tool["inputSchema"]["type"] == "object"
        assert tool["inputSchema"]["additionalProperties"] is False
        assert tool["outputSchema"]["type"] == "object"
    assert tools["get_availability"]["inputSchema"]["required"] == ["service_id", "date"]
    assert tools["hold"]["inputSchema"]["required"] == ["service_id", "start"]
    assert "idempotency_key" in tools["confirm"]["inputSchema"]["properties"]
    assert tools["confirm"]["inputSchema"]["properties"]["contact"]["required"] == ["name"]
    assert tools["list_services"]["annotations"]["readOnlyHint"] is True
    assert tools["get_availability"]["annotations"]["readOnlyHint"] is True
    assert tools["hold"]["annotations"]["readOnlyHint"] is False
    assert tools["cancel"]["annotations"]["destructiveHint"] is True
    assert tools["cancel"]["annotations"]["idempotentHint"] is True


# --- protocol errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ('{"jsonrpc": "2.0", "id": 1, "method": ', 400, -32700),
        ("[]", 400, -32600),
        ('[{"jsonrpc": "2.0", "id": 1, "method": "ping"}]', 400, -32600),
        ('{"id": 1, "method": "ping"}', 400, -32600),
        ('{"jsonrpc": "2.0", "id": null, "method": "ping"}', 400, -32600),
        ('{"jsonrpc": "2.0", "id": 1, "method": 5}', 400, -32600),
        ('{"jsonrpc": "2.0", "id": 1}', 400, -32600),
        ('"ping"', 400, -32600),
        ('{"jsonrpc": "2.0", "id": 1, "method": "resources/list"}', 200, -32601),
        ('{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": [1]}', 200, -32602),
        ('{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}', 200, -32602),
        ('{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {}}', 200, -32602),
    ],
)
def test_a_message_the_server_cannot_take_answers_a_json_rpc_error(mcp, body, status, code):
    answer = mcp.post(body)

    assert answer.status_code == status
    assert answer.get_json()["jsonrpc"] == "2.0"
    assert answer.get_json()["error"]["code"] == code


def test_a_body_nested_beyond_reason_is_a_parse_error(mcp):
    answer = mcp.post("[" * 30_000 + "]" * 30_000)

    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == -32700


def test_arguments_that_are_not_an_object_are_a_protocol_error(mcp):
    answer = mcp.request("tools/call", {"name": "list_services", "arguments": ["all"]})

    assert answer.get_json()["error"]["code"] == -32602


def test_an_unknown_tool_is_a_protocol_error(mcp):
    answer = mcp.request("tools/call", {"name": "delete_everything", "arguments": {}})

    assert answer.get_json()["id"] == 1
    assert answer.get_json()["error"]["code"] == -32602


def test_arguments_outside_the_schema_are_a_tool_error_the_model_can_correct(mcp):
    result = mcp.call("get_availability", service_id="x", date="tomorrow")

    assert result["isError"] is True
    error = result["structuredContent"]["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["field"] == "date"
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"date": "2026-11-22"}, "service_id"),
        ({"service_id": "x", "date": "2026-11-22", "days": "two"}, "days"),
        ({"service_id": "x", "date": "2026-11-22", "when": "soon"}, "when"),
    ],
)
def test_before_2025_11_25_arguments_outside_the_schema_are_invalid_params(
    app, token, arguments, field
):
    answer = Mcp(app, token, PREVIOUS).request(
        "tools/call", {"name": "get_availability", "arguments": arguments}
    )

    error = answer.get_json()["error"]
    assert error["code"] == -32602
    assert error["data"]["details"]["field"] == field


# --- who may call -------------------------------------------------------------------------------


def test_without_a_credential_the_client_is_asked_for_one(app, site):
    answer = Mcp(app, None).request("initialize", initialize_params())

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert answer.get_json()["error"]["data"]["code"] == "UNAUTHORIZED"


def test_a_credential_that_is_not_valid_is_refused(app, site):
    answer = Mcp(app, "mwd_not-a-key").request("tools/list")

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_an_organization_api_key_is_a_credential_with_every_scope(app, site):
    tools = Mcp(app, organization_key(app, site.organization_id)).tools()

    assert [tool["name"] for tool in tools] == ALL_TOOLS


def test_a_tool_beyond_the_credentials_scopes_is_forbidden(app, site):
    reader = scoped(app, site, "org:read", "availability:read")

    answer = reader.request(
        "tools/call",
        {
            "name": "hold",
            "arguments": {"service_id": site.types["consultation"], "start": FIRST_START},
        },
    )

    assert answer.status_code == 403
    assert answer.headers["WWW-Authenticate"] == (
        'Bearer error="insufficient_scope", scope="appointments:write"'
    )
    assert answer.get_json()["id"] == 1
    assert site.bookings() == []


def test_a_page_of_another_site_cannot_call_the_server(mcp):
    answer = mcp.request("tools/list", Origin="https://evil.example")

    assert answer.status_code == 403
    assert answer.get_json()["error"]["data"]["code"] == "FORBIDDEN_ORIGIN"


def test_a_page_of_the_server_itself_may_call_it(mcp):
    assert mcp.request("ping", Origin="http://localhost").status_code == 200


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_no_stream_and_no_session_are_offered(mcp, method):
    answer = mcp.client.open("/mcp", method=method, headers=mcp.headers())

    assert answer.status_code == 405
    assert answer.headers["Allow"] == "POST"


def test_a_message_too_large_is_refused(mcp):
    huge = {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"x": "a" * 100_000}}

    answer = mcp.post(huge)

    assert answer.status_code == 413
    assert answer.get_json()["error"]["data"]["code"] == "PAYLOAD_TOO_LARGE"


def test_only_json_is_spoken(mcp):
    form = mcp.client.post("/mcp", data={"a": "b"}, headers=mcp.headers())
    html_only = mcp.request("ping", Accept="text/html")

    assert form.status_code == 415
    assert html_only.status_code == 406


def test_calls_are_limited_per_credential(app, mcp):
    app.config["INTEGRATION_RATE_LIMIT"] = "2/minute"

    answers = [mcp.request("ping") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"]
    assert answers[2].get_json()["error"]["data"]["code"] == "RATE_LIMITED"


# --- booking through the tools ------------------------------------------------------------------


@pytest.fixture
def any_site(any_app):
    any_app.config.update(MESSAGES_CAPTURE=[])
    return build_site(any_app)


def test_an_agent_books_a_consultation_from_the_list_of_services(any_app, any_site):
    mcp = Mcp(any_app, organization_key(any_app, any_site.organization_id))

    services = mcp.call("list_services")["structuredContent"]["services"]
    consultation = next(s for s in services if s["name"] == "Consultation")
    free = mcp.call("get_availability", service_id=consultation["id"], date="2026-11-22")
    slot = free["structuredContent"]["slots"][0]
    held = mcp.call("hold", service_id=consultation["id"], **_at(slot))["structuredContent"]
    booked = mcp.call("confirm", hold_id=held["hold_id"], contact=CONTACT)

    assert consultation["duration_minutes"] == 30
    assert free["structuredContent"]["timezone"] == "Asia/Riyadh"
    assert slot["start"] == FIRST_START
    appointment = booked["structuredContent"]
    assert booked["isError"] is False
    assert appointment["start"] == FIRST_START
    stored = any_site.booking(appointment["appointment_id"])
    assert stored.status == appointment["status"] != BookingStatus.TEMPORARY
    again = mcp.call("get_availability", service_id=consultation["id"], date="2026-11-22")
    assert slot not in again["structuredContent"]["slots"]


def test_a_time_just_taken_comes_back_as_an_error_with_the_next_free_time(mcp, site):
    site.book_directly("huda", "2026-11-22 09:00")

    result = mcp.call(
        "hold",
        service_id=site.types["consultation"],
        start=FIRST_START,
        resource_id=site.resources["huda"],
    )

    assert result["isError"] is True
    error = result["structuredContent"]["error"]
    assert error["code"] == "BOOKING_CONFLICT"
    assert error["details"]["next_available"]


def test_a_retried_hold_with_its_key_holds_once(mcp, site):
    arguments = {
        "service_id": site.types["consultation"],
        "start": FIRST_START,
        "idempotency_key": "hold-1",
    }

    first = mcp.call("hold", **arguments)
    again = mcp.call("hold", **arguments)
    other = mcp.call("hold", **{**arguments, "start": "2026-11-22T10:00:00+03:00"})

    assert again == first
    assert len(site.bookings()) == 1
    assert other["structuredContent"]["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_an_appointment_is_rescheduled_then_canceled(mcp, site):
    held = mcp.call("hold", service_id=site.types["consultation"], start=FIRST_START)
    booked = mcp.call("confirm", hold_id=held["structuredContent"]["hold_id"], contact=CONTACT)
    first_id = booked["structuredContent"]["appointment_id"]

    moved = mcp.call("reschedule", appointment_id=first_id, start="2026-11-22T11:00:00+03:00")
    moved_id = moved["structuredContent"]["appointment_id"]
    canceled = mcp.call("cancel", appointment_id=moved_id, reason="Travelling")

    assert moved["structuredContent"]["previous_appointment_id"] == first_id
    assert moved["structuredContent"]["start"] == "2026-11-22T11:00:00+03:00"
    assert canceled["structuredContent"] == {"appointment_id": moved_id, "status": "CANCELED"}
    assert site.booking(first_id).status == BookingStatus.CANCELED
    assert site.booking(moved_id).status == BookingStatus.CANCELED


def test_a_hold_that_ran_out_cannot_be_confirmed(app, site):
    mcp = Mcp(app, organization_key(app, site.organization_id))  # outlives an access token
    held = mcp.call("hold", service_id=site.types["consultation"], start=FIRST_START)
    hold_id = held["structuredContent"]["hold_id"]
    app.config["MAWID_NOW"] += timedelta(hours=1)

    result = mcp.call("confirm", hold_id=hold_id, contact=CONTACT)

    assert result["isError"] is True
    assert result["structuredContent"]["error"]["code"] == "HOLD_EXPIRED"


# --- at the same moment ------------------------------------------------------------------------


def at_once(app, credential: str, tool: str, arguments: dict, agents: int = 4) -> list[dict]:
    """The same call from several agents at the same moment; their results."""
    barrier, answers = threading.Barrier(agents), []

    def agent():
        mcp = Mcp(app, credential)
        barrier.wait()
        answers.append(mcp.request("tools/call", {"name": tool, "arguments": arguments}))

    threads = [threading.Thread(target=agent) for _ in range(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [answer.status_code for answer in answers] == [200] * agents
    return [answer.get_json()["result"] for answer in answers]


def outcome(result: dict) -> str:
    return result["structuredContent"]["error"]["code"] if result["isError"] else "HELD"


def test_agents_holding_one_time_at_once_get_it_once(any_app, any_site):
    key = organization_key(any_app, any_site.organization_id)
    arguments = {
        "service_id": any_site.types["consultation"],
        "start": FIRST_START,
        "resource_id": any_site.resources["huda"],
    }

    results = at_once(any_app, key, "hold", arguments)

    assert sorted(map(outcome, results)) == ["BOOKING_CONFLICT"] * 3 + ["HELD"]
    assert len(any_site.bookings()) == 1


def test_one_hold_retried_at_once_with_its_key_holds_once(any_app, any_site):
    key = organization_key(any_app, any_site.organization_id)
    arguments = {
        "service_id": any_site.types["consultation"],
        "start": FIRST_START,
        "idempotency_key": "agent-retry",
    }

    results = at_once(any_app, key, "hold", arguments)

    assert set(map(outcome, results)) <= {"HELD", "IDEMPOTENCY_IN_PROGRESS"}
    held = {r["structuredContent"]["hold_id"] for r in results if not r["isError"]}
    assert held == {b.id for b in any_site.bookings()}
    assert len(held) == 1


# --- another business -------------------------------------------------------------------------


def test_shifas_credential_never_reaches_noor_dental(app, mcp, site, other_site):
    noor_service = other_site.types["consultation"]
    noor_booking = other_site.book_directly("huda", "2026-11-22 09:00")

    services = mcp.call("list_services")["structuredContent"]["services"]
    free = mcp.call("get_availability", service_id=noor_service, date="2026-11-22")
    held = mcp.call("hold", service_id=noor_service, start="2026-11-22T10:00:00+03:00")
    canceled = mcp.call("cancel", appointment_id=noor_booking)

    assert {s["id"] for s in services} == set(site.types.values())
    for refused in (free, held, canceled):
        assert refused["isError"] is True
        assert refused["structuredContent"]["error"]["code"] == "NOT_FOUND"
    assert site.bookings() == []
    assert [b.id for b in other_site.bookings()] == [noor_booking]
    assert other_site.booking(noor_booking).status == BookingStatus.CONFIRMED


def _at(slot: dict) -> dict:
    return {"start": slot["start"], "resource_id": slot["resource_id"]}
