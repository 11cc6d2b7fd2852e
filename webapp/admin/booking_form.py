"""The staff booking form: choose a service, a resource, a day and a free time, then the
customer. The admin's "New booking" and "Reschedule" and the add-appointment admin widget
all use it; each surface says where the form posts and who is acting.

The form re-renders itself as choices change (HTMX swaps it; without JavaScript a "Show
times" button does the same), so what is offered is always what is free right now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from webapp.auth.otp import normalize_identifier
from webapp.booking import availability as av
from webapp.booking import lifecycle
from webapp.booking import slots as sl
from webapp.booking.errors import BookingError, ValidationFailed
from webapp.booking.states import Actor
from webapp.customers import record_customer
from webapp.i18n import translated
from webapp.models import (
    Booking,
    BookingType,
    CustomField,
    Organization,
    Resource,
    resource_types,
)

# Staff see free times every quarter hour; they may book any of them.
STAFF_GRID = sl.grid_for_website("15")
MAX_DAYS_AHEAD = 730


@dataclass
class Choice:
    type_id: str = ""
    resource_id: str = ""
    day: date | None = None
    start: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    note: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def read_choice(values: MultiDict, tz: ZoneInfo, now: datetime) -> Choice:
    today = now.astimezone(tz).date()
    choice = Choice(
        type_id=(values.get("type_id") or "")[:64],
        resource_id=(values.get("resource_id") or "")[:64],
        start=(values.get("start") or "")[:40],
        first_name=(values.get("first_name") or "").strip()[:100],
        last_name=(values.get("last_name") or "").strip()[:100],
        email=(values.get("email") or "").strip()[:254],
        phone=(values.get("phone") or "").strip()[:32],
        note=(values.get("note") or "").strip()[:2000],
    )
    raw_day = values.get("day") or ""
    try:
        choice.day = date.fromisoformat(raw_day) if raw_day else today
    except ValueError:
        choice.errors["day"] = _("Enter a date such as %(example)s.", example=today.isoformat())
        choice.day = today
    if not today - timedelta(days=1) <= choice.day <= today + timedelta(days=MAX_DAYS_AHEAD):
        choice.errors["day"] = _("Choose a date from today up to two years ahead.")
        choice.day = today
    return choice


def offered_types(session: Session, organization: Organization) -> list[BookingType]:
    return list(
        session.scalars(
            select(BookingType)
            .where(BookingType.organization_id == organization.id, BookingType.on.is_(True))
            .order_by(BookingType.position, BookingType.name)
        )
    )


def offering_resources(
    session: Session, organization: Organization, type_id: str, scope: list[str] | None
) -> list[Resource]:
    statement = (
        select(Resource)
        .join(resource_types, resource_types.c.resource_id == Resource.id)
        .where(
            Resource.organization_id == organization.id,
            resource_types.c.booking_type_id == type_id,
            Resource.on.is_(True),
            Resource.activated.is_(True),
        )
        .order_by(Resource.position, Resource.name)
    )
    if scope is not None:
        statement = statement.where(Resource.id.in_(scope))
    return list(session.scalars(statement))


@dataclass
class FormState:
    choice: Choice
    types: list[BookingType]
    resources: list[Resource]
    slots: list[av.Slot]
    reschedule: Booking | None
    tz: ZoneInfo
    availability: av.Availability | None = None

    def label(self, row) -> str:
        return translated(row.name, row.name_translations)


def build_state(
    session: Session,
    organization: Organization,
    choice: Choice,
    *,
    now: datetime,
    scope: list[str] | None,
    reschedule: Booking | None = None,
) -> FormState:
    """What the form offers for these choices: services, their resources and free times."""
    tz = ZoneInfo(organization.timezone)
    types = offered_types(session, organization)
    if reschedule is not None:
        choice.type_id = reschedule.booking_type_id
        if not choice.resource_id:
            choice.resource_id = reschedule.resource_id or ""
    if choice.type_id and not any(t.id == choice.type_id for t in types):
        choice.errors.setdefault("type_id", _("Choose a service from the list."))
        choice.type_id = ""
    resources = (
        offering_resources(session, organization, choice.type_id, scope) if choice.type_id else []
    )
    if choice.resource_id and not any(r.id == choice.resource_id for r in resources):
        choice.resource_id = ""
    slots: list[av.Slot] = []
    found = None
    if choice.type_id and resources and choice.day:
        wanted = [choice.resource_id] if choice.resource_id else [r.id for r in resources]
        try:
            found = av.find_available_slots(
                session,
                organization,
                choice.type_id,
                choice.day,
                choice.day,
                timezone=organization.timezone,
                grid=STAFF_GRID,
                now=now,
                resource_ids=wanted,
                show_all=True,
                reschedule_booking_id=reschedule.id if reschedule else None,
            )
        except BookingError as error:
            choice.errors.setdefault("day", error.message)
            found = None
        else:
            slots = [slot for day in found.days for slot in day.slots]
    return FormState(choice, types, resources, slots, reschedule, tz, found)


def _phone_country(session: Session, organization: Organization) -> str | None:
    return session.scalar(
        select(CustomField.default_country).where(
            CustomField.organization_id == organization.id,
            CustomField.scope == "customer",
            CustomField.key == "phoneNumber",
        )
    )


def submit(
    session: Session,
    organization: Organization,
    state: FormState,
    *,
    actor: Actor,
    now: datetime,
    source: str,
    lang: str,
) -> Booking:
    """Book (or move) what the form chose. Raises ValidationFailed with the field to mark,
    or the booking service's own errors (a time taken a moment ago: BOOKING_CONFLICT)."""
    choice = state.choice
    if choice.errors:
        field_name, message = next(iter(choice.errors.items()))
        raise ValidationFailed(message, field=field_name)
    if not choice.type_id:
        raise ValidationFailed(_("Choose a service."), field="type_id")
    try:
        start = datetime.fromisoformat(choice.start)
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise ValidationFailed(_("Choose one of the free times."), field="start")
    slot = next((s for s in state.slots if s.start == start), None)
    if slot is None:
        raise ValidationFailed(
            _("This time is not free any more. Choose another one."), field="start"
        )
    resource_id = choice.resource_id or _least_busy(state, slot)

    if state.reschedule is not None:
        return lifecycle.reschedule_booking(
            session,
            organization,
            state.reschedule.id,
            start=start,
            actor=actor,
            now=now,
            resource_id=resource_id,
            timezone=organization.timezone,
        )

    answers = {"firstName": choice.first_name, "lastName": choice.last_name}
    if not choice.first_name:
        raise ValidationFailed(_("Enter the customer's first name."), field="first_name")
    if choice.email:
        try:
            answers["email"] = normalize_identifier("email", choice.email)
        except ValidationFailed:
            raise ValidationFailed(_("Enter a valid email address."), field="email") from None
    if choice.phone:
        try:
            answers["phoneNumber"] = normalize_identifier(
                "sms", choice.phone, _phone_country(session, organization)
            )
        except ValidationFailed:
            raise ValidationFailed(
                _("Enter a valid phone number with its country code, such as +966501234567."),
                field="phone",
            ) from None
    customer = record_customer(session, organization, answers, now=now, lang=lang)
    return lifecycle.create_booking(
        session,
        organization,
        booking_type_id=choice.type_id,
        start=start,
        actor=actor,
        now=now,
        customer=customer,
        resource_id=resource_id,
        note=choice.note,
        source=source,
        timezone=organization.timezone,
    )


