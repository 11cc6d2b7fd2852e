"""An organization's own settings, the organizations a user belongs to, and closing one.

A closed organization is kept (``is_deleted``) but disappears: its website, its API and
sign-in to it answer as if it never existed."""

from __future__ import annotations

import json
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.booking.intervals import is_valid_timezone
from webapp.models import Member, Organization, User, Website

MAX_NAME = 200
MAX_BUSINESS_TYPE = 64
MAX_CONFIG_BYTES = 10_000


def check_timezone(timezone: object) -> str:
    if not isinstance(timezone, str) or not is_valid_timezone(timezone):
        raise ValidationFailed(
            _("Choose a time zone by its IANA name, such as Asia/Riyadh."), field="timezone"
        )
    return timezone


def check_business(business_type_id: object, config: object) -> tuple[str | None, dict]:
    """The business type id (text, or None) and its custom configuration (an object)."""
    if business_type_id is not None and (
        not isinstance(business_type_id, str) or len(business_type_id) > MAX_BUSINESS_TYPE
    ):
        raise ValidationFailed(
            _("businessTypeId is text of at most %(n)d characters.", n=MAX_BUSINESS_TYPE),
            field="businessTypeId",
        )
    if config is None:
        config = {}
    if not isinstance(config, dict) or len(json.dumps(config)) > MAX_CONFIG_BYTES:
        raise ValidationFailed(
            _("businessCustomConfig is an object of at most %(n)d bytes.", n=MAX_CONFIG_BYTES),
            field="businessCustomConfig",
        )
    return (business_type_id or "").strip() or None, config


def update_organization(
    session: Session,
    organization: Organization,
    *,
    name: object,
    timezone: object,
    business_type_id: object = None,
    business_custom_config: object = None,
    keep_business: bool = False,
) -> Organization:
    """Rename the organization and set its time zone (and business details unless
    ``keep_business``). Its website keeps its own name and time zone."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_NAME:
        raise ValidationFailed(
            _("The organization needs a name (at most %(n)d characters).", n=MAX_NAME),
            field="name",
        )
    timezone = check_timezone(timezone)
    if not keep_business:
        business = check_business(business_type_id, business_custom_config)
        organization.business_type_id, organization.business_custom_config = business
    organization.name = name
    organization.timezone = timezone
    session.flush()
    return organization


def close_organization(session: Session, organization: Organization, *, now: datetime) -> None:
    """Soft delete: everything is kept, nothing answers for it any more."""
    organization.is_deleted = True
    organization.deleted_at = now
    session.flush()


def membership(session: Session, user: User, organization_id: str) -> Member | None:
    """The user's membership of an open organization."""
    return session.scalar(
        select(Member)
        .join(Organization, Organization.id == Member.organization_id)
        .where(
            Member.user_id == user.id,
            Member.organization_id == organization_id,
            Organization.is_deleted.is_(False),
        )
    )


def organization_by_id(session: Session, organization_id: str) -> Organization:
    row = session.get(Organization, organization_id) if isinstance(organization_id, str) else None
    if row is None or row.is_deleted:
        raise NotFound(_("Organization not found."))
    return row


def user_organizations(
    session: Session, user: User, *, after: tuple[datetime, str] | None, limit: int
) -> list[tuple[Organization, str]]:
    """A page of the open organizations the user belongs to, oldest first, with the user's
    role; ``after`` is the ``(created_at, id)`` of the last one of the previous page."""
    query = (
        select(Organization, Member.role)
        .join(Member, Member.organization_id == Organization.id)
        .where(Member.user_id == user.id, Organization.is_deleted.is_(False))
        .order_by(Organization.created_at, Organization.id)
        .limit(limit)
    )
    if after is not None:
        created_at, last_id = after
        query = query.where(
            or_(
                Organization.created_at > created_at,
                and_(Organization.created_at == created_at, Organization.id > last_id),
            )
        )
    return [(row, role) for row, role in session.execute(query)]


def websites_of(session: Session, organization_ids: list[str]) -> dict[str, Website]:
    """Each organization's (first) website."""
    found: dict[str, Website] = {}
    rows = session.scalars(
        select(Website)
        .where(Website.organization_id.in_(organization_ids))
        .order_by(Website.created_at.desc(), Website.id.desc())
    )
    for website in rows:
        found[website.organization_id] = website
    return found
