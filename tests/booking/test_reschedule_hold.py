"""Moving a booking into a hold (the old one is canceled at once, the new time held until it
is confirmed) and booking among a chosen few resources."""

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
from webapp.booking import lifecycle
from webapp.booking.errors import BookingConflict
from webapp.booking.lifecycle import Actor
from webapp.models import Booking, OutboxMessage
from webapp.models import BookingStatus as S

SUNDAY_9 = at("2026-11-22 09:00")
SUNDAY_10 = at("2026-11-22 10:00")
STAFF = Actor("api", "key-1")


@pytest.fixture
def clinic(session, now):
    organization = make_organization(session, online_payments_enabled=True)
    consultation = make_booking_type(session, organization)
    surgery = make_booking_type(
        session, organization, name="Surgery", price=250, payment_methods=["creditCard"]
    )
    doctors = [make_resource(session, organization, consultation, surgery) for _ in range(3)]
    customer = make_customer(session, organization)
    session.commit()
    return organization, consultation, surgery, doctors, customer


def _events(session, organization) -> list[str]:
    return list(
        session.scalars(
            select(OutboxMessage.event)
            .where(OutboxMessage.organization_id == organization.id)
            .order_by(OutboxMessage.id)
        )
    )


def test_a_booking_moved_into_a_hold_keeps_its_standing_once_confirmed(session, clinic, now):
    organization, _consultation, surgery, doctors, customer = clinic
    old = create_booking(session, organization, surgery, start=SUNDAY_9, now=now, customer=customer)
    lifecycle.mark_paid(session, organization, old.id, actor=STAFF, now=now)
    session.commit()
    seen = len(_events(session, organization))

    hold = lifecycle.reschedule_booking(
        session, organization, old.id, start=SUNDAY_10, actor=STAFF, now=now, hold_minutes=10
    )
    session.commit()

    assert session.get(Booking, old.id).status == S.CANCELED
    assert (hold.status, hold.rescheduled_from_id) == (S.TEMPORARY, old.id)
    assert hold.expires_at == now + timedelta(minutes=10)
    assert _events(session, organization)[seen:] == []  # nothing to tell until it is confirmed

    confirmed = lifecycle.confirm_hold(session, organization, hold.id, actor=STAFF, now=now)
    session.commit()

    # Paid before, so still confirmed: the customer is not asked to pay again.
    assert confirmed.status == S.CONFIRMED
    assert confirmed.price == old.price
    assert _events(session, organization)[seen:] == ["appointmentRescheduled"]


def test_booking_among_chosen_resources_takes_a_free_one_of_them(session, clinic, now):
    organization, consultation, _surgery, doctors, customer = clinic
    first, second, third = doctors
    create_booking(
        session,
        organization,
        consultation,
        start=SUNDAY_9,
        now=now,
        resource_id=first.id,
        customer=make_customer(session, organization),
    )

    booking = lifecycle.create_booking(
        session,
        organization,
        booking_type_id=consultation.id,
        start=SUNDAY_9,
        actor=STAFF,
        now=now,
        customer=customer,
        resource_ids=[first.id, second.id],
    )

    assert booking.resource_id == second.id
    with pytest.raises(BookingConflict):
        lifecycle.create_booking(
            session,
            organization,
            booking_type_id=consultation.id,
            start=SUNDAY_9,
            actor=STAFF,
            now=now,
            customer=make_customer(session, organization),
            resource_ids=[first.id, second.id],
        )
    assert third.id not in {b.resource_id for b in session.scalars(select(Booking))}
