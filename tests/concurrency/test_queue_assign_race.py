"""Twenty providers take the same queued booking at once through the API, with real threads,
on SQLite and PostgreSQL (seed 002, Race Condition Handling): exactly one gets it, confirmed
on their resource; every other one hears 400 SCH-ALREADY_ASSIGNED; the booking is confirmed
once and its customer hears of it once."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import func, select

from tests.conftest import NOW
from tests.factories import make_booking_type, make_customer, make_organization, make_resource
from webapp import accounts
from webapp.auth.tokens import AccessClaims, issue_access_token
from webapp.booking import lifecycle, queue
from webapp.extensions import db
from webapp.models import Booking, BookingHistory, Member, Organization, OutboxMessage, Website

PROVIDERS = 20
ASSIGN = "/api/management/bookings/assign"


@dataclass(frozen=True)
class Practice:
    app_id: str
    booking_id: str
    # (Authorization header, resource id) of each provider: a doctor's own access token for
    # their resource, or the front desk's API key naming one.
    providers: list[tuple[str, str]]


def open_practice(app) -> Practice:
    """Twenty doctors who all give the service, and one customer waiting in its queue."""
    with app.app_context():
        organization = make_organization(db.session)
        service = make_booking_type(db.session, organization, name="Walk-in", minutes=20)
        key = accounts.issue_organization_key(db.session, organization, "front desk")
        providers = []
        for n in range(PROVIDERS):
            resource = make_resource(db.session, organization, service, name=f"Dr {n}")
            if n % 4 == 3:
                providers.append((f"Bearer {key}", resource.id))
                continue
            doctor = accounts.create_user(
                db.session, email=f"doctor{n}@example.com", password="correct horse", name=f"Dr {n}"
            )
            member = Member(organization_id=organization.id, user_id=doctor.id, role="staff")
            member.resources.append(resource)
            db.session.add(member)
            db.session.flush()
            claims = AccessClaims(organization.id, user_id=doctor.id)
            token = issue_access_token(claims, secret_key=app.config["SECRET_KEY"])
            providers.append((f"Bearer {token}", resource.id))
        booking = queue.join_queue(
            db.session,
            organization,
            booking_type_id=service.id,
            actor=lifecycle.Actor("customer"),
            now=NOW,
            customer=make_customer(db.session, organization),
        )
        app_id = db.session.scalar(
            select(Website.app_id).where(Website.organization_id == organization.id)
        )
        db.session.commit()
        return Practice(app_id, booking.id, providers)


def race(app, practice: Practice) -> list:
    barrier = threading.Barrier(PROVIDERS)
    answers: list = [None] * PROVIDERS

    def provider(index: int) -> None:
        authorization, resource_id = practice.providers[index]
        client = app.test_client()
        sent = {"bookingId": practice.booking_id, "resourceId": resource_id}
        headers = {"X-APP-ID": practice.app_id, "Authorization": authorization}
        barrier.wait(timeout=60)
        answers[index] = client.post(ASSIGN, json=sent, headers=headers)

    threads = [threading.Thread(target=provider, args=(i,)) for i in range(PROVIDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a provider hung"
    return answers


def test_twenty_providers_take_one_booking_and_exactly_one_gets_it(any_app):
    practice = open_practice(any_app)

    answers = race(any_app, practice)

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [400] * (PROVIDERS - 1), [a.get_json() for a in answers]
    [won] = [a.get_json()["result"] for a in answers if a.status_code == 200]
    lost = {a.get_json()["error"]["code"] for a in answers if a.status_code == 400}
    assert lost == {"SCH-ALREADY_ASSIGNED"}
    winner = practice.providers[[a.status_code for a in answers].index(200)][1]
    assert (won["status"], won["resourceId"]) == ("CONFIRMED", winner)
    with any_app.app_context():
        booking = db.session.get(Booking, practice.booking_id)
        assert (booking.status, booking.resource_id) == ("CONFIRMED", winner)
        confirmed = db.session.scalar(
            select(func.count())
            .select_from(BookingHistory)
            .where(
                BookingHistory.booking_id == booking.id,
                BookingHistory.to_status == "CONFIRMED",
            )
        )
        assigned = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.booking_id == booking.id,
                OutboxMessage.event == "bookingAssigned",
            )
        )
        assert (confirmed, assigned) == (1, 1)
        organization = db.session.get(Organization, booking.organization_id)
        assert queue.pending_counts(db.session, organization.id, NOW) == {}
