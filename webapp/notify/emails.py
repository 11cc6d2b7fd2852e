"""Emails about bookings: to the customer (with a calendar invitation), to the staff member
who provides the resource and to the owners, each in the reader's language; and the notice
to owners that a webhook endpoint was turned off.

A booking waiting in the queue has no time: the customer hears when a provider takes it or
when it expires (never of each move in the line), the providers who could take it and the
owners hear that it is waiting, once.

The worker (:mod:`webapp.notify.outbox`) asks :func:`booking_emails` what an outbox event
should send, stores the answer and sends it with retries. Nothing here sends or commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.i18n import LANGUAGES
from webapp.models import (
    Booking,
    BookingStatus,
    Member,
    Organization,
    OutboxMessage,
    Resource,
    User,
    WebhookSubscription,
    WebsiteVersion,
    member_resources,
)
from webapp.notify import ical
from webapp.notify.email_parts import (
    Place,
    booking_facts,
    find_place,
    format_moment,
    links,
    offering_resources,
    one_line,
    owner_addresses,
    render,
    service_name,
)
from webapp.public.tokens import manage_token

# (filename, content type, bytes)
Attachment = tuple[str, str, bytes]
INVITE_FILENAME = "invite.ics"

# The customer is told of every change to their booking...
CUSTOMER_TEXTS = {
    "newBooking": (
        _l("Booking request received: %(service)s"),
        _l(
            "%(business)s has received your booking request. It is waiting for their "
            "approval; we will email you once it is confirmed."
        ),
    ),
    "newAppointment": (
        _l("Booking confirmed: %(service)s"),
        _l("Your booking with %(business)s is confirmed."),
    ),
    "bookingAssigned": (
        _l("Booking confirmed: %(service)s"),
        _l("A provider at %(business)s has taken your request: your booking is confirmed."),
    ),
    "bookingExpired": (
        _l("Request expired: %(service)s"),
        _l(
            "No one at %(business)s could take your request in time, so it was closed. "
            "You are welcome to try again."
        ),
    ),
    "appointmentRescheduled": (
        _l("Booking moved: %(service)s"),
        _l("Your booking with %(business)s has moved to a new time."),
    ),
    "bookingRejected": (
        _l("Booking request declined: %(service)s"),
        _l("%(business)s could not accept your booking request."),
    ),
    "customerCanceled": (
        _l("Booking canceled: %(service)s"),
        _l("Your booking with %(business)s is canceled, as you asked."),
    ),
    "providerCanceled": (
        _l("Booking canceled: %(service)s"),
        _l("%(business)s has canceled your booking."),
    ),
    "paymentExpired": (
        _l("Booking canceled: %(service)s"),
        _l(
            "Your booking with %(business)s was canceled because its payment did not "
            "arrive in time."
        ),
    ),
    # ...and reminded of it by these two time triggers only. The others (ten minutes
    # before, at the start, after the end, a day after) are for webhooks.
    "oneDayBeforeAppointment": (
        _l("Reminder: %(service)s tomorrow"),
        _l("Your booking with %(business)s is tomorrow."),
    ),
    "oneHourBeforeAppointment": (
        _l("Reminder: %(service)s in one hour"),
        _l("Your booking with %(business)s starts in one hour."),
    ),
}
REMINDER_EVENTS = frozenset({"oneDayBeforeAppointment", "oneHourBeforeAppointment"})
# Events that take the booking off the customer's calendar (a CANCEL invitation).
CANCEL_EVENTS = frozenset(
    {"bookingRejected", "customerCanceled", "providerCanceled", "paymentExpired", "bookingExpired"}
)
# What is written about a queued booking that never had a time: its end.
UNTIMED_EVENTS = CANCEL_EVENTS | {"bookingUnassigned"}
# Staff and owners hear of requests to approve, of bookings waiting for a provider and of
# new confirmed bookings.
STAFF_TEXTS = {
    "newBooking": (
        _l("To approve: %(service)s, %(when)s"),
        _l("%(customer)s asked for a booking that needs your approval."),
        _l("Approve or decline it"),
    ),
    "bookingUnassigned": (
        _l("In the queue: %(service)s"),
        _l("%(customer)s is waiting for %(service)s: the first provider to take it serves them."),
        _l("Open the booking"),
    ),
    "newAppointment": (
        _l("New booking: %(service)s, %(when)s"),
        _l("%(customer)s booked %(service)s."),
        _l("Open the booking"),
    ),
}
# Organization.notification_settings keys; a missing key means on.
TOGGLES = ("customer", "reminders", "staff", "owner")


@dataclass(frozen=True)
class Email:
    kind: str  # "customer:<event>", "staff:<event>" or "owner:<event>"
    to: str
    subject: str
    text: str
    html: str | None
    attachments: tuple[Attachment, ...] = ()


def is_enabled(organization: Organization, toggle: str) -> bool:
    return bool((organization.notification_settings or {}).get(toggle, True))


def booking_emails(session: Session, message: OutboxMessage, now: datetime) -> list[Email]:
    """The emails an outbox event sends, at most one per address, honouring the
    organization's notification settings."""
    event, payload = message.event, message.payload or {}
    booking = _booking(session, message.organization_id, message.booking_id)
    if booking is None or (booking.start_at is None and event not in UNTIMED_EVENTS):
        return []  # a queued booking that never had a time: no appointment to write about
    place = find_place(session, booking.organization_id, booking.website_id)
    if place is None:
        return []
    # The booking as the event left it (it may have changed again since).
    status = payload.get("status") or booking.status
    emails: list[Email] = []
    if _customer_is_told(place.organization, event, booking):
        email = _customer_email(session, event, booking, status, place, payload, now)
        if email is not None:
            emails.append(email)
    if _staff_are_told(event, booking, payload):
        resources = _providers_of(session, event, booking, payload)
        for role, address in _staff_addresses(session, place.organization, resources):
            emails.append(_staff_email(role, event, address, booking, status, place))
    return _one_per_address(emails)


