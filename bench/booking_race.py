"""Concurrent booking throughput through the service layer, on SQLite and PostgreSQL.

    .venv/bin/python bench/booking_race.py --database both --clients 16 --seconds 10
    .venv/bin/python bench/booking_race.py --database sqlite --bookings 5000

Each client is a thread with its own application context (so its own session and
connection) that books one slot per transaction with ``lifecycle.create_booking`` and
commits, like a request would. Slots are handed out from a shared sequence over many
resources and a long horizon, so most attempts succeed; a share of attempts deliberately
aims at a slot another client just took, to exercise the conflict path. The data lives in a
temporary SQLite file or a temporary PostgreSQL schema, dropped at the end.

Prints bookings/s, p50/p99 latency of one booking transaction, conflicts and the number of
overlapping occupying bookings found by a self-join (which must be 0). The target is
1,000 bookings/s; the figures are printed as measured.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from webapp import accounts, create_app  # noqa: E402
from webapp.booking import integrity, lifecycle  # noqa: E402
from webapp.booking.errors import BookingConflict  # noqa: E402
from webapp.config import normalize_database_url  # noqa: E402
from webapp.database import request_immediate  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Booking, BookingType, Organization, Resource, TimeRules  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
EVERY_DAY = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
OPEN, CLOSE = 8 * 60, 20 * 60  # working minutes of the day, every day
SLOT_MINUTES = 30
NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
FIRST_DAY = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # the resources work in UTC
ACTOR = lifecycle.Actor("api")


@dataclass(frozen=True)
class Ids:
    organization: str
    booking_type: str
    resources: list[str]


@dataclass
class Tally:
    """What the clients did, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    bookings: int = 0
    conflicts: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, seconds: float, outcome: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if outcome == "booked":
                self.bookings += 1
            elif outcome == "conflict":
                self.conflicts += 1
            else:
                self.errors[outcome] = self.errors.get(outcome, 0) + 1


# --- databases -----------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="mawid-bench-")
    try:
        yield f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgresql_database() -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_PG_URL
    url = normalize_database_url(base)
    schema = f"mawid_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        joiner = "&" if "?" in url else "?"
        yield f"{url}{joiner}options=-csearch_path%3D{schema},public"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def build_app(uri: str, clients: int):
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": uri,
            # One connection per client, so no client waits for the pool.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": clients, "max_overflow": 0},
        }
    )
    with app.app_context():
        db.create_all()
    return app


def seed(app, resources: int, horizon_days: int) -> Ids:
    with app.app_context():
        owner = accounts.create_user(db.session, email="bench@example.com", password="bench-pass")
        organization, _website = accounts.create_organization(
            db.session, owner=owner, name="Bench Clinic", timezone="UTC", slug="bench"
        )
        booking_type = BookingType(
            organization_id=organization.id, name="Visit", minutes=SLOT_MINUTES, auto_confirm=True
        )
        db.session.add(booking_type)
        rows = []
        for n in range(resources):
            resource = Resource(organization_id=organization.id, name=f"Room {n}")
            resource.booking_types.append(booking_type)
            rows.append(resource)
        db.session.add_all(rows)
        db.session.flush()
        db.session.add_all(
            TimeRules(
                resource_id=r.id,
                organization_id=organization.id,
                depth_of_days=horizon_days,
                rules=[{"days": EVERY_DAY, "times": [{"start": 800, "end": 2000}]}],
            )
            for r in rows
        )
        db.session.commit()
        return Ids(organization.id, booking_type.id, [r.id for r in rows])


def overlaps(app) -> int:
    """Pairs of occupying bookings that overlap on the same resource (a self-join)."""
    with app.app_context():
        return len(integrity.overlapping_pairs(db.session))


def stored_bookings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Booking))


# --- clients -------------------------------------------------------------------------------


