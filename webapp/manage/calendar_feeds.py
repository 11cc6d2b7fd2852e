"""Calendar feeds: an address that calendar apps subscribe to, showing the bookings of the
whole organization or of one resource.

The address holds a token made from the feed's id and nonce with the app's secret, so it is
never stored; a new nonce gives a new address (the old one stops working) and deleting the
feed revokes it. Whoever holds the address reads the bookings with the customers' contact
details: it is meant for staff, and the address is the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session, joinedload
from werkzeug.utils import secure_filename

from webapp.booking.errors import NotFound
from webapp.booking.locking import begin_write
from webapp.i18n import translated
from webapp.manage.resources import get_resource
from webapp.models import (
    Booking,
    BookingHistory,
    BookingStatus,
    CalendarFeed,
    Organization,
    Resource,
    Website,
)
from webapp.notify.ical_feed import CONFIRMED, FeedEvent, feed_calendar
from webapp.public.blueprint import status_label

TOKEN_SIGNATURE_LENGTH = 32
MAX_TOKEN_LENGTH = 128
# A feed shows bookings from two months back to a year ahead, at most this many.
WINDOW_BEFORE = timedelta(days=60)
WINDOW_AFTER = timedelta(days=365)
MAX_EVENTS = 5000
# How precisely a feed's last reading is kept: apps read often, a write each time is waste.
READ_STEP = timedelta(minutes=1)


# -- the feeds --------------------------------------------------------------------------------


def feed_for(
    session: Session,
    organization: Organization,
    resource_id: str | None = None,
    *,
    create: bool = False,
    now: datetime,
) -> CalendarFeed | None:
    """The feed of the organization (``resource_id`` None) or of one of its resources; with
    ``create``, one is made when there is none."""
    if resource_id is not None:
        resource_id = get_resource(session, organization, resource_id).id
    feed = session.scalar(
        select(CalendarFeed)
        .where(
            CalendarFeed.organization_id == organization.id,
            CalendarFeed.resource_id.is_(None)
            if resource_id is None
            else CalendarFeed.resource_id == resource_id,
        )
        .order_by(CalendarFeed.created_at, CalendarFeed.id)
        .limit(1)
    )
    if feed is None and create:
        feed = CalendarFeed(
            organization_id=organization.id,
            resource_id=resource_id,
            nonce=_new_nonce(),
            created_at=now,
        )
        session.add(feed)
        session.flush()
    return feed


def get_feed(session: Session, organization: Organization, feed_id: str) -> CalendarFeed:
    feed = session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.organization_id == organization.id, CalendarFeed.id == str(feed_id)
        )
    )
    if feed is None:
        raise NotFound(_("This calendar feed no longer exists."))
    return feed


def regenerate(
    session: Session, organization: Organization, feed: CalendarFeed, now: datetime
) -> CalendarFeed:
    """A new address for the feed; the old one stops working at once."""
    feed = get_feed(session, organization, feed.id)
    feed.nonce = _new_nonce()
    feed.created_at = now
    feed.last_read_at = None
    session.flush()
    return feed


def revoke(session: Session, organization: Organization, feed: CalendarFeed) -> None:
    """The feed is gone: its address answers 404 from now on."""
    session.delete(get_feed(session, organization, feed.id))
    session.flush()


def _new_nonce() -> str:
    return secrets.token_hex(16)


# -- addresses --------------------------------------------------------------------------------


def feed_token(feed: CalendarFeed, secret_key: str | bytes) -> str:
    """``<feed id>.<signature>``: the signature is an HMAC of the id and nonce."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    message = f"calendar-feed:{feed.id}:{feed.nonce}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return f"{feed.id}.{signature[:TOKEN_SIGNATURE_LENGTH]}"


def find_by_token(session: Session, token: str, secret_key: str | bytes) -> CalendarFeed | None:
    """The live feed a token names, or None (unknown, revoked, regenerated, or its
    organization deleted)."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    feed_id, dot, signature = token.partition(".")
    if not dot or not feed_id or not signature:
        return None
    feed = session.scalar(
        select(CalendarFeed)
        .join(Organization, Organization.id == CalendarFeed.organization_id)
        .where(CalendarFeed.id == feed_id, Organization.is_deleted.is_(False))
    )
    if feed is None:
        return None
    expected = feed_token(feed, secret_key)
    return feed if hmac.compare_digest(expected.encode(), token.encode()) else None


def feed_url(feed: CalendarFeed) -> str:
    """The address to subscribe to (absolute; needs a request or SERVER_NAME)."""
    token = feed_token(feed, current_app.config["SECRET_KEY"])
    return url_for("calendar_feeds.feed_ics", token=token, _external=True)


def resource_feed_urls(
    session: Session, organization: Organization, resource_ids: Iterable[str]
) -> dict[str, str]:
    """The feed address of each of these resources that has a feed."""
    ids = list(resource_ids)
    if not ids:
        return {}
    urls: dict[str, str] = {}
    for feed in session.scalars(
        select(CalendarFeed)
        .where(CalendarFeed.organization_id == organization.id, CalendarFeed.resource_id.in_(ids))
        .order_by(CalendarFeed.created_at, CalendarFeed.id)
    ):
        urls.setdefault(feed.resource_id, feed_url(feed))  # the one feed_for finds
    return urls


def note_read(session: Session, feed: CalendarFeed, now: datetime) -> None:
    """Remember when a calendar app last read the feed, at most once a minute."""
    if feed.last_read_at is not None and now - feed.last_read_at < READ_STEP:
        return
    begin_write(session)
    session.execute(
        update(CalendarFeed)
        .where(
            CalendarFeed.id == feed.id,
            or_(CalendarFeed.last_read_at.is_(None), CalendarFeed.last_read_at <= now - READ_STEP),
        )
        .values(last_read_at=now)
        .execution_options(synchronize_session=False)
    )


# -- what a feed shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedDocument:
    body: bytes
    filename: str


def feed_document(session: Session, feed: CalendarFeed, *, now: datetime) -> FeedDocument:
    """The feed's calendar file as it is now."""
    organization = session.get(Organization, feed.organization_id)
    resource = session.get(Resource, feed.resource_id) if feed.resource_id else None
    if resource is not None:
        name = f"{translated(resource.name, resource.name_translations)} · {organization.name}"
        timezone = resource.timezone or organization.timezone
    else:
        name, timezone = organization.name, organization.timezone
    events = [
        _event(booking, uid, sequence, organization, show_resource=resource is None)
        for booking, uid, sequence in _latest_bookings(session, feed, now)
    ]
    body = feed_calendar(name=name, timezone=timezone, events=events, now=now)
    return FeedDocument(body, (secure_filename(name) or "bookings") + ".ics")


