"""Engine set-up shared by the web app, the CLI and the worker.

SQLite: WAL mode, a generous busy timeout, and transactions that we begin ourselves so a
booking write can start with ``BEGIN IMMEDIATE`` (the write lock is taken before the overlap
check, never upgraded later, which is what would make SQLite answer "database is locked").
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

_immediate: ContextVar[bool] = ContextVar("mawid_sqlite_immediate", default=False)

SQLITE_BUSY_TIMEOUT_MS = 60_000
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Hand transaction control to us (see the "begin" listener below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = _immediate.get()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info["sqlite_immediate"] = immediate

    @event.listens_for(engine, "after_cursor_execute")
    def _after_execute(connection, _cursor, statement, *_args):
        # A deferred transaction that has written holds the write lock from then on.
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            connection.info["sqlite_wrote"] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        connection.info.pop("sqlite_wrote", None)
        connection.info.pop("sqlite_immediate", None)


def transaction_is_immediate(connection) -> bool:
    return bool(connection.info.get("sqlite_immediate"))


@contextmanager
def immediate_transactions():
    """Transactions begun inside this block take SQLite's write lock up front."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


def request_immediate(value: bool = True) -> None:
    """Set the mode for transactions begun later in this context (thread or request)."""
    _immediate.set(value)
