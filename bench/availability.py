"""How fast availability is answered, and how it grows with bookings, days and resources.

For each dataset size R x D x B (resources x days x bookings) the script seeds a fresh
database with ``webapp.benchdata.seed_bench``, then times:

  engine   the pure engine alone: ``intervals.working_periods`` + ``slots.resource_slots``
           for every resource over the whole D days, rules and busy blocks preloaded;
  db D     ``availability.find_available_slots`` for every resource over all D days, from a
           fresh session each time (queries, row loading and slot grouping included);
  db 7     the same for the first seven days (what a booking page asks for).

It prints median and p95 milliseconds per size and each median's ratio to the base size.
Targets: db D p95 <= 25 ms at 20x30x5,000; doubling bookings, days or resources costs at
most 2.3x.

    .venv/bin/python bench/availability.py
    .venv/bin/python bench/availability.py --repeat 50 --sizes 20x30x5000,40x30x5000
    .venv/bin/python bench/availability.py --database-url postgresql+psycopg://user@host/db
"""

from __future__ import annotations

import argparse
import gc
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from webapp import benchdata, create_app  # noqa: E402
from webapp.booking import availability  # noqa: E402
from webapp.booking import intervals as iv  # noqa: E402
from webapp.booking import slots as sl  # noqa: E402
from webapp.config import normalize_database_url  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Organization, Website  # noqa: E402

BASE = (20, 30, 5_000)
SIZES = (BASE, (20, 30, 10_000), (20, 60, 5_000), (40, 30, 5_000), (100, 90, 50_000))
TARGET_P95_MS = 25.0
TARGET_DOUBLING = 2.3


def parse_sizes(value: str) -> list[tuple[int, int, int]]:
    sizes = []
    for part in value.split(","):
        r, d, b = (int(x.replace("_", "")) for x in part.lower().split("x"))
        sizes.append((r, d, b))
    return sizes


