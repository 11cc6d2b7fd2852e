"""Configuration read from the environment; `create_app(config)` may override any key."""

from __future__ import annotations

import os
import secrets


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    default_db = "sqlite:///" + os.path.join(instance_path, "mawid.sqlite3")
    secret = os.environ.get("SECRET_KEY")
    return {
        "SECRET_KEY": secret or secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Minutes a hold (TEMPORARY booking) blocks its slot when the caller does not say.
        "HOLD_MINUTES_DEFAULT": int(os.environ.get("HOLD_MINUTES_DEFAULT", "10")),
        # Minutes an unpaid booking keeps its slot before it expires.
        "PAYMENT_WINDOW_MINUTES": int(os.environ.get("PAYMENT_WINDOW_MINUTES", "30")),
        # Seconds between two rounds of the background worker.
        "WORKER_INTERVAL_SECONDS": float(os.environ.get("WORKER_INTERVAL_SECONDS", "5")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", False),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024))),
    }


def normalize_database_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL URL and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
