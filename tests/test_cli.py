"""The ``mawid`` command line: accounts and organizations, the demo clinic and the benchmark
data, through Flask's CLI runner and once through the installed console script."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW
from webapp import create_app
from webapp.booking import intervals as iv
from webapp.booking.availability import find_available_slots
from webapp.booking.slots import grid_for_website
from webapp.extensions import db
from webapp.models import (
    ApiKey,
    Booking,
    BookingType,
    CustomField,
    Invoice,
    Member,
    Organization,
    Resource,
    User,
    Website,
)

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """The CLI's clock reads the tests' fixed "now" (Saturday 21 November 2026, Riyadh)."""
    monkeypatch.setattr("webapp.cli.utcnow", lambda: NOW)


def mawid(runner, *args: str):
    return runner.invoke(args=list(args))


def printed(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def create_account(runner, email="owner@example.com", password=PASSWORD):
    return mawid(runner, "create-account", "--email", email, "--password", password, "--json")


def row_counts(session) -> dict[str, int]:
    models = (User, ApiKey, Organization, Website, Member)
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in models}


def database_bytes(app) -> bytes:
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    files = [path, path.with_name(path.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


# --- accounts and organizations ----------------------------------------------------------


def test_create_account_prints_a_key_that_is_stored_only_hashed(app, session, runner):
    account = printed(create_account(runner, email="  Amal@Example.COM "))

    assert set(account) == {"userId", "email", "apiKey"}
    assert account["email"] == "amal@example.com"
    key = session.scalars(select(ApiKey)).one()
    assert (key.scope, key.user_id) == ("account", account["userId"])
    assert key.key_hash == hashlib.sha256(account["apiKey"].encode()).hexdigest()
    assert account["apiKey"].encode() not in database_bytes(app)
    assert session.get(User, account["userId"]).check_password(PASSWORD)


def test_create_organization_prints_the_ids_of_its_website(session, runner):
    account = printed(create_account(runner))

    created = printed(
        mawid(
            runner,
            "create-organization",
            "--owner",
            "owner@example.com",
            "--name",
            "Riyadh Dental",
            "--timezone",
            "Asia/Riyadh",
            "--slug",
            "riyadh-dental",
            "--json",
        )
    )

    assert set(created) == {"organizationId", "appId", "slug"}
    website = session.scalars(select(Website)).one()
    assert (website.organization_id, website.app_id, website.slug) == (
        created["organizationId"],
        created["appId"],
        "riyadh-dental",
    )
    organization = session.get(Organization, created["organizationId"])
    assert (organization.name, organization.timezone) == ("Riyadh Dental", "Asia/Riyadh")
    member = session.scalars(select(Member)).one()
    assert (member.user_id, member.role) == (account["userId"], "owner")


def new_organization(*extra: str, owner="owner@example.com", timezone="Asia/Riyadh"):
    """Arguments of ``create-organization`` (JSON output) for a clinic owned by ``owner``."""
    base = ["create-organization", "--owner", owner, "--name", "Clinic", "--timezone", timezone]
    return [*base, "--json", *extra]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["create-account", "--email", "OWNER@example.com", "--password", PASSWORD],
            "already exists",
            id="duplicate-email",
        ),
        pytest.param(
            ["create-account", "--email", "new@example.com", "--password", "short"],
            "at least 8 characters",
            id="short-password",
        ),
        pytest.param(
            ["create-account", "--email", "not-an-email", "--password", PASSWORD],
            "valid email",
            id="invalid-email",
        ),
        pytest.param(
            new_organization(timezone="Mars/Olympus_Mons"),
            "Mars/Olympus_Mons",
            id="invalid-timezone",
        ),
        pytest.param(new_organization("--slug", "admin"), "'admin' is reserved", id="reserved"),
        pytest.param(new_organization("--slug", "Not A Slug!"), "slug may use", id="bad-slug"),
        pytest.param(
            new_organization(owner="nobody@example.com"),
            "No account with email nobody@example.com",
            id="unknown-owner",
        ),
    ],
)
def test_bad_input_fails_clearly_and_writes_nothing(session, runner, args, message):
    printed(create_account(runner))
    before = row_counts(session)

    result = mawid(runner, *args)

    assert result.exit_code != 0
    assert message in result.stderr
    assert result.stdout == ""
    assert row_counts(session) == before


def test_a_taken_slug_is_refused(session, runner):
    printed(create_account(runner))
    printed(mawid(runner, *new_organization("--slug", "clinic")))

    result = mawid(runner, *new_organization("--slug", "clinic"))

    assert result.exit_code != 0
    assert "already taken" in result.stderr
    assert session.scalar(select(func.count()).select_from(Organization)) == 1


def test_the_console_script_sets_up_a_database_account_and_organization(tmp_path):
    script = Path(sys.executable).with_name("mawid")
    if not script.exists():
        pytest.skip(f"the mawid console script is not installed next to {sys.executable}")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'console.sqlite3'}",
        "SECRET_KEY": "test-secret",
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(script), *args], env=env, capture_output=True, text=True, timeout=120
        )

    initialized = run("init-db")
    assert initialized.returncode == 0, initialized.stderr
    # The widget's bundles are built with the schema, before any server starts.
    assert "/static/gen/scheduling-sdk." in initialized.stdout
    account = json.loads(
        run(
            "create-account", "--email", "huda@example.com", "--password", PASSWORD, "--json"
        ).stdout
    )
    created = run(
        "create-organization",
        "--owner",
        "huda@example.com",
        "--name",
        "Huda's Salon",
        "--timezone",
        "Asia/Dubai",
        "--json",
    )
    organization = json.loads(created.stdout)
    refused = run("create-account", "--email", "huda@example.com", "--password", PASSWORD)

    assert account["email"] == "huda@example.com"
    assert account["apiKey"].startswith("mwd_")
    assert organization["slug"] == "huda-s-salon"
    assert len(organization["appId"]) == 20
    assert refused.returncode != 0
    assert "already exists" in refused.stderr


# --- the demo clinic -------------------------------------------------------------------


@pytest.fixture
def demo(session, runner) -> dict:
    return printed(mawid(runner, "demo", "--base-url", "http://localhost:5000/"))


def test_demo_prints_its_urls_logins_and_keys(session, demo):
    assert demo["slug"] == "demo"
    assert demo["urls"] == {
        "home": "http://localhost:5000/",
        "bookingSite": "http://localhost:5000/demo/",
        "widget": f"http://localhost:5000/embed/{demo['appId']}/try",
        "admin": "http://localhost:5000/admin/",
        "api": "http://localhost:5000/api/",
        "health": "http://localhost:5000/healthz",
    }
    logins = {login["role"]: login for login in demo["logins"]}
    assert logins["owner"]["email"] == "owner@demo.mawid.test"
    assert logins["staff"]["email"] == "staff@demo.mawid.test"
    for login in logins.values():
        user = session.scalars(select(User).where(User.email == login["email"])).one()
        assert user.check_password(login["password"])
    staff = session.scalars(
        select(Member).join(User).where(User.email == "staff@demo.mawid.test")
    ).one()
    assert staff.role == "staff"
    assert [r.name for r in staff.resources] == ["Dr. Sara Al-Qahtani"]
    hashes = set(session.scalars(select(ApiKey.key_hash)))
    for key in demo["apiKeys"].values():
        assert hashlib.sha256(key.encode()).hexdigest() in hashes
    assert len(demo["resources"]) == 4
    assert len(demo["bookingTypes"]) == 5


def test_demo_website_is_set_up_in_english_and_arabic(session, demo):
    website = session.scalars(select(Website).where(Website.slug == "demo")).one()

    assert website.app_id == demo["appId"]
    # The demo's own address may frame its widget, for the "try" page.
    assert website.allowed_domains == ["http://localhost:5000", "http://localhost:8080"]
    for version in ("default", "draft"):
        settings = website.version(version)
        assert settings.display_name == "Demo Clinic"
        assert settings.booking_policy == "specifyAndLeastFirst"
        assert settings.booking_time_splitting == "oclockAndHalf"
        assert settings.translations["ar"]["displayName"]
        assert settings.translations["ar"]["bookingSuccessMessage"]
    resources = session.scalars(
        select(Resource).where(Resource.organization_id == demo["organizationId"])
    ).all()
    assert all(r.name_translations.get("ar") for r in resources)
    assert {r.category.name for r in resources} == {"Olaya Branch", "Malqa Branch"}
    customer_fields = session.scalars(
        select(CustomField.key).where(CustomField.scope == "customer")
    ).all()
    assert {"phoneNumber", "firstName", "lastName", "email"} <= set(customer_fields)


def test_demo_bookings_are_upcoming_and_in_the_designed_states(session, demo):
    everything = session.scalars(
        select(Booking).where(Booking.organization_id == demo["organizationId"])
    ).all()
    queued = [b for b in everything if b.status == "PENDING_ASSIGNMENT"]
    bookings = [b for b in everything if b not in queued]

    assert sorted(b.id for b in queued) == sorted(w["id"] for w in demo["queue"])
    assert {b.booking_type.name for b in queued} == {"Dental checkup"}
    assert Counter(b.status for b in bookings) == {
        "CONFIRMED": 5,
        "PENDING_APPROVAL": 1,
        "CANCELED": 1,
    }
    assert all(b.start_at > NOW and b.customer_id for b in bookings)
    assert {b["id"] for b in demo["bookings"]} == {b.id for b in bookings}
    by_type = {b.booking_type.name: b for b in bookings if b.status != "CANCELED"}
    assert by_type["Orthodontic consultation"].status == "PENDING_APPROVAL"
    cleaning = by_type["Dental cleaning"]  # deep cleaning (+15 min, +80) and 2 extra teeth
    assert (cleaning.duration, str(cleaning.price)) == (30 + 15 + 2 * 10, "250.00")
    root_canal = by_type["Root canal treatment"]
    assert root_canal.block_start == root_canal.start_at - timedelta(minutes=10)
    assert root_canal.block_end == root_canal.end_at + timedelta(minutes=15)
    whitening = by_type["Teeth whitening"]  # paid online: its deposit was paid at the desk
    assert str(whitening.price) == "150.00"
    invoice = session.scalars(select(Invoice).where(Invoice.booking_id == whitening.id)).one()
    assert (invoice.status, str(invoice.amount_paid), str(invoice.balance)) == (
        "PARTIALLY_PAID",
        "50.00",
        "100.00",
    )


def test_demo_services_have_free_times_that_skip_its_bookings(session, demo):
    organization = session.get(Organization, demo["organizationId"])
    grid = grid_for_website("oclockAndHalf")
    first = NOW.astimezone(iv.zone("Asia/Riyadh")).date() + timedelta(days=1)
    taken = {
        (b.resource_id, b.start_at)
        for b in session.scalars(select(Booking).where(Booking.status == "CONFIRMED"))
    }

    for booking_type in demo["bookingTypes"]:
        found = find_available_slots(
            session,
            organization,
            booking_type["id"],
            first,
            first + timedelta(days=6),
            timezone="Asia/Riyadh",
            grid=grid,
            now=NOW,
        )
        offered = {(r, s.start) for d in found.days for s in d.slots for r in s.resource_ids}
        assert offered, booking_type["name"]
        assert not offered & taken


def test_demo_resource_filter_narrows_the_doctors(session, demo):
    organization = session.get(Organization, demo["organizationId"])
    checkup = session.scalars(select(BookingType).where(BookingType.name == "Dental checkup")).one()
    omar = session.scalars(select(Resource).where(Resource.name == "Dr. Omar Haddad")).one()
    first = NOW.astimezone(iv.zone("Asia/Riyadh")).date() + timedelta(days=1)

    found = find_available_slots(
        session,
        organization,
        checkup.id,
        first,
        first + timedelta(days=6),
        timezone="Asia/Riyadh",
        grid=grid_for_website("oclockAndHalf"),
        now=NOW,
        resource_filters={"specialty": "orthodontics"},
    )

    assert {r for d in found.days for s in d.slots for r in s.resource_ids} == {omar.id}


def test_demo_refuses_to_load_twice(session, runner, demo):
    again = mawid(runner, "demo")

    assert again.exit_code != 0
    assert "already loaded" in again.output
    assert session.scalar(select(func.count()).select_from(Organization)) == 1


def test_demo_if_empty_skips_a_database_in_use(session, runner):
    printed(create_account(runner))
    printed(mawid(runner, *new_organization()))

    result = printed(mawid(runner, "demo", "--if-empty"))

    assert "skipped" in result["demo"]
    assert (
        session.scalar(select(func.count()).select_from(Website).where(Website.slug == "demo")) == 0
    )


# --- benchmark data --------------------------------------------------------------------

SEED_BENCH = ("seed-bench", "--resources", "3", "--days", "5", "--bookings", "50")


@pytest.fixture
def second_app(tmp_path):
    """Another application on its own fresh database."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'second.sqlite3'}",
        }
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def seed_bench(app, seed: int) -> tuple[dict, list]:
    ids = printed(app.test_cli_runner().invoke(args=[*SEED_BENCH, "--seed", str(seed), "--json"]))
    position = {rid: i for i, rid in enumerate(ids["resourceIds"])}
    with app.app_context():
        bookings = db.session.scalars(
            select(Booking)
            .where(Booking.organization_id == ids["organizationId"])
            .order_by(Booking.start_at)
        ).all()
        rows = [
            (position[b.resource_id], b.start_at, b.block_start, b.block_end, b.status)
            for b in bookings
        ]
    return ids, rows


