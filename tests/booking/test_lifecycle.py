"""The booking state machine on a real database: every transition of the
TRANSITIONS table, holds, reschedules, cancels, approval, payment, the worker's sweep, and the
history and outbox rows each change leaves behind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import (
    at,
    create_booking,
    make_booking_type,
    make_customer,
    make_organization,
    make_resource,
)
from webapp.booking import lifecycle, queue
from webapp.booking.availability import find_available_slots
from webapp.booking.errors import (
    BookingConflict,
    HoldExpired,
    InvalidService,
    InvalidTime,
    InvalidTransition,
)
from webapp.booking.lifecycle import TRANSITIONS, Actor
from webapp.booking.slots import grid_for_flags
from webapp.extensions import db
from webapp.models import (
    Booking,
    BookingHistory,
    BookingType,
    Customer,
    Member,
    Organization,
    OutboxMessage,
    Resource,
)
from webapp.models import BookingStatus as S

SUNDAY_9 = at("2026-11-22 09:00")
SUNDAY_10 = at("2026-11-22 10:00")
MINUTE = timedelta(minutes=1)
CUSTOMER = Actor("customer")
HOURLY = grid_for_flags({})


@dataclass
class Clinic:
    organization: Organization
    consultation: BookingType  # free, auto-confirmed
    review: BookingType  # free, needs the provider's approval
    surgery: BookingType  # priced, paid online by credit card
    doctor: Resource
    customer: Customer
    staff: Actor


def open_clinic(session) -> Clinic:
    organization = make_organization(session, online_payments_enabled=True)
    consultation = make_booking_type(session, organization, name="Consultation")
    review = make_booking_type(session, organization, name="Review", auto_confirm=False)
    surgery = make_booking_type(
        session, organization, name="Surgery", price=250, payment_methods=["creditCard"]
    )
    doctor = make_resource(session, organization, consultation, review, surgery)
    owner_id = session.scalar(
        select(Member.user_id).where(Member.organization_id == organization.id)
    )
    return Clinic(
        organization,
        consultation,
        review,
        surgery,
        doctor,
        make_customer(session, organization),
        Actor("staff", owner_id),
    )


@pytest.fixture
def clinic(session):
    return open_clinic(session)


@pytest.fixture
def any_session(any_app):
    """A session on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set."""
    with any_app.app_context():
        yield db.session


def history(session, booking) -> list[tuple[str | None, str, str]]:
    rows = session.scalars(
        select(BookingHistory)
        .where(BookingHistory.booking_id == booking.id)
        .order_by(BookingHistory.id)
    )
    return [(r.from_status, r.to_status, r.actor) for r in rows]


def events(session, organization) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.organization_id == organization.id)
        .order_by(OutboxMessage.id)
    )
    return [(m.event, m.booking_id) for m in rows]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def status_in_db(session, booking) -> str:
    return session.scalar(select(Booking.status).where(Booking.id == booking.id))


def book(session, clinic, booking_type=None, *, start=SUNDAY_9, now, **kwargs) -> Booking:
    kwargs.setdefault("customer", clinic.customer)
    return create_booking(
        session,
        clinic.organization,
        booking_type or clinic.consultation,
        start=start,
        now=now,
        **kwargs,
    )


def hold(session, clinic, booking_type=None, *, start=SUNDAY_9, now, minutes=10) -> Booking:
    return book(session, clinic, booking_type, start=start, now=now, hold_minutes=minutes)


# --- every transition of the table --------------------------------------------------------

# A hold becomes whatever its booking type asks for when it is confirmed.
HOLD_TYPE_FOR = {
    S.CONFIRMED: "consultation",
    S.PENDING_APPROVAL: "review",
    S.PENDING_PAYMENT: "surgery",
}


def booking_in(session, clinic, status: S, now, target: S | None = None) -> Booking:
    """A booking brought to ``status`` the way users bring it there."""
    if status == S.TEMPORARY:
        return hold(
            session, clinic, getattr(clinic, HOLD_TYPE_FOR.get(target, "consultation")), now=now
        )
    if status == S.PENDING_PAYMENT:
        return book(session, clinic, clinic.surgery, now=now)
    if status == S.PENDING_APPROVAL:
        return book(session, clinic, clinic.review, now=now)
    if status == S.PENDING_ASSIGNMENT:
        # A paid queue booking (no resource yet) joins the queue once paid.
        booking = book(session, clinic, clinic.surgery, now=now)
        return mark_paid_unassigned(session, clinic, booking, clinic.staff, now)
    if status == S.REJECTED:
        booking = book(session, clinic, clinic.review, now=now)
        return reject(session, clinic, booking, clinic.staff, now)
    booking = book(session, clinic, now=now)
    if status == S.COMPLETED:
        return complete(session, clinic, booking, clinic.staff, SUNDAY_10)
    if status == S.CANCELED:
        return cancel(session, clinic, booking, CUSTOMER, now)
    return booking


def confirm_hold(session, clinic, booking, actor, now):
    return lifecycle.confirm_hold(session, clinic.organization, booking.id, actor=actor, now=now)


def cancel(session, clinic, booking, actor, now):
    return lifecycle.cancel_booking(
        session, clinic.organization, booking.id, actor=actor, now=now, reason="changed plans"
    )


def approve(session, clinic, booking, actor, now):
    return lifecycle.approve_booking(session, clinic.organization, booking.id, actor=actor, now=now)


def reject(session, clinic, booking, actor, now):
    return lifecycle.reject_booking(
        session, clinic.organization, booking.id, actor=actor, now=now, reason="fully booked"
    )


def complete(session, clinic, booking, actor, now):
    return lifecycle.complete_booking(
        session, clinic.organization, booking.id, actor=actor, now=now
    )


def mark_paid(session, clinic, booking, actor, now):
    return lifecycle.mark_paid(session, clinic.organization, booking.id, actor=actor, now=now)


def mark_paid_unassigned(session, clinic, booking, actor, now):
    booking.resource_id = None  # a queue booking: no resource until a provider accepts it
    session.flush()
    return mark_paid(session, clinic, booking, actor, now)


def assign(session, clinic, booking, actor, now):
    return queue.assign_booking(
        session, clinic.organization, booking.id, resource_id=clinic.doctor.id, actor=actor, now=now
    )


def queue_step(target: S) -> Callable:
    """The queue's timeout belongs to the worker; here, the guarded primitive."""

    def step(session, clinic, booking, actor, now):
        lifecycle.transition(session, booking, target, actor, now)
        return booking

    step.__name__ = f"queue_to_{target.value.lower()}"
    return step


