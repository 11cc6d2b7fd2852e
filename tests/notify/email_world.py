"""A dental clinic whose bookings send emails: an owner, Dr Huda (a resource with her own
address and a team member who provides it), Dr Omar next door, and Sara, a customer."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from icalendar import Calendar
from sqlalchemy import select

from tests.factories import (
    create_booking,
    make_booking_type,
    make_customer,
    make_organization,
    make_resource,
)
from webapp import accounts
from webapp.models import (
    Booking,
    BookingType,
    Customer,
    Member,
    Organization,
    OutboxMessage,
    Resource,
    User,
    Website,
)
from webapp.notify.emails import Email, booking_emails

EVERY_DAY = [
    {
        "days": [
            "sunday",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
        ],
        "times": [{"start": 900, "end": 1700}],
    }
]


@dataclass
class Clinic:
    organization: Organization
    website: Website
    service: BookingType
    huda: Resource
    omar: Resource
    sara: Customer
    owner_email: str
    huda_member_email: str
    omar_member_email: str


def build_clinic(
    session, *, timezone: str = "Asia/Riyadh", auto_confirm: bool = True, **customer
) -> Clinic:
    organization = make_organization(session, timezone=timezone, name="Smile Clinic")
    website = session.scalar(select(Website).where(Website.organization_id == organization.id))
    owner_email = session.scalar(
        select(User.email)
        .join(Member, Member.user_id == User.id)
        .where(Member.organization_id == organization.id, Member.role == "owner")
    )
    service = make_booking_type(
        session,
        organization,
        name="Cleaning",
        name_translations={"ar": "تنظيف الأسنان"},
        auto_confirm=auto_confirm,
        price=150,
    )
    prefix = organization.id.lower()[:6]
    huda = make_resource(
        session,
        organization,
        service,
        name="Dr Huda",
        name_translations={"ar": "د. هدى"},
        provider_email=f"huda-{prefix}@smile.example",
        rules=EVERY_DAY,
    )
    omar = make_resource(session, organization, service, name="Dr Omar", rules=EVERY_DAY)
    members = {}
    for name, resource in (("huda", huda), ("omar", omar)):
        email = f"{name}.team-{prefix}@smile.example"
        user = accounts.create_user(session, email=email, password="correct horse", name=name)
        member = Member(organization_id=organization.id, user_id=user.id, role="staff")
        member.resources.append(resource)
        session.add(member)
        members[name] = user.email
    values = {"first_name": "Sara", "last_name": "Ali", "email": f"sara-{prefix}@example.com"}
    sara = make_customer(session, organization, **{**values, **customer})
    session.flush()
    return Clinic(
        organization,
        website,
        service,
        huda,
        omar,
        sara,
        owner_email,
        members["huda"],
        members["omar"],
    )


def book(session, clinic: Clinic, start, now, *, resource=None, customer=None) -> Booking:
    return create_booking(
        session,
        clinic.organization,
        clinic.service,
        start=start,
        now=now,
        customer=customer or clinic.sara,
        resource_id=(resource or clinic.huda).id,
        website_id=clinic.website.id,
    )


def events(session, booking: Booking) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.booking_id == booking.id)
            .order_by(OutboxMessage.id)
        )
    )


def last_event(session, booking: Booking) -> OutboxMessage:
    return events(session, booking)[-1]


def emails_of(session, booking: Booking, now) -> list[Email]:
    """What the booking's latest event sends."""
    return booking_emails(session, last_event(session, booking), now)


def by_kind(emails: list[Email]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for email in emails:
        found.setdefault(email.kind, []).append(email.to)
    return found


def invitation(email: Email) -> Calendar:
    [(filename, content_type, data)] = email.attachments
    assert filename == "invite.ics"
    assert content_type.startswith("text/calendar; method=")
    return Calendar.from_ical(data)


def parse_mime(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)


def ics_of(message: EmailMessage) -> tuple[str, Calendar]:
    """The method the attachment's type names, and the calendar it carries."""
    [part] = [p for p in message.iter_attachments() if p.get_filename() == "invite.ics"]
    assert part.get_content_type() == "text/calendar"
    return part.get_param("method"), Calendar.from_ical(part.get_content())
