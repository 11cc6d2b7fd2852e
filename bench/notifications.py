"""How fast the worker empties the outbox: events into signed webhook deliveries to a real
receiver on loopback, and emails (rendered, with their calendar files, then captured rather
than sent over SMTP), on SQLite and PostgreSQL, with one and two workers.

    .venv/bin/python bench/notifications.py --database both --bookings 1000

Bookings are made first (each writes its event to the outbox); then the workers run rounds
until nothing is left. Two endpoints are subscribed (a trigger id and a seed-000 alias), so
each booking gives two deliveries and two or three emails (customer, staff, owner). Prints
events/s, deliveries/s and emails/s over the whole drain, and checks that the receiver got
every delivery exactly once.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from booking_race import postgresql_database, sqlite_database  # noqa: E402

from webapp import accounts, create_app  # noqa: E402
from webapp.booking import lifecycle  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.manage import webhooks as manage  # noqa: E402
from webapp.models import BookingType, Customer, Resource, TimeRules  # noqa: E402
from webapp.notify import worker  # noqa: E402

EVERY_DAY = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
FIRST = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
RESOURCES = 10


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.ids.append(self.headers.get("webhook-id"))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops connections under parallel sends


def start_receiver() -> ThreadingHTTPServer:
    server = _Server(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    server.ids, server.lock = [], threading.Lock()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def build(uri: str, receiver: ThreadingHTTPServer, bookings: int):
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": uri,
            "WEBHOOKS_ALLOW_LOOPBACK": True,
            "MESSAGES_CAPTURE": [],
            "MAWID_NOW": NOW,
        }
    )
    url = f"http://127.0.0.1:{receiver.server_port}/hooks"
    with app.app_context():
        session = db.session
        db.create_all()
        owner = accounts.create_user(session, email="owner@bench.example", password="bench-pass")
        organization, _ = accounts.create_organization(
            session, owner=owner, name="Bench Clinic", timezone="UTC", slug="bench"
        )
        visit = BookingType(
            organization_id=organization.id, name="Visit", minutes=30, auto_confirm=True
        )
        session.add(visit)
        days = bookings // (RESOURCES * 20) + 2
        resources = []
        for n in range(RESOURCES):
            resource = Resource(
                organization_id=organization.id, name=f"Dr {n}", provider_email=f"dr{n}@b.test"
            )
            resource.booking_types.append(visit)
            session.add(resource)
            session.flush()
            session.add(
                TimeRules(
                    organization_id=organization.id,
                    resource_id=resource.id,
                    depth_of_days=days + 2,
                    rules=[{"days": EVERY_DAY, "times": [{"start": 800, "end": 1800}]}],
                )
            )
            resources.append(resource.id)
        for trigger in ("newAppointment", "booking.created"):
            manage.subscribe(
                session, organization, trigger=trigger, url=url, allow_loopback=True, now=NOW
            )
        for n in range(bookings):
            customer = Customer(
                organization_id=organization.id, first_name="Sara", email=f"c{n}@b.test"
            )
            session.add(customer)
            session.flush()
            slot = n // RESOURCES
            start = FIRST + timedelta(days=slot // 20, minutes=30 * (slot % 20))
            lifecycle.create_booking(
                session,
                organization,
                booking_type_id=visit.id,
                start=start,
                resource_id=resources[n % RESOURCES],
                customer=customer,
                actor=lifecycle.Actor("api"),
                now=NOW,
            )
            if n % 200 == 199:
                session.commit()
        session.commit()
    return app


def drain(app, workers: int) -> tuple[float, Counter]:
    totals: Counter = Counter()
    lock = threading.Lock()

    def run() -> None:
        with app.app_context():
            idle = 0
            while idle < 2:
                done = worker.run_once(now=NOW)
                with lock:
                    totals.update(done)
                busy = done.get("events", 0) + done.get("webhooks_delivered", 0)
                idle = 0 if busy or done.get("emails_sent", 0) else idle + 1
            db.session.remove()

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, totals


def measure(name: str, uri_context, bookings: int, workers: int) -> None:
    receiver = start_receiver()
    with uri_context() as uri:
        app = build(uri, receiver, bookings)
        seconds, totals = drain(app, workers)
        with app.app_context():
            db.engine.dispose()
    receiver.shutdown()
    ids = receiver.ids
    repeated = sum(1 for n in Counter(ids).values() if n > 1)
    print(
        f"{name:<10} {workers:>7} {bookings:>8} {seconds:>8.2f} "
        f"{totals['events'] / seconds:>9.0f} {totals['webhooks_delivered'] / seconds:>12.0f} "
        f"{totals['emails_sent'] / seconds:>9.0f} {len(ids):>9} {repeated:>8}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--bookings", type=int, default=1000)
    args = parser.parse_args()
    databases = {"sqlite": sqlite_database, "postgresql": postgresql_database}
    names = list(databases) if args.database == "both" else [args.database]
    print(
        f"{'database':<10} {'workers':>7} {'bookings':>8} {'seconds':>8} {'events/s':>9} "
        f"{'deliveries/s':>12} {'emails/s':>9} {'received':>9} {'repeated':>8}"
    )
    for name in names:
        for workers in (1, 2):
            measure(name, databases[name], args.bookings, workers)


if __name__ == "__main__":
    main()