@dataclass(frozen=True)
class Step:
    call: Callable
    by: str  # "customer" | "staff"
    event: str | None
    at_start: bool = False  # run when the appointment has begun


ALLOWED_STEPS = {
    (S.TEMPORARY, S.CONFIRMED): Step(confirm_hold, "customer", "newAppointment"),
    (S.TEMPORARY, S.PENDING_APPROVAL): Step(confirm_hold, "customer", "newBooking"),
    (S.TEMPORARY, S.PENDING_PAYMENT): Step(confirm_hold, "customer", None),
    (S.TEMPORARY, S.CANCELED): Step(cancel, "customer", None),
    (S.PENDING_PAYMENT, S.CONFIRMED): Step(mark_paid, "staff", "newAppointment"),
    (S.PENDING_PAYMENT, S.PENDING_ASSIGNMENT): Step(
        mark_paid_unassigned, "staff", "bookingUnassigned"
    ),
    (S.PENDING_PAYMENT, S.CANCELED): Step(cancel, "customer", "customerCanceled"),
    (S.PENDING_APPROVAL, S.CONFIRMED): Step(approve, "staff", "newAppointment"),
    (S.PENDING_APPROVAL, S.REJECTED): Step(reject, "staff", "bookingRejected"),
    (S.PENDING_APPROVAL, S.CANCELED): Step(cancel, "staff", "providerCanceled"),
    (S.PENDING_ASSIGNMENT, S.CONFIRMED): Step(assign, "staff", "bookingAssigned"),
    (S.PENDING_ASSIGNMENT, S.REJECTED): Step(queue_step(S.REJECTED), "staff", None),
    (S.PENDING_ASSIGNMENT, S.CANCELED): Step(cancel, "customer", "customerCanceled"),
    (S.CONFIRMED, S.COMPLETED): Step(complete, "staff", None, at_start=True),
    (S.CONFIRMED, S.CANCELED): Step(cancel, "customer", "customerCanceled"),
}
ALLOWED = [(a, b) for a in S for b in S if b in TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a in S for b in S if b not in TRANSITIONS[a]]
# The public functions that would bring a booking to each status.
ATTEMPTS_TOWARDS = {
    S.TEMPORARY: [],
    S.PENDING_PAYMENT: [confirm_hold],
    S.PENDING_APPROVAL: [confirm_hold],
    S.PENDING_ASSIGNMENT: [mark_paid],
    S.CONFIRMED: [confirm_hold, approve, mark_paid],
    S.COMPLETED: [complete],
    S.CANCELED: [cancel],
    S.REJECTED: [reject],
}


