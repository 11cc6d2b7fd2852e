"""A resource's outside calendars: ICS addresses whose events make the resource busy.

Adding one reads it at once (within the organization's read limit), so a wrong address shows
its error straight away; afterwards the worker reads it every 15 minutes."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.booking.locking import begin_write
from webapp.manage.resources import get_resource
from webapp.models import ExternalBusyTime, ExternalCalendar, Organization
from webapp.models.types import new_id
from webapp.notify import external_calendars as reader
from webapp.notify.destinations import (
    MAX_URL,
    check_webhook_url,
    is_loopback_host,
    is_public_host,
)

__all__ = ["MAX_URL"]

MAX_PER_RESOURCE = 10
MAX_NAME = 200
# Calendar apps hand out webcal:// links; they are https:// underneath.
_WEBCAL = {"webcal": "https", "webcals": "https"}


def check_calendar_url(url: object, *, allow_loopback: bool = False, field: str = "url") -> str:
    """The address to read (``webcal://`` becomes ``https://``) when the same rules as for
    webhooks allow it; else :class:`ValidationFailed` naming ``field``, in calendar words."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationFailed(_("Give the calendar’s address."), field=field)
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in _WEBCAL:
        url = f"{_WEBCAL[scheme.lower()]}://{rest}"
    try:
        return check_webhook_url(url, allow_loopback=allow_loopback, field=field)
    except ValidationFailed as error:
        raise ValidationFailed(_reworded(url, error.message), field=field) from None


def _reworded(url: str, message: str) -> str:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return message
    if parts.scheme.lower() not in ("http", "https") or not host:
        return _("Calendar addresses start with https:// or webcal:// and name a host.")
    if is_loopback_host(host) or not is_public_host(host):
        return _(
            "%(host)s is not on the public internet; calendars there cannot be read.", host=host
        )
    if parts.scheme.lower() != "https":
        return _("Calendar addresses must start with https:// or webcal://.")
    return message


def check_name(name: object, url: str) -> str:
    if name is None:
        name = ""
    if not isinstance(name, str) or len(name.strip()) > MAX_NAME:
        raise ValidationFailed(
            _("The name is text of at most %(n)d characters.", n=MAX_NAME), field="name"
        )
    return name.strip() or (urlsplit(url).hostname or "")[:MAX_NAME]


def calendars_for_resource(
    session: Session, organization: Organization, resource_id: str
) -> list[ExternalCalendar]:
    """The resource's outside calendars, oldest first."""
    resource = get_resource(session, organization, resource_id)
    return list(
        session.scalars(
            select(ExternalCalendar)
            .where(
                ExternalCalendar.organization_id == organization.id,
                ExternalCalendar.resource_id == resource.id,
            )
            .order_by(ExternalCalendar.created_at, ExternalCalendar.id)
        )
    )


def get_calendar(
    session: Session, organization: Organization, calendar_id: str, *, resource_id: str
) -> ExternalCalendar:
    calendar = session.scalar(
        select(ExternalCalendar).where(
            ExternalCalendar.organization_id == organization.id,
            ExternalCalendar.id == calendar_id,
            ExternalCalendar.resource_id == resource_id,
        )
    )
    if calendar is None:
        raise NotFound(_("Outside calendar not found."))
    return calendar


def _count(session: Session, organization: Organization, resource_id: str) -> int:
    return session.scalar(
        select(func.count())
        .select_from(ExternalCalendar)
        .where(
            ExternalCalendar.organization_id == organization.id,
            ExternalCalendar.resource_id == resource_id,
        )
    )


def _check_room(session: Session, organization: Organization, resource_id: str) -> None:
    if _count(session, organization, resource_id) >= MAX_PER_RESOURCE:
        raise ValidationFailed(
            _("A resource can have at most %(n)d outside calendars.", n=MAX_PER_RESOURCE),
            field="url",
        )


def add_calendar(
    session: Session,
    organization: Organization,
    resource_id: str,
    *,
    url: object,
    name: object,
    now: datetime,
    allow_loopback: bool,
) -> tuple[ExternalCalendar, reader.Fetched]:
    """Subscribe the resource to an outside calendar and read it for the first time.
    Returns the calendar and what the first read found. Flushes."""
    resource = get_resource(session, organization, resource_id)
    url = check_calendar_url(url, allow_loopback=allow_loopback)
    name = check_name(name, url)
    _check_room(session, organization, resource.id)
    calendar = ExternalCalendar(
        id=new_id(),
        organization_id=organization.id,
        resource_id=resource.id,
        name=name,
        url=url,
        created_at=now,
        next_fetch_at=now,
        event_count=0,
    )
    source = reader.Source(
        calendar.id, organization.id, url, resource.timezone or organization.timezone
    )
    fetched = reader.fetch(source, now, allow_loopback=allow_loopback, conditional=False)
    begin_write(session)
    _check_room(session, organization, resource.id)  # again, now that writes are serialized
    session.add(calendar)
    session.flush()
    reader.store(session, calendar, fetched, now)
    session.flush()
    return calendar, fetched


def refresh_now(
    session: Session,
    organization: Organization,
    calendar_id: str,
    *,
    resource_id: str,
    now: datetime,
    allow_loopback: bool,
) -> tuple[ExternalCalendar, reader.Fetched]:
    """Read the calendar now; over the organization's read limit the read is postponed to
    when the limit allows it (``Fetched.outcome == "postponed"``). Flushes."""
    calendar = get_calendar(session, organization, calendar_id, resource_id=resource_id)
    fetched = reader.refresh(session, calendar, now, allow_loopback=allow_loopback)
    return calendar, fetched


def remove_calendar(
    session: Session, organization: Organization, calendar_id: str, *, resource_id: str
) -> str:
    """Unsubscribe: the calendar and its busy times go. Returns its name. Flushes."""
    calendar = get_calendar(session, organization, calendar_id, resource_id=resource_id)
    name = calendar.name
    session.execute(delete(ExternalBusyTime).where(ExternalBusyTime.calendar_id == calendar.id))
    session.delete(calendar)
    session.flush()
    return name


def remove_all_for_resource(session: Session, organization: Organization, resource_id: str) -> int:
    """Every outside calendar of a resource, with its busy times (before the resource is
    deleted). Returns how many there were. Flushes."""
    ids = list(
        session.scalars(
            select(ExternalCalendar.id).where(
                ExternalCalendar.organization_id == organization.id,
                ExternalCalendar.resource_id == resource_id,
            )
        )
    )
    if ids:
        session.execute(delete(ExternalBusyTime).where(ExternalBusyTime.calendar_id.in_(ids)))
        session.execute(delete(ExternalCalendar).where(ExternalCalendar.id.in_(ids)))
        session.flush()
    return len(ids)
