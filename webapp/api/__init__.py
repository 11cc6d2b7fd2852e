"""The main JSON API of seed 002 at /api: ``X-APP-ID`` selects the website, ``lang`` the
language, answers are ``{"result": ...}`` and errors ``{"error": {"code", "message",
"details"}}``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.api import (  # noqa: F401  (routes register on the blueprint)
        auth,
        availability,
        custom_fields,
        customer,
        customer_bookings,
        customer_scheduling,
        management_bookings,
        management_catalog,
        management_customers,
        management_fields,
        management_integrations,
        management_organizations,
        management_queue,
        management_scheduling,
        management_types,
        management_webhooks,
        management_website,
        reference,
    )
    from webapp.api.blueprint import bp

    app.register_blueprint(bp)
