"""The staff admin at /admin: where a business runs its day (HTMX partials over plain pages).

Every view resolves the signed-in member and their organization first (blueprint.py), checks
the role, and calls the same services the API uses."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from functools import cache

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l

from webapp.admin.blueprint import bp, has_role
from webapp.i18n import format_money, format_number, translated
from webapp.public.blueprint import status_label

ROLE_LABELS = {"owner": _l("Owner"), "admin": _l("Admin"), "staff": _l("Staff")}

# (endpoint, label, least role). Pages of one module belong to one section of the menu.
NAV = (
    ("admin.dashboard", _l("Today"), "staff"),
    ("admin.calendar", _l("Calendar"), "staff"),
    ("admin.bookings_list", _l("Bookings"), "staff"),
    ("admin.queue_page", _l("Queue"), "staff"),
    ("admin.customers_list", _l("Customers"), "staff"),
    ("admin.resources_list", _l("Resources"), "staff"),
    ("admin.types_list", _l("Services"), "admin"),
    ("admin.fields_list", _l("Custom fields"), "admin"),
    ("admin.website_settings", _l("Website"), "admin"),
    ("admin.notification_settings", _l("Notifications"), "admin"),
    ("admin.members_list", _l("Team"), "admin"),
    ("admin.keys_list", _l("API keys"), "admin"),
    ("admin.integrations_page", _l("Integrations"), "admin"),
    ("admin.webhooks_list", _l("Webhooks"), "admin"),
    ("admin.widgets", _l("Admin widgets"), "staff"),
    ("admin.invoices_list", _l("Invoices"), "admin"),
    ("admin.payment_settings", _l("Payments"), "admin"),
)


def admin_nav():
    """The menu entries this member may open, with the current section marked."""
    views = current_app.view_functions
    current = views.get(request.endpoint or "")
    current_module = getattr(current, "__module__", None)
    for endpoint, label, role in NAV:
        if endpoint not in views or not has_role(role):
            continue
        yield url_for(endpoint), label, views[endpoint].__module__ == current_module


def datetime_at(day, hour: int, tz) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz)


@cache
def timezone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def init_app(app: Flask) -> None:
    from webapp.admin import (  # noqa: F401  (views register themselves on the blueprint)
        auth,
        bookings,
        calendar,
        calendar_feeds,
        customers,
        dashboard,
        external_calendars,
        fields,
        integrations,
        invoices,
        keys,
        members,
        notifications,
        payments,
        queue,
        resources,
        rules,
        types,
        webhooks,
        website,
        widgets,
    )

    auth.login_manager.init_app(app)
    # Also seen by macros, which do not get the request's context.
    for name, value in {
        "status_label": status_label,
        "timezone_names": timezone_names,
        "translated": translated,
        "format_number": format_number,
        "format_money": format_money,
        "datetime_at": datetime_at,
    }.items():
        app.jinja_env.globals.setdefault(name, value)
    app.register_blueprint(bp)

    @app.context_processor
    def _admin_helpers():
        if request.blueprint != bp.name:
            return {}
        return {
            "admin_nav": admin_nav,
            "has_role": has_role,
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "invoice_status_label": invoices.invoice_status_label,
        }
