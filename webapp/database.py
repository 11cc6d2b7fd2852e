"""Engine set-up shared by the web app, the CLI and the worker.

SQLite: WAL mode, a generous busy timeout, and transactions that we begin ourselves so a
booking write can start with ``BEGIN IMMEDIATE`` (the write lock is taken before the overlap
check, never upgraded later, which is what would make SQLite answer "database is locked").

Writers of one process also take turns on a lock of their own before ``BEGIN IMMEDIATE``.
SQLite's busy handler retries with sleeps and in no order, so under steady load a writer could
starve for seconds while others keep winning; the turn lock makes waiting first come, first
served. SQLite's lock still decides who writes (other processes); the turns only order ours.
"""

from __future__ import annotations

import threading
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
    turns = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        record.info["sqlite_turns"] = turns
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
        if _immediate.get():
            begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")
            connection.info["sqlite_immediate"] = False

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
        _end_turn(connection.info)

    # A connection returned, invalidated or closed mid-transaction gives its turn back too.
    @event.listens_for(engine.pool, "reset")
    def _on_reset(_dbapi_connection, record, _state):
        _end_turn(record.info)

    @event.listens_for(engine.pool, "invalidate")
    def _on_invalidate(_dbapi_connection, record, _exception):
        _end_turn(record.info)

    @event.listens_for(engine.pool, "close")
    def _on_close(_dbapi_connection, record):
        _end_turn(record.info)


def begin_immediate(connection) -> None:
    """``BEGIN IMMEDIATE`` in this process's turn. Should the turn not come within the busy
    timeout (a thread holding a write open while it waits on another), SQLite's own busy
    handler decides as usual."""
    turns = connection.info.get("sqlite_turns")
    has_turn = turns is not None and turns.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if has_turn:
            turns.release()
        raise
    connection.info["sqlite_turn"] = has_turn
    connection.info["sqlite_immediate"] = True


def _end_turn(info: dict) -> None:
    if info.pop("sqlite_turn", False):
        info["sqlite_turns"].release()


def transaction_is_immediate(connection) -> bool:
    return bool(connection.info.get("sqlite_immediate"))


@contextmanager
def immediate_transactions(immediate: bool = True):
    """Transactions begun inside this block take SQLite's write lock up front (or, with
    ``immediate=False``, do not: a read on a connection of its own while this thread may hold
    the write lock on another must not queue behind itself)."""
    token = _immediate.set(immediate)
    try:
        yield
    finally:
        _immediate.reset(token)


def request_immediate(value: bool = True) -> None:
    """Set the mode for transactions begun later in this context (thread or request)."""
    _immediate.set(value)
