"""The virtual queue under load, through the booking service, on SQLite and PostgreSQL.

    .venv/bin/python bench/walk_in_queue.py --database both
    .venv/bin/python bench/walk_in_queue.py --database sqlite --waiting 2000 --providers 20

A walk-in service offered by ``--providers`` resources. First ``--waiting`` customers join
its queue one transaction each (``queue.join_queue``, as the website's join does); then the
providers, one thread each with its own application context, take bookings from the head of
the queue as fast as they can (``queue.assign_booking``, everyone aiming at the oldest
booking, so most attempts lose the race and try the next one), until the queue is empty.
Each assignment tells everyone still waiting their new place, so an assignment costs more
the longer the queue is.

Prints joins/s with p50/p95 of one join, assignments/s with p50/p95 of one winning
assignment, lost races, and the checks that must hold: every booking assigned exactly once
and no provider booked twice at the same time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from availability import Database  # noqa: E402  (the benchmark beside this one)
from public_pages import percentiles  # noqa: E402

from webapp import accounts, create_app  # noqa: E402
from webapp.booking import queue  # noqa: E402
from webapp.booking.errors import AlreadyAssigned, BookingConflict  # noqa: E402
from webapp.booking.lifecycle import Actor  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Booking, BookingHistory, BookingType, Organization, Resource  # noqa: E402

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def setup(uri: str, providers: int) -> tuple:
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": uri,
            "MAWID_NOW": NOW,
            # A connection for each provider's thread, and one for the joins.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": providers + 1, "max_overflow": 0},
        }
    )
    with app.app_context():
        db.create_all()
        owner = accounts.create_user(db.session, email="o@example.com", password="x" * 12)
        organization, _ = accounts.create_organization(
            db.session, owner=owner, name="Walk-in clinic", timezone="Asia/Riyadh", slug="walk-in"
        )
        service = BookingType(organization_id=organization.id, name="Walk-in", minutes=15)
        db.session.add(service)
        db.session.flush()
        for n in range(providers):
            resource = Resource(organization_id=organization.id, name=f"Desk {n + 1}")
            resource.booking_types.append(service)
            db.session.add(resource)
        db.session.commit()
        return app, organization.id, service.id


def join_all(app, organization_id: str, service_id: str, count: int) -> list[float]:
    samples = []
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        for n in range(count):
            started = time.perf_counter()
            queue.join_queue(
                db.session,
                organization,
                booking_type_id=service_id,
                actor=Actor("customer"),
                now=NOW + timedelta(milliseconds=n),
                assignment_timeout=180,
            )
            db.session.commit()
            samples.append(time.perf_counter() - started)
    return samples


def provider(app, organization_id: str, resource_id: str, out: dict, lock: threading.Lock):
    """Take the head of the queue, again and again, until nobody waits; each booking served
    is ended at once so the desk is free for the next."""
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        resource = db.session.get(Resource, resource_id)
        clock = NOW + timedelta(minutes=1)
        while True:
            head = queue.next_for_resource(db.session, organization_id, resource, clock)
            db.session.rollback()
            if head is None:
                return
            started = time.perf_counter()
            try:
                queue.assign_booking(
                    db.session,
                    organization,
                    head.id,
                    resource_id=resource_id,
                    actor=Actor("staff", resource_id),
                    now=clock,
                )
                db.session.commit()
                took = time.perf_counter() - started
                queue.end_booking(
                    db.session, organization, head.id, actor=Actor("staff"), now=clock
                )
                db.session.commit()
                with lock:
                    out["won"].append(took)
            except (AlreadyAssigned, BookingConflict):
                db.session.rollback()
                with lock:
                    out["lost"] += 1
            clock += timedelta(seconds=1)


def run(label: str, uri: str, args) -> None:
    app, organization_id, service_id = setup(uri, args.providers)
    started = time.perf_counter()
    joins = join_all(app, organization_id, service_id, args.waiting)
    join_seconds = time.perf_counter() - started
    with app.app_context():
        resource_ids = list(db.session.scalars(select(Resource.id)))
    out: dict = {"won": [], "lost": 0}
    lock = threading.Lock()
    threads = [
        threading.Thread(target=provider, args=(app, organization_id, r, out, lock))
        for r in resource_ids
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assign_seconds = time.perf_counter() - started
    with app.app_context():
        assigned_twice = db.session.scalar(
            select(func.count()).select_from(
                select(BookingHistory.booking_id)
                .where(BookingHistory.to_status == "CONFIRMED")
                .group_by(BookingHistory.booking_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        still_waiting = db.session.scalar(
            select(func.count()).where(Booking.status == "PENDING_ASSIGNMENT")
        )
        db.engine.dispose()
    p50, p95, _ = percentiles(joins)
    a50, a95, _ = percentiles(out["won"]) if out["won"] else (0, 0, 0)
    print(
        f"{label}: {args.waiting} joins in {join_seconds:.1f} s = "
        f"{args.waiting / join_seconds:.0f}/s (p50 {p50:.1f} ms, p95 {p95:.1f} ms)"
    )
    print(
        f"{label}: {len(out['won'])} assignments by {len(resource_ids)} providers in "
        f"{assign_seconds:.1f} s = {len(out['won']) / assign_seconds:.0f}/s "
        f"(p50 {a50:.1f} ms, p95 {a95:.1f} ms), {out['lost']} lost races"
    )
    print(f"{label}: assigned twice: {assigned_twice}, still waiting: {still_waiting}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--waiting", type=int, default=500)
    parser.add_argument("--providers", type=int, default=20)
    args = parser.parse_args()
    labels = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    with tempfile.TemporaryDirectory() as workdir:
        for label in labels:
            database = Database(args.database_url if label == "postgresql" else None, workdir)
            try:
                run(label, database.fresh("queue"), args)
            finally:
                database.drop_all()


if __name__ == "__main__":
    main()
