"""Mawid: appointment booking. `create_app` wires the application together."""

from __future__ import annotations

import os

from flask import Flask

from webapp import config as config_module
from webapp.database import configure_engine
from webapp.extensions import db, migrate

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIGRATIONS_DIR = os.path.join(PROJECT_ROOT, "migrations")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config_module.from_environment(app.instance_path))
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalize_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})

    import webapp.models  # noqa: F401  (register every table)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    with app.app_context():
        configure_engine(db.engine)

    from htmx_flask import Htmx

    from webapp import (
        admin,
        api,
        calendar_feeds,
        embed,
        errors,
        i18n,
        integrations,
        public,
        security,
        views,
        webviews,
    )
    from webapp.cli import register_commands

    _write_requests_lock_early(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.register(app)
    views.register(app)
    public.init_app(app)
    embed.init_app(app)
    admin.init_app(app)
    webviews.init_app(app)
    api.init_app(app)
    calendar_feeds.init_app(app)
    integrations.init_app(app)
    Htmx(app)
    register_commands(app)
    return app


def _write_requests_lock_early(app: Flask) -> None:
    """On SQLite, requests that change data take the write lock when their transaction
    begins, so a read-then-write never fails with "database is locked"."""
    from flask import request

    from webapp.database import request_immediate

    @app.before_request
    def _begin():
        request_immediate(request.method in {"POST", "PUT", "PATCH", "DELETE"})

    @app.teardown_request
    def _end(_exc):
        request_immediate(False)
