"""The integrations other systems book through, each in the shape its document fixes:
OAuth 2.0 tokens (``/oauth/token``), the hold/confirm API (``/api/v1``), the module API
(``/module/v3``), the booking server a reservation partner calls (``/rwg/v3``) and the MCP
server (``/mcp``). They read no cookie and no session: every call carries its credential."""

from __future__ import annotations

from flask import Flask

BLUEPRINTS = ("oauth", "api_v1", "module_api", "booking_server", "mcp")


def init_app(app: Flask) -> None:
    from webapp.integrations import booking_server, mcp, module_api, oauth, v1

    for module in (oauth, v1, module_api, booking_server, mcp):
        app.register_blueprint(module.bp)