def pair_id(pair) -> str:
    return f"{pair[0].value}->{pair[1].value}"


def test_every_status_has_a_row_and_every_allowed_pair_a_step():
    assert set(TRANSITIONS) == set(S)
    assert set(ALLOWED_STEPS) == set(ALLOWED)
    assert len(ALLOWED) + len(FORBIDDEN) == len(S) ** 2


@pytest.mark.parametrize("pair", ALLOWED, ids=pair_id)
def test_allowed_transition(session, clinic, now, pair):
    source, target = pair
    step = ALLOWED_STEPS[pair]
    booking = booking_in(session, clinic, source, now, target)
    session.commit()
    before, seen = history(session, booking), len(events(session, clinic.organization))
    actor = CUSTOMER if step.by == "customer" else clinic.staff
    when = SUNDAY_10 if step.at_start else now

    step.call(session, clinic, booking, actor, when)
    session.commit()

    assert status_in_db(session, booking) == target
    assert history(session, booking) == [*before, (source, target, actor.label)]
    new_events = events(session, clinic.organization)[seen:]
    assert new_events == ([(step.event, booking.id)] if step.event else [])


@pytest.mark.parametrize("pair", FORBIDDEN, ids=pair_id)
def test_forbidden_transition(session, clinic, now, pair):
    source, target = pair
    booking = booking_in(session, clinic, source, now)
    session.commit()
    written = (count(session, BookingHistory), count(session, OutboxMessage))
    assert not lifecycle.can_transition(booking, target)

    attempts = [*ATTEMPTS_TOWARDS[target], queue_step(target)]
    for attempt in attempts:
        with pytest.raises(InvalidTransition) as caught:
            attempt(session, clinic, booking, clinic.staff, SUNDAY_10)
        assert caught.value.details["status"] == source
        session.rollback()

    assert status_in_db(session, booking) == source
    assert (count(session, BookingHistory), count(session, OutboxMessage)) == written


@pytest.mark.parametrize(
    "status",
    [S.TEMPORARY, S.PENDING_ASSIGNMENT, S.COMPLETED, S.CANCELED, S.REJECTED],
    ids=str,
)
def test_only_booked_appointments_can_be_rescheduled(session, clinic, now, status):
    booking = booking_in(session, clinic, status, now)
    session.commit()
    with pytest.raises(InvalidTransition):
        lifecycle.reschedule_booking(
            session, clinic.organization, booking.id, start=SUNDAY_10, actor=CUSTOMER, now=now
        )
    session.rollback()
    assert status_in_db(session, booking) == status
    assert count(session, Booking) == 1


# --- creating -----------------------------------------------------------------------------


def test_a_customer_books_directly(any_session, now):
    session = any_session
    clinic = open_clinic(session)
    booking = book(session, clinic, now=now, note="first visit", source="website")
    session.commit()

    assert booking.status == S.CONFIRMED
    assert booking.resource_id == clinic.doctor.id
    assert booking.customer_id == clinic.customer.id
    assert (booking.start_at, booking.end_at) == (SUNDAY_9, SUNDAY_9 + timedelta(minutes=30))
    assert (booking.note, booking.source, booking.currency) == ("first visit", "website", "SAR")
    assert (booking.created_by_user_id, booking.expires_at, booking.price) == (None, None, None)
    assert history(session, booking) == [(None, "CONFIRMED", "customer")]
    assert events(session, clinic.organization) == [("newAppointment", booking.id)]


