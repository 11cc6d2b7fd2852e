"""Reading admin forms: each reader method returns a clean value or records a message for
the field, so a form comes back with every problem marked at once (422), never half-saved."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from webapp.admin.blueprint import after_action
from webapp.booking.errors import ValidationFailed
from webapp.booking.intervals import is_valid_timezone
from webapp.extensions import db

MAX_TEXT = 200
MAX_LONG_TEXT = 10_000


class FormReader:
    def __init__(self, form: MultiDict):
        self.form = form
        self.errors: dict[str, str] = {}

    def __bool__(self) -> bool:  # "if reader:" reads as "if the form is clean"
        return not self.errors

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, *, required: bool = False, max_length: int = MAX_TEXT) -> str:
        value = (self.form.get(name) or "").strip()
        if required and not value:
            self.fail(name, _("This is required."))
        elif len(value) > max_length:
            self.fail(name, _("Use at most %(n)d characters.", n=max_length))
        return value

    def optional_text(self, name: str, *, max_length: int = MAX_TEXT) -> str | None:
        return self.text(name, max_length=max_length) or None

    def integer(
        self, name: str, *, minimum: int, maximum: int, default: int | None = None
    ) -> int | None:
        raw = (self.form.get(name) or "").strip()
        if not raw:
            if default is None:
                self.fail(name, _("This is required."))
            return default
        try:
            value = int(raw)
        except ValueError:
            self.fail(name, _("Enter a whole number."))
            return default
        if not minimum <= value <= maximum:
            self.fail(name, _("Enter a number from %(a)d to %(b)d.", a=minimum, b=maximum))
            return default
        return value

    def optional_integer(self, name: str, *, minimum: int, maximum: int) -> int | None:
        if not (self.form.get(name) or "").strip():
            return None
        return self.integer(name, minimum=minimum, maximum=maximum)

    def amount(self, name: str, *, maximum: Decimal = Decimal("1000000")) -> Decimal | None:
        raw = (self.form.get(name) or "").strip().replace(",", ".")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.fail(name, _("Enter an amount such as 150 or 99.50."))
            return None
        if not value.is_finite() or value < 0 or value > maximum:
            self.fail(name, _("Enter an amount from 0 to %(max)s.", max=maximum))
            return None
        return value.quantize(Decimal("0.01"))

    def boolean(self, name: str) -> bool:
        return self.form.get(name) in {"1", "on", "true", "yes"}

    def choice(self, name: str, choices, *, default: str | None = None) -> str | None:
        value = self.form.get(name) or default
        if value not in choices:
            self.fail(name, _("Choose one of the offered values."))
            return default
        return value

    def many(self, name: str, allowed) -> list[str]:
        """Checked boxes or a multiple select; only values from ``allowed`` count."""
        allowed = set(allowed)
        values = [v for v in self.form.getlist(name) if v]
        if any(v not in allowed for v in values):
            self.fail(name, _("Choose from the offered values."))
        return [v for v in dict.fromkeys(values) if v in allowed]

    def timezone(self, name: str, *, required: bool = True) -> str | None:
        value = (self.form.get(name) or "").strip()
        if not value and not required:
            return None
        if not is_valid_timezone(value):
            self.fail(name, _("Choose a time zone from the list, such as Asia/Riyadh."))
            return None
        return value

    def translations(self, name: str, *, max_length: int = MAX_TEXT) -> dict[str, str]:
        """The Arabic text of a field whose English text is ``name`` (stored as {"ar": ...})."""
        arabic = self.text(f"{name}_ar", max_length=max_length)
        return {"ar": arabic} if arabic else {}

    def adopt(self, error: ValidationFailed) -> None:
        """A service's validation error, placed on its field (or on the whole form)."""
        field = error.details.get("field") if isinstance(error.details, dict) else None
        self.fail(field or "__all__", error.message)


def save_and_go(reader: FormReader, values, save: Callable[[], object], edit_url) -> object | None:
    """Save ``values`` (None: the form already has errors) with ``save``; commit and answer
    with the row's edit page and a toast, or mark the service's complaint on the form and
    answer None so the caller re-renders it with 422. Nothing is half-saved either way."""
    if values is None:
        return None
    try:
        row = save()
    except ValidationFailed as error:
        db.session.rollback()
        reader.adopt(error)
        return None
    db.session.commit()
    return after_action(edit_url(row), _("%(name)s is saved.", name=row.name))


def posted(reader: FormReader, *, lists: tuple[str, ...] = (), flags: tuple[str, ...] = ()):
    """What the person typed, to show the form again as they left it."""
    values = reader.form.to_dict()
    for name in lists:
        values[name] = reader.form.getlist(name)
    for name in flags:
        values[name] = reader.boolean(name)
    return values
