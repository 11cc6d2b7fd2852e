"""Pages of API lists: ``limit`` and an opaque ``nextPageToken`` (signed, expiring, bound to
the list it came from), answered as ``pagination: {nextPageToken, hasMore}``."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from webapp.booking.errors import ValidationFailed

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
TOKEN_MAX_AGE = 3600  # seconds a page token stays usable
SALT = "mawid.api.page"


def read_limit(value: object, default: int = DEFAULT_LIMIT) -> int:
    if value is None or value == "":
        return default
    try:
        limit = int(value)
    except (TypeError, ValueError):
        limit = 0
    if isinstance(value, bool) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            _("limit must be a whole number from 1 to %(max)d.", max=MAX_LIMIT), field="limit"
        )
    return limit


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def encode(list_name: str, position: list) -> str:
    """A token for the page after ``position`` (JSON-able values) of the list ``list_name``."""
    return _serializer().dumps([list_name, position])


def decode(list_name: str, token: object) -> list | None:
    """The position a token points after; None for no token. A token that was forged, has
    expired or belongs to another list is refused with a clear error."""
    if token is None or token == "":
        return None
    try:
        name, position = _serializer().loads(str(token)[:2000], max_age=TOKEN_MAX_AGE)
    except SignatureExpired:
        raise ValidationFailed(
            _("This nextPageToken has expired; start again from the first page."),
            field="nextPageToken",
        ) from None
    except (BadSignature, ValueError, TypeError):
        name, position = None, None
    if name != list_name or not isinstance(position, list):
        raise ValidationFailed(_("This nextPageToken is not valid."), field="nextPageToken")
    return position


def pagination(next_position: list | None, list_name: str) -> dict:
    return {
        "nextPageToken": encode(list_name, next_position) if next_position is not None else None,
        "hasMore": next_position is not None,
    }