def test_staff_book_on_behalf_of_a_customer(session, clinic, now):
    # Staff confirm at once, even a service that waits for approval, and at any minute.
    start = at("2026-11-22 09:07")
    booking = book(session, clinic, clinic.review, start=start, now=now, actor=clinic.staff)
    session.commit()

    assert booking.status == S.CONFIRMED
    assert booking.start_at == start
    assert booking.created_by_user_id == clinic.staff.id
    assert history(session, booking) == [(None, "CONFIRMED", clinic.staff.label)]
    assert events(session, clinic.organization) == [("newAppointment", booking.id)]


def test_customers_start_on_the_five_minute_grid(session, clinic, now):
    with pytest.raises(InvalidTime):
        book(session, clinic, start=at("2026-11-22 09:07"), now=now)
    session.rollback()
    assert count(session, Booking) == 0


def test_staff_may_book_a_service_hidden_from_the_website(session, clinic, now):
    clinic.consultation.book_from_website = False
    session.commit()
    with pytest.raises(InvalidService):
        book(session, clinic, now=now)
    session.rollback()
    booking = book(session, clinic, now=now, actor=clinic.staff)
    assert booking.status == S.CONFIRMED


def test_a_hold_is_confirmed_into_a_booking(any_session, now):
    session = any_session
    clinic = open_clinic(session)
    held = hold(session, clinic, now=now, minutes=10)
    session.commit()
    assert held.status == S.TEMPORARY
    assert held.expires_at == now + timedelta(minutes=10)
    assert events(session, clinic.organization) == []  # a hold tells nobody

    later = now + timedelta(minutes=5)
    booking = lifecycle.confirm_hold(
        session,
        clinic.organization,
        held.id,
        actor=CUSTOMER,
        now=later,
        info={"reason": "checkup"},
    )
    session.commit()

    assert booking.id == held.id
    assert booking.status == S.CONFIRMED
    assert booking.expires_at is None
    assert booking.info == {"reason": "checkup"}
    assert history(session, booking) == [
        (None, "TEMPORARY", "customer"),
        ("TEMPORARY", "CONFIRMED", "customer"),
    ]
    assert events(session, clinic.organization) == [("newAppointment", booking.id)]


# --- holds --------------------------------------------------------------------------------


def test_a_hold_blocks_its_slot_until_it_expires(any_session, now):
    session = any_session
    clinic = open_clinic(session)
    held = hold(session, clinic, now=now, minutes=10)
    held_id, expires_at = held.id, held.expires_at
    session.commit()
    other = make_customer(session, clinic.organization)
    session.commit()

    with pytest.raises(BookingConflict):
        book(session, clinic, now=expires_at - MINUTE, customer=other)
    session.rollback()

    taken = book(session, clinic, now=expires_at, customer=other)
    session.commit()
    assert taken.status == S.CONFIRMED
    assert taken.start_at == SUNDAY_9

    with pytest.raises(HoldExpired):
        lifecycle.confirm_hold(
            session, clinic.organization, held_id, actor=CUSTOMER, now=expires_at + MINUTE
        )
    session.rollback()
    assert status_in_db(session, taken) == S.CONFIRMED
    # The sweep that freed the slot left its mark on the hold's history.
    assert history(session, taken)[-1] == (None, "CONFIRMED", "customer")
    assert history(session, held)[-1] == ("TEMPORARY", "CANCELED", "system")


def test_an_expired_hold_cannot_be_confirmed(session, clinic, now):
    held = hold(session, clinic, now=now, minutes=10)
    session.commit()
    with pytest.raises(HoldExpired):
        confirm_hold(session, clinic, held, CUSTOMER, held.expires_at)
    session.rollback()
    assert status_in_db(session, held) == S.TEMPORARY
    assert count(session, OutboxMessage) == 0


