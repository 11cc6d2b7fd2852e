"""Custom fields (manage, seed 002): the customer fields (the four core ones always listed)
and the booking fields. ``PUT`` replaces the whole list, in its order: a field is known by
its ``id``; fields left out are deleted, except the core customer fields, which stay as they
are. Every member reads; writing needs an admin."""

from __future__ import annotations

from decimal import Decimal

from flask import g
from flask_babel import gettext as _

from webapp.api.access import management
from webapp.api.blueprint import bp, ok
from webapp.api.management_values import (
    MAX_LONG_TEXT,
    JsonReader,
    fail,
    json_list,
    read_amount,
    renamed,
)
from webapp.api.shapes import management as shapes
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.manage import fields as manage
from webapp.models.custom_fields import CORE_CUSTOMER_FIELDS, FIELD_TYPES, TEXT_TYPES, VISIBILITIES

FIELD_KEYS = {
    "id",
    "name",
    "name_translations",
    "type",
    "textType",
    "optional",
    "enabled",
    "visibility",
    "options",
    "types",
    "minutes",
    "price",
    "info",
    "condition",
    "phoneAuthMethods",
    "smsSender",
    "defaultCountry",
    "allowedCountries",
    "allowedCountriesList",
    "forbiddenCountriesList",
}
INFO_KEYS = {
    "filterResources",
    "multiple",
    "min",
    "max",
    "placeholder",
    "placeholder_translations",
    "content",
    "content_translations",
}
OPTION_KEYS = {"value", "label", "label_translations", "minutes", "price"}
ABSENT_TYPE = object()
SERVICE_NAMES = {
    "key": "id",
    "text_type": "textType",
    "filter_resources": "info.filterResources",
    "multiple": "info.multiple",
    "min_value": "info.min",
    "max_value": "info.max",
    "placeholder": "info.placeholder",
    "content": "info.content",
    "phone_auth_methods": "phoneAuthMethods",
    "sms_sender": "smsSender",
    "default_country": "defaultCountry",
    "allowed_countries": "allowedCountries",
    "allowed_countries_list": "allowedCountriesList",
    "forbidden_countries_list": "forbiddenCountriesList",
}


def _listed(scope: str) -> list[manage.FieldValues]:
    """The scope's fields in order; core customer fields never changed with their defaults."""
    listed = [manage.values_of(f) for f in manage.list_fields(db.session, g.organization, scope)]
    if scope == "customer":
        stored = {values.key for values in listed}
        listed += [manage.core_defaults(k) for k in CORE_CUSTOMER_FIELDS if k not in stored]
        listed.sort(key=lambda values: (values.position, values.key))
    return listed


def _answer(scope: str):
    return ok([shapes.form_field(values) for values in _listed(scope)])


def _read(reader: JsonReader, scope: str, current: manage.FieldValues | None):
    reader.only(FIELD_KEYS)
    key = reader.text("id", required=True, max_length=64)
    if current is None and scope == "customer" and key in CORE_CUSTOMER_FIELDS:
        current = manage.core_defaults(key)
    base = current or manage.FieldValues(scope=scope, key=key, name="")
    name, name_translations = reader.localized(
        "name", base.name, base.name_translations, required=True
    )
    values = manage.FieldValues(
        scope=scope,
        key=key,
        name=name,
        name_translations=name_translations,
        type=reader.choice("type", FIELD_TYPES, "text" if base.is_core else ABSENT_TYPE),
        text_type=reader.choice("textType", (*TEXT_TYPES, None), None),
        optional=reader.boolean("optional", False),
        enabled=reader.boolean("enabled", True),
        visibility=reader.choice("visibility", VISIBILITIES, "providerOnly"),
        types=reader.strings("types", [], max_length=64),
        minutes=reader.integer("minutes", None, minimum=0, maximum=24 * 60, nullable=True),
        price=reader.amount("price", None),
        condition=reader.obj("condition", {}),
        phone_auth_methods=reader.strings("phoneAuthMethods", [], max_length=16),
        sms_sender=reader.text("smsSender", "app", max_length=16) or "app",
        default_country=reader.text("defaultCountry", None, max_length=2) or None,
        allowed_countries=reader.text("allowedCountries", "all", max_length=16) or "all",
        allowed_countries_list=reader.strings("allowedCountriesList", [], max_length=2),
        forbidden_countries_list=reader.strings("forbiddenCountriesList", [], max_length=2),
    )
    if values.type is ABSENT_TYPE:
        raise fail(reader.name("type"), _("%(name)s is required.", name=reader.name("type")))
    _read_info(reader, values, base)
    values.options = _options(reader, base)
    return values


