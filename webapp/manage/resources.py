"""Resources and their categories."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from webapp.accounts import normalize_email
from webapp.booking.errors import NotFound, ValidationFailed
from webapp.booking.intervals import is_valid_timezone
from webapp.models import (
    Booking,
    BookingType,
    CalendarFeed,
    ExternalBusyTime,
    ExternalCalendar,
    Member,
    Organization,
    Resource,
    ResourceCategory,
    User,
)

MAX_META_ENTRIES = 50


@dataclass
class ResourceValues:
    name: str
    name_translations: dict = field(default_factory=dict)
    description: str = ""
    description_translations: dict = field(default_factory=dict)
    category_id: str | None = None
    timezone: str | None = None
    on: bool = True
    book_from_website: bool = True
    type_ids: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    provider_email: str | None = None
    provider_phone: str | None = None
    position: int = 0
    photo: dict | None = None
    # None keeps what is stored (the admin's form has neither).
    photos: list[dict] | None = None
    activated: bool | None = None


def get_resource(session: Session, organization: Organization, resource_id: str) -> Resource:
    resource = session.scalar(
        select(Resource).where(
            Resource.organization_id == organization.id, Resource.id == resource_id
        )
    )
    if resource is None:
        raise NotFound(_("Resource not found."))
    return resource


def get_category(session: Session, organization: Organization, category_id: str):
    category = session.scalar(
        select(ResourceCategory).where(
            ResourceCategory.organization_id == organization.id,
            ResourceCategory.id == category_id,
        )
    )
    if category is None:
        raise ValidationFailed(_("Choose a category of this organization."), field="category_id")
    return category


def save_resource(
    session: Session,
    organization: Organization,
    values: ResourceValues,
    resource: Resource | None = None,
) -> Resource:
    """Create a resource (``resource`` None) or update it with ``values``."""
    if not values.name.strip() or len(values.name) > 200:
        raise ValidationFailed(
            _("The resource needs a name (at most 200 characters)."), field="name"
        )
    if values.timezone and not is_valid_timezone(values.timezone):
        raise ValidationFailed(_("Choose a time zone such as Asia/Riyadh."), field="timezone")
    if values.category_id:
        get_category(session, organization, values.category_id)
    if len(values.meta) > MAX_META_ENTRIES:
        raise ValidationFailed(_("Keep custom data to 50 entries."), field="meta")
    email = None
    if values.provider_email:
        try:
            email = normalize_email(values.provider_email)
        except ValidationFailed:
            raise ValidationFailed(
                _("Enter a valid email address."), field="provider_email"
            ) from None
    types = _types(session, organization, values.type_ids)

    if resource is None:
        resource = Resource(organization_id=organization.id, name=values.name)
        session.add(resource)
    resource.name = values.name.strip()
    resource.name_translations = values.name_translations
    resource.description = values.description
    resource.description_translations = values.description_translations
    resource.category_id = values.category_id or None
    resource.timezone = values.timezone or None
    resource.on = values.on
    resource.book_from_website = values.book_from_website
    resource.meta = values.meta
    resource.provider_email = email
    resource.provider_phone = values.provider_phone or None
    resource.position = values.position
    if values.photo is not None:
        resource.photo = values.photo or None
    if values.photos is not None:
        resource.photos = list(values.photos)
    if values.activated is not None:
        resource.activated = values.activated
    resource.booking_types = types
    session.flush()
    return resource


def link_provider(session: Session, organization: Organization, resource: Resource) -> bool:
    """Make the member whose email or phone the resource names as its provider provide it
    (they then manage it and find it among their own). False when no member matches."""
    conditions = []
    if resource.provider_email:
        conditions.append(User.email == resource.provider_email)
    if resource.provider_phone:
        conditions.append(User.phone == resource.provider_phone)
    if not conditions:
        return False
    members = session.scalars(
        select(Member)
        .join(User, User.id == Member.user_id)
        .where(Member.organization_id == organization.id, or_(*conditions))
    ).all()
    for member in members:
        if all(r.id != resource.id for r in member.resources):
            member.resources.append(resource)
    session.flush()
    return bool(members)


def _types(session: Session, organization: Organization, type_ids: list[str]) -> list:
    if not type_ids:
        return []
    found = list(
        session.scalars(
            select(BookingType).where(
                BookingType.organization_id == organization.id, BookingType.id.in_(type_ids)
            )
        )
    )
    if len(found) != len(set(type_ids)):
        raise ValidationFailed(_("Choose services of this organization."), field="type_ids")
    return found


def delete_resource(session: Session, organization: Organization, resource_id: str) -> None:
    """Remove a resource that was never booked; one with bookings is switched off instead,
    so its history stays readable."""
    resource = get_resource(session, organization, resource_id)
    booked = session.scalar(
        select(func.count()).select_from(Booking).where(Booking.resource_id == resource.id)
    )
    if booked:
        raise ValidationFailed(
            _(
                "This resource has bookings, so it is kept for their history. Switch it off "
                "to stop new bookings."
            ),
            field="__all__",
        )
    # Its calendar feed and outside calendars go with it (the feed's address stops working).
    for model in (ExternalBusyTime, ExternalCalendar, CalendarFeed):
        session.execute(
            delete(model).where(
                model.organization_id == organization.id, model.resource_id == resource.id
            )
        )
    session.delete(resource)
    session.flush()


def save_category(
    session: Session,
    organization: Organization,
    *,
    name: str,
    name_translations: dict | None = None,
    description: str = "",
    category: ResourceCategory | None = None,
) -> ResourceCategory:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed(
            _("The category needs a name (at most 200 characters)."), field="name"
        )
    if category is None:
        category = ResourceCategory(organization_id=organization.id, name=name)
        session.add(category)
    category.name = name
    category.name_translations = name_translations or {}
    category.description = description
    session.flush()
    return category


def parse_meta(text: str) -> dict[str, str]:
    """Custom data typed as ``key: value`` lines (what resource filters match on)."""
    meta: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise ValidationFailed(
                _("Line %(n)d: write custom data as key: value.", n=number), field="meta"
            )
        meta[key.strip()[:64]] = value.strip()[:200]
    return meta


def format_meta(meta: dict) -> str:
    return "\n".join(f"{key}: {value}" for key, value in (meta or {}).items())
