"""A provider takes a booking from the queue (assign) and ends one under way (end): the
booking changes only through the state machine, once, and its time on the resource's calendar
is exactly what was served."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import (
    at,
    create_booking,
    make_booking_type,
    make_customer,
    make_organization,
    make_resource,
)
from webapp.booking import lifecycle, queue
from webapp.booking.errors import (
    AlreadyAssigned,
    BookingConflict,
    BookingExpired,
    InvalidResource,
    InvalidTransition,
    NotFound,
)
from webapp.booking.lifecycle import Actor
from webapp.extensions import db
from webapp.models import Booking, BookingHistory, OutboxMessage
from webapp.models import BookingStatus as S

SUNDAY_9 = at("2026-11-22 09:00")
PROVIDER = Actor("staff", "provider-1")


def queue_booking(session, organization, booking_type, *, now, customer=None, expires_in=30):
    """A booking waiting in the queue: a service and a customer, no resource and no time yet."""
    booking = Booking(
        organization_id=organization.id,
        booking_type_id=booking_type.id,
        customer_id=customer.id if customer else None,
        status=S.PENDING_ASSIGNMENT.value,
        duration=booking_type.minutes,
        expires_at=now + timedelta(minutes=expires_in) if expires_in else None,
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    session.flush()
    return booking


@pytest.fixture
def walk_in(session):
    """A walk-in clinic open on Sunday morning: two doctors, a 20-minute visit with 5 minutes
    of tidying after each."""
    organization = make_organization(session)
    visit = make_booking_type(session, organization, minutes=20, leave_minutes_after=5)
    other = make_booking_type(session, organization, name="Scan")
    first = make_resource(session, organization, visit)
    second = make_resource(session, organization, visit)
    scanner = make_resource(session, organization, other)
    customer = make_customer(session, organization)
    session.commit()
    return organization, visit, first, second, scanner, customer


def _events(session, booking) -> list[str]:
    return list(
        session.scalars(
            select(OutboxMessage.event)
            .where(OutboxMessage.booking_id == booking.id)
            .order_by(OutboxMessage.id)
        )
    )


def test_assign_confirms_the_booking_on_the_resource_from_now(session, walk_in):
    organization, visit, first, _second, _scanner, customer = walk_in
    now = SUNDAY_9 + timedelta(minutes=7)
    booking = queue_booking(session, organization, visit, now=now, customer=customer)
    session.commit()

    queue.assign_booking(
        session, organization, booking.id, resource_id=first.id, actor=PROVIDER, now=now
    )
    session.commit()

    session.refresh(booking)
    assert booking.status == S.CONFIRMED
    assert booking.resource_id == first.id
    assert (booking.start_at, booking.end_at) == (now, now + timedelta(minutes=20))
    assert (booking.block_start, booking.block_end) == (now, now + timedelta(minutes=25))
    assert booking.expires_at is None
    changes = session.scalars(
        select(BookingHistory).where(BookingHistory.booking_id == booking.id)
    ).all()
    assert [(h.from_status, h.to_status, h.actor) for h in changes] == [
        ("PENDING_ASSIGNMENT", "CONFIRMED", PROVIDER.label)
    ]
    assert _events(session, booking) == ["bookingAssigned"]


def test_a_second_provider_hears_it_is_already_assigned(session, walk_in):
    organization, visit, first, second, _scanner, customer = walk_in
    booking = queue_booking(session, organization, visit, now=SUNDAY_9, customer=customer)
    queue.assign_booking(
        session, organization, booking.id, resource_id=first.id, actor=PROVIDER, now=SUNDAY_9
    )
    session.commit()

    with pytest.raises(AlreadyAssigned) as caught:
        queue.assign_booking(
            session,
            organization,
            booking.id,
            resource_id=second.id,
            actor=Actor("staff", "provider-2"),
            now=SUNDAY_9,
        )
    session.rollback()

    assert (caught.value.code, caught.value.http_status) == ("SCH-ALREADY_ASSIGNED", 400)
    assert session.get(Booking, booking.id).resource_id == first.id
    assert _events(session, booking) == ["bookingAssigned"]


@pytest.mark.parametrize("expired_as", ["still-queued", "rejected"])
def test_a_booking_whose_time_in_the_queue_ran_out_answers_bks_110(session, walk_in, expired_as):
    organization, visit, first, _second, _scanner, customer = walk_in
    booking = queue_booking(
        session, organization, visit, now=SUNDAY_9, customer=customer, expires_in=10
    )
    later = SUNDAY_9 + timedelta(minutes=10)
    if expired_as == "rejected":
        lifecycle.transition(session, booking, S.REJECTED, lifecycle.SYSTEM, later)
    session.commit()

    with pytest.raises(BookingExpired) as caught:
        queue.assign_booking(
            session, organization, booking.id, resource_id=first.id, actor=PROVIDER, now=later
        )
    session.rollback()

    assert caught.value.code == "BKS-110"
    assert session.get(Booking, booking.id).resource_id is None


def test_only_a_resource_offering_the_service_takes_it(session, walk_in):
    organization, visit, _first, _second, scanner, customer = walk_in
    booking = queue_booking(session, organization, visit, now=SUNDAY_9, customer=customer)
    session.commit()

    with pytest.raises(InvalidResource):
        queue.assign_booking(
            session, organization, booking.id, resource_id=scanner.id, actor=PROVIDER, now=SUNDAY_9
        )
    session.rollback()
    assert session.get(Booking, booking.id).status == S.PENDING_ASSIGNMENT


def test_a_provider_busy_right_now_cannot_take_it(session, walk_in):
    organization, visit, first, _second, _scanner, customer = walk_in
    create_booking(
        session,
        organization,
        visit,
        start=SUNDAY_9,
        now=SUNDAY_9 - timedelta(days=1),
        resource_id=first.id,
        customer=make_customer(session, organization),
    )
    booking = queue_booking(session, organization, visit, now=SUNDAY_9, customer=customer)
    session.commit()

    with pytest.raises(BookingConflict):
        queue.assign_booking(
            session,
            organization,
            booking.id,
            resource_id=first.id,
            actor=PROVIDER,
            now=SUNDAY_9 + timedelta(minutes=10),
        )
    session.rollback()
    assert session.get(Booking, booking.id).status == S.PENDING_ASSIGNMENT


def test_another_organizations_booking_is_not_found(session, walk_in):
    organization, visit, first, _second, _scanner, customer = walk_in
    booking = queue_booking(session, organization, visit, now=SUNDAY_9, customer=customer)
    stranger = make_organization(session)
    session.commit()

    with pytest.raises(NotFound):
        queue.assign_booking(
            session, stranger, booking.id, resource_id=first.id, actor=PROVIDER, now=SUNDAY_9
        )


def test_a_canceled_queue_booking_cannot_be_assigned(session, walk_in):
    organization, visit, first, _second, _scanner, customer = walk_in
    booking = queue_booking(session, organization, visit, now=SUNDAY_9, customer=customer)
    lifecycle.cancel_booking(
        session, organization, booking.id, actor=Actor("customer"), now=SUNDAY_9
    )
    session.commit()

    with pytest.raises(InvalidTransition):
        queue.assign_booking(
            session, organization, booking.id, resource_id=first.id, actor=PROVIDER, now=SUNDAY_9
        )


def test_assign_on_both_databases(any_app):
    with any_app.app_context():
        session = db.session
        organization = make_organization(session)
        visit = make_booking_type(session, organization, minutes=15)
        doctor = make_resource(session, organization, visit)
        booking = queue_booking(session, organization, visit, now=SUNDAY_9)
        session.commit()

        queue.assign_booking(
            session, organization, booking.id, resource_id=doctor.id, actor=PROVIDER, now=SUNDAY_9
        )
        session.commit()

        assert session.get(Booking, booking.id).status == S.CONFIRMED
        # Its time is taken: the same minutes cannot be booked again.
        with pytest.raises(BookingConflict):
            create_booking(
                session,
                organization,
                visit,
                start=SUNDAY_9,
                now=SUNDAY_9 - timedelta(hours=1),
                resource_id=doctor.id,
            )
        session.rollback()


# --- ending a booking under way ---------------------------------------------------------


def test_end_completes_the_booking_and_frees_the_rest_of_its_time(session, walk_in):
    organization, visit, first, _second, _scanner, customer = walk_in
    booking = create_booking(
        session,
        organization,
        visit,
        start=SUNDAY_9,
        now=SUNDAY_9 - timedelta(days=1),
        resource_id=first.id,
        customer=customer,
    )
    session.commit()
    ended_at = SUNDAY_9 + timedelta(minutes=8, seconds=20)

    queue.end_booking(session, organization, booking.id, actor=PROVIDER, now=ended_at)
    session.commit()

    session.refresh(booking)
    assert booking.status == S.COMPLETED
    assert booking.duration == 9  # eight minutes and a bit, counted as nine
    assert booking.end_at == ended_at  # free from the moment it ended
    assert booking.block_end == ended_at + timedelta(minutes=5)  # the tidying stays
    # The doctor is free again once the room is tidied.
    create_booking(
        session,
        organization,
        visit,
        start=SUNDAY_9 + timedelta(minutes=15),
        now=ended_at,
        resource_id=first.id,
        customer=make_customer(session, organization),
    )
    session.commit()


def test_end_after_the_planned_end_keeps_the_booking_as_planned(session, walk_in):
    organization, visit, first, _second, _scanner, customer = walk_in
    booking = create_booking(
        session,
        organization,
        visit,
        start=SUNDAY_9,
        now=SUNDAY_9 - timedelta(days=1),
        resource_id=first.id,
        customer=customer,
    )
    session.commit()

    queue.end_booking(
        session, organization, booking.id, actor=PROVIDER, now=SUNDAY_9 + timedelta(hours=1)
    )
    session.commit()

    session.refresh(booking)
    assert (booking.status, booking.duration) == (S.COMPLETED, 20)
    assert booking.end_at == SUNDAY_9 + timedelta(minutes=20)


def test_a_booking_not_yet_started_cannot_be_ended(session, walk_in):
    organization, visit, first, _second, _scanner, customer = walk_in
    booking = create_booking(
        session,
        organization,
        visit,
        start=SUNDAY_9,
        now=SUNDAY_9 - timedelta(days=1),
        resource_id=first.id,
        customer=customer,
    )
    session.commit()

    with pytest.raises(InvalidTransition):
        queue.end_booking(
            session, organization, booking.id, actor=PROVIDER, now=SUNDAY_9 - timedelta(minutes=1)
        )
    session.rollback()
    assert session.get(Booking, booking.id).status == S.CONFIRMED


def test_only_a_confirmed_booking_can_be_ended(session, walk_in):
    organization, visit, _first, _second, _scanner, customer = walk_in
    booking = queue_booking(session, organization, visit, now=SUNDAY_9, customer=customer)
    session.commit()

    with pytest.raises(InvalidTransition) as caught:
        queue.end_booking(session, organization, booking.id, actor=PROVIDER, now=SUNDAY_9)
    assert caught.value.details["status"] == "PENDING_ASSIGNMENT"