def _staff_are_told(event: str, booking: Booking, payload: dict) -> bool:
    if event == "newAppointment":
        return not payload.get("approved")  # they approved it themselves
    if event == "bookingUnassigned":
        # Once per booking, and not when it was taken or left before the email was written.
        return (
            not payload.get("offeredAgain") and booking.status == BookingStatus.PENDING_ASSIGNMENT
        )
    return event in STAFF_TEXTS


def _providers_of(session, event: str, booking: Booking, payload: dict) -> list[Resource]:
    """The booking's resource; for a booking waiting in the queue, each that could take it."""
    if event == "bookingUnassigned":
        return offering_resources(session, booking, payload)
    return [booking.resource] if booking.resource is not None else []


def _customer_is_told(organization: Organization, event: str, booking: Booking) -> bool:
    if event in REMINDER_EVENTS:
        # No reminder for a booking canceled since the reminder came due.
        return is_enabled(organization, "reminders") and booking.status == BookingStatus.CONFIRMED
    return event in CUSTOMER_TEXTS and is_enabled(organization, "customer")


def _one_per_address(emails: list[Email]) -> list[Email]:
    seen: set[str] = set()
    kept = []
    for email in emails:
        key = email.to.strip().lower()
        if key not in seen:
            seen.add(key)
            kept.append(email)
    return kept


def _booking(session: Session, organization_id: str, booking_id: str | None) -> Booking | None:
    if not booking_id:
        return None
    return session.scalar(
        select(Booking).where(Booking.organization_id == organization_id, Booking.id == booking_id)
    )


# --- the customer ------------------------------------------------------------------------


