"""The team: who may manage an organization, in which role, and which resources a staff
member provides.

Owners and admins invite and change members; only an owner makes, changes or removes an
owner, and an organization never loses its last owner."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp import accounts
from webapp.booking.errors import BookingError, NotFound, ValidationFailed
from webapp.models import Member, Organization, Resource, User
from webapp.models.users import ROLES

MANAGING_ROLES = ("owner", "admin")
MAX_NAME = 200
# Nobody knows this password; the invited person chooses theirs from the emailed link.
UNUSABLE_PASSWORD_BYTES = 48


class NotAllowed(BookingError):
    code = "FORBIDDEN"
    http_status = 403
    default_message = "Your role does not allow this."


@dataclass
class Invitation:
    member: Member
    user: User
    new_account: bool


def list_members(session: Session, organization: Organization) -> list[Member]:
    """Owners first, then admins, then staff; by name within a role."""
    members = session.scalars(
        select(Member)
        .join(User, User.id == Member.user_id)
        .where(Member.organization_id == organization.id)
        .options(selectinload(Member.user), selectinload(Member.resources))
        .order_by(User.name, User.email)
    )
    return sorted(members, key=lambda member: ROLES.index(member.role))


def get_member(session: Session, organization: Organization, member_id: str) -> Member:
    member = session.scalar(
        select(Member).where(Member.organization_id == organization.id, Member.id == member_id)
    )
    if member is None:
        raise NotFound(_("Team member not found."))
    return member


def roles_for(actor: Member) -> tuple[str, ...]:
    """The roles ``actor`` may give: an owner any, an admin admin or staff, staff none."""
    if actor.role == "owner":
        return ROLES
    if actor.role == "admin":
        return tuple(role for role in ROLES if role != "owner")
    return ()


def may_change(actor: Member, member: Member) -> bool:
    return actor.role in MANAGING_ROLES and (member.role != "owner" or actor.role == "owner")


def invite_member(
    session: Session,
    organization: Organization,
    actor: Member,
    *,
    email: str,
    role: str,
    name: str = "",
    resource_ids: list[str] | None = None,
) -> Invitation:
    """Add a person to the team; someone without an account gets one, with a password
    nobody knows until they choose theirs. The caller sends the email after committing."""
    _check_role(actor, role)
    name = (name or "").strip()
    if len(name) > MAX_NAME:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=MAX_NAME), field="name")
    try:
        email = accounts.normalize_email(email)
    except ValidationFailed:
        raise ValidationFailed(_("Enter a valid email address."), field="email") from None
    resources = _resources(session, organization, resource_ids or [])

    user = session.scalar(select(User).where(User.email == email))
    new_account = user is None
    if user is None:
        user = accounts.create_user(
            session,
            email=email,
            password=secrets.token_urlsafe(UNUSABLE_PASSWORD_BYTES),
            name=name,
        )
    elif session.scalar(
        select(Member.id).where(
            Member.organization_id == organization.id, Member.user_id == user.id
        )
    ):
        raise _already_member(email)
    member = Member(organization_id=organization.id, user_id=user.id, role=role)
    member.resources = resources
    session.add(member)
    try:
        session.flush()
    except IntegrityError:
        # The same person was added by someone else a moment ago.
        raise _already_member(email) from None
    return Invitation(member=member, user=user, new_account=new_account)


def change_member(
    session: Session,
    organization: Organization,
    actor: Member,
    member: Member,
    *,
    role: str,
    resource_ids: list[str] | None = None,
) -> Member:
    """Give a member another role and the resources they provide."""
    _check_may_change(organization, actor, member)
    _check_role(actor, role)
    resources = _resources(session, organization, resource_ids or [])
    if member.role == "owner" and role != "owner":
        _keep_an_owner(
            session,
            organization,
            member,
            _("The organization needs at least one owner. Make someone else an owner first."),
            field="role",
        )
    member.role = role
    member.resources = resources
    session.flush()
    return member


def remove_member(
    session: Session, organization: Organization, actor: Member, member: Member
) -> None:
    """Take a person's access to the organization away (their account stays)."""
    _check_may_change(organization, actor, member)
    if member.role == "owner":
        _keep_an_owner(
            session,
            organization,
            member,
            _("The last owner cannot be removed. Make someone else an owner first."),
            field="__all__",
        )
    session.delete(member)
    session.flush()


def _check_may_change(organization: Organization, actor: Member, member: Member) -> None:
    if member.organization_id != organization.id:
        raise NotFound(_("Team member not found."))
    if actor.organization_id != organization.id or actor.role not in MANAGING_ROLES:
        raise NotAllowed(_("Your role does not allow this."))
    if not may_change(actor, member):
        raise NotAllowed(_("Only an owner can change or remove an owner."))


def _check_role(actor: Member, role: str) -> None:
    if actor.role not in MANAGING_ROLES:
        raise NotAllowed(_("Your role does not allow this."))
    if role not in ROLES:
        raise ValidationFailed(_("Choose one of the offered roles."), field="role")
    if role not in roles_for(actor):
        raise NotAllowed(_("Only an owner can make someone an owner."))


def _keep_an_owner(
    session: Session, organization: Organization, leaving: Member, message: str, *, field: str
) -> None:
    # Locked, so two owners demoting each other at once cannot both succeed (PostgreSQL).
    owners = session.scalars(
        select(Member.id)
        .where(Member.organization_id == organization.id, Member.role == "owner")
        .with_for_update()
    ).all()
    if not set(owners) - {leaving.id}:
        raise ValidationFailed(message, field=field)


def _resources(session: Session, organization: Organization, ids: list[str]) -> list[Resource]:
    if not ids:
        return []
    found = list(
        session.scalars(
            select(Resource).where(
                Resource.organization_id == organization.id, Resource.id.in_(set(ids))
            )
        )
    )
    if len(found) != len(set(ids)):
        raise ValidationFailed(_("Choose resources of this organization."), field="resource_ids")
    return found


def _already_member(email: str) -> ValidationFailed:
    return ValidationFailed(
        _("%(email)s is already a member of this team.", email=email), field="email"
    )