def test_the_slot_list_hides_a_held_time_until_the_hold_expires(session, clinic, now):
    held = hold(session, clinic, now=now, minutes=10)
    session.commit()

    def sunday_starts(at_time):
        found = find_available_slots(
            session,
            clinic.organization,
            clinic.consultation.id,
            SUNDAY_9.date(),
            SUNDAY_9.date(),
            timezone="Asia/Riyadh",
            grid=HOURLY,
            now=at_time,
        )
        return [s.start for day in found.days for s in day.slots]

    assert SUNDAY_9 not in sunday_starts(now)
    assert SUNDAY_9 in sunday_starts(held.expires_at)


# --- rescheduling -------------------------------------------------------------------------


def test_reschedule_moves_the_booking_and_frees_the_old_time(any_session, now):
    session = any_session
    clinic = open_clinic(session)
    old = book(session, clinic, now=now)
    session.commit()
    seen = len(events(session, clinic.organization))

    new = lifecycle.reschedule_booking(
        session, clinic.organization, old.id, start=SUNDAY_10, actor=CUSTOMER, now=now
    )
    session.commit()

    assert new.id != old.id
    assert new.rescheduled_from_id == old.id
    assert (new.status, new.start_at, new.resource_id) == (S.CONFIRMED, SUNDAY_10, old.resource_id)
    assert new.customer_id == old.customer_id
    assert (old.status, old.cancel_reason, old.canceled_by) == (
        S.CANCELED,
        "rescheduled",
        "customer",
    )
    assert history(session, old)[-1] == ("CONFIRMED", "CANCELED", "customer")
    assert history(session, new) == [(None, "CONFIRMED", "customer")]
    outbox = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[seen:]
    assert [(m.event, m.booking_id) for m in outbox] == [("appointmentRescheduled", new.id)]
    assert outbox[0].payload["previous_booking_id"] == old.id

    other = make_customer(session, clinic.organization)
    again = book(session, clinic, now=now, customer=other)
    session.commit()
    assert again.start_at == SUNDAY_9
    assert again.status == S.CONFIRMED


def test_reschedule_into_an_overlapping_time(any_session, now):
    # 09:00-09:30 moves to 09:15-09:45: the booking's own old time does not stand in its way.
    session = any_session
    clinic = open_clinic(session)
    old = book(session, clinic, now=now)
    session.commit()

    new = lifecycle.reschedule_booking(
        session,
        clinic.organization,
        old.id,
        start=at("2026-11-22 09:15"),
        actor=CUSTOMER,
        now=now,
    )
    session.commit()
    assert new.start_at == at("2026-11-22 09:15")
    assert status_in_db(session, old) == S.CANCELED


def test_reschedule_happens_in_the_callers_transaction(session, clinic, now):
    old = book(session, clinic, now=now)
    session.commit()
    writes = (
        count(session, Booking),
        count(session, BookingHistory),
        count(session, OutboxMessage),
    )

    lifecycle.reschedule_booking(
        session, clinic.organization, old.id, start=SUNDAY_10, actor=CUSTOMER, now=now
    )
    session.rollback()

    assert status_in_db(session, old) == S.CONFIRMED
    assert (
        count(session, Booking),
        count(session, BookingHistory),
        count(session, OutboxMessage),
    ) == writes


def test_a_reschedule_into_a_taken_time_changes_nothing(session, clinic, now):
    old = book(session, clinic, now=now)
    taken = book(
        session,
        clinic,
        start=SUNDAY_10,
        now=now,
        customer=make_customer(session, clinic.organization),
    )
    session.commit()
    with pytest.raises(BookingConflict) as caught:
        lifecycle.reschedule_booking(
            session, clinic.organization, old.id, start=SUNDAY_10, actor=CUSTOMER, now=now
        )
    assert caught.value.details["next_available"] == at("2026-11-22 10:30").isoformat()
    session.rollback()
    assert status_in_db(session, old) == S.CONFIRMED
    assert status_in_db(session, taken) == S.CONFIRMED
    assert count(session, Booking) == 2