def _customer_email(
    session: Session,
    event: str,
    booking: Booking,
    status: str,
    place: Place,
    payload: dict,
    now: datetime,
) -> Email | None:
    customer = booking.customer
    if customer is None or not customer.email:
        return None
    lang = customer.lang if customer.lang in LANGUAGES else place.default_lang
    business = place.business(lang)
    canceled = event in CANCEL_EVENTS
    hide_resource = bool(place.site and place.site.hide_resource)
    with force_locale(lang), links():
        subject_text, intro_text = CUSTOMER_TEXTS[event]
        subject = str(subject_text) % {"service": service_name(booking, lang)}
        facts = booking_facts(
            booking, lang, place.timezone, status, with_resource=not hide_resource
        )
        if event == "appointmentRescheduled":
            previous = _previous_when(session, booking, payload, lang, place.timezone)
            if previous:
                facts.insert(1, (_("Before"), previous))
        if booking.cancel_reason and event in {"providerCanceled", "bookingRejected"}:
            facts.append((_("Reason"), booking.cancel_reason))
        urls = _customer_links(place, booking, lang, canceled)
        text, html = render(
            "reminder" if event in REMINDER_EVENTS else "booking_customer",
            lang,
            subject=subject,
            business=business,
            intro=str(intro_text) % {"business": business},
            when=format_moment(booking.start_at, place.timezone, lang) if booking.start_at else "",
            facts=facts,
            support=_support(place.site),
            **urls,
        )
        attachments: tuple[Attachment, ...] = ()
        if booking.start_at is not None and booking.end_at is not None:
            method = "CANCEL" if canceled else "REQUEST"
            attachments = (_invitation(session, booking, place, lang, status, method, urls, now),)
    return Email(f"customer:{event}", customer.email, one_line(subject), text, html, attachments)


def _customer_links(place: Place, booking: Booking, lang: str, canceled: bool) -> dict:
    """The private manage link, or after a cancellation the website to book again."""
    website = place.website
    if website is None:
        return {"manage_url": None, "book_again_url": None}
    if canceled:
        home = url_for("public.website_home", slug=website.slug, lang=lang, _external=True)
        return {"manage_url": None, "book_again_url": home}
    token = manage_token(website.id, booking.id)
    manage = url_for(
        "public.booking_manage", slug=website.slug, token=token, lang=lang, _external=True
    )
    return {"manage_url": manage, "book_again_url": None}


def _support(site: WebsiteVersion | None) -> list[str]:
    if site is None:
        return []
    return [contact for contact in (site.email_support, site.call_support) if contact]


def _previous_when(session, booking, payload, lang, timezone) -> str | None:
    previous_id = payload.get("previous_booking_id") or booking.rescheduled_from_id
    previous = _booking(session, booking.organization_id, previous_id)
    if previous is None or previous.start_at is None:
        return None
    return format_moment(previous.start_at, timezone, lang)


def _invitation(session, booking, place, lang, status, method, urls, now) -> Attachment:
    """``invite.ics``: one UID through every reschedule and a higher SEQUENCE for each
    change, so the customer's calendar moves or removes a single event."""
    first_id, moves = rescheduling_chain(session, booking)
    _sender_name, sender = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    customer = booking.customer
    business = place.business(lang)
    manage = urls["manage_url"] or ""
    data = ical.booking_ics(
        uid=first_id,
        start=booking.start_at,
        end=booking.end_at,
        summary=f"{service_name(booking, lang)} · {business}",
        description=f"{_('Change or cancel your booking')}: {manage}" if manage else "",
        location=_location(place.site),
        url=manage,
        organizer_name=business,
        organizer_email=sender,
        attendee_name=customer.full_name,
        attendee_email=customer.email,
        status=status,
        now=now,
        # A cancellation outranks the invitation it withdraws.
        sequence=moves + 1 if method == "CANCEL" else moves,
        method=method,
        timezone=place.timezone,
    )
    return (INVITE_FILENAME, ical.content_type(method), data)


def rescheduling_chain(session: Session, booking: Booking) -> tuple[str, int]:
    """The id of the first booking of the chain ``booking`` was rescheduled along, and how
    many times it moved."""
    first, moves, seen = booking, 0, {booking.id}
    while first.rescheduled_from_id and first.rescheduled_from_id not in seen:
        previous = _booking(session, booking.organization_id, first.rescheduled_from_id)
        if previous is None:
            break
        seen.add(previous.id)
        first, moves = previous, moves + 1
    return first.id, moves


