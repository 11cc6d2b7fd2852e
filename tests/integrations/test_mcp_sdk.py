"""The official MCP client (the ``mcp`` SDK's ``ClientSession`` over its Streamable HTTP
transport) books at Shifa Clinic through a real server, with an organization API key and
with an OAuth access token, on each database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from tests.integrations.conftest import access_token, register_client, serving
from tests.integrations.test_mcp import ALL_TOOLS, CONTACT, FIRST_START, organization_key
from tests.web.conftest import build_site
from webapp.models import BookingStatus

Session = Callable[[ClientSession], Awaitable[object]]


def run_session(base_url: str, credential: str, work: Session):
    """Connect as an MCP host does (initialize, then ``work``), and answer what work does."""

    async def main():
        headers = {"Authorization": f"Bearer {credential}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            streamable_http_client(f"{base_url}/mcp", http_client=http) as (read, write),
            ClientSession(read, write, read_timeout_seconds=30) as session,
        ):
            await session.initialize()
            return await work(session)

    return run_async(main)


def run_async(main: Callable[[], Awaitable[object]]):
    """``anyio.run`` in a thread of its own: the browser tests' Playwright keeps an event loop
    running in the test thread, and a second one cannot start there."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, main).result(timeout=120)


@pytest.fixture
def shifa(any_app):
    any_app.config.update(MESSAGES_CAPTURE=[], RATELIMIT_ENABLED=False)
    return build_site(any_app)


def credential_for(app, site, kind: str) -> str:
    if kind == "api key":
        return organization_key(app, site.organization_id)
    return access_token(app, register_client(app, site.organization_id))


@pytest.mark.parametrize("kind", ["api key", "access token"])
def test_an_mcp_host_books_reschedules_and_cancels(any_app, shifa, kind):
    credential = credential_for(any_app, shifa, kind)

    async def work(session: ClientSession) -> dict:
        seen = {"server": session.server_info, "version": session.protocol_version}
        seen["instructions"] = session.instructions
        seen["tools"] = [tool.name for tool in (await session.list_tools()).tools]
        services = (await session.call_tool("list_services")).structured_content["services"]
        service = next(s for s in services if s["name"] == "Consultation")["id"]
        day = {"service_id": service, "date": "2026-11-22"}
        slot = (await session.call_tool("get_availability", day)).structured_content["slots"][0]
        held = await session.call_tool("hold", {"service_id": service, **_at(slot)})
        hold_id = held.structured_content["hold_id"]
        booked = await session.call_tool("confirm", {"hold_id": hold_id, "contact": CONTACT})
        seen["slot"], seen["booked"] = slot, booked.structured_content
        later = await session.call_tool("get_availability", day)
        seen["later"] = later.structured_content["slots"]
        seen["taken"] = await session.call_tool("hold", {"service_id": service, **_at(slot)})
        moved = await session.call_tool(
            "reschedule",
            {"appointment_id": booked.structured_content["appointment_id"], "start": _next(slot)},
        )
        seen["moved"] = moved.structured_content
        canceled = await session.call_tool(
            "cancel", {"appointment_id": moved.structured_content["appointment_id"]}
        )
        seen["canceled"] = canceled.structured_content
        return seen

    with serving(any_app) as base_url:
        seen = run_session(base_url, credential, work)

    assert seen["server"].name == "mawid"
    assert seen["version"] == "2025-11-25"
    assert "Shifa Clinic" in seen["instructions"]
    assert seen["tools"] == ALL_TOOLS
    assert seen["slot"]["start"] == FIRST_START
    booked = seen["booked"]
    assert booked["start"] == FIRST_START
    assert seen["slot"] not in seen["later"]
    assert seen["taken"].is_error is True
    assert seen["taken"].structured_content["error"]["code"] == "BOOKING_CONFLICT"
    assert seen["moved"]["previous_appointment_id"] == booked["appointment_id"]
    assert seen["canceled"]["status"] == "CANCELED"
    assert shifa.booking(booked["appointment_id"]).status == BookingStatus.CANCELED
    assert shifa.booking(seen["moved"]["appointment_id"]).status == BookingStatus.CANCELED


def test_the_host_sees_only_the_tools_its_token_allows(app, site):
    reader = access_token(app, register_client(app, site.organization_id, scopes=["org:read"]))

    async def work(session: ClientSession) -> dict:
        tools = [tool.name for tool in (await session.list_tools()).tools]
        try:
            await session.call_tool("hold", {"service_id": "x", "start": FIRST_START})
        except MCPError as refused:
            return {"tools": tools, "refused": refused.error.message}
        return {"tools": tools, "refused": None}

    with serving(app) as base_url:
        seen = run_session(base_url, reader, work)

    assert seen["tools"] == ["list_services"]
    assert "appointments:write" in seen["refused"]
    assert site.bookings() == []


def test_the_host_is_refused_noor_dentals_services(app, site, other_site, token):
    async def work(session: ClientSession):
        return await session.call_tool(
            "hold", {"service_id": other_site.types["consultation"], "start": FIRST_START}
        )

    with serving(app) as base_url:
        refused = run_session(base_url, token, work)

    assert refused.is_error is True
    assert refused.structured_content["error"]["code"] == "NOT_FOUND"
    assert site.bookings() == other_site.bookings() == []


def test_the_sdks_client_probing_for_a_later_protocol_settles_on_the_handshake(app, site, token):
    async def main():
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
            transport = streamable_http_client(f"{base_url}/mcp", http_client=http)
            async with Client(transport, read_timeout_seconds=30) as client:
                services = await client.call_tool("list_services")
                return client.session.protocol_version, services.structured_content

    with serving(app) as base_url:
        version, services = run_async(main)

    assert version == "2025-11-25"
    assert {s["name"] for s in services["services"]} == {"Consultation", "Vaccination"}


def _at(slot: dict) -> dict:
    return {"start": slot["start"], "resource_id": slot["resource_id"]}


def _next(slot: dict) -> str:
    """The same time a day later (Monday), free at the clinic."""
    start = slot["start"]
    day = date.fromisoformat(start[:10]) + timedelta(days=1)
    return day.isoformat() + start[10:]
