"""Custom fields as customers meet them: which inputs a form shows, and what the answers mean.

Nothing here writes to the database. Uploads are the one thing kept on disk, and they are
removed again when the form as a whole is not accepted, since the customer re-attaches them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import phonenumbers
from flask_babel import gettext as _

from webapp.i18n import digits, format_number, translated
from webapp.models.custom_fields import FIELD_TYPES, CustomField

MAX_FILES = 5
TEXT_LIMIT = 500
PARAGRAPH_LIMIT = 5000
LOCATION_LIMIT = 500
RADIO_LIMIT = 5  # more single-choice options than this become a drop-down
CUSTOMER_PREFIX = "c_"
BOOKING_PREFIX = "b_"

UPLOAD_KINDS = {"photo": "photo", "photos": "photo", "file": "file", "files": "file"}
PLURAL_UPLOADS = frozenset({"photos", "files"})
_CORE_ORDER = ("firstName", "lastName", "email", "phoneNumber")
_CORE_TEXT_TYPES = {"email": "email", "phoneNumber": "phone"}
_AUTOCOMPLETE = {"firstName": "given-name", "lastName": "family-name"}
_TEXT_TYPE_AUTOCOMPLETE = {"email": "email", "phone": "tel"}


class Choice(NamedTuple):
    value: str
    label: str
    minutes: int | None
    price: Decimal | None


@dataclass(frozen=True)
class FieldSpec:
    """One input as rendered for the current language."""

    key: str
    input_name: str
    label: str
    type: str
    text_type: str | None = None
    required: bool = False
    options: tuple[Choice, ...] = ()
    multiple: bool = False
    placeholder: str = ""
    hint: str = ""
    content: str = ""
    minutes: int | None = None
    price: Decimal | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    default_country: str | None = None
    allowed_countries: tuple[str, ...] = ()
    forbidden_countries: tuple[str, ...] = ()
    autocomplete: str | None = None

    @property
    def widget(self) -> str:
        """How options are offered: "checkbox", "radio" or "select"; else the type."""
        if self.type != "options":
            return self.type
        if self.multiple:
            return "checkbox"
        return "radio" if len(self.options) <= RADIO_LIMIT else "select"


# -- Which fields a form shows -------------------------------------------------------------


def customer_specs(fields: Sequence[CustomField], *, staff: bool = False) -> list[FieldSpec]:
    """The customer's details: the core four unless switched off, then the organization's own
    (``staff``: those shown only to staff too)."""
    rows = [f for f in fields if f.scope == "customer"]
    keys = {f.key for f in rows}
    defaults = [_core_default(key) for key in _CORE_ORDER if key not in keys]
    return [_spec(field, CUSTOMER_PREFIX) for field in defaults + _shown(rows, staff)]


def booking_specs(
    fields: Sequence[CustomField],
    booking_type_id: str,
    *,
    exclude_filters_and_adjusters: bool = True,
    staff: bool = False,
) -> list[FieldSpec]:
    """Questions about one booking; filters and adjusters are asked before a time is chosen.
    ``staff``: the questions shown only to staff too."""
    rows = [
        f
        for f in fields
        if f.scope == "booking"
        and f.applies_to(booking_type_id)
        and not (exclude_filters_and_adjusters and (f.filters_resources or f.adjusts_time))
    ]
    return [_spec(field, BOOKING_PREFIX) for field in _shown(rows, staff)]


def _shown(rows: Iterable[CustomField], staff: bool = False) -> list[CustomField]:
    # providerOnly fields are for staff: customers never see them, core fields included.
    visible = [
        f
        for f in rows
        if f.enabled is not False and (staff or f.visibility == "public") and f.type in FIELD_TYPES
    ]
    return sorted(visible, key=lambda f: f.position or 0)


def _core_default(key: str) -> CustomField:
    """The field an organization has without configuring it (kept in memory only)."""
    labels = {
        "firstName": _("First name"),
        "lastName": _("Last name"),
        "email": _("Email"),
        "phoneNumber": _("Mobile number"),
    }
    return CustomField(
        scope="customer",
        key=key,
        name=labels[key],
        type="text",
        text_type=_CORE_TEXT_TYPES.get(key),
        optional=key == "phoneNumber",
        visibility="public",
    )


def _spec(field: CustomField, prefix: str) -> FieldSpec:
    info = field.info or {}
    core = prefix == CUSTOMER_PREFIX and field.key in _CORE_ORDER
    # Core fields keep their meaning even when a row leaves the text type out.
    text_type = field.text_type or (_CORE_TEXT_TYPES.get(field.key) if core else None)
    autocomplete = _AUTOCOMPLETE.get(field.key) if core else None
    allowed, forbidden = _country_rules(field)
    spec = FieldSpec(
        key=field.key,
        input_name=prefix + field.key,
        label=translated(field.name, field.name_translations),
        type=field.type,
        text_type=text_type if field.type == "text" else None,
        required=not field.optional and field.type != "paragraph-readonly",
        options=tuple(_choice(option) for option in field.options or () if "value" in option),
        multiple=field.type in PLURAL_UPLOADS
        or (field.type == "options" and bool(info.get("multiple"))),
        placeholder=_info_text(info, "placeholder"),
        content=_info_text(info, "content"),
        minutes=field.minutes,
        price=field.price,
        min_value=decimal_or_none(info.get("min")),
        max_value=decimal_or_none(info.get("max")),
        default_country=(field.default_country or "").upper() or None,
        allowed_countries=allowed,
        forbidden_countries=forbidden,
        autocomplete=autocomplete or _TEXT_TYPE_AUTOCOMPLETE.get(text_type or ""),
    )
    return _with_hint(spec)


def _choice(option: Mapping) -> Choice:
    return Choice(
        value=str(option["value"]),
        label=translated(
            option.get("label") or str(option["value"]), option.get("label_translations")
        ),
        minutes=option.get("minutes") or None,
        price=decimal_or_none(option.get("price")) or None,
    )


def _info_text(info: Mapping, name: str) -> str:
    """``info`` text in the reader's language; both spellings of the translations key occur."""
    translations = info.get(f"{name}_translations") or info.get(f"{name}Translations")
    value = info.get(name)
    return translated(value if isinstance(value, str) else "", translations)