def feed_language(session: Session, feed: CalendarFeed) -> str | None:
    """The language of the organization's website, for apps that do not ask for one."""
    website = session.scalar(
        select(Website).where(Website.organization_id == feed.organization_id).limit(1)
    )
    return website.settings.default_lang if website is not None else None


def _latest_bookings(session: Session, feed: CalendarFeed, now: datetime):
    """(booking, uid, sequence) for the feed's bookings, in time order. A rescheduled
    booking is a new row replacing a canceled one: the whole chain is one event (uid: its
    first booking's id, sequence: the number of moves) shown as its latest row here."""
    rows = list(session.scalars(_window(feed, now)))
    chains = _chains(session, feed.organization_id, rows)
    latest: dict[str, tuple[int, Booking]] = {}
    for booking in rows:
        uid, moves = chains[booking.id]
        if uid not in latest or moves > latest[uid][0]:
            latest[uid] = (moves, booking)
    shown = sorted(latest.items(), key=lambda item: (item[1][1].start_at, item[1][1].id))
    return [(booking, uid, moves) for uid, (moves, booking) in shown[:MAX_EVENTS]]


def _window(feed: CalendarFeed, now: datetime):
    """The bookings of the feed's window, holds left out (also those that ended canceled
    without ever being a booking: expired or abandoned)."""
    never_booked = exists().where(
        BookingHistory.booking_id == Booking.id,
        BookingHistory.from_status == BookingStatus.TEMPORARY.value,
        BookingHistory.to_status == BookingStatus.CANCELED.value,
    )
    statement = (
        select(Booking)
        .where(
            Booking.organization_id == feed.organization_id,
            Booking.start_at >= now - WINDOW_BEFORE,
            Booking.start_at < now + WINDOW_AFTER,
            Booking.end_at.is_not(None),
            Booking.status != BookingStatus.TEMPORARY.value,
            ~never_booked,
        )
        .options(
            joinedload(Booking.booking_type),
            joinedload(Booking.customer),
            joinedload(Booking.resource),
        )
        .order_by(Booking.start_at, Booking.id)
        # Rows a later move replaced are dropped after reading; read enough for them.
        .limit(2 * MAX_EVENTS)
    )
    if feed.resource_id is not None:
        statement = statement.where(Booking.resource_id == feed.resource_id)
    return statement


def _chains(session: Session, organization_id: str, rows: list[Booking]):
    """Each row's chain: the first booking's id and how many moves led to the row."""
    parent = {row.id: row.rescheduled_from_id for row in rows}
    wanted = {p for p in parent.values() if p and p not in parent}
    while wanted:  # earlier bookings of the chains, outside the window
        batch = list(wanted)[:1000]
        found = dict(
            session.execute(
                select(Booking.id, Booking.rescheduled_from_id).where(
                    Booking.organization_id == organization_id, Booking.id.in_(batch)
                )
            ).all()
        )
        for booking_id in batch:  # an id not found ends its chain
            parent[booking_id] = found.get(booking_id)
        wanted = {p for p in parent.values() if p and p not in parent}
    chains = {}
    for row in rows:
        current, moves = row.id, 0
        while parent.get(current) and moves <= len(parent):
            current, moves = parent[current], moves + 1
        chains[row.id] = (current, moves)
    return chains


def _event(
    booking: Booking, uid: str, sequence: int, organization: Organization, *, show_resource: bool
) -> FeedEvent:
    service = booking.booking_type
    customer = booking.customer
    title = translated(service.name, service.name_translations) if service else ""
    summary = " · ".join(p for p in (title, customer.full_name if customer else "") if p)
    lines = []
    if booking.status not in CONFIRMED:
        lines.append(status_label(booking.status))
    if show_resource and booking.resource is not None:
        name = translated(booking.resource.name, booking.resource.name_translations)
        lines.append(_("Resource: %(name)s", name=name))
    if customer is not None and customer.phone:
        lines.append(_("Phone: %(phone)s", phone=customer.phone))
    if customer is not None and customer.email:
        lines.append(_("Email: %(email)s", email=customer.email))
    if booking.note:
        lines.append(_("Note: %(note)s", note=booking.note))
    zone = (booking.resource.timezone if booking.resource else None) or organization.timezone
    return FeedEvent(
        uid=uid,
        start=booking.start_at,
        end=booking.end_at,
        timezone=zone,
        summary=summary or _("Booking"),
        status=booking.status,
        changed_at=booking.updated_at or booking.created_at,
        created_at=booking.created_at,
        sequence=sequence,
        description="\n".join(lines),
        url=url_for("admin.booking_detail", booking_id=booking.id, _external=True),
    )
