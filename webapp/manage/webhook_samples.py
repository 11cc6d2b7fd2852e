"""Sample webhook bodies: what a delivery of each trigger carries, filled with the
organization's own first service and resource and a made-up customer. The management API
answers them, and the admin sends one as a test event."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, time, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.booking.intervals import zone
from webapp.i18n import current_lang, translated
from webapp.manage.websites import get_website
from webapp.models import BookingType, Organization, Resource, Website, WebsiteVersion
from webapp.models.types import new_id
from webapp.notify import triggers


def _first_service(
    session: Session, organization: Organization
) -> tuple[BookingType | None, Resource | None]:
    """The organization's first service and a resource offering it, to fill the sample."""
    booking_type = session.scalars(
        select(BookingType)
        .where(BookingType.organization_id == organization.id)
        .order_by(BookingType.on.desc(), BookingType.position, BookingType.name)
    ).first()
    resources = select(Resource).where(Resource.organization_id == organization.id)
    if booking_type is not None:
        resources = resources.where(Resource.booking_types.any(BookingType.id == booking_type.id))
    resource = session.scalars(resources.order_by(Resource.position, Resource.name)).first()
    return booking_type, resource


def _display_name(site: WebsiteVersion, lang: str) -> str:
    """The website's display name as written in ``lang``, else as written, else its name."""
    texts = (site.translations or {}).get(lang)
    written = texts.get("displayName") if isinstance(texts, dict) else None
    if isinstance(written, str) and written.strip():
        return written
    return site.display_name or site.name


def sample_payload(
    session: Session,
    organization: Organization,
    trigger: str,
    reference: str = "",
    *,
    now: datetime,
    base_url: str,
    website: Website | None = None,
    lang: str | None = None,
) -> dict:
    """The body a delivery of ``trigger`` would carry for a booking tomorrow at 10:00.
    ``base_url`` is the server's root address (for the website's link); ``website`` defaults
    to the organization's first; names are in ``lang`` (the request's by default)."""
    lang = lang or current_lang()
    with force_locale(lang) if lang != current_lang() else nullcontext():
        return _sample(session, organization, trigger, reference, now, base_url, website, lang)


def _sample(session, organization, trigger, reference, now, base_url, website, lang) -> dict:
    website = website or get_website(session, organization)
    site = website.settings
    booking_type, resource = _first_service(session, organization)
    timezone = site.timezone
    local_now = now.astimezone(zone(timezone))
    start = datetime.combine(local_now.date() + timedelta(days=1), time(10), zone(timezone))
    minutes = booking_type.minutes if booking_type else 30
    service = (
        translated(booking_type.name, booking_type.name_translations, lang) if booking_type else ""
    )
    customer = {
        "id": new_id(),
        "firstName": "Sara",
        "lastName": "Ahmed",
        "name": "Sara Ahmed",
        "email": "sara@example.com",
        "phone": "+966500000000",
    }
    booking_id = new_id()
    if trigger in triggers.ALIASES:
        return triggers.event_payload(
            trigger,
            booking_id=booking_id,
            service=service or _("Consultation"),
            start=start,
            minutes=minutes,
            customer=customer,
        )
    resource_name = translated(resource.name, resource.name_translations, lang) if resource else ""
    info: dict = {}
    if trigger == "queuePositionUpdated":
        info.update(queuePosition=2, estimatedWaitMinutes=2 * minutes)
    if trigger == "appointmentRescheduled":
        info["previousBookingId"] = new_id()
    provider, resource_part = triggers.resource_parts(
        resource, resource_name or _("Provider"), missing_id=new_id()
    )
    return triggers.booking_payload(
        trigger,
        booking_id=booking_id,
        status=triggers.TRIGGERS[trigger],
        start=start,
        minutes=minutes,
        timezone=timezone,
        customer=customer,
        provider=provider,
        resource=resource_part,
        page=triggers.page_part(website, _display_name(site, lang), base_url, timezone),
        booking_type=triggers.type_part(
            booking_type.id if booking_type else new_id(),
            service or _("Consultation"),
            minutes,
            booking_type.price if booking_type else None,
            organization.currency,
        ),
        info=info,
        data={"reference": reference} if reference else {},
    )
