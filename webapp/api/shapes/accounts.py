"""Organizations, API keys and webhook subscriptions as the management API writes them."""

from __future__ import annotations

from datetime import datetime

from flask import url_for

from webapp.models import ApiKey, Organization, WebhookSubscription, Website


def instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def organization(row: Organization, website: Website | None, role: str | None) -> dict:
    """An organization with its website's ``appId`` (the ``X-APP-ID`` of its management
    calls) and the caller's role in it."""
    return {
        "id": row.id,
        "name": row.name,
        "timezone": row.timezone,
        "currency": row.currency,
        "businessTypeId": row.business_type_id,
        "businessCustomConfig": row.business_custom_config or {},
        "appId": website.app_id if website else None,
        "slug": website.slug if website else None,
        "websiteUrl": url_for("public.website_home", slug=website.slug, _external=True)
        if website
        else None,
        "role": role,
        "createdAt": instant(row.created_at),
        "updatedAt": instant(row.updated_at),
    }


def api_key(row: ApiKey, raw: str | None = None) -> dict:
    """A key as lists show it (its last characters only); ``raw`` only when just made."""
    shaped = {
        "id": row.id,
        "name": row.name,
        "scope": row.scope,
        "organizationId": row.organization_id,
        "keyHint": row.key_hint,
        "createdAt": instant(row.created_at),
        "lastUsedAt": instant(row.last_used_at),
        "revokedAt": instant(row.revoked_at),
    }
    if row.scope != "organization":
        del shaped["organizationId"]
    if raw is not None:
        shaped["key"] = raw
    return shaped


def webhook(row: WebhookSubscription) -> dict:
    """A subscription as lists show it; its secret is shown once, when it is made."""
    return {
        "id": row.id,
        "trigger": row.trigger,
        "url": row.url,
        "reference": row.reference or None,
        "createdAt": instant(row.created_at),
        "secretIssuedAt": instant(row.secret_issued_at),
    }
