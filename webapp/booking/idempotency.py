"""Idempotency keys for create/hold/confirm/reschedule/cancel.

The first request with a key reserves it (a row inserted before the work, in the same
transaction) and stores its response; a replay returns that response byte for byte, the same
key with a different body is refused (422), and a concurrent duplicate waits for the first
and replays it (or, while it runs elsewhere, answers 409). Nothing is created twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.booking.errors import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
)
from webapp.booking.locking import begin_write
from webapp.models import IdempotencyRecord

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
KEEP_FOR = timedelta(hours=24)
IN_PROGRESS = 0


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    replayed: bool = False


def validate_key(key: object) -> str:
    # fullmatch: with match, "$" would also accept a key ending in a newline.
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise InvalidIdempotencyKey(key=str(key)[:64] if key is not None else None)
    return key


def request_hash(operation: str, payload: object) -> str:
    canonical = json.dumps([operation, payload], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_idempotent(
    session: Session,
    organization_id: str,
    key: str | None,
    operation: str,
    payload: object,
    action: Callable[[], tuple[int, str]],
    now: datetime,
) -> Response:
    """Run ``action`` (which returns the HTTP status and body to send) once per key."""
    if key is None:
        status, body = action()
        return Response(status, body)
    key = validate_key(key)
    fingerprint = request_hash(operation, payload)
    begin_write(session)
    existing = _find(session, organization_id, key)
    if existing is None:
        record = IdempotencyRecord(
            organization_id=organization_id,
            key=key,
            operation=operation,
            request_hash=fingerprint,
            response_status=IN_PROGRESS,
            response_body="",
            created_at=now,
            expires_at=now + KEEP_FOR,
        )
        try:
            with session.begin_nested():
                session.add(record)
                session.flush()
        except IntegrityError:
            # Another request with this key committed while we waited on its row.
            existing = _find(session, organization_id, key)
            if existing is None:
                raise IdempotencyInProgress(key=key) from None
    if existing is not None:
        if existing.request_hash != fingerprint or existing.operation != operation:
            raise IdempotencyKeyReused(key=key)
        if existing.response_status == IN_PROGRESS:
            raise IdempotencyInProgress(key=key)
        return Response(existing.response_status, existing.response_body, replayed=True)
    status, body = action()
    record.response_status = status
    record.response_body = body
    session.flush()
    return Response(status, body)


def _find(session: Session, organization_id: str, key: str) -> IdempotencyRecord | None:
    return session.scalars(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.organization_id == organization_id, IdempotencyRecord.key == key)
        .execution_options(populate_existing=True)
    ).one_or_none()


def purge_expired(session: Session, now: datetime) -> int:
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < now))
    return result.rowcount or 0
