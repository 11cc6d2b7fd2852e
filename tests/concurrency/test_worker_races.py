"""Two workers at once, with real threads, on SQLite and PostgreSQL: every event reaches
the receiver, and none twice; every email goes out once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest

from tests.conftest import NOW
from tests.factories import at, create_booking, make_booking_type, make_organization, make_resource
from tests.notify.receiver import start_receiver
from webapp.extensions import db
from webapp.manage import webhooks as manage
from webapp.notify import worker

WORKERS = 2
BOOKINGS = 24
ROUNDS = 12


@pytest.fixture
def receiver():
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


def test_two_workers_never_send_an_event_twice(any_app, receiver):
    any_app.config.update(WEBHOOKS_ALLOW_LOOPBACK=True, MESSAGES_CAPTURE=[])
    with any_app.app_context():
        session = db.session
        organization = make_organization(session)
        checkup = make_booking_type(session, organization)
        make_resource(session, organization, checkup, depth_of_days=90)
        secrets = set()
        for trigger in ("newAppointment", "booking.created"):
            _row, secret, _ = manage.subscribe(
                session,
                organization,
                trigger=trigger,
                url=receiver.url,
                allow_loopback=True,
                now=NOW,
            )
            secrets.add(secret)
        session.commit()
        # One receiver, two endpoints: it accepts a delivery signed with either secret.
        receiver.secret = secrets.pop()
        receiver.other_secrets.append(secrets.pop())
        for day in range(BOOKINGS):
            start = at("2026-11-22 09:00") + timedelta(days=day // 4 * 7 + day % 4)
            create_booking(session, organization, checkup, start=start, now=NOW)
        session.commit()

    barrier = threading.Barrier(WORKERS)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with any_app.app_context():
                barrier.wait()
                for round_number in range(ROUNDS):
                    worker.run_once(now=NOW + timedelta(seconds=round_number))
                db.session.remove()
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures

    ids = [r.message_id for r in receiver.received]
    assert len(ids) == 2 * BOOKINGS, "every event, for both endpoints"
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all(r.verified and r.accepted for r in receiver.received)
    emails = [(m["to"], m["subject"]) for m in any_app.config["MESSAGES_CAPTURE"]]
    assert [e for e, n in Counter(emails).items() if n > 1] == []