def _read_info(reader: JsonReader, values: manage.FieldValues, base: manage.FieldValues) -> None:
    info = reader.obj("info", {})
    inner = JsonReader(info, reader.name("info."))
    inner.only(INFO_KEYS)
    values.filter_resources = inner.boolean("filterResources", False)
    values.multiple = inner.boolean("multiple", False)
    for name, attr in (("min", "min_value"), ("max", "max_value")):
        number = info.get(name)
        if number is not None:
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise fail(inner.name(name), _("%(name)s must be a number.", name=inner.name(name)))
            setattr(values, attr, Decimal(str(number)))
    for name in ("placeholder", "content"):
        text, others = inner.localized(
            name,
            getattr(base, name),
            getattr(base, f"{name}_translations"),
            max_length=MAX_LONG_TEXT,
        )
        setattr(values, name, text)
        setattr(values, f"{name}_translations", others)


def _options(reader: JsonReader, base: manage.FieldValues) -> list[dict]:
    raw = reader.data.get("options")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise fail(reader.name("options"), _("options must be a list."))
    known = {o.get("value"): o for o in base.options}
    options = []
    for index, item in enumerate(raw):
        where = reader.name(f"options[{index}].")
        if not isinstance(item, dict):
            raise fail(where.rstrip("."), _("Each option must be an object."))
        option = JsonReader(item, where)
        option.only(OPTION_KEYS)
        value = option.text("value", required=True, max_length=100)
        before = known.get(value) or {}
        label, label_translations = option.localized(
            "label", before.get("label", ""), before.get("label_translations") or {}, required=True
        )
        price = item.get("price")
        options.append(
            {
                "value": value,
                "label": label,
                "label_translations": label_translations,
                "minutes": option.integer(
                    "minutes", None, minimum=0, maximum=24 * 60, nullable=True
                ),
                "price": read_amount(price, option.name("price"))
                if price not in (None, "")
                else None,
            }
        )
    return options


def _replace(scope: str):
    items = json_list()
    stored = {values.key: values for values in _listed(scope)}
    fields = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise fail(f"[{index}]", _("Each field must be an object."))
        reader = JsonReader(item, f"[{index}].")
        key = item.get("id")
        fields.append(_read(reader, scope, stored.get(key) if isinstance(key, str) else None))
    try:
        manage.replace_fields(db.session, g.organization, scope, fields)
    except ValidationFailed as error:
        raise _named(error) from None
    db.session.commit()
    return _answer(scope)


def _named(error: ValidationFailed) -> ValidationFailed:
    """``2.text_type`` -> ``[2].textType``; ``0.option-1-value`` -> ``[0].options[1].value``."""
    names = {}
    for name in [error.details.get("field"), *(error.details.get("errors") or {})]:
        if not isinstance(name, str) or "." not in name:
            continue
        index, _sep, rest = name.partition(".")
        if rest.startswith("option-"):
            _word, number, part = rest.split("-", 2)
            api = f"options[{number}].{part}"
        else:
            api = SERVICE_NAMES.get(rest, rest)
        names[name] = f"[{index}].{api}"
    return renamed(error, names)


@bp.get("/management/customFields/customer")
@management("staff")
def management_customer_fields_get():
    return _answer("customer")


@bp.put("/management/customFields/customer")
@management("admin")
def management_customer_fields_update():
    return _replace("customer")


@bp.get("/management/customFields/booking")
@management("staff")
def management_booking_fields_get():
    return _answer("booking")


@bp.put("/management/customFields/booking")
@management("admin")
def management_booking_fields_update():
    return _replace("booking")
