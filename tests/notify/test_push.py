"""The push provider: chosen by configuration, given each message once after the event's
transaction committed, never told anything personal through the log, and unable to hold
back the worker's other work when it fails."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.notify.email_world import build_clinic
from tests.notify.queue_world import MEMORY_PROVIDER, PROVIDER, join, pushed, taken_emails
from webapp.booking import queue
from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.notify import outbox, push, worker


class FlakyProvider:
    """Refuses the first message it is given, takes the others."""

    def __init__(self):
        self.messages: list[push.PushMessage] = []

    def send(self, message: push.PushMessage) -> None:
        if not self.messages and not getattr(self, "refused", False):
            self.refused = True
            raise ConnectionError(f"gateway down for {message.recipient[1]}")
        self.messages.append(message)


made: list[FlakyProvider] = []


def flaky() -> FlakyProvider:
    """A factory, as ``PUSH_PROVIDER`` may name one."""
    made.append(FlakyProvider())
    return made[-1]


@pytest.fixture
def clinic(app, session):
    app.config.update(MESSAGES_CAPTURE=[], PUSH_PROVIDER=MEMORY_PROVIDER)
    clinic = build_clinic(session)
    session.commit()
    return clinic


def test_the_default_provider_writes_ids_to_the_log_and_nothing_personal(
    app, session, clinic, now, caplog
):
    app.config["PUSH_PROVIDER"] = "log"
    caplog.set_level(logging.INFO, logger="webapp.notify.push")
    booking = join(session, clinic, now)

    worker.run_once(now=now)

    assert isinstance(push.provider(app), push.LogPushProvider)
    lines = [r.getMessage() for r in caplog.records if r.name == "webapp.notify.push"]
    assert len(lines) == 2  # one per provider offering the service
    assert all(booking.id in line and "NEW_PENDING_UNASSIGNED_BOOKING" in line for line in lines)
    assert any(clinic.huda.id in line for line in lines)
    for personal in ("Sara", clinic.sara.email, "Dr Huda", clinic.huda.provider_email):
        assert not any(personal in line for line in lines)


def test_a_provider_is_named_by_import_path_and_made_once_per_app(app, session, clinic, now):
    app.config["PUSH_PROVIDER"] = f"{__name__}:flaky"
    made.clear()
    join(session, clinic, now)
    worker.run_once(now=now)
    join(session, clinic, now + timedelta(minutes=1))
    worker.run_once(now=now + timedelta(minutes=1))

    assert len(made) == 1
    assert push.provider(app) is made[0]


@pytest.mark.parametrize("spec", ["nonsense", "tests.notify.test_push:missing"])
def test_a_misconfigured_provider_fails_loudly_but_holds_back_no_email(
    app, session, clinic, now, spec
):
    app.config["PUSH_PROVIDER"] = spec
    join(session, clinic, now)

    with pytest.raises((ValueError, AttributeError)):
        worker.run_once(now=now)

    # The staff emails of the same event went out in the same round.
    assert {e["subject"] for e in taken_emails(app)} == {"In the queue: Cleaning"}


def test_a_refused_message_is_logged_and_the_others_still_go(app, session, clinic, now, caplog):
    app.config["PUSH_PROVIDER"] = f"{__name__}:flaky"
    made.clear()
    booking = join(session, clinic, now)

    done = worker.run_once(now=now)

    assert (done["push_sent"], done["push_failed"]) == (1, 1)
    [gateway] = made
    assert [m.data["bookingId"] for m in gateway.messages] == [booking.id]
    [warning] = [r for r in caplog.records if r.name == "webapp.notify.push"]
    assert warning.levelno == logging.WARNING
    assert "ConnectionError" in warning.getMessage()
    assert taken_emails(app)  # the emails were not held back


def test_messages_go_out_once_and_only_after_their_event_committed(app, session, clinic, now):
    booking = join(session, clinic, now)
    [event] = session.scalars(select(OutboxMessage).where(OutboxMessage.booking_id == booking.id))

    outbox.process(session, event, now)
    session.rollback()  # the batch failed: nothing it built may go out
    assert push.send_committed(session) == {"push_sent": 0, "push_failed": 0}
    assert pushed(app) == []

    worker.run_once(now=now)
    worker.run_once(now=now + timedelta(minutes=1))

    assert sorted(m.recipient for m in pushed(app)) == sorted(
        [("resource", clinic.huda.id), ("resource", clinic.omar.id)]
    )


@pytest.fixture
def any_session(any_app):
    any_app.config.update(MESSAGES_CAPTURE=[], PUSH_PROVIDER=MEMORY_PROVIDER)
    with any_app.app_context():
        yield db.session


def test_each_queue_message_is_pushed_once_on_each_database(any_app, any_session, now):
    clinic = build_clinic(any_session)
    any_session.commit()
    first = join(any_session, clinic, now)
    second = join(any_session, clinic, now + timedelta(minutes=1))
    queue.assign_booking(
        any_session,
        clinic.organization,
        first.id,
        resource_id=clinic.huda.id,
        actor=PROVIDER,
        now=now + timedelta(minutes=2),
    )
    any_session.commit()

    worker.run_once(now=now + timedelta(minutes=2))
    worker.run_once(now=now + timedelta(minutes=3))

    sent = [(m.data["type"], m.data["bookingId"]) for m in pushed(any_app)]
    assert sorted(sent) == sorted(
        [
            # The first booking was taken before the worker ran: only its customer hears.
            ("MY_BOOKING_ASSIGNED", first.id),
            ("NEW_PENDING_UNASSIGNED_BOOKING", second.id),
            ("NEW_PENDING_UNASSIGNED_BOOKING", second.id),
            ("QUEUE_POSITION_UPDATED", second.id),
        ]
    )
