"""Column types and helpers shared by every model."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, DateTime, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 20
CENT = Decimal("0.01")


def new_id() -> str:
    """A random public id such as ``h66w3DSEcsKlu8ReaclX`` (not guessable, not sequential)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(ID_LENGTH))


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An instant, always handed to Python as an aware UTC datetime.

    PostgreSQL stores ``timestamptz``. SQLite stores fixed-width ISO text, which sorts and
    compares correctly as text and parses with the C ``fromisoformat``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(26))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an instant is expected")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Money(TypeDecorator):
    """Amounts with two decimals, stored exactly as integer hundredths, read as Decimal."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return int((Decimal(value) * 100).to_integral_value())

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(CENT)


# JSON documents; JSONB on PostgreSQL.
JSONDoc = JSON().with_variant(postgresql.JSONB(), "postgresql")

IdColumn = String(ID_LENGTH)
