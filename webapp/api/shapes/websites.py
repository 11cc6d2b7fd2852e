"""A website as seed 002 writes it (``Website``): every setting by its seed name, its texts
in the request's language next to their translations (``displayName_translations``...),
fixed times in minutes from midnight."""

from __future__ import annotations

from flask import url_for

from webapp.api.shapes.catalog import photo
from webapp.i18n import current_lang
from webapp.models import Website, WebsiteVersion
from webapp.public.blueprint import SITE_TEXTS

# Seed name -> column, for the settings written as they are stored.
PLAIN = {
    "name": "name",
    "timezone": "timezone",
    "on": "on",
    "defaultLang": "default_lang",
    "bookingPolicy": "booking_policy",
    "bookingTimePolicy": "booking_time_policy",
    "suggestedTimes": "suggested_times",
    "bookingTimeSplitting": "booking_time_splitting",
    "fixedTimes": "fixed_times",
    "bookingTimeSplittingOptimize": "booking_time_splitting_optimize",
    "bookingTimeShowMidnight": "booking_time_show_midnight",
    "selectTypeFirst": "select_type_first",
    "selectResourceCategory": "select_resource_category",
    "hideResource": "hide_resource",
    "requireVerification": "require_verification",
    "holdMinutes": "hold_minutes",
    "changeNoticeHours": "change_notice_hours",
    "callSupport": "call_support",
    "whatsapp": "whatsapp",
    "emailSupport": "email_support",
    "twitter": "twitter",
    "instagram": "instagram",
    "facebook": "facebook",
    "tiktok": "tiktok",
    "snapchat": "snapchat",
    "map": "map",
    "maroof": "maroof",
    "saudiBusinessCenter": "saudi_business_center",
}
IMAGES = {"logo": "logo", "logoFavIcon": "logo_fav_icon"}
TEXTS = dict(SITE_TEXTS)  # displayName, description, terms, bookingSuccessMessage


def translations_of(version: WebsiteVersion, key: str) -> dict[str, str]:
    """``{"ar": ...}`` for one of the website's texts."""
    found = {}
    for lang, texts in (version.translations or {}).items():
        text = texts.get(key) if isinstance(texts, dict) else None
        if isinstance(text, str) and text.strip():
            found[lang] = text
    return found


def localized(version: WebsiteVersion, key: str) -> str:
    """One of the website's texts in the request's language, when it was written in it."""
    written = translations_of(version, key).get(current_lang())
    return written or getattr(version, TEXTS[key]) or ""


def website(row: Website, version: WebsiteVersion, *, management: bool = False) -> dict:
    """The public fields; ``management`` adds the organization, the allowed embedding
    domains and when the version last changed."""
    shaped = {
        "id": row.id,
        "appId": row.app_id,
        "slug": row.slug,
        "url": url_for("public.website_home", slug=row.slug, _external=True),
        "version": version.version,
    }
    for name, column in PLAIN.items():
        shaped[name] = getattr(version, column)
    shaped["fixedTimes"] = list(version.fixed_times or [])
    shaped["map"] = dict(version.map) if version.map else None
    for name, column in IMAGES.items():
        shaped[name] = photo(getattr(version, column))
    for key in TEXTS:
        shaped[key] = localized(version, key)
        shaped[f"{key}_translations"] = translations_of(version, key)
    shaped["theme"] = dict(version.theme or {})
    if management:
        shaped["organizationId"] = row.organization_id
        shaped["allowedDomains"] = list(row.allowed_domains or [])
        shaped["updatedAt"] = version.updated_at.isoformat() if version.updated_at else None
    return shaped