def test_a_rescheduled_booking_keeps_its_standing_and_price(session, clinic, now):
    pending = book(session, clinic, clinic.review, now=now)
    paid = book(session, clinic, clinic.surgery, start=at("2026-11-22 11:00"), now=now)
    session.commit()

    moved = lifecycle.reschedule_booking(
        session, clinic.organization, pending.id, start=SUNDAY_10, actor=clinic.staff, now=now
    )
    moved_paid = lifecycle.reschedule_booking(
        session,
        clinic.organization,
        paid.id,
        start=at("2026-11-23 11:00"),
        actor=clinic.staff,
        now=now,
    )
    session.commit()

    assert moved.status == S.PENDING_APPROVAL
    assert pending.canceled_by == "provider"
    assert (moved_paid.status, moved_paid.price) == (S.PENDING_PAYMENT, Decimal("250.00"))
    assert moved_paid.expires_at == paid.expires_at


# --- canceling, approving, completing -----------------------------------------------------


@pytest.mark.parametrize(
    ("who", "event", "canceled_by"),
    [
        pytest.param("customer", "customerCanceled", "customer", id="customer"),
        pytest.param("staff", "providerCanceled", "provider", id="staff"),
        pytest.param("api", "providerCanceled", "provider", id="api-client"),
    ],
)
def test_cancel_with_a_reason(session, clinic, now, who, event, canceled_by):
    actor = clinic.staff if who == "staff" else Actor(who)
    booking = book(session, clinic, now=now)
    session.commit()

    lifecycle.cancel_booking(
        session, clinic.organization, booking.id, actor=actor, now=now, reason="travelling"
    )
    session.commit()

    assert (booking.status, booking.cancel_reason, booking.canceled_by) == (
        S.CANCELED,
        "travelling",
        canceled_by,
    )
    row = session.scalars(
        select(BookingHistory)
        .where(BookingHistory.booking_id == booking.id)
        .order_by(BookingHistory.id.desc())
    ).first()
    assert (row.from_status, row.to_status, row.actor, row.reason) == (
        "CONFIRMED",
        "CANCELED",
        actor.label,
        "travelling",
    )
    assert events(session, clinic.organization)[-1] == (event, booking.id)
    # The time is free again.
    assert book(session, clinic, now=now, customer=make_customer(session, clinic.organization))


def test_approve_a_booking_waiting_for_approval(session, clinic, now):
    booking = book(session, clinic, clinic.review, now=now)
    assert booking.status == S.PENDING_APPROVAL
    lifecycle.approve_booking(session, clinic.organization, booking.id, actor=clinic.staff, now=now)
    session.commit()
    assert booking.status == S.CONFIRMED
    assert events(session, clinic.organization) == [
        ("newBooking", booking.id),
        ("newAppointment", booking.id),
    ]


def test_reject_a_booking_waiting_for_approval_frees_its_time(session, clinic, now):
    booking = book(session, clinic, clinic.review, now=now)
    lifecycle.reject_booking(
        session, clinic.organization, booking.id, actor=clinic.staff, now=now, reason="on leave"
    )
    session.commit()
    assert (booking.status, booking.cancel_reason) == (S.REJECTED, "on leave")
    assert history(session, booking)[-1] == ("PENDING_APPROVAL", "REJECTED", clinic.staff.label)
    assert events(session, clinic.organization) == [
        ("newBooking", booking.id),
        ("bookingRejected", booking.id),
    ]
    other = make_customer(session, clinic.organization)
    assert book(session, clinic, now=now, customer=other).status == S.CONFIRMED


def test_a_booking_is_completed_only_once_it_has_started(session, clinic, now):
    booking = book(session, clinic, now=now)
    session.commit()
    with pytest.raises(InvalidTransition):
        complete(session, clinic, booking, clinic.staff, SUNDAY_9 - MINUTE)
    session.rollback()
    assert status_in_db(session, booking) == S.CONFIRMED

    complete(session, clinic, booking, clinic.staff, SUNDAY_9)
    session.commit()
    assert booking.status == S.COMPLETED
    assert history(session, booking)[-1] == ("CONFIRMED", "COMPLETED", clinic.staff.label)


