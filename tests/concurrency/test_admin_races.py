"""Staff racing each other in the admin, with real threads, on SQLite and PostgreSQL: the
same time booked from several desks, and one pending booking approved and rejected at once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.admin.conftest import build_clinic, sign_in
from tests.conftest import NOW
from tests.factories import at, make_customer
from webapp.booking import integrity, lifecycle
from webapp.booking.states import Actor
from webapp.extensions import db
from webapp.models import Booking, BookingType, Organization

DESKS = 6


@pytest.fixture
def racing_clinic(any_app):
    any_app.config.update(WTF_CSRF_ENABLED=False, MESSAGES_CAPTURE=[])
    return build_clinic(any_app, "race")


def _together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    answers: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        answers[index] = work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_one_desk_books_a_time_the_others_are_told_it_is_taken(any_app, racing_clinic):
    clinic = racing_clinic
    clients = [sign_in(any_app.test_client(), clinic.owner_id) for _ in range(DESKS)]
    form = {
        "type_id": clinic.type_id,
        "resource_id": clinic.own_resource_id,
        "day": "2026-11-22",
        "start": "2026-11-22T09:00:00+03:00",
    }

    answers = _together(
        DESKS,
        lambda i: clients[i].post("/admin/bookings/new", data={**form, "first_name": f"Desk {i}"}),
    )

    codes = sorted(answer.status_code for answer in answers)
    assert codes[0] == 303 and all(code in (409, 422) for code in codes[1:]), codes
    with any_app.app_context():
        booked = db.session.scalars(
            select(Booking).where(Booking.organization_id == clinic.organization_id)
        ).all()
        assert len(booked) == 1
        assert integrity.overlapping_pairs(db.session, clinic.organization_id) == []


def test_approve_and_reject_at_once_leave_one_decision(any_app, racing_clinic):
    clinic = racing_clinic
    with any_app.app_context():
        organization = db.session.get(Organization, clinic.organization_id)
        booking_type = db.session.get(BookingType, clinic.type_id)
        booking_type.auto_confirm = False
        booking_id = lifecycle.create_booking(
            db.session,
            organization,
            booking_type_id=booking_type.id,
            start=at("2026-11-22 10:00"),
            actor=Actor("customer"),
            now=NOW,
            customer=make_customer(db.session, organization),
            resource_id=clinic.own_resource_id,
        ).id
        db.session.commit()
    owner = sign_in(any_app.test_client(), clinic.owner_id)
    admin = sign_in(any_app.test_client(), clinic.admin_id)
    actions = [(owner, "approve"), (admin, "reject")] * 2

    answers = _together(
        len(actions),
        lambda i: actions[i][0].post(
            f"/admin/bookings/{booking_id}/{actions[i][1]}", headers={"HX-Request": "true"}
        ),
    )

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200, 409, 409, 409], codes
    with any_app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.status in ("CONFIRMED", "REJECTED")
        decisions = [h for h in booking.history if h.from_status == "PENDING_APPROVAL"]
        assert len(decisions) == 1