def summary(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return statistics.median(ms), p95


class Database:
    """A fresh, empty database per dataset: a SQLite file, or a PostgreSQL schema."""

    def __init__(self, url: str | None, workdir: str):
        self.url = normalize_database_url(url) if url else None
        self.workdir = workdir
        self.admin = (
            create_engine(self.url) if self.url and self.url.startswith("postgresql") else None
        )
        self.schemas: list[str] = []
        self.files: list[Path] = []

    @property
    def label(self) -> str:
        return "postgresql" if self.admin is not None else "sqlite"

    def fresh(self, name: str) -> str:
        if self.admin is None:
            folder = Path(self.url.removeprefix("sqlite:///")).parent if self.url else None
            path = Path(folder or self.workdir) / f"mawid-bench-{name}-{secrets.token_hex(3)}.db"
            self.files.append(path)
            return f"sqlite:///{path}"
        schema = f"mawid_bench_{os.getpid()}_{secrets.token_hex(3)}"
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        joiner = "&" if "?" in self.url else "?"
        return f"{self.url}{joiner}options=-csearch_path%3D{schema},public"

    def drop_all(self) -> None:
        for path in self.files:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        if self.admin is None:
            return
        with self.admin.begin() as conn:
            for schema in self.schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.admin.dispose()


def seed(app, size, seed_value: int, now: datetime) -> tuple[dict, float]:
    resources, days, bookings = size
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        ids = benchdata.seed_bench(
            db.session,
            resources=resources,
            days=days,
            bookings=bookings,
            seed=seed_value,
            now=now,
        )
        db.session.commit()
        elapsed = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:  # as autovacuum would, soon after a bulk load
                conn.execute(text("ANALYZE"))
    return ids, elapsed


def first_day(now: datetime, timezone: str) -> date:
    return now.astimezone(iv.zone(timezone)).date() + timedelta(days=1)


def time_engine(app, ids, days: int, now: datetime, repeat: int) -> tuple[list[float], int]:
    """The pure engine over preloaded rules and busy blocks, for all resources and days."""
    with app.app_context():
        organization = db.session.get(Organization, ids["organizationId"])
        grid = _grid(ids)
        ctx = availability.load_context(db.session, organization, ids["typeId"])
        tz = iv.zone(organization.timezone)
        first = first_day(now, organization.timezone)
        last = first + timedelta(days=days - 1)
        window = (
            sl.resolve_local_floor(tz, iv.local_epoch(first)),
            sl.resolve_local_floor(tz, iv.local_epoch(last + timedelta(days=1))),
        )
        margin = timedelta(days=1)
        busy = availability.load_busy(
            db.session,
            ctx.resource_ids,
            iv.from_instant(window[0]) - margin,
            iv.from_instant(window[1]) + margin,
            now,
        )
        db.session.remove()
    now_i = iv.to_instant(now)

    def run() -> int:
        count = 0
        for plan in ctx.plans:
            local_first = iv.local_date(plan.tz, window[0])
            local_last = iv.local_date(plan.tz, window[1] - 1)
            periods = iv.working_periods(plan.schedule, plan.off, plan.tz, local_first, local_last)
            not_before = max(window[0], sl.notice_start(now_i, plan.schedule.notice_hours, plan.tz))
            horizon = sl.horizon_end(now_i, plan.schedule.depth_of_days, plan.tz)
            not_after = window[1] if horizon is None else min(window[1], horizon)
            starts = sl.resource_slots(
                periods, busy[plan.resource.id], ctx.service, grid, plan.tz, not_before, not_after
            )
            count += len(starts)
        return count

    slots = run()  # warm the caches (zones, offsets), as a running server has them
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples, slots


def time_find(app, ids, days: int, now: datetime, repeat: int) -> tuple[list[float], int]:
    """``find_available_slots`` over ``days`` days, from a fresh session each time."""
    samples, slots = [], 0
    for i in range(repeat + 1):  # the first call warms SQLAlchemy's statement cache
        with app.app_context():
            organization = db.session.get(Organization, ids["organizationId"])
            grid = _grid(ids)
            first = first_day(now, organization.timezone)
            started = time.perf_counter()
            found = availability.find_available_slots(
                db.session,
                organization,
                ids["typeId"],
                first,
                first + timedelta(days=days - 1),
                timezone=organization.timezone,
                grid=grid,
                now=now,
            )
            elapsed = time.perf_counter() - started
            db.session.remove()
        if i:
            samples.append(elapsed)
        slots = sum(len(s.resource_ids) for d in found.days for s in d.slots)
    return samples, slots


def _grid(ids) -> sl.SlotGrid:
    website = db.session.scalar(db.select(Website).where(Website.app_id == ids["appId"]))
    settings = website.settings
    return sl.grid_for_website(
        settings.booking_time_splitting,
        settings.fixed_times,
        settings.booking_time_splitting_optimize,
        settings.booking_time_show_midnight,
    )


def measure(database: Database, size, args, now: datetime) -> dict:
    resources, days, bookings = size
    name = f"{resources}x{days}x{bookings}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database.fresh(name)})
    try:
        ids, seeded = seed(app, size, args.seed, now)
        if args.freeze_gc:
            gc.collect()
            gc.freeze()
        engine, engine_slots = time_engine(app, ids, days, now, args.repeat)
        all_days, all_slots = time_find(app, ids, days, now, args.repeat)
        week, _ = time_find(app, ids, min(days, 7), now, args.repeat)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        gc.unfreeze()
    if all_slots != engine_slots:
        raise SystemExit(
            f"{name}: the engine found {engine_slots} slots but the service {all_slots}"
        )
    return {
        "name": name,
        "seed_s": seeded,
        "slots": all_slots,
        "engine": summary(engine),
        "db_all": summary(all_days),
        "db_week": summary(week),
    }


def report(rows: list[dict], label: str) -> None:
    base = next((r for r in rows if r["name"] == "x".join(map(str, BASE))), rows[0])
    print(f"\navailability on {label}; milliseconds (median / p95), ratio = median / base median")
    header = (
        f"{'size':>13} {'seed s':>7} {'slots':>8}  {'engine':>15} {'db D':>15} {'db 7':>15}"
        f"  {'ratio engine':>12} {'db D':>6} {'db 7':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        cells = [f"{r[k][0]:7.2f}/{r[k][1]:7.2f}" for k in ("engine", "db_all", "db_week")]
        ratios = [r[k][0] / base[k][0] for k in ("engine", "db_all", "db_week")]
        print(
            f"{r['name']:>13} {r['seed_s']:7.2f} {r['slots']:8d}  {cells[0]:>15} {cells[1]:>15} "
            f"{cells[2]:>15}  {ratios[0]:12.2f} {ratios[1]:6.2f} {ratios[2]:6.2f}"
        )
    print()
    if base["name"] == "x".join(map(str, BASE)):
        p95 = base["db_all"][1]
        verdict = "meets" if p95 <= TARGET_P95_MS else "MISSES"
        print(f"db D p95 at {base['name']}: {p95:.2f} ms ({verdict} the {TARGET_P95_MS} ms target)")
        for r in rows:
            if r is base or r["name"] == "100x90x50000":
                continue
            worst = max(r[k][0] / base[k][0] for k in ("engine", "db_all", "db_week"))
            verdict = "ok" if worst <= TARGET_DOUBLING else "OVER"
            print(f"{r['name']}: at most {worst:.2f}x the base ({verdict}, {TARGET_DOUBLING}x)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: temporary SQLite files; postgresql+psycopg://... uses a temporary "
        "schema per size, dropped at the end",
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per measure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--freeze-gc",
        action="store_true",
        help="gc.freeze() after each dataset is loaded, as a tuned server does after start-up "
        "(full collections otherwise show up in p95)",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(SIZES),
        help="comma-separated RxDxB, default: " + ",".join("x".join(map(str, s)) for s in SIZES),
    )
    args = parser.parse_args(argv)
    now = datetime.now(UTC).replace(microsecond=0)
    rows = []
    with tempfile.TemporaryDirectory(prefix="mawid-bench-") as workdir:
        database = Database(args.database_url, workdir)
        try:
            for size in args.sizes:
                print(f"seeding and timing {'x'.join(map(str, size))} ...", flush=True)
                rows.append(measure(database, size, args, now))
        finally:
            database.drop_all()
    report(rows, database.label + (", gc frozen" if args.freeze_gc else ""))


if __name__ == "__main__":
    main()
