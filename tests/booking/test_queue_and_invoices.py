"""The virtual queue and the invoices of paid bookings, in the booking service: places move
as people join, leave, are taken and expire; a paid queue booking waits for payment before it
joins; invoices are numbered without gaps and follow their booking."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

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
from webapp.booking import invoices, lifecycle, queue
from webapp.booking.errors import (
    AlreadyAssigned,
    BookingExpired,
    InvalidResource,
    InvalidTransition,
    ValidationFailed,
)
from webapp.booking.lifecycle import Actor
from webapp.extensions import db
from webapp.models import Booking, Invoice, OutboxMessage, Payment
from webapp.models import BookingStatus as S

NOW = at("2026-11-22 09:00")
CUSTOMER = Actor("customer")
PROVIDER = Actor("staff", "provider-1")


@pytest.fixture
def clinic(session):
    """Walk-in visits (20 minutes, two doctors), scans (one scanner), and a paid online
    consultation with a 30% deposit."""
    organization = make_organization(session, online_payments_enabled=True)
    visit = make_booking_type(session, organization, minutes=20)
    scan = make_booking_type(session, organization, name="Scan", minutes=10)
    paid = make_booking_type(
        session,
        organization,
        name="Video call",
        price=200,
        deposit_percentage=30,
        payment_methods=["creditCard"],
    )
    doctors = [make_resource(session, organization, visit, paid) for _ in range(2)]
    scanner = make_resource(session, organization, scan)
    session.commit()
    return organization, visit, scan, paid, doctors, scanner


def join(session, organization, service, now=NOW, **kwargs):
    kwargs.setdefault("customer", make_customer(session, organization))
    booking = queue.join_queue(
        session, organization, booking_type_id=service.id, actor=CUSTOMER, now=now, **kwargs
    )
    session.commit()
    return booking


def places(session, bookings, now=NOW):
    found = queue.positions(session, bookings, now)
    return [found.get(b.id) for b in bookings]


def events(session, name):
    return [
        m.payload
        for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.event == name).order_by(OutboxMessage.id)
        )
    ]


def test_places_follow_joins_leaves_assignments_and_expiry(session, clinic):
    organization, visit, scan, _, doctors, _ = clinic
    a = join(session, organization, visit)
    b = join(session, organization, visit, now=NOW + timedelta(minutes=1))
    c = join(session, organization, visit, now=NOW + timedelta(minutes=2), assignment_timeout=5)
    d = join(session, organization, visit, now=NOW + timedelta(minutes=3))
    later = NOW + timedelta(minutes=4)
    assert places(session, [a, b, c, d], later) == [1, 2, 3, 4]
    assert queue.estimated_wait(d.duration, 4) == 80
    assert a.status == S.PENDING_ASSIGNMENT and a.start_at is None and a.resource_id is None

    lifecycle.cancel_booking(session, organization, b.id, actor=CUSTOMER, now=later)
    session.commit()
    assert places(session, [a, c, d], later) == [1, 2, 3]
    moved = {p["bookingId"]: p["queuePosition"] for p in events(session, "queuePositionUpdated")}
    assert moved == {a.id: 1, c.id: 2, d.id: 3}

    queue.assign_booking(
        session, organization, a.id, resource_id=doctors[0].id, actor=PROVIDER, now=later
    )
    session.commit()
    assert a.status == S.CONFIRMED and a.start_at == later
    assert places(session, [c, d], later) == [1, 2]

    expired_at = NOW + timedelta(minutes=8)  # c waited its 5 minutes
    assert lifecycle.expire_due(session, expired_at)["unassigned"] == 1
    session.commit()
    assert c.status == S.REJECTED
    assert places(session, [d], expired_at) == [1]
    assert [p["bookingId"] for p in events(session, "bookingExpired")] == [c.id]
    assert events(session, "queuePositionUpdated")[-1] == {
        "bookingId": d.id,
        "status": "PENDING_ASSIGNMENT",
        "queuePosition": 1,
        "estimatedWaitMinutes": 20,
    }
    with pytest.raises(BookingExpired):
        queue.assign_booking(
            session, organization, c.id, resource_id=doctors[1].id, actor=PROVIDER, now=expired_at
        )


def test_each_service_has_its_own_queue(session, clinic):
    organization, visit, scan, _, doctors, scanner = clinic
    visits = [join(session, organization, visit, now=NOW + timedelta(seconds=n)) for n in range(5)]
    first_scan = join(session, organization, scan, now=NOW + timedelta(minutes=1))
    assert places(session, [first_scan], NOW + timedelta(minutes=1)) == [1]
    assert queue.pending_counts(session, organization.id, NOW + timedelta(minutes=1)) == {
        visit.id: 5,
        scan.id: 1,
    }
    later = NOW + timedelta(minutes=1)
    assert queue.waiting_for_resource(session, organization.id, scanner, later) == [first_scan]
    assert queue.waiting_for_resource(session, organization.id, doctors[0], later) == visits


def test_the_providers_who_could_take_it_hear_of_a_new_queued_booking(session, clinic):
    organization, visit, _, _, doctors, _ = clinic
    booking = join(session, organization, visit, assignment_timeout=999)
    assert booking.expires_at == NOW + timedelta(minutes=180)
    assert join(session, organization, visit, assignment_timeout=1).expires_at == NOW + timedelta(
        minutes=5
    )
    announced = events(session, "bookingUnassigned")[0]
    assert announced["bookingId"] == booking.id
    assert announced["resourceIds"] == sorted(d.id for d in doctors)


def test_only_one_provider_takes_a_booking(session, clinic):
    organization, visit, _, _, doctors, _ = clinic
    booking = join(session, organization, visit)
    queue.assign_booking(
        session, organization, booking.id, resource_id=doctors[0].id, actor=PROVIDER, now=NOW
    )
    session.commit()
    with pytest.raises(AlreadyAssigned):
        queue.assign_booking(
            session, organization, booking.id, resource_id=doctors[1].id, actor=PROVIDER, now=NOW
        )


def test_ending_a_visit_offers_the_provider_the_next_customer(session, clinic):
    organization, visit, _, _, doctors, _ = clinic
    first = join(session, organization, visit)
    second = join(session, organization, visit, now=NOW + timedelta(seconds=1))
    queue.assign_booking(
        session, organization, first.id, resource_id=doctors[0].id, actor=PROVIDER, now=NOW
    )
    session.commit()
    ended = queue.end_booking(
        session, organization, first.id, actor=PROVIDER, now=NOW + timedelta(minutes=12)
    )
    session.commit()
    assert ended.duration == 12
    offered = events(session, "bookingUnassigned")[-1]
    assert offered["bookingId"] == second.id and offered["offeredAgain"] is True
    assert offered["resourceIds"] == [doctors[0].id]
    # The doctor takes the next customer at once: the ended visit no longer holds the desk.
    taken = queue.assign_booking(
        session,
        organization,
        second.id,
        resource_id=doctors[0].id,
        actor=PROVIDER,
        now=NOW + timedelta(minutes=12),
    )
    assert taken.start_at == first.end_at == NOW + timedelta(minutes=12)


def test_joining_needs_a_provider_and_a_whole_number_of_minutes(session, clinic):
    organization, *_ = clinic
    nobody = make_booking_type(session, organization, name="Nobody offers it")
    with pytest.raises(InvalidResource):
        join(session, organization, nobody)
    session.rollback()
    with pytest.raises(ValidationFailed):
        join(session, organization, clinic[1], assignment_timeout="30")


def test_a_paid_queue_booking_joins_the_queue_once_its_deposit_is_paid(session, clinic):
    organization, _, _, paid, doctors, _ = clinic
    booking = join(session, organization, paid)
    assert booking.status == S.PENDING_PAYMENT
    assert events(session, "bookingUnassigned") == []
    invoice = invoices.invoice_for(session, booking)
    assert (invoice.number, invoice.total, invoice.deposit) == (1, Decimal("200.00"), 60)
    assert invoices.amount_due_now(invoice) == Decimal("60.00")

    invoices.record_payment(
        session, organization, invoice.id, provider="sandbox", actor=CUSTOMER, now=NOW
    )
    session.commit()
    assert booking.status == S.PENDING_ASSIGNMENT
    assert booking.expires_at == NOW + timedelta(minutes=60)
    assert (invoice.status, invoice.amount_paid, invoice.balance) == (
        "PARTIALLY_PAID",
        Decimal("60.00"),
        Decimal("140.00"),
    )
    assert [e["bookingId"] for e in events(session, "bookingUnassigned")] == [booking.id]
    assert invoices.amount_due_now(invoice) == Decimal("140.00")


def test_a_paid_booking_is_confirmed_when_paid_and_its_invoice_follows_a_reschedule(
    session, clinic
):
    organization, _, _, paid, doctors, _ = clinic
    paid.deposit_percentage = None
    booking = create_booking(
        session, organization, paid, start=at("2026-11-23 10:00"), now=NOW, customer=None
    )
    session.commit()
    assert booking.status == S.PENDING_PAYMENT
    moved = lifecycle.reschedule_booking(
        session, organization, booking.id, start=at("2026-11-23 11:00"), actor=CUSTOMER, now=NOW
    )
    session.commit()
    invoice = invoices.invoice_for(session, moved)
    assert invoice is not None and invoice.number == 1
    with pytest.raises(ValidationFailed):
        invoices.record_payment(
            session,
            organization,
            invoice.id,
            provider="manual",
            actor=PROVIDER,
            now=NOW,
            amount=Decimal("500"),
        )
    invoices.record_failure(
        session,
        organization,
        invoice.id,
        provider="sandbox",
        reason="declined",
        actor=CUSTOMER,
        now=NOW,
    )
    invoices.record_payment(
        session, organization, invoice.id, provider="manual", actor=PROVIDER, now=NOW
    )
    session.commit()
    assert moved.status == S.CONFIRMED and invoice.status == "PAID"
    assert [p.status for p in session.scalars(select(Payment).order_by(Payment.created_at))] == [
        "FAILED",
        "SUCCEEDED",
    ]
    with pytest.raises(InvalidTransition):
        invoices.record_payment(
            session, organization, invoice.id, provider="manual", actor=PROVIDER, now=NOW
        )


def test_an_unpaid_booking_past_its_window_frees_its_slot_and_voids_its_invoice(session, clinic):
    organization, _, _, paid, doctors, _ = clinic
    start = at("2026-11-23 10:00")
    booking = create_booking(
        session,
        organization,
        paid,
        start=start,
        now=NOW,
        resource_id=doctors[0].id,
        payment_window_minutes=15,
    )
    session.commit()
    assert lifecycle.expire_due(session, NOW + timedelta(minutes=15))["unpaid"] == 1
    session.commit()
    assert booking.status == S.CANCELED
    assert invoices.invoice_for(session, booking).status == "VOID"
    again = create_booking(
        session, organization, paid, start=start, now=NOW, resource_id=doctors[0].id
    )
    session.commit()
    assert again.status == S.PENDING_PAYMENT
    numbers = session.scalars(select(Invoice.number).order_by(Invoice.number)).all()
    assert numbers == [1, 2]


def test_invoice_numbers_are_per_organization(session, clinic):
    organization, _, _, paid, _, _ = clinic
    other = make_organization(session, online_payments_enabled=True)
    other_paid = make_booking_type(
        session, other, price=50, payment_methods=["creditCard"], name="Other"
    )
    make_resource(session, other, other_paid)
    session.commit()
    mine = [join(session, organization, paid) for _ in range(3)]
    theirs = join(session, other, other_paid)
    assert [invoices.invoice_for(session, b).number for b in mine] == [1, 2, 3]
    assert invoices.invoice_for(session, theirs).number == 1
    assert session.get(Booking, theirs.id).price == Decimal("50.00")


def test_a_visit_ended_the_moment_it_started_still_has_a_time(any_app):
    """The time of a booking is never empty (PostgreSQL's constraint says so too)."""
    with any_app.app_context():
        session = db.session
        organization = make_organization(session)
        visit = make_booking_type(session, organization, minutes=20, leave_minutes_after=5)
        desk = make_resource(session, organization, visit)
        booking = join(session, organization, visit)
        queue.assign_booking(
            session, organization, booking.id, resource_id=desk.id, actor=PROVIDER, now=NOW
        )
        queue.end_booking(session, organization, booking.id, actor=PROVIDER, now=NOW)
        session.commit()
        assert (booking.status, booking.duration) == (S.COMPLETED, 1)
        assert booking.end_at == NOW + timedelta(seconds=1)
        assert booking.block_end == NOW + timedelta(minutes=5, seconds=1)


def test_the_customer_cannot_pay_once_the_payment_window_ran_out(session, clinic):
    organization, _, _, paid, _, _ = clinic
    booking = join(session, organization, paid, payment_window_minutes=15)
    invoice = invoices.invoice_for(session, booking)
    late = NOW + timedelta(minutes=15)
    with pytest.raises(InvalidTransition):
        invoices.record_payment(
            session, organization, invoice.id, provider="sandbox", actor=CUSTOMER, now=late
        )
    session.rollback()
    # Money the front desk took before the worker's sweep is still recorded.
    invoices.record_payment(
        session, organization, invoice.id, provider="manual", actor=PROVIDER, now=late
    )
    session.commit()
    assert booking.status == S.PENDING_ASSIGNMENT
