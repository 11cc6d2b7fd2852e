"""Booking partners of an organization (seed 004): a reservation partner calls the booking
server with a username and password made here, the password shown once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.models import BookingPartner, Organization

USERNAME_PREFIX = "mwp_"
MAX_NAME = 100


def hash_password(raw: str) -> str:
    # 32 random bytes: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


def create_partner(
    session: Session, organization: Organization, *, name: object, created_by: str = ""
) -> tuple[BookingPartner, str]:
    """A new partner; answers the row and its raw password, never stored."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_NAME:
        raise ValidationFailed(
            _("Give the partner a name (at most %(n)d characters).", n=MAX_NAME), field="name"
        )
    password = secrets.token_urlsafe(32)
    partner = BookingPartner(
        organization_id=organization.id,
        name=name,
        username=USERNAME_PREFIX + secrets.token_hex(12),
        password_hash=hash_password(password),
        password_hint=password[-6:],
        created_by=created_by[:64],
    )
    session.add(partner)
    session.flush()
    return partner, password


def authenticate_partner(session: Session, username: object, password: object):
    """The active partner these Basic credentials name, or None."""
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    if not username.startswith(USERNAME_PREFIX) or len(username) > 64 or len(password) > 200:
        return None
    partner = session.scalar(
        select(BookingPartner)
        .join(Organization, Organization.id == BookingPartner.organization_id)
        .where(
            BookingPartner.username == username,
            BookingPartner.revoked_at.is_(None),
            Organization.is_deleted.is_(False),
        )
    )
    if partner is None or not hmac.compare_digest(partner.password_hash, hash_password(password)):
        return None
    return partner


def partners_of(session: Session, organization: Organization) -> list[BookingPartner]:
    """Active partners first (newest first), then revoked ones."""
    return list(
        session.scalars(
            select(BookingPartner)
            .where(BookingPartner.organization_id == organization.id)
            .order_by(
                BookingPartner.revoked_at.is_not(None),
                BookingPartner.created_at.desc(),
                BookingPartner.id,
            )
        )
    )


def revoke_partner(
    session: Session, organization: Organization, partner_id: str, *, now: datetime
) -> BookingPartner:
    partner = session.scalar(
        select(BookingPartner).where(
            BookingPartner.organization_id == organization.id,
            (BookingPartner.id == partner_id) | (BookingPartner.username == partner_id),
        )
    )
    if partner is None:
        raise NotFound(_("Booking partner not found."))
    if partner.revoked_at is None:
        partner.revoked_at = now
        session.flush()
    return partner