class Slots:
    """Hands out (resource, start) pairs: fresh ones, or a recent one to collide on."""

    def __init__(self, ids: Ids, horizon_days: int):
        self.ids = ids
        self.per_day = (CLOSE - OPEN) // SLOT_MINUTES
        self.capacity = len(ids.resources) * self.per_day * horizon_days
        self.tickets = itertools.count()
        self.last = 0

    def slot(self, ticket: int) -> tuple[str, datetime]:
        resources = len(self.ids.resources)
        resource = self.ids.resources[ticket % resources]
        day, index = divmod(ticket // resources, self.per_day)
        start = FIRST_DAY + timedelta(days=day, minutes=OPEN + index * SLOT_MINUTES)
        return resource, start

    def fresh(self) -> tuple[str, datetime] | None:
        ticket = next(self.tickets)  # atomic under the GIL
        if ticket >= self.capacity:
            return None
        self.last = ticket
        return self.slot(ticket)

    def recent(self, rng: random.Random) -> tuple[str, datetime]:
        """A slot handed out a moment ago, probably booked or being booked right now."""
        return self.slot(max(0, self.last - rng.randrange(4)))


def client(app, ids: Ids, slots: Slots, tally: Tally, stop, number: int, collide: float):
    rng = random.Random(number)
    with app.app_context():
        # As the web layer does for POST requests: on SQLite the transaction takes the write
        # lock when it begins (see webapp.database).
        request_immediate(True)
        try:
            while not stop():
                target = slots.recent(rng) if rng.random() < collide else slots.fresh()
                if target is None:
                    return
                resource_id, start = target
                began = time.perf_counter()
                try:
                    organization = db.session.get(Organization, ids.organization)
                    lifecycle.create_booking(
                        db.session,
                        organization,
                        booking_type_id=ids.booking_type,
                        start=start,
                        actor=ACTOR,
                        now=NOW,
                        resource_id=resource_id,
                    )
                    db.session.commit()
                    outcome = "booked"
                except BookingConflict:
                    db.session.rollback()
                    outcome = "conflict"
                except Exception as exc:  # counted and reported, never hidden
                    db.session.rollback()
                    outcome = type(exc).__name__
                tally.add(time.perf_counter() - began, outcome)
        finally:
            db.session.remove()


def run(name: str, uri: str, args) -> dict:
    app = build_app(uri, args.clients)
    try:
        ids = seed(app, args.resources, args.horizon_days)
        slots = Slots(ids, args.horizon_days)
        tally = Tally()
        deadline = time.perf_counter() + args.seconds if args.bookings is None else None

        def stop() -> bool:
            if deadline is not None:
                return time.perf_counter() >= deadline
            return tally.bookings >= args.bookings

        threads = [
            threading.Thread(target=client, args=(app, ids, slots, tally, stop, n, args.collisions))
            for n in range(args.clients)
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        latencies = sorted(tally.latencies)
        return {
            "database": name,
            "clients": args.clients,
            "seconds": elapsed,
            "attempts": len(latencies),
            "bookings": tally.bookings,
            "bookings_per_s": tally.bookings / elapsed,
            "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else 0.0,
            "max_ms": 1000 * latencies[-1] if latencies else 0.0,
            "conflicts": tally.conflicts,
            "errors": tally.errors,
            "stored": stored_bookings(app),
            "overlaps": overlaps(app),
        }
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def report(figures: dict) -> None:
    print(
        f"{figures['database']:<10} clients={figures['clients']} "
        f"time={figures['seconds']:.1f}s attempts={figures['attempts']} "
        f"bookings={figures['bookings']} stored={figures['stored']}\n"
        f"{'':<10} bookings/s={figures['bookings_per_s']:.0f} "
        f"p50={figures['p50_ms']:.1f}ms p99={figures['p99_ms']:.1f}ms "
        f"max={figures['max_ms']:.0f}ms "
        f"conflicts={figures['conflicts']} errors={figures['errors'] or 0} "
        f"overlaps={figures['overlaps']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16)
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument("--seconds", type=float, default=10.0, help="run this long (default)")
    amount.add_argument("--bookings", type=int, help="run until this many bookings are made")
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--horizon-days", type=int, default=365)
    parser.add_argument(
        "--collisions", type=float, default=0.05, help="share of attempts aimed at a taken slot"
    )
    args = parser.parse_args(argv)

    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    sources = {"sqlite": sqlite_database, "postgresql": postgresql_database}
    failed = False
    for name in databases:
        with sources[name]() as uri:
            figures = run(name, uri, args)
        report(figures)
        failed |= figures["overlaps"] != 0 or figures["stored"] != figures["bookings"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
