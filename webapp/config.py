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
        # Seconds between two looks of the live queue pages (customers', providers', counter).
        "QUEUE_POLL_SECONDS": int(os.environ.get("QUEUE_POLL_SECONDS", "5")),
        # Seconds between two rounds of the background worker.
        "WORKER_INTERVAL_SECONDS": float(os.environ.get("WORKER_INTERVAL_SECONDS", "5")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", False),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024))),
        # Uploaded photos and files (custom fields): one file's limit, and where they are kept.
        "UPLOAD_MAX_BYTES": int(os.environ.get("UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or os.path.join(instance_path, "uploads"),
        # Photos staff upload for the website (resources, services, logo): public, unlike
        # what customers upload.
        "MEDIA_FOLDER": os.environ.get("MEDIA_FOLDER") or os.path.join(instance_path, "media"),
        # Rate limits (Flask-Limiter syntax); stored in Redis when REDIS_URL is set.
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "BOOKING_RATE_LIMIT": os.environ.get("BOOKING_RATE_LIMIT", "10/minute"),
        # Calls to the integrations, per credential; OAuth token requests, per client and address.
        "INTEGRATION_RATE_LIMIT": os.environ.get("INTEGRATION_RATE_LIMIT", "300/minute"),
        "OAUTH_TOKEN_RATE_LIMIT": os.environ.get("OAUTH_TOKEN_RATE_LIMIT", "60/minute"),
        # Reads of one calendar feed, and of an organization's outside calendars (seed 000).
        "CALENDAR_FEED_RATE_LIMIT": os.environ.get("CALENDAR_FEED_RATE_LIMIT", "60/hour"),
        "CALENDAR_SYNC_RATE_LIMIT": os.environ.get("CALENDAR_SYNC_RATE_LIMIT", "60/hour"),
        # Webhooks to loopback addresses (http://localhost...), and outside calendars there:
        # development and tests only.
        "WEBHOOKS_ALLOW_LOOPBACK": _flag("WEBHOOKS_ALLOW_LOOPBACK", False),
        # Seconds a webhook receiver or an outside calendar's server has to answer.
        "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10")),
        "CALENDAR_TIMEOUT_SECONDS": float(os.environ.get("CALENDAR_TIMEOUT_SECONDS", "10")),
        # Reverse proxies in front of the app whose X-Forwarded-For is trusted.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Mail: with no MAIL_SERVER, messages are written to the log.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Mawid <no-reply@localhost>"),
        # Where people reach this server: links in emails written outside a request.
        "PUBLIC_BASE_URL": os.environ.get("MAWID_BASE_URL", "http://127.0.0.1:5000"),
        # Text messages (SMS, WhatsApp): "log" writes them to the log; or "module:Class".
        "SMS_PROVIDER": os.environ.get("SMS_PROVIDER", "log"),
        # Card payments: "sandbox" (test cards, no money moves) or "module:Class" (webapp/payments).
        "PAYMENT_PROVIDER": os.environ.get("PAYMENT_PROVIDER", "sandbox"),
        # Push notifications to apps (seed 002's FCM messages): "log" or "module:factory".
        "PUSH_PROVIDER": os.environ.get("PUSH_PROVIDER", "log"),
        "BABEL_DEFAULT_LOCALE": "en",
        "WTF_CSRF_TIME_LIMIT": None,
    }


def normalize_database_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL URL and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