def test_seed_bench_is_the_same_for_the_same_seed(app, second_app):
    ids, rows = seed_bench(app, seed=7)
    _, same = seed_bench(second_app, seed=7)
    _, other = seed_bench(app, seed=8)

    assert set(ids) == {"organizationId", "appId", "typeId", "resourceIds", "apiKey"}
    assert len(ids["resourceIds"]) == 3
    assert len(rows) == 50
    assert [r[:2] for r in rows] == [r[:2] for r in same]
    assert [r[:2] for r in rows] != [r[:2] for r in other]


def test_seed_bench_bookings_never_overlap(app):
    ids, rows = seed_bench(app, seed=7)

    blocks = defaultdict(list)
    for resource, start, block_start, block_end, status in rows:
        assert status == "CONFIRMED"
        assert NOW < start < NOW + timedelta(days=6)
        assert (block_start, block_end) == (
            start - timedelta(minutes=5),
            start + timedelta(minutes=40),
        )
        blocks[resource].append((block_start, block_end))
    for spans in blocks.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_seed_bench_data_answers_availability(app, session):
    ids, rows = seed_bench(app, seed=7)
    organization = session.get(Organization, ids["organizationId"])
    first = NOW.astimezone(iv.zone("Asia/Riyadh")).date() + timedelta(days=1)

    found = find_available_slots(
        session,
        organization,
        ids["typeId"],
        first,
        first + timedelta(days=4),
        timezone="Asia/Riyadh",
        grid=grid_for_website("oclockAndHalf"),
        now=NOW,
    )

    offered = {(r, s.start) for d in found.days for s in d.slots for r in s.resource_ids}
    booked = {(ids["resourceIds"][r], start) for r, start, *_ in rows}
    assert offered
    assert not offered & booked
    key = session.scalars(select(ApiKey).where(ApiKey.organization_id == organization.id)).one()
    assert key.key_hash == hashlib.sha256(ids["apiKey"].encode()).hexdigest()


