"""What the booking server does with the booking service for a partner's users: book, cancel
and move bookings and read them back, each answer in the wire format of
:mod:`booking_server_shapes`. A partner books as a customer would on the website. The
functions flush; the view commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.booking import lifecycle
from webapp.booking.errors import BookingError, IdempotencyKeyReused, NotFound
from webapp.booking.locking import begin_write, dialect_name, load_booking_for_update
from webapp.customers import find_customer, record_customer
from webapp.integrations import booking_server_shapes as shapes
from webapp.integrations.booking_server_shapes import SlotRequest, UserInformation
from webapp.models import (
    Booking,
    BookingPartner,
    BookingStatus,
    BookingType,
    Customer,
    Organization,
    PartnerBooking,
)

S = BookingStatus
SOURCE = "partner"
LIST_LIMIT = 100
# A user "already booked the slot" with one of these (not with a canceled or ended one).
STANDING = (S.CONFIRMED.value, S.PENDING_APPROVAL.value, S.PENDING_PAYMENT.value)


@dataclass(frozen=True)
class Terms:
    """What partner bookings follow: the organization's first website (its timezone, its
    change notice), the clock, and who acts."""

    organization: Organization
    partner: BookingPartner
    website_id: str | None
    timezone: str
    change_notice_hours: int
    payment_window_minutes: int
    now: datetime
    lang: str = "en"

    @property
    def actor(self) -> lifecycle.Actor:
        return lifecycle.Actor("partner", self.partner.id)


class Refused(Exception):
    """A business outcome that ends the request with a ``booking_failure``."""

    def __init__(self, cause: str, description: str):
        super().__init__(cause)
        self.cause = cause
        self.description = description


# --- booking -------------------------------------------------------------------------------


def create(
    session: Session,
    terms: Terms,
    *,
    slot: SlotRequest,
    user: UserInformation,
    payment: dict,
    token: str | None,
    fingerprint: str,
) -> dict:
    """CreateBooking's answer: the booking, or a ``booking_failure`` with nothing written.
    A token used before answers its booking as it is now."""
    begin_write(session)  # SQLite: write lock first, so the checks below hold until commit
    if token is not None:
        link = session.scalar(
            select(PartnerBooking).where(
                PartnerBooking.partner_id == terms.partner.id,
                PartnerBooking.idempotency_token == token,
            )
        )
        if link is not None:
            if link.request_hash != fingerprint:
                raise IdempotencyKeyReused(
                    _("This idempotency_token was already used with a different request.")
                )
            return {"booking": answer(session, terms, link)}
    booking_type = _bookable_type(session, terms.organization, slot.service_id)
    if (
        booking_type is None
        or not slot.fits_one_booking
        or slot.duration_sec != booking_type.minutes * 60
    ):
        return shapes.failure("SLOT_UNAVAILABLE", _("This slot is not offered."))
    try:
        with session.begin_nested():  # a refusal keeps nothing, the customer included
            link = _book(session, terms, booking_type, slot, user, payment, token, fingerprint)
    except Refused as refused:
        return shapes.failure(refused.cause, refused.description)
    return {"booking": answer(session, terms, link)}


def _book(session, terms, booking_type, slot, user, payment, token, fingerprint):
    customer = _customer(session, terms, user)
    if _booked_by(session, customer, booking_type.id, slot):
        raise _already_booked()
    try:
        booking = lifecycle.create_booking(
            session,
            terms.organization,
            booking_type_id=booking_type.id,
            start=slot.start,
            actor=terms.actor,
            now=terms.now,
            customer=customer,
            resource_id=slot.resource_id,
            source=SOURCE,
            website_id=terms.website_id,
            timezone=terms.timezone,
            payment_window_minutes=terms.payment_window_minutes,
        )
    except BookingError as error:
        # Lost to the same user's other request a moment ago, or to someone else.
        if _booked_by(session, customer, booking_type.id, slot):
            raise _already_booked() from None
        raise Refused("SLOT_UNAVAILABLE", _why_unavailable(error)) from None
    link = PartnerBooking(
        organization_id=terms.organization.id,
        partner_id=terms.partner.id,
        booking_id=booking.id,
        idempotency_token=token,
        request_hash=fingerprint,
        user_id=user.user_id,
        user_information=user.sent,
        payment_information=payment,
        availability_tag=slot.availability_tag or "",
        created_at=terms.now,
        updated_at=terms.now,
    )
    session.add(link)
    session.flush()
    return link


def _bookable_type(session: Session, organization: Organization, type_id) -> BookingType | None:
    return session.scalar(
        select(BookingType).where(
            BookingType.organization_id == organization.id,
            BookingType.id == type_id,
            BookingType.on.is_(True),
            BookingType.book_from_website.is_(True),
        )
    )


def _customer(session: Session, terms: Terms, user: UserInformation) -> Customer:
    answers = {
        "firstName": user.given_name,
        "lastName": user.family_name,
        "email": user.email,
        "phoneNumber": user.phone,
    }
    try:
        with session.begin_nested():
            return record_customer(
                session, terms.organization, answers, now=terms.now, lang=terms.lang
            )
    except IntegrityError:
        # The same person was recorded a moment ago by another request; theirs is the one.
        found = find_customer(session, terms.organization.id, email=user.email, phone=user.phone)
        if found is None:
            raise
        return found


def _booked_by(session: Session, customer: Customer, type_id: str, slot: SlotRequest) -> bool:
    query = select(Booking.id).where(
        Booking.organization_id == customer.organization_id,
        Booking.customer_id == customer.id,
        Booking.booking_type_id == type_id,
        Booking.start_at == slot.start,
        Booking.status.in_(STANDING),
    )
    if slot.resource_id:
        query = query.where(Booking.resource_id == slot.resource_id)
    return session.scalar(query.limit(1)) is not None


def _already_booked() -> Refused:
    return Refused("SLOT_ALREADY_BOOKED_BY_USER", _("This user has already booked this slot."))


def _why_unavailable(error: BookingError) -> str:
    if error.code == "BOOKING_CONFLICT":
        return _("This time has just been taken.")
    if error.code == "OUTSIDE_WINDOW":
        return _("This time is too soon or too far ahead to book.")
    if error.code == "INVALID_TIME":
        return _("This is not one of the offered start times.")
    return _("This service cannot be booked with this choice.")


# --- the partner's bookings ----------------------------------------------------------------


def find_link(
    session: Session, partner: BookingPartner, booking_id: str, *, for_update: bool = False
) -> PartnerBooking:
    """The partner's booking by its ``booking_id`` (another partner's is not found). For an
    update its row is locked first, so a move and a cancel at once take turns."""
    query = select(PartnerBooking).where(
        PartnerBooking.partner_id == partner.id, PartnerBooking.id == booking_id
    )
    if for_update:
        begin_write(session)
        query = query.execution_options(populate_existing=True)
        if dialect_name(session) == "postgresql":
            query = query.with_for_update()
    link = session.scalar(query)
    if link is None:
        raise NotFound(_("There is no booking with this booking_id."), booking_id=booking_id)
    return link


def answer(session: Session, terms: Terms, link: PartnerBooking) -> dict:
    booking = session.get(Booking, link.booking_id)
    mode = shapes.confirmation_mode(booking.booking_type, terms.organization)
    return shapes.booking_json(link, booking, mode)


def status(session: Session, link: PartnerBooking) -> dict:
    booking = session.get(Booking, link.booking_id)
    return {
        "booking_id": link.id,
        "booking_status": shapes.booking_status(booking),
        "prepayment_status": shapes.prepayment_status(link),
    }


def user_bookings(session: Session, terms: Terms, user_id: str) -> dict:
    """The partner's bookings of one user, the latest made first."""
    rows = session.execute(
        select(PartnerBooking, Booking)
        .join(Booking, Booking.id == PartnerBooking.booking_id)
        .where(PartnerBooking.partner_id == terms.partner.id, PartnerBooking.user_id == user_id)
        .order_by(PartnerBooking.created_at.desc(), Booking.start_at.desc(), PartnerBooking.id)
        .limit(LIST_LIMIT)
    ).all()
    type_ids = {booking.booking_type_id for _link, booking in rows}
    modes = {
        t.id: shapes.confirmation_mode(t, terms.organization)
        for t in session.scalars(select(BookingType).where(BookingType.id.in_(type_ids)))
    }
    return {
        "bookings": [
            shapes.booking_json(link, booking, modes[booking.booking_type_id])
            for link, booking in rows
        ]
    }


