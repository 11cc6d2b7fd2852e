"""Server time of the public booking website's pages, in-process, one request at a time.

For two data sets (the demo clinic of ``mawid demo``, and a tenant of 20 resources with
5,000 bookings from ``webapp.benchdata.seed_bench``) the script asks the Flask test client
for three addresses and times each ``client.get`` with ``time.perf_counter``:

  home    the website's front page, ``/<slug>/`` (the service step);
  book    the time step, ``/<slug>/book?type=<id>&resource=<any or id>``: the month
          calendar and the first free day's times;
  times   the times of one free day, ``/<slug>/book/times?...&date=<day>``, as HTMX asks
          for it (``HX-Request: true``) when a calendar day is clicked.

Each address is asked ``--warmup`` times untimed, then ``--requests`` times. It prints
p50 / p95 / max wall milliseconds, p50 / p95 of the process's CPU time (less disturbed by
other work on a shared machine), the HTML size (raw and gzipped) and the SQL statements one
request runs. Targets: page (home, book) p95 <= 10 ms, times p95 <= 5 ms, page HTML <= 30 KB.
There is no network, no WSGI server and no TLS in these figures: they are the floor of what
a browser waits for.

    .venv/bin/python bench/public_pages.py
    .venv/bin/python bench/public_pages.py --freeze-gc --requests 1000
    .venv/bin/python bench/public_pages.py --profile         # cProfile of the slowest page
    .venv/bin/python bench/public_pages.py --profile times
    .venv/bin/python bench/public_pages.py --database-url postgresql+psycopg://user@host/db
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import gzip
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from availability import Database  # noqa: E402  (the benchmark beside this one)
from sqlalchemy import event, select, text  # noqa: E402

from webapp import benchdata, create_app, demo  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Website, WebsiteVersion  # noqa: E402
from webapp.public import catalog as cat  # noqa: E402

BENCH_SIZE = (20, 30, 5_000)  # resources x days x bookings
DEMO_TYPE = demo.BOOKING_TYPES["checkup"][0]  # no questions to answer before the times
TARGET_PAGE_P95_MS = 10.0
TARGET_TIMES_P95_MS = 5.0
TARGET_PAGE_KB = 30.0
PAGES = ("home", "book")
HX = {"HX-Request": "true"}
# A calendar day with free times: its classes, then the date in its link.
FREE_DAY = re.compile(r'<a class="cal-day([^"]*)" href="[^"]*date=(\d{4}-\d{2}-\d{2})"')


@dataclass
class Site:
    """What the requests need to know about one data set's website."""

    label: str
    slug: str
    type_id: str
    resource: str  # cat.ANY_RESOURCE or a resource id
    policy: str


@dataclass
class Address:
    name: str
    url: str
    headers: dict[str, str]
    marks: tuple[str, ...]  # strings the answer must contain


# --- databases -----------------------------------------------------------------------------


def build_app(uri: str):
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        db.create_all()
    return app


def analyze() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:  # as autovacuum would, soon after a bulk load
            conn.execute(text("ANALYZE"))


# --- data sets -----------------------------------------------------------------------------


def load_demo(app, now: datetime, resource: str) -> Site:
    with app.app_context():
        result = demo.load_demo(db.session, now=now, base_url="http://localhost")
        db.session.commit()
        analyze()
        type_id = next(t["id"] for t in result["bookingTypes"] if t["name"] == DEMO_TYPE)
        return _site(f"demo ({demo.SLUG})", result["appId"], type_id, resource)


def load_bench(app, now: datetime, resource: str, seed: int) -> Site:
    resources, days, bookings = BENCH_SIZE
    with app.app_context():
        ids = benchdata.seed_bench(
            db.session, resources=resources, days=days, bookings=bookings, seed=seed, now=now
        )
        db.session.commit()
        analyze()
        return _site(f"{resources}x{days}x{bookings}", ids["appId"], ids["typeId"], resource)