# --- status on creation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "methods", "online", "auto_confirm", "expected"),
    [
        pytest.param(None, [], True, True, S.CONFIRMED, id="free-auto"),
        pytest.param(None, [], True, False, S.PENDING_APPROVAL, id="free-approval"),
        pytest.param(0, ["creditCard"], True, True, S.CONFIRMED, id="zero-price-auto"),
        pytest.param(100, ["creditCard"], True, True, S.PENDING_PAYMENT, id="paid-card-auto"),
        pytest.param(100, ["creditCard"], True, False, S.PENDING_PAYMENT, id="paid-card-approval"),
        pytest.param(100, ["tabby"], True, False, S.PENDING_PAYMENT, id="paid-tabby"),
        pytest.param(100, ["creditCard"], False, True, S.CONFIRMED, id="payments-off-auto"),
        pytest.param(
            100, ["creditCard"], False, False, S.PENDING_APPROVAL, id="payments-off-approval"
        ),
        pytest.param(100, ["manual"], True, True, S.CONFIRMED, id="manual-auto"),
        pytest.param(100, ["manual"], True, False, S.PENDING_APPROVAL, id="manual-approval"),
        pytest.param(100, [], True, False, S.PENDING_APPROVAL, id="no-method-approval"),
    ],
)
def test_the_status_of_a_new_booking(session, now, price, methods, online, auto_confirm, expected):
    organization = make_organization(session, online_payments_enabled=online)
    service = make_booking_type(
        session, organization, price=price, payment_methods=methods, auto_confirm=auto_confirm
    )
    make_resource(session, organization, service)
    booking = create_booking(
        session, organization, service, start=SUNDAY_9, now=now, payment_window_minutes=45
    )
    session.commit()

    assert booking.status == expected
    if expected == S.PENDING_PAYMENT:
        assert booking.expires_at == now + timedelta(minutes=45)
    else:
        assert booking.expires_at is None
    first_event = {S.CONFIRMED: "newAppointment", S.PENDING_APPROVAL: "newBooking"}
    expected_events = [(first_event[expected], booking.id)] if expected in first_event else []
    assert events(session, organization) == expected_events


def test_a_hold_confirmed_by_a_customer_follows_the_type(session, clinic, now):
    paid_hold = hold(session, clinic, clinic.surgery, now=now)
    review_hold = hold(session, clinic, clinic.review, start=SUNDAY_10, now=now)
    confirm_hold(session, clinic, paid_hold, CUSTOMER, now)
    confirm_hold(session, clinic, review_hold, CUSTOMER, now)
    assert (paid_hold.status, paid_hold.expires_at) == (
        S.PENDING_PAYMENT,
        now + timedelta(minutes=30),
    )
    assert (review_hold.status, review_hold.expires_at) == (S.PENDING_APPROVAL, None)


def test_mark_paid_confirms_the_booking(session, clinic, now):
    booking = book(session, clinic, clinic.surgery, now=now)
    assert booking.price == Decimal("250.00")
    session.commit()

    mark_paid(session, clinic, booking, Actor("system"), now + timedelta(minutes=3))
    session.commit()

    assert (booking.status, booking.expires_at) == (S.CONFIRMED, None)
    assert history(session, booking) == [
        (None, "PENDING_PAYMENT", "customer"),
        ("PENDING_PAYMENT", "CONFIRMED", "system"),
    ]
    assert events(session, clinic.organization) == [("newAppointment", booking.id)]
    with pytest.raises(InvalidTransition):
        mark_paid(session, clinic, booking, Actor("system"), now)


# --- the worker's sweep -------------------------------------------------------------------