def _least_busy(state: FormState, slot: av.Slot) -> str:
    """Any free resource will do: the one with the fewest bookings that day."""
    if len(slot.resource_ids) == 1:
        return slot.resource_ids[0]
    return state.availability.least_busy(slot) if state.availability else slot.resource_ids[0]


def booking_payload(booking: Booking, timezone: str) -> dict:
    """The booking object the admin widgets post to their host page, in seed 002's names:
    ``startDate`` and military ``startTime`` in ``timeZone``, and ISO-8601 instants."""
    tz = ZoneInfo(timezone)
    start = booking.start_at.astimezone(tz) if booking.start_at else None
    end = booking.end_at.astimezone(tz) if booking.end_at else None
    customer = booking.customer
    return {
        "id": booking.id,
        "status": booking.status,
        "startDate": start.date().isoformat() if start else None,
        "startTime": start.hour * 100 + start.minute if start else None,
        "startDateTime": start.isoformat() if start else None,
        "endDateTime": end.isoformat() if end else None,
        "timeZone": timezone,
        "duration": booking.duration,
        "typeId": booking.booking_type_id,
        "type": booking.booking_type.name if booking.booking_type else None,
        "resourceId": booking.resource_id,
        "resource": booking.resource.name if booking.resource else None,
        "customer": {
            "id": customer.id,
            "firstName": customer.first_name,
            "lastName": customer.last_name,
            "email": customer.email,
            "phone": customer.phone,
        }
        if customer
        else None,
        "price": str(booking.price) if booking.price is not None else None,
        "currency": booking.currency,
        "rescheduledFrom": booking.rescheduled_from_id,
    }