def _country_rules(field: CustomField) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if (field.allowed_countries or "all") == "all":
        return (), ()
    allowed = tuple(str(c).upper() for c in field.allowed_countries_list or ())
    forbidden = tuple(str(c).upper() for c in field.forbidden_countries_list or ())
    return allowed, forbidden


def decimal_or_none(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _with_hint(spec: FieldSpec) -> FieldSpec:
    hint = ""
    if spec.text_type == "phone":
        hint = _phone_hint(spec.default_country)
    elif spec.type == "number":
        hint = _range_hint(spec.min_value, spec.max_value)
    elif spec.type in PLURAL_UPLOADS:
        hint = _("Up to %(count)s files.", count=format_number(MAX_FILES))
    elif spec.type == "photo":
        hint = _("A JPEG, PNG, GIF or WebP image.")
    elif spec.type == "file":
        hint = _("A PDF, image, text, Word or Excel file.")
    return replace(spec, hint=hint) if hint else spec


def _phone_hint(region: str | None) -> str:
    example = region and phonenumbers.example_number_for_type(
        region, phonenumbers.PhoneNumberType.MOBILE
    )
    if not example:
        return _("Start with + and the country code.")
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    return _("For example %(example)s.", example=digits(national))


def _range_hint(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return _("From %(min)s to %(max)s.", min=format_number(low), max=format_number(high))
    if low is not None:
        return _("At least %(min)s.", min=format_number(low))
    if high is not None:
        return _("At most %(max)s.", max=format_number(high))
    return ""


# -- What the answers mean ------------------------------------------------------------------
