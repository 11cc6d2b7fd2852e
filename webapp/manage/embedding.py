"""Embedding a website elsewhere: the origins allowed to frame its widget (see
:mod:`webapp.embed.origins`) and the snippets a business pastes into its own pages."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.orm import Session

from webapp.booking.errors import ValidationFailed
from webapp.embed.origins import allowed_origins, normalize_origin
from webapp.manage.websites import get_website
from webapp.models import Organization

MAX_DOMAINS = 50


def add_allowed_domain(session: Session, organization: Organization, text: str) -> str:
    """Let the pages of one more origin embed the widget; answers the canonical origin."""
    website = get_website(session, organization)
    origin = check_origin(text)
    current = allowed_origins(website.allowed_domains)
    if origin in current:
        raise ValidationFailed(_("%(origin)s is allowed already.", origin=origin), field="origin")
    if len(current) >= MAX_DOMAINS:
        raise ValidationFailed(
            _("A website allows at most %(n)d domains.", n=MAX_DOMAINS), field="origin"
        )
    website.allowed_domains = [*current, origin]
    session.flush()
    return origin


def check_origin(text: object, field: str = "origin") -> str:
    """``text`` as a canonical origin that may be allowed, or a problem naming ``field``."""
    origin = normalize_origin(text)
    if origin is None:
        raise ValidationFailed(
            _(
                "Enter the address of a site: https:// or http://, then the domain and an "
                "optional port, without a path (such as https://shop.example.com)."
            ),
            field=field,
        )
    host = origin.split("://", 1)[1]
    if host.startswith("*.") and "." not in host[2:].split(":")[0]:
        raise ValidationFailed(
            _("A wildcard covers the subdomains of one domain, such as https://*.example.com."),
            field=field,
        )
    return origin


def set_allowed_domains(
    session: Session, organization: Organization, entries: list, field: str = "origin"
) -> list[str]:
    """Allow exactly these origins (canonical, each once); answers the list kept."""
    website = get_website(session, organization)
    origins: dict[str, None] = {}
    for entry in entries:
        origins.setdefault(check_origin(entry, field), None)
    if len(origins) > MAX_DOMAINS:
        raise ValidationFailed(
            _("A website allows at most %(n)d domains.", n=MAX_DOMAINS), field=field
        )
    website.allowed_domains = list(origins)
    session.flush()
    return website.allowed_domains


def remove_allowed_domain(session: Session, organization: Organization, entry: str) -> bool:
    """Stop allowing ``entry`` (as listed, or any spelling of the same origin)."""
    website = get_website(session, organization)
    origin = normalize_origin(entry)
    kept = [
        e
        for e in website.allowed_domains or []
        if e != entry and (origin is None or normalize_origin(e) != origin)
    ]
    if len(kept) == len(website.allowed_domains or []):
        return False
    website.allowed_domains = kept
    session.flush()
    return True


WIDGET_KINDS = ("scheduling-button", "scheduling-native")


def widget_snippet(
    kind: str,
    *,
    sdk_url: str,
    app_id: str,
    type_id: str | None = None,
    lang: str | None = None,
    resource_id: str | None = None,
    button_text: str | None = None,
) -> str:
    """The HTML a business pastes into its site (see widget/README.md), as text; every
    attribute value is escaped, so nothing typed here can break out of its attribute."""
    attributes = [
        ("data-app-id", app_id),
        ("data-type", type_id),
        ("data-lang", lang),
        ("data-resource", resource_id),
        ("data-button-text", button_text if kind == "scheduling-button" else None),
    ]
    lines = [f'<div class="{kind}"']
    lines += [f'     {name}="{escape(value)}"' for name, value in attributes if value]
    lines[-1] += "></div>"
    lines.append(f'<script async src="{escape(sdk_url)}" charset="utf-8"></script>')
    return "\n".join(lines)