def test_expire_due_releases_expired_holds_and_unpaid_bookings(any_session, now):
    session = any_session
    clinic = open_clinic(session)
    short_hold = hold(session, clinic, now=now, minutes=10)
    long_hold = hold(session, clinic, start=at("2026-11-22 11:00"), now=now, minutes=120)
    unpaid = book(session, clinic, clinic.surgery, start=SUNDAY_10, now=now)
    paid = book(session, clinic, clinic.surgery, start=at("2026-11-22 12:00"), now=now)
    confirmed = book(session, clinic, start=at("2026-11-22 14:00"), now=now)
    mark_paid(session, clinic, paid, Actor("system"), now)
    session.commit()
    later = now + timedelta(minutes=31)

    assert lifecycle.expire_due(session, later) == {"holds": 1, "unpaid": 1, "unassigned": 0}
    session.commit()

    statuses = {
        b.id: status_in_db(session, b) for b in (short_hold, long_hold, unpaid, paid, confirmed)
    }
    assert statuses == {
        short_hold.id: S.CANCELED,
        long_hold.id: S.TEMPORARY,
        unpaid.id: S.CANCELED,
        paid.id: S.CONFIRMED,
        confirmed.id: S.CONFIRMED,
    }
    session.expire_all()
    assert (unpaid.canceled_by, unpaid.cancel_reason) == ("system", "payment not completed in time")
    assert history(session, unpaid)[-1] == ("PENDING_PAYMENT", "CANCELED", "system")
    assert (short_hold.canceled_by, short_hold.cancel_reason) == ("system", "hold expired")
    assert history(session, short_hold)[-1] == ("TEMPORARY", "CANCELED", "system")
    assert events(session, clinic.organization)[-1] == ("paymentExpired", unpaid.id)

    assert lifecycle.expire_due(session, later) == {"holds": 0, "unpaid": 0, "unassigned": 0}
    # Both times are free again.
    other = make_customer(session, clinic.organization)
    assert book(session, clinic, now=later, customer=other).status == S.CONFIRMED
    assert book(session, clinic, start=SUNDAY_10, now=later, customer=other)


# --- history and outbox -------------------------------------------------------------------


def test_history_records_each_change_with_its_actor(any_session, now):
    session = any_session
    clinic = open_clinic(session)
    booking = book(session, clinic, clinic.review, now=now)
    session.commit()
    lifecycle.approve_booking(session, clinic.organization, booking.id, actor=clinic.staff, now=now)
    session.commit()
    later = now + timedelta(hours=1)
    lifecycle.cancel_booking(
        session, clinic.organization, booking.id, actor=CUSTOMER, now=later, reason="sick"
    )
    session.commit()

    rows = session.scalars(
        select(BookingHistory)
        .where(BookingHistory.booking_id == booking.id)
        .order_by(BookingHistory.id)
    ).all()
    assert [(r.from_status, r.to_status, r.actor, r.reason, r.at) for r in rows] == [
        (None, "PENDING_APPROVAL", "customer", None, now),
        ("PENDING_APPROVAL", "CONFIRMED", clinic.staff.label, None, now),
        ("CONFIRMED", "CANCELED", "customer", "sick", later),
    ]
    assert all(r.organization_id == clinic.organization.id for r in rows)

    outbox = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.event for m in outbox] == ["newBooking", "newAppointment", "customerCanceled"]
    assert [m.payload["status"] for m in outbox] == ["PENDING_APPROVAL", "CONFIRMED", "CANCELED"]
    assert {m.payload["bookingId"] for m in outbox} == {booking.id}
    assert all(m.processed_at is None and m.available_at <= later for m in outbox)


def test_outbox_uses_the_seed_trigger_ids(session, clinic, now):
    auto = book(session, clinic, now=now)
    pending = book(session, clinic, clinic.review, start=SUNDAY_10, now=now)
    rejected = book(session, clinic, clinic.review, start=at("2026-11-22 11:00"), now=now)
    canceled = book(session, clinic, start=at("2026-11-22 12:00"), now=now)
    lifecycle.reject_booking(session, clinic.organization, rejected.id, actor=clinic.staff, now=now)
    cancel(session, clinic, canceled, clinic.staff, now)
    cancel(session, clinic, pending, CUSTOMER, now)
    moved = lifecycle.reschedule_booking(
        session,
        clinic.organization,
        auto.id,
        start=at("2026-11-23 09:00"),
        actor=clinic.staff,
        now=now,
    )
    session.commit()

    assert events(session, clinic.organization) == [
        ("newAppointment", auto.id),
        ("newBooking", pending.id),
        ("newBooking", rejected.id),
        ("newAppointment", canceled.id),
        ("bookingRejected", rejected.id),
        ("providerCanceled", canceled.id),
        ("customerCanceled", pending.id),
        ("appointmentRescheduled", moved.id),
    ]