def _site(label: str, app_id: str, type_id: str, resource: str) -> Site:
    """Which resource choice the time step gets: ``auto`` follows the website's policy (any
    resource when it offers that, else the first resource that gives the service)."""
    website = db.session.scalar(select(Website).where(Website.app_id == app_id))
    version = db.session.scalar(
        select(WebsiteVersion).where(
            WebsiteVersion.website_id == website.id, WebsiteVersion.version == "default"
        )
    )
    catalog = cat.read_catalog(db.session, website.organization_id)
    if resource == "auto":
        resource = "any" if cat.offers_any_resource(version) else "first"
    first = catalog.resources_for(type_id)[0].id
    resource = first if resource == "first" else cat.ANY_RESOURCE
    db.session.remove()
    return Site(label, website.slug, type_id, resource, version.booking_policy)


# --- requests ------------------------------------------------------------------------------


def addresses(client, site: Site) -> list[Address]:
    """The three addresses; the times are those of the first free day after today that the
    time step's calendar shows (today when it is the only one)."""
    choice = urlencode({"type": site.type_id, "resource": site.resource})
    book = f"/{site.slug}/book?{choice}"
    page = client.get(book)
    html = page.get_data(as_text=True)
    if page.status_code != 200 or 'class="time-step"' not in html:
        raise SystemExit(f"{site.label}: {book} answered {page.status_code}, not the time step")
    free = [(day, "today" in classes.split()) for classes, day in FREE_DAY.findall(html)]
    if not free:
        raise SystemExit(f"{site.label}: the time step shows no day with free times")
    # Today's times depend on the hour the script runs; a later day is a whole day's list.
    day = next((d for d, today in free if not today), free[0][0])
    return [
        Address("home", f"/{site.slug}/", {}, ('id="step-title"',)),
        Address("book", book, {}, ('class="time-step"', 'id="times"', 'name="start"')),
        Address(
            "times",
            f"/{site.slug}/book/times?{choice}&date={day}",
            HX,
            ('id="times"', 'name="start"'),
        ),
    ]


def fetch(client, address: Address):
    response = client.get(address.url, headers=address.headers)
    if response.status_code != 200:
        raise SystemExit(f"{address.url} answered {response.status_code}")
    return response


def check(response, address: Address) -> bytes:
    body = response.get_data()
    html = body.decode()
    missing = [m for m in address.marks if m not in html]
    if missing:
        raise SystemExit(f"{address.url}: the answer lacks {', '.join(missing)}")
    return body


