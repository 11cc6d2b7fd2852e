"""The background worker: expires holds and unpaid bookings, forgets old idempotency keys.
(Webhook and email delivery from the outbox join it later.)"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from webapp.booking import idempotency, lifecycle
from webapp.booking.locking import begin_write
from webapp.extensions import db
from webapp.models.types import utcnow

log = logging.getLogger("mawid.worker")


def run_once(now=None) -> dict[str, int]:
    """One round, in its own transaction. Needs an app context."""
    now = now or utcnow()
    try:
        begin_write(db.session)
        done = lifecycle.expire_due(db.session, now)
        done["idempotency_keys"] = idempotency.purge_expired(db.session, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return done


def run_forever(app: Flask, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    interval = app.config["WORKER_INTERVAL_SECONDS"]
    log.info("worker started (every %.1fs)", interval)
    while not stop.is_set():
        with app.app_context():
            try:
                done = run_once()
                if any(done.values()):
                    log.info("worker round: %s", done)
            except Exception:  # keep the worker alive; the next round retries
                log.exception("worker round failed")
            finally:
                db.session.remove()
        stop.wait(interval)


def start_in_thread(app: Flask) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(app, stop), name="mawid-worker", daemon=True
    )
    thread.start()
    return stop
