"""Invoice numbers under load, with real threads, on SQLite and PostgreSQL: customers of two
clinics book paid appointments at once, some of them the same time on the same doctor (those
lose with 409). Each clinic's invoices are numbered 1..N for its N bookings, with no gap left
by a lost race and no number given twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from tests.concurrency.test_races import SLOT, run_clients, split
from tests.conftest import NOW
from tests.factories import make_booking_type, make_customer, make_organization, make_resource
from webapp.booking import lifecycle
from webapp.extensions import db
from webapp.models import Booking, Customer, Invoice, Organization

DOCTORS = 3
TIMES = 4  # half-hour starts from SLOT
BUSY_CLIENTS = 2 * DOCTORS * TIMES  # every time of every doctor asked for twice
QUIET_CLIENTS = 6  # the second clinic's, each for a time of their own


@dataclass(frozen=True)
class PaidClinic:
    organization_id: str
    type_id: str
    resource_ids: list[str]
    customer_ids: list[str]


def paid_clinic(app, customers: int) -> PaidClinic:
    """A clinic that takes card payments for its 100.00 consultation."""
    with app.app_context():
        organization = make_organization(db.session, online_payments_enabled=True)
        service = make_booking_type(
            db.session, organization, price=100, payment_methods=["creditCard"]
        )
        doctors = [make_resource(db.session, organization, service) for _ in range(DOCTORS)]
        people = [make_customer(db.session, organization) for _ in range(customers)]
        db.session.commit()
        return PaidClinic(
            organization.id, service.id, [d.id for d in doctors], [p.id for p in people]
        )


def book(clinic: PaidClinic, client: int, *, doctor: int, slot: int) -> str:
    organization = db.session.get(Organization, clinic.organization_id)
    booking = lifecycle.create_booking(
        db.session,
        organization,
        booking_type_id=clinic.type_id,
        start=SLOT + timedelta(minutes=30 * slot),
        actor=lifecycle.Actor("customer"),
        now=NOW,
        customer=db.session.get(Customer, clinic.customer_ids[client]),
        resource_id=clinic.resource_ids[doctor],
    )
    return booking.id


def invoices_of(app, clinic: PaidClinic) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Invoice.number, Invoice.booking_id)
            .where(Invoice.organization_id == clinic.organization_id)
            .order_by(Invoice.number)
        )
        return [(number, booking_id) for number, booking_id in rows]


def test_invoice_numbers_have_no_gaps_and_no_repeats_under_load(any_app):
    busy = paid_clinic(any_app, BUSY_CLIENTS)
    quiet = paid_clinic(any_app, QUIET_CLIENTS)

    def attempt(client: int, _n: int) -> str:
        if client < BUSY_CLIENTS:
            return book(busy, client, doctor=client % DOCTORS, slot=(client // 2) % TIMES)
        own = client - BUSY_CLIENTS
        return book(quiet, own, doctor=own % DOCTORS, slot=own // DOCTORS)

    outcomes = run_clients(any_app, attempt, clients=BUSY_CLIENTS + QUIET_CLIENTS)

    booked, conflicts, others = split(outcomes)
    assert others == []
    assert len(booked) == DOCTORS * TIMES + QUIET_CLIENTS
    assert len(conflicts) == BUSY_CLIENTS - DOCTORS * TIMES
    busy_invoices, quiet_invoices = invoices_of(any_app, busy), invoices_of(any_app, quiet)
    assert [n for n, _b in busy_invoices] == list(range(1, DOCTORS * TIMES + 1))
    assert [n for n, _b in quiet_invoices] == list(range(1, QUIET_CLIENTS + 1))
    # One invoice for each booking made, and only for those.
    assert {b for _n, b in busy_invoices + quiet_invoices} == set(booked)
    with any_app.app_context():
        statuses = db.session.scalars(select(Booking.status).where(Booking.id.in_(booked)))
        assert set(statuses) == {"PENDING_PAYMENT"}
        counters = [
            db.session.get(Organization, c.organization_id).invoice_counter for c in (busy, quiet)
        ]
        assert counters == [DOCTORS * TIMES, QUIET_CLIENTS]
