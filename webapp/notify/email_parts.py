"""What every email shares: the organization and website it speaks for, times in the
reader's language and zone, the booking's facts, the two bodies rendered from
``templates/email/``, and absolute links when no request is under way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.i18n import LANGUAGES, digits, text_direction, translated
from webapp.models import (
    Booking,
    Member,
    Organization,
    Resource,
    User,
    Website,
    WebsiteVersion,
    resource_types,
)
from webapp.public.blueprint import status_label

MAX_SUBJECT = 300
RLM = "\u200f"  # starts each line of an Arabic text email, so it reads right to left
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Place:
    """The organization an email speaks for and its website (if it has one)."""

    organization: Organization
    website: Website | None
    site: WebsiteVersion | None

    @property
    def default_lang(self) -> str:
        lang = self.site.default_lang if self.site else None
        return lang if lang in LANGUAGES else "en"

    @property
    def timezone(self) -> str:
        return self.site.timezone if self.site else self.organization.timezone

    def business(self, lang: str) -> str:
        """The name the website shows, in ``lang`` when the business wrote one."""
        site = self.site
        if site is None:
            return self.organization.name
        written = ((site.translations or {}).get(lang) or {}).get("displayName")
        if isinstance(written, str) and written.strip():
            return written
        return site.display_name or site.name or self.organization.name


def find_place(session: Session, organization_id: str, website_id: str | None) -> Place | None:
    """The organization (None once closed) with the booking's website, else its first."""
    organization = session.get(Organization, organization_id)
    if organization is None or organization.is_deleted:
        return None
    query = select(Website).where(Website.organization_id == organization_id)
    website = None
    if website_id:
        website = session.scalar(query.where(Website.id == website_id))
    if website is None:
        website = session.scalars(query.order_by(Website.created_at, Website.id)).first()
    return Place(organization, website, website.version("default") if website else None)


def owner_addresses(session: Session, organization_id: str) -> list[str]:
    owners = (
        select(User.email)
        .join(Member, Member.user_id == User.id)
        .where(
            Member.organization_id == organization_id,
            Member.role == "owner",
            User.is_active.is_(True),
        )
        .order_by(User.email)
    )
    return [address for address in session.scalars(owners) if address]


def offering_resources(session: Session, booking: Booking, payload: dict) -> list[Resource]:
    """The resources a waiting booking is offered to: those its event names (the booking
    service chose them), else the active ones offering its service."""
    query = select(Resource).where(Resource.organization_id == booking.organization_id)
    named = payload.get("resourceIds")
    if isinstance(named, list):
        query = query.where(Resource.id.in_([str(item) for item in named]))
    else:
        query = query.join(resource_types, resource_types.c.resource_id == Resource.id).where(
            resource_types.c.booking_type_id == booking.booking_type_id,
            Resource.on.is_(True),
            Resource.activated.is_(True),
        )
    return list(
        session.scalars(query.order_by(Resource.position, Resource.created_at, Resource.id))
    )


def format_moment(moment: datetime, timezone: str, lang: str, *, short: bool = False) -> str:
    """``Friday, October 30, 2026 · 10:00 AM (Eastern Daylight Time)`` in ``lang``; short:
    ``Oct 30, 2026 · 10:00 AM``."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    day = babel_dates.format_date(local.date(), "medium" if short else "full", locale=lang)
    clock = babel_dates.format_time(local, "short", tzinfo=zone, locale=lang)
    if short:
        return digits(f"{day} · {clock}", lang)
    zone_name = babel_dates.get_timezone_name(local, "long", locale=lang)
    return digits(f"{day} · {clock} ({zone_name})", lang)


def service_name(booking: Booking, lang: str) -> str:
    service = booking.booking_type
    return translated(service.name, service.name_translations, lang)


def booking_facts(
    booking: Booking, lang: str, timezone: str, status: str, *, with_resource: bool
) -> list[tuple[str, str]]:
    """(label, value) lines describing the booking, in the forced locale."""
    facts = [(_("Service"), service_name(booking, lang))]
    resource = booking.resource
    if with_resource and resource is not None:
        facts.append((_("With"), translated(resource.name, resource.name_translations, lang)))
    if booking.start_at is not None:
        facts.append((_("When"), format_moment(booking.start_at, timezone, lang)))
    if booking.price is not None:
        currency = booking.currency or "SAR"
        price = babel_numbers.format_currency(booking.price, currency, locale=lang)
        facts.append((_("Price"), digits(price, lang)))
    facts.append((_("Status"), status_label(status)))
    return facts


def render(name: str, lang: str, **context) -> tuple[str, str]:
    """The text and HTML bodies of ``templates/email/<name>``; HTML is autoescaped."""
    direction = text_direction(lang)
    context.update(lang=lang, dir=direction)
    env = current_app.jinja_env
    text = env.get_template(f"email/{name}.txt").render(**context)
    text = _BLANK_LINES.sub("\n\n", text).strip() + "\n"
    html = env.get_template(f"email/{name}.html").render(**context)
    if direction == "rtl":
        text = "\n".join(RLM + line if line.strip() else line for line in text.split("\n"))
    return text, html


def one_line(subject: str) -> str:
    return " ".join(subject.split())[:MAX_SUBJECT]


@contextmanager
def links() -> Iterator[None]:
    """Lets ``url_for`` build absolute links outside a request, for ``PUBLIC_BASE_URL``."""
    if has_request_context():
        yield
        return
    base_url = current_app.config["PUBLIC_BASE_URL"]
    with current_app.test_request_context(base_url=base_url):
        yield
