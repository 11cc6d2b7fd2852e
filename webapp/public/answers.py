"""What a customer's answers to custom fields mean: parsing and checking a submitted form,
and filling a form again from saved answers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

import phonenumbers
from babel import Locale
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict

from webapp.i18n import current_lang, format_number
from webapp.public.fields import (
    LOCATION_LIMIT,
    MAX_FILES,
    PARAGRAPH_LIMIT,
    PLURAL_UPLOADS,
    TEXT_LIMIT,
    UPLOAD_KINDS,
    FieldSpec,
)
from webapp.uploads import UploadRejected, delete_upload, save_upload

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_ARABIC_NUMERALS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")
_COORDINATES = re.compile(r"([+-]?\d{1,2}(?:\.\d+)?)\s*,\s*([+-]?\d{1,3}(?:\.\d+)?)")
_EMAIL_LOCAL = re.compile(r"[^\s@\"(),:;<>\[\]\\]{1,64}")
_EMAIL_LABEL = re.compile(r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?")


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