@contextmanager
def counting_statements(engine) -> Iterator[list[int]]:
    count = [0]

    def _count(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max, in milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return statistics.median(ms), p95, ms[-1]


def time_address(app, client, address: Address, args) -> dict:
    for _ in range(args.warmup):
        fetch(client, address)
    with app.app_context():
        engine = db.engine
    with counting_statements(engine) as statements:
        body = check(fetch(client, address), address)
    samples, cpu = [], []
    for _ in range(args.requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(address.url, headers=address.headers)
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        if response.status_code != 200:
            raise SystemExit(f"{address.url} answered {response.status_code}")
    return {
        "name": address.name,
        "ms": percentiles(samples),
        "cpu_ms": percentiles(cpu),
        "kb": len(body) / 1024,
        "gzip_kb": len(gzip.compress(body)) / 1024,
        "statements": statements[0],
    }


def profile(client, address: Address, requests: int, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(address.url, headers=address.headers)
    profiler.disable()
    print(f"\ncProfile of {requests} requests to {address.url} (cumulative, top {top})")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(top)


def measure(site_loader, uri: str, args) -> tuple[Site, list[dict]]:
    app = build_app(uri)
    try:
        site = site_loader(app)
        if args.freeze_gc:
            gc.collect()
            gc.freeze()
        client = app.test_client()
        targets = addresses(client, site)
        rows = [time_address(app, client, address, args) for address in targets]
        if args.profile:
            slowest = max(rows, key=lambda r: r["ms"][1])["name"]
            wanted = slowest if args.profile == "slowest" else args.profile
            address = next(a for a in targets if a.name == wanted)
            profile(client, address, args.requests, args.profile_top)
        return site, rows
    finally:
        gc.unfreeze()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- report --------------------------------------------------------------------------------


def verdicts(row: dict) -> str:
    p95 = row["ms"][1]
    if row["name"] in PAGES:
        time_ok = p95 <= TARGET_PAGE_P95_MS
        size_ok = row["kb"] <= TARGET_PAGE_KB
        return (
            f"p95 <= {TARGET_PAGE_P95_MS:g} ms {'ok' if time_ok else 'MISSED'}, "
            f"<= {TARGET_PAGE_KB:g} KB {'ok' if size_ok else 'MISSED'}"
        )
    ok = p95 <= TARGET_TIMES_P95_MS
    return f"p95 <= {TARGET_TIMES_P95_MS:g} ms {'ok' if ok else 'MISSED'}"


def report(results: list[tuple[Site, list[dict]]], label: str, args) -> None:
    print(
        f"\npublic pages on {label}; {args.requests} requests each after {args.warmup} "
        "warm-up; milliseconds"
    )
    header = (
        f"{'data set':<16} {'page':<6} {'p50':>7} {'p95':>7} {'max':>7} {'cpu p50':>8} "
        f"{'cpu p95':>8} {'KB':>6} {'gz KB':>6} {'SQL':>4}  targets (wall p95, KB)"
    )
    print(header)
    print("-" * len(header))
    for site, rows in results:
        for row in rows:
            p50, p95, most = row["ms"]
            cpu50, cpu95, _most = row["cpu_ms"]
            print(
                f"{site.label:<16} {row['name']:<6} {p50:7.2f} {p95:7.2f} {most:7.2f} "
                f"{cpu50:8.2f} {cpu95:8.2f} {row['kb']:6.1f} {row['gzip_kb']:6.1f} "
                f"{row['statements']:4d}  {verdicts(row)}"
            )
    print()
    for site, _rows in results:
        chosen = (
            "any resource" if site.resource == cat.ANY_RESOURCE else f"resource {site.resource}"
        )
        print(f"{site.label}: /{site.slug}/, policy {site.policy}, time step with {chosen}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: temporary SQLite files; postgresql+psycopg://... uses a temporary "
        "schema per data set, dropped at the end",
    )
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=1, help="seed of the 20x30x5000 data")
    parser.add_argument(
        "--resource",
        choices=("auto", "any", "first"),
        default="auto",
        help="resource chosen on the time step: auto follows the website's policy "
        "(any resource when offered, else the first resource)",
    )
    parser.add_argument(
        "--freeze-gc",
        action="store_true",
        help="gc.freeze() once the data is loaded, as a tuned server does after start-up "
        "(full collections otherwise show up in p95)",
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="slowest",
        choices=("slowest", "home", "book", "times"),
        help="after timing, run cProfile over this page of each data set (by default the "
        "one with the highest p95)",
    )
    parser.add_argument("--profile-top", type=int, default=30, help="functions to print")
    args = parser.parse_args(argv)
    now = datetime.now(UTC).replace(microsecond=0)
    loaders = (
        ("demo", lambda app: load_demo(app, now, args.resource)),
        ("bench", lambda app: load_bench(app, now, args.resource, args.seed)),
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="mawid-bench-") as workdir:
        database = Database(args.database_url, workdir)  # a fresh one per data set
        try:
            for name, loader in loaders:
                print(f"loading and timing {name} ...", flush=True)
                results.append(measure(loader, database.fresh(name), args))
        finally:
            database.drop_all()
    report(results, database.label + (", gc frozen" if args.freeze_gc else ""), args)


if __name__ == "__main__":
    main()
