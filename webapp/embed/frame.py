"""The booking flow inside the widget's iframe, ``/embed/<app id>/...``.

The website's own views serve it: the public blueprint is registered a second time under the
name ``embed``. This module adds what a frame needs on top: a layout without the site's
chrome, framing allowed for the website's allowed origins and nobody else, the host page's
origin to post messages to, theme overrides, and the query parameters every link carries so
that nothing depends on a cookie (a third-party frame may not have any).
"""

from __future__ import annotations

import json

from flask import abort, g, request

from webapp.booking import intervals as iv
from webapp.embed.origins import allowed_origins, frame_ancestors, is_allowed, normalize_origin
from webapp.i18n import translated
from webapp.models import Booking, BookingStatus
from webapp.public.blueprint import EMBED, THEME_PROPERTIES, bp, is_color

MODES = ("native", "popup")
# Pages that need the customer's session cookie stay on the website itself.
PAGE_ONLY = frozenset(
    {"account_home", "account_sign_in", "account_verify", "account_sign_out", "account_profile"}
)
# A booking the customer has finished making: the host page hears about it once.
FINAL = frozenset(
    {
        BookingStatus.CONFIRMED,
        BookingStatus.PENDING_APPROVAL,
        BookingStatus.PENDING_ASSIGNMENT,
        BookingStatus.COMPLETED,
    }
)
THEME_LIMIT = 400


def in_frame() -> bool:
    return request.blueprint == EMBED


def read_theme(text: str | None) -> dict[str, str]:
    """The host's colour overrides: known keys with hex colours; anything else is dropped."""
    if not text or len(text) > THEME_LIMIT:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if k in THEME_PROPERTIES and is_color(v)}


@bp.before_request
def _open_frame():
    if not in_frame():
        return
    g.layout = "embed/layout.html"
    g.error_template = "embed/error.html"
    if request.endpoint.rpartition(".")[2] in PAGE_ONLY:
        abort(404)
    host = normalize_origin(request.args.get("origin"))
    g.frame_host = host if is_allowed(host, allowed_origins(g.website.allowed_domains)) else None
    mode = request.args.get("mode")
    g.frame_mode = mode if mode in MODES else "native"
    g.theme_override = read_theme(request.args.get("theme"))
    params = {"mode": g.frame_mode}
    if g.frame_host:
        params["origin"] = g.frame_host
    if g.theme_override:
        params["theme"] = json.dumps(g.theme_override, separators=(",", ":"), sort_keys=True)
    tz = request.values.get("tz")
    if tz and iv.is_valid_timezone(tz):
        params["tz"] = tz
    g.frame_params = params


@bp.after_request
def _frame_headers(response):
    if in_frame() and "website" in g:
        # Exactly the website's allowed origins may frame it; with none, nobody may.
        response.headers["Content-Security-Policy"] = frame_ancestors(
            allowed_origins(g.website.allowed_domains)
        )
        response.headers.pop("X-Frame-Options", None)
    return response


@bp.context_processor
def _frame_context():
    if not in_frame():
        return {}
    return dict(
        # No CSRF token inside the frame: it would need a session cookie (see security).
        csrf_token=lambda: "",
        frame_host=g.get("frame_host"),
        frame_mode=g.get("frame_mode", "native"),
        frame_completion=completion,
    )


def completion(booking: Booking) -> dict | None:
    """What the host page is told once the customer has made ``booking``; None while it is
    not final (a payment still due, say)."""
    if booking.status not in FINAL:
        return None
    tz = iv.zone(g.site.timezone)
    service, resource = booking.booking_type, booking.resource
    return {
        "bookingId": booking.id,
        "status": booking.status,
        "bookingTypeId": booking.booking_type_id,
        "bookingTypeName": translated(service.name, service.name_translations),
        "resourceId": booking.resource_id,
        "resourceName": translated(resource.name, resource.name_translations) if resource else None,
        "startDateTime": booking.start_at.astimezone(tz).isoformat() if booking.start_at else None,
        "endDateTime": booking.end_at.astimezone(tz).isoformat() if booking.end_at else None,
        "timeZone": g.site.timezone,
        "price": float(booking.price) if booking.price is not None else None,
        "currency": booking.currency,
    }
