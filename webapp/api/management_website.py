"""Manage Website and Website (seed 002): every website setting by its seed name, read and
written as the draft (``version=draft``) or the live version customers see
(``version=default``, the default); the public fields of the current website; and finding a
website by its address.

Writes are partial: members left out keep their value. Written live, the draft follows every
setting it had not changed on its own. ``slug`` and ``allowedDomains`` belong to the website,
not to a version, and change at once."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.accounts import RESERVED_SLUGS
from webapp.api.access import management, resolve_caller
from webapp.api.blueprint import app_id_optional, body, bp, ok
from webapp.api.shapes import websites as shape
from webapp.api.website_input import forget_uploads, read_settings, read_theme
from webapp.booking.errors import NotFound, ValidationFailed
from webapp.extensions import db
from webapp.manage import calendar_feeds, embedding
from webapp.manage import websites as manage
from webapp.manage.organizations import membership
from webapp.models import Organization, Website
from webapp.public.blueprint import now

VERSIONS = (manage.LIVE, manage.DRAFT)
MAX_URL = 2000


def _version() -> str:
    version = request.args.get("version") or manage.LIVE
    if version not in VERSIONS:
        raise ValidationFailed(_("version must be default or draft."), field="version")
    return version


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def setting_name(column: str) -> str:
    """The seed name of a setting (or of a problem's form field)."""
    if column == "__all__":
        return "translations"
    if column.startswith("theme_"):
        return "theme." + column.removeprefix("theme_")
    if column.startswith("map_"):
        return "map." + column.removeprefix("map_")
    if column.endswith("_ar"):
        return _camel(column.removesuffix("_ar")) + "_translations.ar"
    return _camel(column)


def _named(error: ValidationFailed) -> ValidationFailed:
    """The service's problem, with the seed's field names."""
    problems = error.details.get("fields") or {error.details.get("field", "__all__"): error.message}
    named = {setting_name(field): message for field, message in problems.items()}
    first = next(iter(named))
    return ValidationFailed(f"{first}: {named[first]}", field=first, fields=named)


def _managed(website: Website, version: str) -> dict:
    row = website.settings if version == manage.LIVE else manage.draft_of(db.session, website)
    result = shape.website(website, row, management=True)
    result["unpublishedChanges"] = [setting_name(c) for c in manage.unpublished_changes(website)]
    result["calendarFeedUrl"] = _organization_feed_url()
    return result


def _organization_feed_url() -> str | None:
    """The organization's calendar feed, for owners and admins only (like in the admin):
    it shows every resource's bookings with the customers' contact details."""
    if not g.caller.may("admin"):
        return None
    feed = calendar_feeds.feed_for(db.session, g.organization, now=now())
    return calendar_feeds.feed_url(feed) if feed is not None else None


@bp.get("/management/website")
@management("staff")
def website_settings_get():
    version = _version()
    result = _managed(manage.get_website(db.session, g.organization), version)
    db.session.commit()
    return ok(result)


@bp.put("/management/website")
@management("admin")
def website_settings_put():
    version = _version()
    data = body()
    website = manage.get_website(db.session, g.organization)
    current = website.settings if version == manage.LIVE else manage.draft_of(db.session, website)
    theme = read_theme(data, current.theme) if "theme" in data else None
    values, uploaded = read_settings(data, current, g.organization.id)
    try:
        try:
            manage.save_version(db.session, g.organization, values, version=version, theme=theme)
            _website_wide(data)
        except ValidationFailed as error:
            raise _named(error) from None
    except Exception:
        forget_uploads(g.organization.id, uploaded)
        raise
    result = _managed(website, version)
    db.session.commit()
    return ok(result)


def _website_wide(data: dict) -> None:
    """The address and the embedding domains: the website's own, whatever the version."""
    if "slug" in data:
        if not isinstance(data["slug"], str):
            raise ValidationFailed(_("Send text."), field="slug")
        manage.change_slug(db.session, g.organization, data["slug"])
    if "allowedDomains" in data:
        entries = data["allowedDomains"] if data["allowedDomains"] is not None else []
        if not isinstance(entries, list):
            raise ValidationFailed(_("Send a list of origins."), field="allowedDomains")
        embedding.set_allowed_domains(db.session, g.organization, entries, field="allowedDomains")


@bp.get("/website")
def website_current():
    """The website of ``X-APP-ID`` (public fields). Its draft needs a management caller."""
    version = _version()
    row = g.site
    if version == manage.DRAFT:
        resolve_caller()
        row = g.website.version(manage.DRAFT) or g.site
    return ok(shape.website(g.website, row))


@bp.get("/website/find")
@management("staff")
@app_id_optional
def website_find():
    """The website at an address of this server: ``https://<host>/<slug>/...`` or a widget
    frame's ``https://<host>/embed/<app id>/...``. A website that is off is found only by
    its own organization's callers."""
    website = _website_at(request.args.get("url"))
    if not website.settings.on and not _caller_belongs_to(website.organization_id):
        raise NotFound(_("There is no booking website at this address."))
    return ok(shape.website(website, website.settings))


def _website_at(url: object) -> Website:
    if not isinstance(url, str) or not url.strip() or len(url) > MAX_URL:
        raise ValidationFailed(_("Send the website's address in url."), field="url")
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        host, parts = "", None
    if parts is None or parts.scheme not in {"http", "https"} or not host:
        raise ValidationFailed(
            _("url must be a web address such as https://example.com/clinic/."), field="url"
        )
    missing = NotFound(_("There is no booking website at this address."))
    if host != request.host.split(":")[0].lower():
        raise missing
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        raise missing
    if segments[0] == "embed" and len(segments) > 1:
        condition = Website.app_id == segments[1][:64]
    elif segments[0].lower() in RESERVED_SLUGS:
        raise missing
    else:
        condition = Website.slug == segments[0].lower()[:64]
    website = db.session.scalar(
        select(Website)
        .join(Organization, Organization.id == Website.organization_id)
        .where(condition, Organization.is_deleted.is_(False))
    )
    if website is None:
        raise missing
    return website


def _caller_belongs_to(organization_id: str) -> bool:
    caller = g.caller
    if g.organization is not None and g.organization.id == organization_id:
        return True
    return (
        caller.user is not None and membership(db.session, caller.user, organization_id) is not None
    )
