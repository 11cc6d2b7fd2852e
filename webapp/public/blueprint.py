"""The blueprint and what every page of a website needs: the website itself (by slug), its
organization and live settings, the language, and page-or-fragment rendering."""

from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from webapp.extensions import db
from webapp.i18n import current_lang, url_lang
from webapp.models import Organization, Website, WebsiteVersion
from webapp.models.types import utcnow
from webapp.public import catalog as cat
from webapp.security import cookieless

bp = Blueprint("public", __name__, url_prefix="/<slug>")
# The blueprint is registered a second time, as the widget's frames: /embed/<app id>/...
EMBED = "embed"
FRAME_KEY = "app_id"

FLOW_TARGET = "flow"


@bp.record_once
def _add_catalog_cache(state):
    state.app.extensions[cat.CACHE_KEY] = cat.CatalogCache()


TZ_COOKIE = "tz"


def now() -> datetime:
    """The current time; tests set ``MAWID_NOW`` to a fixed instant."""
    fixed = current_app.config.get("MAWID_NOW")
    return fixed if fixed is not None else utcnow()


def customer_timezone() -> str:
    """Times are shown in the customer's timezone: chosen, remembered, else the business's."""
    requested = request.values.get("tz")
    if not requested and not cookieless():
        requested = request.cookies.get(TZ_COOKIE)
    return cat.display_timezone(requested, g.site.timezone)


# Built once: every page of every website starts with one of these.
_WEBSITE = (
    select(Website, WebsiteVersion, Organization)
    .join(WebsiteVersion, WebsiteVersion.website_id == Website.id)
    .join(Organization, Organization.id == Website.organization_id)
    .where(WebsiteVersion.version == "default", Organization.is_deleted.is_(False))
)
_WEBSITE_BY_SLUG = _WEBSITE.where(Website.slug == bindparam("key"))
_WEBSITE_BY_APP_ID = _WEBSITE.where(Website.app_id == bindparam("key"))


def find_website(*, slug: str = "", app_id: str = ""):
    """``(website, live settings, organization)`` of the website that is on at this slug or
    app id, or None."""
    statement, key = (_WEBSITE_BY_APP_ID, app_id) if app_id else (_WEBSITE_BY_SLUG, slug)
    row = db.session.execute(statement, {"key": key}).first()
    return row if row is not None and row[1].on else None


def website_or_404(*, slug: str = "", app_id: str = ""):
    row = find_website(slug=slug, app_id=app_id)
    if row is None:
        abort(404, description=_("There is no booking website at this address."))
    return row


@bp.url_value_preprocessor
def _load_website(_endpoint, values):
    values = values if values is not None else {}
    # The same views serve the website by slug and the widget's frames by app id.
    if FRAME_KEY in values:
        row = website_or_404(app_id=values.pop(FRAME_KEY))
    else:
        row = website_or_404(slug=values.pop("slug", ""))
    g.website, g.site, g.organization = row
    g.site_lang = g.site.default_lang


@bp.url_defaults
def _keep_website_and_language(endpoint, values):
    if "website" not in g:
        return
    if endpoint.startswith(EMBED + "."):
        values.setdefault(FRAME_KEY, g.website.app_id)
    else:
        values.setdefault("slug", g.website.slug)
    if request.blueprint and endpoint.startswith(request.blueprint + "."):
        for name, value in kept_params().items():
            values.setdefault(name, value)


def kept_params() -> dict[str, str]:
    """Query parameters every link and form of this page carries on: the language chosen in
    the URL and, inside the widget's frame, what the frame was opened with."""
    kept = dict(g.get("frame_params") or {})
    lang = url_lang()
    if lang:
        kept["lang"] = lang
    return kept


@bp.after_request
def _vary(response):
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    return response


