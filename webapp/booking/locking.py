"""The write lock every booking write takes before it checks for overlaps.

SQLite: the transaction holds SQLite's single write lock (``BEGIN IMMEDIATE``), so check and
insert are serialized. PostgreSQL: the rows of the resources involved are locked
``FOR UPDATE`` in id order (no deadlocks), and the exclusion constraint backs it up.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from webapp.database import begin_immediate, immediate_transactions, transaction_is_immediate
from webapp.models import Booking, Resource


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def begin_write(session: Session) -> None:
    """Make sure the session's transaction may write without losing a race.

    On SQLite a transaction that has only read is restarted as ``BEGIN IMMEDIATE`` (it wrote
    nothing, so nothing is lost; callers re-read what they rely on after locking). One that
    has already written holds the write lock anyway.
    """
    if dialect_name(session) != "sqlite":
        return
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        with immediate_transactions():
            session.connection()
        return
    connection = session.connection()
    if transaction_is_immediate(connection) or connection.info.get("sqlite_wrote"):
        return
    connection.exec_driver_sql("COMMIT")
    begin_immediate(connection)


def lock_resources(session: Session, organization_id: str, resource_ids: Iterable[str]) -> None:
    """Serialize booking writes on these resources until the transaction ends."""
    ids = sorted(set(resource_ids))
    begin_write(session)
    if dialect_name(session) == "postgresql" and ids:
        session.execute(
            select(Resource.id)
            .where(Resource.organization_id == organization_id, Resource.id.in_(ids))
            .order_by(Resource.id)
            .with_for_update()
        )


def load_booking_for_update(session: Session, organization_id: str, booking_id: str):
    """The booking, freshly read under the write lock, or None (unknown or foreign id)."""
    begin_write(session)
    statement = (
        select(Booking)
        .where(Booking.organization_id == organization_id, Booking.id == booking_id)
        .execution_options(populate_existing=True)
    )
    if dialect_name(session) == "postgresql":
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()
