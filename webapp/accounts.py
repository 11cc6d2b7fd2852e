"""Setting up accounts and organizations (used by the CLI now, by the API and admin later)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.booking.errors import InvalidTimezone, ValidationFailed
from webapp.booking.intervals import is_valid_timezone
from webapp.models import ApiKey, Member, Organization, User, Website, WebsiteVersion

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Path prefixes the application itself uses; no website may take them as its slug.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "embed",
        "static",
        "webviews",
        "settings",
        "oauth",
        "auth",
        "calendar",
        "rwg",
        "mcp",
        "module",
        "healthz",
        "scheduling-sdk.js",
        "login",
        "media",
        "logout",
        "account",
        "favicon.ico",
        "robots.txt",
        "docs",
        "www",
        "app",
    }
)
MIN_PASSWORD_LENGTH = 8


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise ValidationFailed("Enter a valid email address.", field="email")
    return email


def create_user(session: Session, *, email: str, password: str, name: str = "") -> User:
    email = normalize_email(email)
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    if session.scalar(select(User.id).where(User.email == email)):
        raise ValidationFailed("An account with this email already exists.", field="email")
    user = User(email=email, name=(name or "").strip())
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def issue_account_key(session: Session, user: User, name: str = "default") -> str:
    row, raw = ApiKey.issue(scope="account", name=name, user_id=user.id)
    session.add(row)
    session.flush()
    return raw


def issue_organization_key(session: Session, organization: Organization, name: str) -> str:
    row, raw = ApiKey.issue(scope="organization", name=name, organization_id=organization.id)
    session.add(row)
    session.flush()
    return raw


def validate_slug(session: Session, slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise ValidationFailed(
            "The slug may use lower-case letters, digits and dashes (at most 64).", field="slug"
        )
    if slug in RESERVED_SLUGS:
        raise ValidationFailed(f"The slug {slug!r} is reserved.", field="slug")
    if session.scalar(select(Website.id).where(Website.slug == slug)):
        raise ValidationFailed(f"The slug {slug!r} is already taken.", field="slug")
    return slug


def create_organization(
    session: Session,
    *,
    owner: User,
    name: str,
    timezone: str,
    slug: str | None = None,
    currency: str = "SAR",
) -> tuple[Organization, Website]:
    """An organization with its owner and its website (live and draft versions)."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed(
            "The organization needs a name (at most 200 characters).", field="name"
        )
    if not is_valid_timezone(timezone):
        raise InvalidTimezone(timezone=str(timezone)[:64])
    slug = validate_slug(session, slug or _slug_from(session, name))
    organization = Organization(name=name, timezone=timezone, currency=currency)
    session.add(organization)
    session.flush()
    session.add(Member(organization_id=organization.id, user_id=owner.id, role="owner"))
    website = Website(organization_id=organization.id, slug=slug)
    for version in ("default", "draft"):
        website.versions.append(
            WebsiteVersion(
                organization_id=organization.id,
                version=version,
                name=name,
                display_name=name,
                timezone=timezone,
            )
        )
    session.add(website)
    session.flush()
    return organization, website


def _slug_from(session: Session, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50] or "site"
    if base in RESERVED_SLUGS:
        base = f"{base}-site"
    taken = session.scalar(select(func.count()).where(Website.slug.like(f"{base}%")))
    return base if not taken else f"{base}-{taken + 1}"
