"""The background worker. Each round, in order: time ends what people left open (holds,
unpaid bookings, old idempotency keys); reminders come due; outside calendars are read;
outbox events become webhook deliveries, emails and push messages; those are sent.

Every step commits its own work, so a failing step does not hold back the others; the round
reports the first failure after all steps ran. Several workers may run at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app

from webapp.booking import idempotency, lifecycle
from webapp.booking.locking import begin_write
from webapp.extensions import db
from webapp.models.types import utcnow
from webapp.notify import external_calendars, outbox, push, reminders, webhooks
from webapp.notify.destinations import loopback_allowed

log = logging.getLogger("mawid.worker")
PURGE_EVERY = timedelta(hours=1)
_last_purge: datetime | None = None


def _expire(session, now: datetime) -> dict[str, int]:
    begin_write(session)
    done = lifecycle.expire_due(session, now)
    done["idempotency_keys"] = idempotency.purge_expired(session, now)
    return done


def _calendars(session, now: datetime) -> dict[str, int]:
    allow_loopback = loopback_allowed(current_app.config)
    return {
        "calendars": external_calendars.refresh_due(session, now, allow_loopback=allow_loopback)
    }


def _purge(session, now: datetime) -> dict[str, int]:
    """At most once an hour per process: old logs are not urgent."""
    global _last_purge
    if _last_purge is not None and abs(now - _last_purge) < PURGE_EVERY:
        return {}
    _last_purge = now
    return outbox.purge_old(session, now)


def _events(session, now: datetime) -> dict[str, int]:
    return {"events": outbox.process_events(session, now)}


def _push(session, now: datetime) -> dict[str, int]:
    """Right after the events: the push messages of those that committed."""
    return push.send_committed(session)


STEPS: tuple[Callable, ...] = (
    _expire,
    reminders.fire_due,
    _calendars,
    _events,
    _push,
    webhooks.deliver_due,
    outbox.send_due_emails,
    _purge,
)


def run_once(now: datetime | None = None) -> dict[str, int]:
    """One round. Needs an app context; ``now`` defaults to the app's clock."""
    now = now or current_app.config.get("MAWID_NOW") or utcnow()
    done: dict[str, int] = {}
    failure: Exception | None = None
    for step in STEPS:
        try:
            done.update(step(db.session, now))
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            log.exception("worker step %s failed", getattr(step, "__name__", step))
            failure = failure or error
    if failure is not None:
        raise failure
    return done


def run_forever(app: Flask, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    interval = app.config["WORKER_INTERVAL_SECONDS"]
    log.info("worker started (every %.1fs)", interval)
    while not stop.is_set():
        busy = False
        with app.app_context():
            try:
                done = run_once()
                busy = any(done.values())
                if busy:
                    log.info("worker round: %s", done)
            except Exception:  # keep the worker alive; the next round retries
                log.exception("worker round failed")
            finally:
                db.session.remove()
        # A round that found work is followed by another at once; an idle one waits.
        stop.wait(0 if busy else interval)


def start_in_thread(app: Flask) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(app, stop), name="mawid-worker", daemon=True
    )
    thread.start()
    return stop
