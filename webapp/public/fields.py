"""Custom fields as customers meet them: which inputs a form shows, and what the answers mean.

Nothing here writes to the database. Uploads are the one thing kept on disk, and they are
removed again when the form as a whole is not accepted, since the customer re-attaches them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import phonenumbers
from babel import Locale
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict

from webapp.i18n import current_lang, digits, format_number, translated
from webapp.models.custom_fields import FIELD_TYPES, CustomField
from webapp.uploads import UploadRejected, delete_upload, save_upload

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
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_ARABIC_NUMERALS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")
_COORDINATES = re.compile(r"([+-]?\d{1,2}(?:\.\d+)?)\s*,\s*([+-]?\d{1,3}(?:\.\d+)?)")
_EMAIL_LOCAL = re.compile(r"[^\s@\"(),:;<>\[\]\\]{1,64}")
_EMAIL_LABEL = re.compile(r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?")


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


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- Which fields a form shows -------------------------------------------------------------


def customer_specs(fields: Sequence[CustomField]) -> list[FieldSpec]:
    """The customer's details: the core four unless switched off, then the organization's own."""
    rows = [f for f in fields if f.scope == "customer"]
    keys = {f.key for f in rows}
    defaults = [_core_default(key) for key in _CORE_ORDER if key not in keys]
    return [_spec(field, CUSTOMER_PREFIX) for field in defaults + _shown(rows)]


def booking_specs(
    fields: Sequence[CustomField],
    booking_type_id: str,
    *,
    exclude_filters_and_adjusters: bool = True,
) -> list[FieldSpec]:
    """Questions about one booking; filters and adjusters are asked before a time is chosen."""
    rows = [
        f
        for f in fields
        if f.scope == "booking"
        and f.applies_to(booking_type_id)
        and not (exclude_filters_and_adjusters and (f.filters_resources or f.adjusts_time))
    ]
    return [_spec(field, BOOKING_PREFIX) for field in _shown(rows)]


def _shown(rows: Iterable[CustomField]) -> list[CustomField]:
    # providerOnly fields are for staff: customers never see them, core fields included.
    visible = [
        f
        for f in rows
        if f.enabled is not False and f.visibility == "public" and f.type in FIELD_TYPES
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
        min_value=_decimal(info.get("min")),
        max_value=_decimal(info.get("max")),
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
        price=_decimal(option.get("price")) or None,
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


def _decimal(value: object) -> Decimal | None:
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


def parse_answers(
    specs: Sequence[FieldSpec],
    form: MultiDict,
    files: MultiDict,
    *,
    organization_id: str,
    upload_folder: str,
    max_bytes: int,
) -> tuple[dict[str, object], dict[str, str]]:
    """(answers by field key, error message by field key); bad input is an error, not a crash."""
    answers: dict[str, object] = {}
    errors: dict[str, str] = {}
    kept: list[dict] = []

    def store(storage: FileStorage, kind: str) -> dict:
        upload = save_upload(
            organization_id, storage, kind=kind, max_bytes=max_bytes, folder=upload_folder
        )
        kept.append(upload)
        return upload

    for spec in specs:
        if spec.type == "paragraph-readonly":
            continue
        try:
            value = _parse_one(spec, form, files, store)
        except (_Invalid, UploadRejected) as problem:
            errors[spec.key] = problem.message
            continue
        if value is not None:
            answers[spec.key] = value
    if errors:
        _forget(kept, answers, specs, organization_id, upload_folder)
    return answers, errors


def _forget(
    kept: list[dict], answers: dict, specs: Sequence[FieldSpec], organization_id: str, folder: str
) -> None:
    for upload in kept:
        delete_upload(organization_id, upload["key"], folder=folder)
    for spec in specs:
        if spec.type in UPLOAD_KINDS:
            answers.pop(spec.key, None)


def _parse_one(spec: FieldSpec, form: MultiDict, files: MultiDict, store: Callable) -> object:
    if spec.type in UPLOAD_KINDS:
        return _parse_uploads(spec, files, store)
    if spec.type == "options":
        return _parse_options(spec, form)
    keep_lines = spec.type == "paragraph"
    value = _clean(form.get(spec.input_name, ""), keep_lines=keep_lines)
    if not value:
        if spec.required:
            raise _Invalid(_("%(label)s is required.", label=spec.label))
        return None
    if spec.type == "number":
        return _parse_number(spec, value)
    if spec.type == "location":
        return _parse_location(value)
    _check_length(value, PARAGRAPH_LIMIT if keep_lines else TEXT_LIMIT)
    if spec.text_type == "email":
        return _parse_email(value)
    if spec.text_type == "phone":
        return _parse_phone(spec, value)
    return value


def _clean(value: object, *, keep_lines: bool = False) -> str:
    """Trimmed text without control characters (PostgreSQL refuses NUL in JSON text)."""
    if not isinstance(value, str):
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = "\n\t" if keep_lines else ""
    value = "".join(ch for ch in value if ch in kept or unicodedata.category(ch) != "Cc")
    return value.strip()


def _check_length(value: str, limit: int) -> None:
    if len(value) > limit:
        raise _Invalid(_("Use at most %(limit)s characters.", limit=format_number(limit)))


def _parse_email(value: str) -> str:
    value = value.lower()
    local, at, domain = value.rpartition("@")
    labels = domain.split(".")
    valid = (
        at
        and len(value) <= 254
        and _EMAIL_LOCAL.fullmatch(local)
        and ".." not in local
        and not local.startswith(".")
        and not local.endswith(".")
        and len(labels) >= 2
        and all(_EMAIL_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )
    if not valid:
        raise _Invalid(_("Enter an email address like name@example.com."))
    return value


def _parse_phone(spec: FieldSpec, value: str) -> str:
    try:
        number = phonenumbers.parse(value, spec.default_country)
    except phonenumbers.NumberParseException:
        raise _Invalid(_phone_problem(spec)) from None
    if not phonenumbers.is_valid_number(number):
        raise _Invalid(_phone_problem(spec))
    region = phonenumbers.region_code_for_number(number)
    refused = region in spec.forbidden_countries or (
        spec.allowed_countries and region not in spec.allowed_countries
    )
    if refused:
        message = _("Phone numbers from %(country)s are not accepted.", country=_country(region))
        if spec.allowed_countries:
            names = ", ".join(_country(code) for code in spec.allowed_countries)
            message += " " + _("Use a number from %(countries)s.", countries=names)
        raise _Invalid(message)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone_problem(spec: FieldSpec) -> str:
    if spec.default_country is None:
        return _("Enter a valid phone number, starting with + and the country code.")
    return _("Enter a valid phone number.")


def _country(code: str | None) -> str:
    territories = Locale.parse(current_lang()).territories
    return territories.get(code or "", code or "?")


def _parse_number(spec: FieldSpec, value: str) -> int | float:
    text = value.translate(_ARABIC_NUMERALS).replace(" ", "")
    if len(text) > 30 or not _NUMBER.fullmatch(text):
        raise _Invalid(_("Enter a number."))
    number = Decimal(text)
    if spec.min_value is not None and number < spec.min_value:
        raise _Invalid(_("Enter %(min)s or more.", min=format_number(spec.min_value)))
    if spec.max_value is not None and number > spec.max_value:
        raise _Invalid(_("Enter %(max)s or less.", max=format_number(spec.max_value)))
    # Answers are JSON: whole numbers stay integers.
    return int(number) if number == number.to_integral_value() else float(number)


def _parse_options(spec: FieldSpec, form: MultiDict) -> str | list[str] | None:
    chosen = list(dict.fromkeys(v for v in form.getlist(spec.input_name) if v))
    if not chosen:
        if spec.required:
            raise _Invalid(_("Choose an option."))
        return None
    known = {choice.value for choice in spec.options}
    if any(value not in known for value in chosen) or (not spec.multiple and len(chosen) > 1):
        raise _Invalid(_("Choose one of the options shown."))
    return chosen if spec.multiple else chosen[0]


def _parse_location(value: str) -> str:
    _check_length(value, LOCATION_LIMIT)
    match = _COORDINATES.fullmatch(value.translate(_ARABIC_NUMERALS))
    if match:
        lat, lng = (Decimal(part) for part in match.groups())
        if abs(lat) <= 90 and abs(lng) <= 180:
            return f"{match[1]},{match[2]}"
    return value


def _parse_uploads(spec: FieldSpec, files: MultiDict, store: Callable) -> dict | list | None:
    # A file input left empty still sends a part, with no file name.
    chosen = [
        f for f in files.getlist(spec.input_name) if isinstance(f, FileStorage) and f.filename
    ]
    plural = spec.type in PLURAL_UPLOADS
    if not chosen:
        if spec.required:
            raise _Invalid(
                _("Add a photo.") if UPLOAD_KINDS[spec.type] == "photo" else _("Add a file.")
            )
        return None
    if len(chosen) > (MAX_FILES if plural else 1):
        if plural:
            raise _Invalid(_("Add at most %(count)s files.", count=format_number(MAX_FILES)))
        raise _Invalid(_("Add only one file."))
    kind = UPLOAD_KINDS[spec.type]
    if not plural:
        return store(chosen[0], kind)
    return [_store_named(storage, kind, store) for storage in chosen]


def _store_named(storage: FileStorage, kind: str, store: Callable) -> dict:
    """Among several files, say which one was refused."""
    try:
        return store(storage, kind)
    except UploadRejected as problem:
        name = (storage.filename or "")[:60]
        raise _Invalid(_("%(name)s: %(problem)s", name=name, problem=problem.message)) from None


# -- Filling a form again --------------------------------------------------------------------


def answers_to_form(specs: Sequence[FieldSpec], answers: Mapping[str, object]) -> dict:
    """Stored answers as the inputs expect them, by field key; uploads give their names."""
    values: dict[str, object] = {}
    for spec in specs:
        answer = answers.get(spec.key)
        if answer is None or spec.type == "paragraph-readonly":
            continue
        if spec.type in UPLOAD_KINDS:
            uploads = answer if isinstance(answer, list) else [answer]
            values[spec.key] = [u.get("name", "") for u in uploads if isinstance(u, Mapping)]
        elif spec.widget == "checkbox":
            values[spec.key] = (
                [str(v) for v in answer] if isinstance(answer, list) else [str(answer)]
            )
        else:
            values[spec.key] = str(answer)
    return values


def submitted_values(specs: Sequence[FieldSpec], form: MultiDict) -> dict:
    """What was typed, by field key, to show again next to the errors."""
    values: dict[str, object] = {}
    for spec in specs:
        if spec.type in UPLOAD_KINDS or spec.type == "paragraph-readonly":
            continue
        if spec.widget == "checkbox":
            values[spec.key] = form.getlist(spec.input_name)
        elif spec.input_name in form:
            values[spec.key] = form.get(spec.input_name)
    return values