def is_fragment() -> bool:
    """An HTMX request that replaces the booking flow only (not a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == FLOW_TARGET
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, status: int = 200, **context):
    """A full page, or only the flow when HTMX asked for it."""
    layout = "public/_fragment.html" if is_fragment() else g.get("layout", "public/layout.html")
    return render_template(template, layout=layout, **context), status


def go(url: str):
    """Move to ``url`` after a form: HTMX swaps the flow and pushes the URL; a plain
    browser follows a 303."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("")
        response.headers["HX-Location"] = json.dumps({"path": url, "target": "#" + FLOW_TARGET})
        return response
    return redirect(url, 303)


_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}")
# Website theme keys and the CSS custom properties they set.
THEME_PROPERTIES = {
    "primaryColor": "brand",
    "primaryTextColor": "brand-ink",
    "backgroundColor": "page",
    "textColor": "ink",
}
SITE_TEXTS = {
    "displayName": "display_name",
    "description": "description",
    "terms": "terms",
    "bookingSuccessMessage": "booking_success_message",
}


def site_text(key: str) -> str:
    """A website text in the page's language, when the business wrote it in that language."""
    written = ((g.site.translations or {}).get(current_lang()) or {}).get(key)
    if isinstance(written, str) and written.strip():
        return written
    return getattr(g.site, SITE_TEXTS[key]) or ""


def site_theme() -> dict[str, str]:
    theme = {**(g.site.theme or {}), **(g.get("theme_override") or {})}
    return {prop: theme[key] for key, prop in THEME_PROPERTIES.items() if is_color(theme.get(key))}


def is_color(value: object) -> bool:
    return isinstance(value, str) and _COLOR.fullmatch(value) is not None


def switch_language_url(lang: str) -> str:
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    if request.method != "GET" or request.endpoint is None:
        return url_for(".website_home", lang=lang)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


SOCIAL = (
    ("twitter", "X", "https://x.com/"),
    ("instagram", "Instagram", "https://www.instagram.com/"),
    ("facebook", "Facebook", "https://www.facebook.com/"),
    ("tiktok", "TikTok", "https://www.tiktok.com/@"),
    ("snapchat", "Snapchat", "https://www.snapchat.com/add/"),
)


def social_links() -> list[tuple[str, str]]:
    links = []
    for column, label, base in SOCIAL:
        handle = (getattr(g.site, column) or "").strip().lstrip("@")
        if handle:
            links.append((label, base + quote(handle, safe="")))
    return links


def map_url() -> str | None:
    place = g.site.map or {}
    if isinstance(place.get("url"), str) and place["url"].startswith("https://"):
        return place["url"]
    lat, lng = place.get("lat"), place.get("lng")
    if isinstance(lat, int | float) and isinstance(lng, int | float):
        return f"https://www.google.com/maps/search/?api=1&query={lat},{lng}"
    return None


STATUS_LABELS = {
    "TEMPORARY": _l("Held"),
    "PENDING_PAYMENT": _l("Waiting for payment"),
    "PENDING_APPROVAL": _l("Waiting for approval"),
    "PENDING_ASSIGNMENT": _l("In the queue"),
    "CONFIRMED": _l("Confirmed"),
    "COMPLETED": _l("Completed"),
    "CANCELED": _l("Canceled"),
    "REJECTED": _l("Declined"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


INVOICE_STATUS_LABELS = {
    "UNPAID": _l("Unpaid"),
    "PARTIALLY_PAID": _l("Partly paid"),
    "PAID": _l("Paid"),
    "VOID": _l("Void"),
    "REFUNDED": _l("Refunded"),
}


def invoice_status_label(status: str) -> str:
    return str(INVOICE_STATUS_LABELS.get(status, status))


@bp.context_processor
def _website_context():
    if "site" not in g:
        return {}
    return dict(
        site_name=site_text("displayName") or g.site.name or g.organization.name,
        site_text=site_text,
        site_theme=site_theme(),
        switch_language_url=switch_language_url,
        business_tz=g.site.timezone,
        social_links=social_links(),
        map_url=map_url(),
        status_label=status_label,
        invoice_status_label=invoice_status_label,
    )
