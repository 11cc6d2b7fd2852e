"""Reading management request bodies: each value of a JSON object checked for its type and
range, with a message that names the field (``422``), and the services' own field names
turned back into the API's.

Texts the seed calls "localized based on the requested language" (``name``,
``description``, option labels) are written in the request's language: with ``lang: ar``
a ``name`` sets the Arabic name and leaves the base (English) one alone, so what a client
reads it can send back unchanged. ``<field>_translations`` sets every language at once
(``en`` is the base text)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from flask import jsonify, request
from flask_babel import gettext as _

from webapp.booking.errors import ValidationFailed
from webapp.i18n import LANGUAGES, current_lang

BASE_LANG = "en"
MAX_TEXT = 200
MAX_LONG_TEXT = 5000
MAX_AMOUNT = Decimal("1000000")
MAX_JSON_CHARS = 10_000
MAX_LIST = 500
MAX_PHOTOS = 20
MAX_URL = 2000
ABSENT = object()


def fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field=field)


class JsonReader:
    """The values of one JSON object; ``prefix`` names where it sits in the body
    (``[2].`` for the third item of a list) so messages point at the right place."""

    def __init__(self, data: Mapping, prefix: str = ""):
        self.data = data
        self.prefix = prefix

    def has(self, name: str) -> bool:
        return name in self.data

    def name(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def only(self, allowed: set[str], ignored: set[str] = frozenset()) -> None:
        """Refuse keys the object does not have (a typo would otherwise pass unnoticed);
        ``ignored`` are read-only keys a client may send back from a response."""
        unknown = sorted(set(self.data) - allowed - ignored)
        if unknown:
            raise fail(
                self.name(unknown[0]),
                _("Unknown field %(name)s.", name=self.name(unknown[0])),
            )

    def text(self, name: str, default=ABSENT, *, required=False, max_length=MAX_TEXT):
        value = self.data.get(name, ABSENT)
        if value is ABSENT or value is None:
            if required:
                raise fail(self.name(name), _("%(name)s is required.", name=self.name(name)))
            return default if value is ABSENT else None
        if not isinstance(value, str):
            raise fail(self.name(name), _("%(name)s must be a text.", name=self.name(name)))
        value = value.strip()
        if required and not value:
            raise fail(self.name(name), _("%(name)s is required.", name=self.name(name)))
        if len(value) > max_length:
            raise fail(
                self.name(name),
                _("%(name)s: use at most %(n)d characters.", name=self.name(name), n=max_length),
            )
        return value

    def boolean(self, name: str, default=ABSENT):
        value = self.data.get(name, ABSENT)
        if value is ABSENT:
            return default
        if not isinstance(value, bool):
            raise fail(self.name(name), _("%(name)s must be true or false.", name=self.name(name)))
        return value

    def integer(self, name: str, default=ABSENT, *, minimum: int, maximum: int, nullable=False):
        value = self.data.get(name, ABSENT)
        if value is ABSENT or (value is None and nullable):
            return default if value is ABSENT else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(self.name(name), _("%(name)s must be a whole number.", name=self.name(name)))
        if not minimum <= value <= maximum:
            raise fail(
                self.name(name),
                _(
                    "%(name)s must be from %(a)d to %(b)d.",
                    name=self.name(name),
                    a=minimum,
                    b=maximum,
                ),
            )
        return value

    def amount(self, name: str, default=ABSENT):
        """An amount as the seed writes it (``"150.00"``; a JSON number is read too);
        null clears it."""
        value = self.data.get(name, ABSENT)
        if value is ABSENT or value is None or value == "":
            return default if value is ABSENT else None
        return read_amount(value, self.name(name))

    def choice(self, name: str, choices, default=ABSENT):
        value = self.data.get(name, ABSENT)
        if value is ABSENT:
            return default
        if value not in choices:
            raise fail(
                self.name(name),
                _(
                    "%(name)s must be one of: %(choices)s.",
                    name=self.name(name),
                    choices=", ".join(str(c) for c in choices if c is not None),
                ),
            )
        return value

    def strings(self, name: str, default=ABSENT, *, max_items=MAX_LIST, max_length=MAX_TEXT):
        value = self.data.get(name, ABSENT)
        if value is ABSENT:
            return default
        if value is None:
            return []
        if (
            not isinstance(value, list)
            or len(value) > max_items
            or not all(isinstance(v, str) and 0 < len(v) <= max_length for v in value)
        ):
            raise fail(
                self.name(name), _("%(name)s must be a list of texts.", name=self.name(name))
            )
        return list(dict.fromkeys(value))

    def obj(self, name: str, default=ABSENT):
        """A JSON object of modest size, kept as given; null empties it."""
        value = self.data.get(name, ABSENT)
        if value is ABSENT:
            return default
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise fail(self.name(name), _("%(name)s must be an object.", name=self.name(name)))
        try:
            size = len(json.dumps(value, allow_nan=False))
        except ValueError:  # NaN or Infinity: not JSON, and no database stores it
            raise fail(
                self.name(name), _("%(name)s holds a number JSON cannot.", name=self.name(name))
            ) from None
        if size > MAX_JSON_CHARS:
            raise fail(self.name(name), _("%(name)s is too large.", name=self.name(name)))
        return value

    def localized(
        self, name: str, base: str, translations: Mapping, *, required=False, max_length=MAX_TEXT
    ) -> tuple[str, dict]:
        """(base text, translations) after ``name`` and ``name_translations``."""
        base, kept = base or "", dict(translations or {})
        given = self.data.get(f"{name}_translations", ABSENT)
        explicit: set[str] = set()
        if given is not ABSENT:
            kept = {}
            field = self.name(f"{name}_translations")
            for lang, text in read_translations(given, field, max_length):
                explicit.add(lang)
                if lang == BASE_LANG:
                    base = text
                elif text:
                    kept[lang] = text
        text = self.text(name, None, max_length=max_length)
        lang = current_lang()
        # A translation sent explicitly wins over ``name`` for its language.
        if text is not None and lang not in explicit:
            if lang == BASE_LANG:
                base = text
            else:
                kept[lang] = text
                base = base or text
        if required and not base.strip():
            raise fail(self.name(name), _("%(name)s is required.", name=self.name(name)))
        return base, kept

    def photo(self, name: str, organization_id: str):
        """None when absent, ``{}`` to remove, else the stored form of the photo."""
        value = self.data.get(name, ABSENT)
        if value is ABSENT:
            return None
        if value is None:
            return {}
        return read_photo(value, self.name(name), organization_id)

    def photos(self, name: str, organization_id: str):
        value = self.data.get(name, ABSENT)
        if value is ABSENT:
            return None
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > MAX_PHOTOS:
            raise fail(
                self.name(name),
                _("%(name)s must be a list of at most %(n)d photos.", name=self.name(name), n=20),
            )
        return [
            read_photo(item, f"{self.name(name)}[{i}]", organization_id)
            for i, item in enumerate(value)
        ]


def read_amount(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise fail(field, _('%(name)s must be an amount such as "150.00".', name=field))
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise fail(field, _('%(name)s must be an amount such as "150.00".', name=field)) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise fail(
            field, _("%(name)s must be an amount from 0 to %(max)s.", name=field, max=MAX_AMOUNT)
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise fail(field, _("%(name)s: use at most two decimals.", name=field))
    return amount.quantize(Decimal("0.01"))


def read_translations(value: object, field: str, max_length: int) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        raise fail(field, _('%(name)s must be an object such as {"ar": "..."}.', name=field))
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise fail(
                f"{field}.{lang}",
                _("%(name)s: languages are %(langs)s.", name=field, langs=", ".join(LANGUAGES)),
            )
        if text is None:
            text = ""
        if not isinstance(text, str) or len(text) > max_length:
            where = f"{field}.{lang}"
            raise fail(
                where, _("%(name)s: a text of at most %(n)d characters.", name=where, n=max_length)
            )
        yield lang, text.strip()


def read_photo(value: object, field: str, organization_id: str) -> dict:
    """A photo ``{"url", "id"?}``: an http(s) address, or one of this organization's
    uploaded files (kept by its key, so the address follows the server)."""
    url = value.get("url") if isinstance(value, dict) else None
    if not isinstance(url, str) or not url.strip() or len(url) > MAX_URL:
        raise fail(field, _("%(name)s must be an object with the photo's url.", name=field))
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise fail(f"{field}.url", _("%(name)s.url must be an http or https address.", name=field))
    own = f"/media/{organization_id}/"
    if parts.netloc == request.host and parts.path.startswith(own):
        key = parts.path[len(own) :]
        return {"key": key, "url": parts.path}
    photo_id = value.get("id")
    return {"key": photo_id if isinstance(photo_id, str) else None, "url": url.strip()}


@contextmanager
def api_fields(names: Mapping[str, str], prefix: str = ""):
    """Re-raise a service's ValidationFailed with the API's field names (``names`` maps the
    service's; others keep theirs), so the message points at what the client sent."""
    try:
        yield
    except ValidationFailed as error:
        raise renamed(error, names, prefix) from None


def renamed(
    error: ValidationFailed, names: Mapping[str, str], prefix: str = ""
) -> ValidationFailed:
    details = dict(error.details)

    def api_name(name: str) -> str:
        return prefix + names.get(name, name)

    if "field" in details:
        details["field"] = api_name(details["field"])
    if isinstance(details.get("errors"), dict):
        details["errors"] = {api_name(k): v for k, v in details["errors"].items()}
    return ValidationFailed(error.message, **details)


def json_list(field: str = "body") -> list:
    """The request's JSON array."""
    data = request.get_json(silent=True)
    if not isinstance(data, list):
        raise fail(field, _("The body must be a JSON array."))
    if len(data) > MAX_LIST:
        raise fail(field, _("Send at most %(n)d items.", n=MAX_LIST))
    return data


def deleted(row_id: str, message: str, *, removed: bool = True, **extra):
    """``{"result": {"id", "deleted", ...}, "message"}``: the envelope, and the message the
    seed answers a deletion with."""
    return jsonify({"result": {"id": row_id, "deleted": removed, **extra}, "message": message})
