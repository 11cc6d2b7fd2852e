"""Benchmark data (``mawid seed-bench``): one organization with R resources
working every day 08:00-12:00 and 13:00-20:00, one 30-minute booking type with buffers, and
B confirmed bookings spread over the next D days, the same for the same seed.

Bookings sit on a per-resource grid of cells as long as one booking's block (buffers
included), so no two ever overlap; ``random.Random(seed)`` chooses which cells are taken.
Working-hour cells fill first; only when B exceeds them (14 per resource and day) do bookings
spill into the early morning, lunch hour and evening, as staff bookings outside hours would.
Rows go in with bulk inserts: 50,000 bookings take seconds, not minutes.
"""

from __future__ import annotations

import random
import secrets
import string
from datetime import UTC, datetime, timedelta

import click
from sqlalchemy import insert
from sqlalchemy.orm import Session

from webapp import accounts
from webapp.booking import intervals as iv
from webapp.booking import slots as sl
from webapp.models import (
    Booking,
    BookingStatus,
    BookingType,
    Resource,
    TimeRules,
    resource_types,
)
from webapp.models.types import ID_LENGTH

# A zone without daylight saving time, so a day's cells are plain offsets from its midnight.
TIMEZONE = "Asia/Riyadh"
EVERY_DAY = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
WORKING_HOURS = ((8 * 60, 12 * 60), (13 * 60, 20 * 60))  # minutes after midnight
SERVICE = sl.Service(duration=30, before=5, after=10)
_ALPHABET = string.ascii_letters + string.digits


def _cells(periods: tuple[tuple[int, int], ...]) -> list[int]:
    """Block starts (minutes after midnight) packing whole blocks into ``periods``."""
    step = SERVICE.block_minutes
    return [m for a, b in periods for m in range(a, b - step + 1, step)]


# Each cell is a block start; the booking itself starts `before` minutes later.
WORKING_CELLS = _cells(WORKING_HOURS)
OFF_HOURS_CELLS = _cells(((0, 8 * 60), (12 * 60, 13 * 60), (20 * 60, 24 * 60)))


class TooManyBookings(click.UsageError):
    """More bookings asked for than fit without overlaps; the CLI prints it and exits 2."""


def capacity(resources: int, days: int) -> int:
    return resources * days * (len(WORKING_CELLS) + len(OFF_HOURS_CELLS))


def seed_bench(
    session: Session, *, resources: int, days: int, bookings: int, seed: int, now: datetime
) -> dict:
    """Create the benchmark organization; answer its ids and an organization API key."""
    if bookings > capacity(resources, days):
        raise TooManyBookings(
            f"{bookings} bookings do not fit on {resources} resources over {days} days "
            f"(at most {capacity(resources, days)} without overlaps)"
        )
    owner = accounts.create_user(
        session,
        email=f"bench-{secrets.token_hex(6)}@bench.mawid.test",
        password=secrets.token_urlsafe(16),
        name="Benchmark owner",
    )
    organization, website = accounts.create_organization(
        session,
        owner=owner,
        name=f"Benchmark {resources}x{days}x{bookings} seed {seed}",
        timezone=TIMEZONE,
    )
    booking_type = BookingType(
        organization_id=organization.id,
        name="Consultation",
        minutes=SERVICE.duration,
        leave_minutes_before=SERVICE.before,
        leave_minutes_after=SERVICE.after,
        auto_confirm=True,
    )
    session.add(booking_type)
    session.flush()

    new_id = _id_maker()
    resource_ids = [new_id() for _ in range(resources)]
    _insert_resources(session, organization.id, booking_type.id, resource_ids, days, now)
    rows = _booking_rows(
        resource_ids,
        days,
        bookings,
        random.Random(seed),
        now,
        new_id,
        organization_id=organization.id,
        website_id=website.id,
        booking_type_id=booking_type.id,
        currency=organization.currency,
    )
    for chunk in range(0, len(rows), 5000):
        session.execute(insert(Booking), rows[chunk : chunk + 5000])
    api_key = accounts.issue_organization_key(session, organization, "bench")
    return {
        "organizationId": organization.id,
        "appId": website.app_id,
        "typeId": booking_type.id,
        "resourceIds": resource_ids,
        "apiKey": api_key,
    }


def _id_maker():
    """Fast random public ids (50,000 of them), unpredictable across runs."""
    rng = random.Random(secrets.randbits(128))
    return lambda: "".join(rng.choices(_ALPHABET, k=ID_LENGTH))


def _insert_resources(session, organization_id, type_id, resource_ids, days, now) -> None:
    width = len(str(len(resource_ids)))
    session.execute(
        insert(Resource),
        [
            {
                "id": rid,
                "organization_id": organization_id,
                "name": f"Resource {i + 1:0{width}d}",
                "position": i,
                "created_at": now,
                "updated_at": now,
            }
            for i, rid in enumerate(resource_ids)
        ],
    )
    session.execute(
        insert(resource_types),
        [{"resource_id": rid, "booking_type_id": type_id} for rid in resource_ids],
    )
    times = [
        {"start": a // 60 * 100 + a % 60, "end": b // 60 * 100 + b % 60} for a, b in WORKING_HOURS
    ]
    session.execute(
        insert(TimeRules),
        [
            {
                "resource_id": rid,
                "organization_id": organization_id,
                # The horizon counts today, so the last booked day stays inside it.
                "depth_of_days": days + 2,
                "schedule_after_hours_from_now": 0,
                "rules": [{"days": EVERY_DAY, "times": times}],
                "updated_at": now,
            }
            for rid in resource_ids
        ],
    )


def _booking_rows(resource_ids, days, bookings, rng, now, new_id, **common) -> list[dict]:
    """``bookings`` distinct cells, drawn from working-hour cells first, from tomorrow on."""
    tz = iv.zone(TIMEZONE)
    first = now.astimezone(tz).date() + timedelta(days=1)
    midnights = [
        sl.resolve_local_floor(tz, iv.local_epoch(first + timedelta(days=d))) for d in range(days)
    ]
    cells = []
    for pool in (WORKING_CELLS, OFF_HOURS_CELLS):
        size = len(resource_ids) * days * len(pool)
        wanted = min(bookings - len(cells), size)
        # A cell number n is (resource, day, cell of the pool), resource-major.
        for n in sorted(rng.sample(range(size), wanted)):
            r, rest = divmod(n, days * len(pool))
            d, c = divmod(rest, len(pool))
            cells.append((r, midnights[d] + pool[c] * 60))
    before = SERVICE.before * 60
    length = SERVICE.duration * 60
    block = SERVICE.block_minutes * 60
    status = BookingStatus.CONFIRMED.value
    rows = []
    for r, block_start in sorted(cells):
        start = block_start + before
        rows.append(
            {
                "id": new_id(),
                "resource_id": resource_ids[r],
                "status": status,
                "start_at": _utc(start),
                "end_at": _utc(start + length),
                "block_start": _utc(block_start),
                "block_end": _utc(block_start + block),
                "duration": SERVICE.duration,
                "info": {},
                "time_adjusters": {},
                "note": "",
                "source": "bench",
                "created_at": now,
                "updated_at": now,
                **common,
            }
        )
    return rows


def _utc(instant: int) -> datetime:
    return datetime.fromtimestamp(instant, UTC)