def cancel(session: Session, terms: Terms, link: PartnerBooking) -> dict:
    booking = _locked_booking(session, terms, link)
    try:
        _check_changeable(booking, terms, cancel=True)
    except Refused as refused:
        return _refusal(session, terms, link, refused)
    lifecycle.cancel_booking(
        session, terms.organization, booking.id, actor=terms.actor, now=terms.now
    )
    link.updated_at = terms.now
    session.flush()
    return {"booking": answer(session, terms, link)}


def move(session: Session, terms: Terms, link: PartnerBooking, slot: SlotRequest) -> dict:
    """Reschedule: a new booking row behind the same ``booking_id``; a time that cannot be
    booked leaves the booking as it was."""
    booking = _locked_booking(session, terms, link)
    if slot.service_id not in (None, booking.booking_type_id):
        raise shapes.invalid(
            "booking.slot.service_id", _("A booking keeps its service when it moves.")
        )
    resource_id = slot.resource_id or booking.resource_id
    try:
        _check_changeable(booking, terms, cancel=False)
        if not slot.fits_one_booking or slot.duration_sec not in (None, booking.duration * 60):
            raise Refused("SLOT_UNAVAILABLE", _("This slot is not offered."))
    except Refused as refused:
        return _refusal(session, terms, link, refused)
    if slot.start == booking.start_at and resource_id == booking.resource_id:
        return {"booking": answer(session, terms, link)}  # already there: a retried move
    try:
        moved = lifecycle.reschedule_booking(
            session,
            terms.organization,
            booking.id,
            start=slot.start,
            actor=terms.actor,
            now=terms.now,
            resource_id=resource_id,
            timezone=terms.timezone,
        )
    except BookingError as error:
        refused = Refused("SLOT_UNAVAILABLE", _why_unavailable(error))
        return _refusal(session, terms, link, refused)
    link.booking_id = moved.id
    link.updated_at = terms.now
    session.flush()
    return {"booking": answer(session, terms, link)}


