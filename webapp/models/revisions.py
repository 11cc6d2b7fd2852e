"""The organization's catalog revision: every flush that adds, changes or deletes a booking
type, resource, resource category or custom field raises it, in the same transaction.

Readers that keep a copy of the catalog (the booking website does, per process) compare the
revision they read with the organization's and reload when it moved; since the counter lives
in the database, a change made by any process is seen by all. Writes that bypass the ORM
(raw SQL) must raise it themselves.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import event, update
from sqlalchemy.orm import ORMExecuteState, Session

from webapp.models.booking_types import BookingType
from webapp.models.custom_fields import CustomField
from webapp.models.organizations import Organization
from webapp.models.resources import Resource, ResourceCategory, resource_types

CATALOG_MODELS = (BookingType, Resource, ResourceCategory, CustomField)
CATALOG_TABLE_NAMES = frozenset(
    [*(model.__tablename__ for model in CATALOG_MODELS), resource_types.name]
)


def _raise(session: Session, organization_ids: set[str] | None) -> None:
    """Raise the revision of these organizations (of all of them when None) as one atomic
    increment, so two concurrent writers never end on the same number."""
    statement = update(Organization.__table__).values(
        catalog_revision=Organization.__table__.c.catalog_revision + 1
    )
    if organization_ids is not None:
        statement = statement.where(Organization.__table__.c.id.in_(sorted(organization_ids)))
    session.connection().execute(statement)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context) -> None:
    # Foreign keys are filled in by now; new, dirty and deleted still list what was flushed.
    changed = {
        obj.organization_id
        for obj in chain(session.new, session.dirty, session.deleted)
        if isinstance(obj, CATALOG_MODELS) and obj.organization_id
    }
    if changed:
        _raise(session, changed)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    # An insert, update or delete statement run in bulk (ORM or Core, the offered-services
    # link table included): which organizations it touches is not known here, so every
    # organization's copy is refreshed.
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in CATALOG_TABLE_NAMES:
        _raise(state.session, None)