def test_seed_bench_refuses_more_bookings_than_fit(session, runner):
    result = mawid(runner, "seed-bench", "--resources", "1", "--days", "1", "--bookings", "31")

    assert result.exit_code != 0
    assert "do not fit" in result.output
    assert session.scalar(select(func.count()).select_from(Organization)) == 0


def test_demo_and_bench_data_load_on_each_database(any_app):
    runner = any_app.test_cli_runner()

    demo = printed(runner.invoke(args=["demo"]))
    bench = printed(runner.invoke(args=[*SEED_BENCH, "--seed", "7", "--json"]))

    with any_app.app_context():
        counts = dict(
            db.session.execute(
                select(Booking.organization_id, func.count()).group_by(Booking.organization_id)
            ).all()
        )
    assert counts == {demo["organizationId"]: 7 + 2, bench["organizationId"]: 50}  # 2 queued


def test_allowed_domains_are_listed_added_and_removed_as_origins(session, runner, demo):
    added = runner.invoke(
        args=["allowed-domains", "demo", "--add", "HTTPS://Shop.Example.com:443/", "--json"]
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["allowedDomains"] == [
        "http://localhost:5000",
        "http://localhost:8080",
        "https://shop.example.com",
    ]
    removed = runner.invoke(
        args=[
            "allowed-domains",
            "demo",
            "--remove",
            "http://localhost:5000",
            "--remove",
            "http://localhost:8080",
            "--remove",
            "https://shop.example.com",
        ]
    )
    assert removed.exit_code == 0
    assert "browsers will refuse it" in removed.output
    session.expire_all()
    assert session.scalar(select(Website).where(Website.slug == "demo")).allowed_domains == []


def test_allowed_domains_refuses_what_is_not_an_origin(session, runner, demo):
    refused = runner.invoke(
        args=["allowed-domains", "demo", "--add", "https://a.com; script-src *"]
    )
    assert refused.exit_code == 2
    assert "not an origin" in refused.output
    session.expire_all()
    website = session.scalar(select(Website).where(Website.slug == "demo"))
    assert website.allowed_domains == ["http://localhost:5000", "http://localhost:8080"]