def _locked_booking(session: Session, terms: Terms, link: PartnerBooking) -> Booking:
    booking = load_booking_for_update(session, terms.organization.id, link.booking_id)
    if booking is None:
        raise NotFound(_("There is no booking with this booking_id."), booking_id=link.id)
    return booking


def _check_changeable(booking: Booking, terms: Terms, *, cancel: bool) -> None:
    """Customers' rules for changes: not once canceled or over, and not after the
    website's change notice (``change_notice_hours`` before the start)."""
    if booking.status == S.CANCELED:
        raise Refused("BOOKING_ALREADY_CANCELLED", _("This booking is already canceled."))
    allowed = lifecycle.can_cancel(booking) if cancel else lifecycle.can_reschedule(booking)
    if not allowed or booking.start_at is None or booking.start_at <= terms.now:
        raise Refused(
            "BOOKING_NOT_CANCELLABLE",
            _("This booking has taken place or was ended by the business; it cannot change."),
        )
    if terms.now >= booking.start_at - timedelta(hours=terms.change_notice_hours):
        raise Refused(
            "OUTSIDE_CANCELLATION_WINDOW",
            _("The business allows no changes this close to the start."),
        )


def _refusal(session: Session, terms: Terms, link: PartnerBooking, refused: Refused) -> dict:
    """A ``booking_failure`` with the booking as it stays."""
    return {
        "booking": answer(session, terms, link),
        **shapes.failure(refused.cause, refused.description),
    }
