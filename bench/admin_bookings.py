"""Server time of the staff admin's bookings list on a busy tenant, in-process.

One organization from ``webapp.benchdata.seed_bench`` (20 resources, 90 days, 10,000
bookings by default), with 2,000 customers spread over the bookings. Signed in as its owner,
the Flask test client asks for the list the way the page does (HTMX swapping the results
under the filters) and times each ``client.get`` with ``time.perf_counter``:

  default    today onwards, 50 rows (the page as it opens)
  filtered   one resource, CONFIRMED, a 14-day range, 50 rows
  search     a customer search ("q") over names, emails and phones, 50 rows
  page 3     the third page of the default list through its keyset cursor

Each is asked ``--warmup`` times untimed, then ``--requests`` times; it prints p50 / p95 /
max milliseconds and the SQL statements one request runs. Target: p95 <= 50 ms.

    .venv/bin/python bench/admin_bookings.py
    .venv/bin/python bench/admin_bookings.py --bookings 20000 --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from availability import Database  # noqa: E402  (the benchmark beside this one)
from public_pages import counting_statements, percentiles  # noqa: E402
from sqlalchemy import select, update  # noqa: E402

from webapp import benchdata, create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Booking, Customer, Member  # noqa: E402
from webapp.models.types import new_id  # noqa: E402

TARGET_P95_MS = 50.0
HX = {"HX-Request": "true", "HX-Target": "booking-results"}
NEXT = re.compile(r'hx-get="(/admin/bookings\?after=[^"]+)"')


def build(uri: str, args, now: datetime):
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": uri, "MAWID_NOW": now})
    with app.app_context():
        db.create_all()
        ids = benchdata.seed_bench(
            db.session, resources=20, days=90, bookings=args.bookings, seed=7, now=now
        )
        _add_customers(ids["organizationId"], args.customers, random.Random(7), now)
        db.session.commit()
        owner_id = db.session.scalar(
            select(Member.user_id).where(
                Member.organization_id == ids["organizationId"], Member.role == "owner"
            )
        )
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
    return app, ids, owner_id


def _add_customers(organization_id: str, count: int, rng: random.Random, now: datetime) -> None:
    first = ["Sara", "Omar", "Lina", "Fahad", "Noor", "Khalid", "Maha", "Yousef", "Reem", "Ali"]
    last = ["Al-Harbi", "Al-Qahtani", "Haddad", "Saleh", "Nasser", "Karim", "Mansour"]
    rows = [
        {
            "id": new_id(),
            "organization_id": organization_id,
            "first_name": rng.choice(first),
            "last_name": rng.choice(last),
            "email": f"customer{i}@example.com",
            "phone": f"+9665{i:08d}",
            "note": "",
            "lang": "en",
            "data": {},
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    db.session.execute(Customer.__table__.insert(), rows)
    booking_ids = db.session.scalars(
        select(Booking.id).where(Booking.organization_id == organization_id)
    ).all()
    db.session.execute(
        update(Booking.__table__).where(Booking.__table__.c.id == db.bindparam("b_id")),
        [{"b_id": b, "customer_id": rng.choice(rows)["id"]} for b in booking_ids],
    )


def addresses(client, ids, now: datetime) -> list[tuple[str, str]]:
    today = now.date()
    resource = ids["resourceIds"][3]
    later = (today + timedelta(days=13)).isoformat()
    default = "/admin/bookings"
    page = client.get(default).get_data(as_text=True)
    second = NEXT.search(page).group(1).replace("&amp;", "&")
    page = client.get(second, headers={"HX-Request": "true"}).get_data(as_text=True)
    third = NEXT.search(page).group(1).replace("&amp;", "&")
    return [
        ("default", default),
        (
            "filtered",
            f"/admin/bookings?from={today}&to={later}&resource={resource}&status=CONFIRMED",
        ),
        ("search", "/admin/bookings?q=haddad"),
        ("page 3", third),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as workdir:
        database = Database(args.database_url, workdir)
        try:
            app, ids, owner_id = build(database.fresh("admin"), args, now)
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = owner_id
                session["_fresh"] = True
            print(
                f"admin bookings list · {database.label} · {args.bookings} bookings, "
                f"{args.customers} customers, 20 resources · {args.requests} requests each"
            )
            print(f"{'list':<10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'rows':>5} {'SQL':>4}")
            worst = 0.0
            for name, url in addresses(client, ids, now):
                headers = HX if name != "page 3" else {"HX-Request": "true"}
                for _ in range(args.warmup):
                    client.get(url, headers=headers)
                with app.app_context():
                    engine = db.engine
                with counting_statements(engine) as statements:
                    body = client.get(url, headers=headers).get_data(as_text=True)
                rows = body.count("<tr>") - (1 if "<thead>" in body else 0)
                samples = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    response = client.get(url, headers=headers)
                    samples.append(time.perf_counter() - started)
                    if response.status_code != 200:
                        raise SystemExit(f"{url} answered {response.status_code}")
                p50, p95, top = percentiles(samples)
                worst = max(worst, p95)
                print(f"{name:<10} {p50:8.1f} {p95:8.1f} {top:8.1f} {rows:5d} {statements[0]:4d}")
            verdict = "met" if worst <= TARGET_P95_MS else "NOT met"
            print(f"target p95 <= {TARGET_P95_MS:.0f} ms: {verdict} (worst p95 {worst:.1f} ms)")
        finally:
            database.drop_all()


if __name__ == "__main__":
    main()
