"""Fixtures: an app on a fresh SQLite file per test, and the same on PostgreSQL when
TEST_DATABASE_URL points at a server (each test process, one per xdist worker, gets its own
schema)."""

from __future__ import annotations

import gc
import os
import secrets
from datetime import UTC, datetime
from functools import partial

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash

from tests.chromium import session_browser
from webapp import create_app
from webapp.config import normalize_database_url
from webapp.extensions import db
from webapp.models import users

PG_URL = os.environ.get("TEST_DATABASE_URL")
# A fixed "now" so tests read like a calendar: Saturday 21 November 2026, 09:00 in Riyadh.
NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def deliver_notifications(app) -> list[dict]:
    """One worker round now, as the background worker would run after a request, so the
    emails and webhooks of what just happened go out; answers the captured messages."""
    from webapp.notify import worker

    with app.app_context():
        worker.run_once()
        db.session.remove()
    return app.config.get("MESSAGES_CAPTURE", [])


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the whole run: every test builds its own app, and
    compiling the same templates again for each one was a large part of the suite's time.
    Entries are keyed by template name and source checksum, so a changed template compiles
    anew."""

    def __init__(self):
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self.codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = _SharedTemplateCode()


def _share_url_builders() -> None:
    """The URL-building functions of the rules, made once for the whole run: every test's app
    adds the same ~230 rules, and compiling two such functions for each was most of the time
    an app takes to build. A function depends only on the rule's text, its parts and its
    defaults (it reaches the rule's converters through the rule it is bound to), so that is
    its key; a rule that differs in any of them gets its own."""
    compile_builder = Rule._compile_builder
    builders: dict[tuple, object] = {}

    def shared_builder(rule: Rule, append_unknown: bool = True):
        defaults = rule.defaults or {}
        key = (
            rule.rule,
            append_unknown,
            tuple(rule._trace),
            tuple(defaults),
            tuple(
                rule._converters[name].to_url(defaults[name])
                for dynamic, name in rule._trace
                if dynamic and name in defaults
            ),
        )
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = compile_builder(rule, append_unknown)
        return builder

    Rule._compile_builder = shared_builder


_share_url_builders()


def pytest_collection_finish(session):
    """What importing and collecting made lives all run long: keep it out of the garbage
    collector's scans, which otherwise slow down as the run goes on."""
    gc.collect()
    gc.freeze()


def _app_config(uri: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": uri,
        "WORKER_INTERVAL_SECONDS": 0.05,
        # Pages take "now" from here, so the booking website reads like a calendar too.
        "MAWID_NOW": NOW,
        # Links in emails the worker writes (the test client's own address).
        "PUBLIC_BASE_URL": "http://localhost",
        **extra,
    }


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch):
    """Accounts made by tests get a cheap password hash; the real one costs ~0.1 s each."""
    monkeypatch.setattr(
        users, "generate_password_hash", partial(generate_password_hash, method="pbkdf2:sha256:1")
    )


@pytest.fixture(scope="session")
def pg_schema():
    """A private schema on the PostgreSQL server, with every table, for this test process
    (each xdist worker has one of its own)."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    schema = f"mawid_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(normalize_database_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    app = create_app(_app_config(_pg_uri(schema)))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield schema
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _pg_uri(schema: str) -> str:
    url = normalize_database_url(PG_URL)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema},public"


def _sqlite_app(tmp_path):
    app = create_app(
        _app_config(
            f"sqlite:///{tmp_path / 'test.sqlite3'}",
            UPLOAD_FOLDER=str(tmp_path / "uploads"),
            MEDIA_FOLDER=str(tmp_path / "media"),
        )
    )
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    with app.app_context():
        db.create_all()
    return app


def _pg_app(schema: str):
    app = create_app(_app_config(_pg_uri(schema)))
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    with app.app_context():
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return app


def _finish(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    """The application on a fresh SQLite database."""
    app = _sqlite_app(tmp_path)
    yield app
    _finish(app)


@pytest.fixture
def pg_app(pg_schema):
    """The application on PostgreSQL (skipped without TEST_DATABASE_URL)."""
    app = _pg_app(pg_schema)
    yield app
    _finish(app)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request, tmp_path):
    """The application on each database in turn."""
    if request.param == "sqlite":
        app = _sqlite_app(tmp_path)
    else:
        app = _pg_app(request.getfixturevalue("pg_schema"))
    yield app
    _finish(app)


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def now():
    return NOW


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test of this test process (tests/browser and
    tests/widget); each xdist worker starts its own."""
    yield from session_browser()