def _location(site: WebsiteVersion | None) -> str:
    where = site.map if site is not None and isinstance(site.map, dict) else {}
    label = where.get("label")
    return label if isinstance(label, str) else ""


# --- staff and owners --------------------------------------------------------------------


def _staff_addresses(session, organization, resources) -> list[tuple[str, str]]:
    """(role, address): each resource's provider email and its members, then the owners."""
    found: list[tuple[str, str]] = []
    for resource in resources if is_enabled(organization, "staff") else ():
        if resource.provider_email:
            found.append(("staff", resource.provider_email))
        providers = (
            select(User.email)
            .join(Member, Member.user_id == User.id)
            .join(member_resources, member_resources.c.member_id == Member.id)
            .where(
                Member.organization_id == organization.id,
                member_resources.c.resource_id == resource.id,
                User.is_active.is_(True),
            )
            .order_by(User.email)
        )
        found += [("staff", address) for address in session.scalars(providers) if address]
    if is_enabled(organization, "owner"):
        found += [("owner", address) for address in owner_addresses(session, organization.id)]
    return found


def _staff_email(
    role: str, event: str, address: str, booking: Booking, status: str, place: Place
) -> Email:
    lang = place.default_lang
    resource = booking.resource
    timezone = (resource.timezone if resource else None) or place.organization.timezone
    customer = booking.customer
    with force_locale(lang), links():
        service = service_name(booking, lang)
        who = (customer.full_name if customer else "") or _("A customer")
        subject_text, intro_text, link_text = STAFF_TEXTS[event]
        when = (
            format_moment(booking.start_at, timezone, lang, short=True) if booking.start_at else ""
        )
        subject = str(subject_text) % {"service": service, "when": when}
        facts = booking_facts(booking, lang, timezone, status, with_resource=True)
        if customer is not None:
            facts += [
                (label, value)
                for label, value in (
                    (_("Customer"), customer.full_name),
                    (_("Email"), customer.email),
                    (_("Phone"), customer.phone),
                )
                if value
            ]
        if booking.note:
            facts.append((_("Note"), booking.note))
        text, html = render(
            "booking_staff",
            lang,
            subject=subject,
            business=place.business(lang),
            intro=str(intro_text) % {"customer": who, "service": service},
            facts=facts,
            admin_url=url_for("admin.booking_detail", booking_id=booking.id, _external=True),
            link_text=str(link_text),
        )
    return Email(f"{role}:{event}", address, one_line(subject), text, html)


# --- webhooks ----------------------------------------------------------------------------


def webhook_disabled_emails(
    session: Session, subscription: WebhookSubscription, now: datetime
) -> list[Email]:
    """Tell the organization's owners that an endpoint was turned off after failing for
    days, and where to turn it back on."""
    place = find_place(session, subscription.organization_id, None)
    if place is None:
        return []
    lang = place.default_lang
    with force_locale(lang), links():
        subject = _("Webhook turned off: %(trigger)s", trigger=subscription.trigger)
        facts = [(_("Address"), subscription.url), (_("Trigger"), subscription.trigger)]
        if subscription.reference:
            facts.append((_("Reference"), subscription.reference))
        off_at = subscription.disabled_at or now
        facts.append((_("Turned off"), format_moment(off_at, place.organization.timezone, lang)))
        text, html = render(
            "webhook_disabled",
            lang,
            subject=subject,
            business=place.business(lang),
            facts=facts,
            webhooks_url=_webhooks_url(),
        )
    return _one_per_address(
        [
            Email("owner:webhookDisabled", address, one_line(subject), text, html)
            for address in owner_addresses(session, place.organization.id)
        ]
    )


def _webhooks_url() -> str:
    return url_for("admin.webhooks_list", _external=True)
