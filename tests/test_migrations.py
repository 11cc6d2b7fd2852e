"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, _app_config, _pg_uri
from webapp import create_app
from webapp.cli import upgrade_schema
from webapp.config import normalize_database_url
from webapp.extensions import db


def _migrated_differences(app) -> list:
    with app.app_context():
        upgrade_schema()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    return differences


def test_migrations_match_the_models_on_sqlite(tmp_path):
    app = create_app(_app_config(f"sqlite:///{tmp_path / 'migrated.sqlite3'}"))

    assert _migrated_differences(app) == []


@pytest.fixture
def fresh_pg_schema():
    if not PG_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    schema = f"mawid_migrate_{secrets.token_hex(4)}"
    admin = create_engine(normalize_database_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_migrations_match_the_models_and_guard_overlaps_on_postgresql(fresh_pg_schema):
    app = create_app(_app_config(_pg_uri(fresh_pg_schema)))

    assert _migrated_differences(app) == []
    with app.app_context():
        constraints = db.session.scalars(
            text(
                "SELECT conname FROM pg_constraint JOIN pg_namespace n ON n.oid = connamespace "
                "WHERE nspname = :schema AND contype = 'x'"
            ),
            {"schema": fresh_pg_schema},
        ).all()
        db.session.remove()
        db.engine.dispose()
    assert constraints == ["ex_bookings_no_overlap"]
