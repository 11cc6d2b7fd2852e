"""Custom fields: the questions a booking form asks about the customer or the booking.

What is stored here is what the booking website reads (webapp.public.fields): attributes that
do not apply to a field's type are cleared, so the form never acts on a leftover setting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

import phonenumbers
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.manage.field_values import (  # noqa: F401  (the admin reads them from here)
    CORE_OPTIONAL,
    CORE_TEXT_TYPES,
    COUNTRY_RULES,
    INFO_KEYS,
    MAX_ADDED_MINUTES,
    MAX_OPTIONS,
    PHONE_AUTH_METHODS,
    SMS_SENDERS,
    FieldValues,
    core_defaults,
    normalized,
    values_of,
)
from webapp.models import BookingType, CustomField, Organization
from webapp.models.custom_fields import (
    CORE_CUSTOMER_FIELDS,
    FIELD_TYPES,
    SCOPES,
    TEXT_TYPES,
    VISIBILITIES,
)

KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)


def get_field(session: Session, organization: Organization, field_id: str) -> CustomField:
    found = session.scalar(
        select(CustomField).where(
            CustomField.organization_id == organization.id, CustomField.id == field_id
        )
    )
    if found is None:
        raise NotFound(_("Custom field not found."))
    return found


def list_fields(session: Session, organization: Organization, scope: str) -> list[CustomField]:
    return list(
        session.scalars(
            select(CustomField)
            .where(CustomField.organization_id == organization.id, CustomField.scope == scope)
            .order_by(CustomField.position, CustomField.key)
        )
    )


# -- the rules --------------------------------------------------------------------------------


def problems_of(
    session: Session,
    organization: Organization,
    values: FieldValues,
    custom_field: CustomField | None = None,
    *,
    planned: Mapping[str, FieldValues] | None = None,
) -> dict[str, str]:
    """Every rule the (normalized) ``values`` break, as {form field: message}. ``planned``
    are the other fields of the scope as they will be once a whole list is saved."""
    problems: dict[str, str] = {}
    problems.update(_key_problems(session, organization, values, custom_field))
    if not values.name.strip() or len(values.name) > 200:
        problems["name"] = _("The field needs a name (at most 200 characters).")
    if values.type not in FIELD_TYPES:
        problems["type"] = _("Choose one of the offered field types.")
    if values.text_type is not None and values.text_type not in TEXT_TYPES:
        problems["text_type"] = _("Choose one of the offered kinds of text.")
    if values.visibility not in VISIBILITIES:
        problems["visibility"] = _("Choose who sees the field.")
    if not 0 <= values.position <= 10_000:
        problems["position"] = _("Enter a number from %(a)d to %(b)d.", a=0, b=10_000)
    if len(values.placeholder) > 200:
        problems["placeholder"] = _("Use at most %(n)d characters.", n=200)
    if len(values.content) > 5000:
        problems["content"] = _("Use at most %(n)d characters.", n=5000)
    if values.type == "paragraph-readonly" and not values.content.strip():
        problems["content"] = _("Write the text to show.")
    problems.update(_option_problems(values))
    problems.update(_number_problems(values))
    if values.filter_resources and values.adjusts_time:
        problems["filter_resources"] = _(
            "A resource filter cannot also add time or price: use two fields."
        )
    if values.type == "options" and values.multiple and values.adjusts_time:
        problems["multiple"] = _(
            "A question that adds time or price takes one answer: allow one choice only."
        )
    problems.update(_type_problems(session, organization, values))
    if values.is_phone:
        problems.update(_phone_problems(values))
    if values.is_core and values.key in ("phoneNumber", "email"):
        problem = _identity_problem(session, organization, values, planned or {})
        if problem:
            problems.setdefault(*problem)
    return problems


def _key_problems(session, organization, values: FieldValues, custom_field) -> dict[str, str]:
    if values.scope not in SCOPES:
        return {"scope": _("Choose customer or booking fields.")}
    if not KEY.match(values.key or ""):
        return {
            "key": _(
                "Start with a letter and use only letters, digits, - and _ "
                "(at most 64 characters), for example specialty."
            )
        }
    renamed = custom_field is not None and custom_field.key != values.key
    if (
        renamed
        and values.scope == "customer"
        and (custom_field.key in CORE_CUSTOMER_FIELDS or values.key in CORE_CUSTOMER_FIELDS)
    ):
        return {"key": _("The key of a built-in customer field cannot change.")}
    taken = session.scalar(
        select(CustomField.id).where(
            CustomField.organization_id == organization.id,
            CustomField.scope == values.scope,
            CustomField.key == values.key,
        )
    )
    if taken and (custom_field is None or taken != custom_field.id):
        return {"key": _("Another field already uses this key.")}
    return {}


def _option_problems(values: FieldValues) -> dict[str, str]:
    if values.type != "options":
        return {}
    problems: dict[str, str] = {}
    if not values.options:
        return {"options": _("Add at least one option.")}
    if len(values.options) > MAX_OPTIONS:
        return {"options": _("Offer at most %(n)d options.", n=MAX_OPTIONS)}
    seen: set[str] = set()
    for index, option in enumerate(values.options):
        value, label = option.get("value") or "", option.get("label") or ""
        if not value.strip():
            problems[f"option-{index}-value"] = _("Give the option a value.")
        elif len(value) > 100:
            problems[f"option-{index}-value"] = _("Use at most %(n)d characters.", n=100)
        elif value.strip().casefold() in seen:
            problems[f"option-{index}-value"] = _("Two options have this value.")
        seen.add(value.strip().casefold())
        if not label.strip():
            problems[f"option-{index}-label"] = _("Give the option a label.")
        elif len(label) > 200:
            problems[f"option-{index}-label"] = _("Use at most %(n)d characters.", n=200)
        minutes, price = option.get("minutes"), option.get("price")
        if minutes is not None and not 0 <= minutes <= MAX_ADDED_MINUTES:
            problems[f"option-{index}-minutes"] = _(
                "Enter a number from %(a)d to %(b)d.", a=0, b=MAX_ADDED_MINUTES
            )
        if price is not None and Decimal(str(price)) < 0:
            problems[f"option-{index}-price"] = _("Amounts cannot be negative.")
    if problems:
        problems.setdefault("options", _("Some options need a value and a label."))
    return problems


def _number_problems(values: FieldValues) -> dict[str, str]:
    if values.type != "number":
        return {}
    problems: dict[str, str] = {}
    if values.minutes is not None and not 0 <= values.minutes <= MAX_ADDED_MINUTES:
        problems["minutes"] = _("Enter a number from %(a)d to %(b)d.", a=0, b=MAX_ADDED_MINUTES)
    if values.price is not None and values.price < 0:
        problems["price"] = _("Amounts cannot be negative.")
    low, high = values.min_value, values.max_value
    if low is not None and high is not None and low > high:
        problems["max_value"] = _("The largest number cannot be below the smallest.")
    if values.adjusts_time and low is not None and low < 0:
        problems["min_value"] = _("A number that adds time cannot be negative.")
    return problems


def _type_problems(session, organization, values: FieldValues) -> dict[str, str]:
    if not values.types:
        return {}
    known = set(
        session.scalars(
            select(BookingType.id).where(
                BookingType.organization_id == organization.id,
                BookingType.id.in_(values.types),
            )
        )
    )
    if known != set(values.types):
        return {"types": _("Choose services of this organization.")}
    return {}


def _phone_problems(values: FieldValues) -> dict[str, str]:
    problems: dict[str, str] = {}
    if any(m not in PHONE_AUTH_METHODS for m in values.phone_auth_methods) or len(
        set(values.phone_auth_methods)
    ) != len(values.phone_auth_methods):
        problems["phone_auth_methods"] = _("Choose SMS, WhatsApp or both.")
    if values.sms_sender not in SMS_SENDERS:
        problems["sms_sender"] = _("Choose who sends the text messages.")
    if values.default_country and values.default_country not in REGIONS:
        problems["default_country"] = _("Use a two-letter country code such as SA.")
    if values.allowed_countries not in COUNTRY_RULES:
        problems["allowed_countries"] = _("Choose which countries' numbers are accepted.")
        return problems
    for name in ("allowed_countries_list", "forbidden_countries_list"):
        unknown = [c for c in getattr(values, name) if c not in REGIONS]
        if unknown:
            problems[name] = _(
                "Not a country code: %(codes)s. Use two-letter codes such as SA, AE.",
                codes=", ".join(unknown),
            )
    country = values.default_country
    if values.allowed_countries == "specific":
        if not values.allowed_countries_list:
            problems.setdefault("allowed_countries_list", _("List the countries to accept."))
        elif country and country not in values.allowed_countries_list:
            problems.setdefault(
                "default_country", _("The default country must be one of the accepted ones.")
            )
    if values.allowed_countries == "forbidden":
        if not values.forbidden_countries_list:
            problems.setdefault("forbidden_countries_list", _("List the countries to refuse."))
        elif country and country in values.forbidden_countries_list:
            problems.setdefault("default_country", _("The default country cannot be refused."))
    return problems


def _identity_problem(
    session, organization, values: FieldValues, planned: Mapping[str, FieldValues]
) -> tuple[str, str] | None:
    """The phone number and email rules: customers are told apart by one of them, so at least
    one stays switched on and required."""
    state = {}
    for key in ("phoneNumber", "email"):
        if key == values.key:
            state[key] = (values.enabled, values.optional)
            continue
        if key in planned:
            state[key] = (planned[key].enabled, planned[key].optional)
            continue
        row = session.scalar(
            select(CustomField).where(
                CustomField.organization_id == organization.id,
                CustomField.scope == "customer",
                CustomField.key == key,
            )
        )
        state[key] = (
            (row.enabled is not False, bool(row.optional))
            if row is not None
            else (True, CORE_OPTIONAL[key])
        )
    (phone_on, phone_optional), (email_on, email_optional) = state["phoneNumber"], state["email"]
    if not phone_on and not email_on:
        return "enabled", _("The mobile number and the email cannot both be switched off.")
    if phone_optional and email_optional:
        return "optional", _("The mobile number and the email cannot both be optional.")
    if not email_on and phone_optional:
        return "optional", _("While the email is switched off, the mobile number is required.")
    if not phone_on and email_optional:
        return "optional", _("While the mobile number is switched off, the email is required.")
    return None


# -- saving ------------------------------------------------------------------------------------


def save_field(
    session: Session,
    organization: Organization,
    values: FieldValues,
    custom_field: CustomField | None = None,
) -> CustomField:
    """Create a custom field (``custom_field`` None) or update it; the scope never changes."""
    if custom_field is not None:
        values.scope = custom_field.scope
    values = normalized(values)
    problems = problems_of(session, organization, values, custom_field)
    if problems:
        name, message = next(iter(problems.items()))
        raise ValidationFailed(message, field=name, errors=problems)
    return _store(session, organization, values, custom_field)


def replace_fields(
    session: Session, organization: Organization, scope: str, fields: list[FieldValues]
) -> list[CustomField]:
    """Make the scope's fields exactly ``fields``, in that order: a field is known by its
    key; stored fields left out are deleted, except the core customer fields, which keep
    their settings and follow the others. Every field is checked against the others as they
    will be, before anything is written; problems are keyed ``<index>.<form field>``."""
    if scope not in SCOPES:
        raise ValidationFailed(_("Choose customer or booking fields."), field="scope")
    stored = {f.key: f for f in list_fields(session, organization, scope)}
    if scope == "customer":
        sent = {values.key for values in fields}
        kept = [
            values_of(stored[key]) if key in stored else core_defaults(key)
            for key in CORE_CUSTOMER_FIELDS
            if key not in sent
        ]
        fields = [*fields, *sorted(kept, key=lambda values: (values.position, values.key))]
    planned: dict[str, FieldValues] = {}
    where: dict[str, int] = {}
    problems: dict[str, str] = {}
    for index, values in enumerate(fields):
        values.scope = scope
        values.position = index
        values = normalized(values)
        if values.key in planned:
            problems[f"{index}.key"] = _("Two fields have the key %(key)s.", key=values.key)
            continue
        planned[values.key], where[values.key] = values, index
    for key, values in planned.items():
        found = problems_of(session, organization, values, stored.get(key), planned=planned)
        problems.update({f"{where[key]}.{name}": message for name, message in found.items()})
    if problems:
        problems = dict(sorted(problems.items(), key=lambda item: int(item[0].split(".")[0])))
        name, message = next(iter(problems.items()))
        raise ValidationFailed(message, field=name, errors=problems)
    for key, row in stored.items():
        if key not in planned:
            session.delete(row)
    session.flush()
    return [_store(session, organization, v, stored.get(k)) for k, v in planned.items()]


def _store(
    session: Session,
    organization: Organization,
    values: FieldValues,
    custom_field: CustomField | None,
) -> CustomField:
    if custom_field is None:
        custom_field = CustomField(
            organization_id=organization.id, scope=values.scope, key=values.key
        )
        session.add(custom_field)
    custom_field.key = values.key
    custom_field.name = values.name.strip()
    custom_field.name_translations = values.name_translations
    custom_field.type = values.type
    custom_field.text_type = values.text_type
    custom_field.optional = values.optional
    custom_field.enabled = values.enabled
    custom_field.visibility = values.visibility
    custom_field.options = [_stored_option(option) for option in values.options]
    custom_field.types = list(values.types)
    custom_field.minutes = values.minutes or None
    custom_field.price = values.price or None
    custom_field.info = _info(custom_field.info or {}, values)
    custom_field.phone_auth_methods = list(values.phone_auth_methods)
    custom_field.sms_sender = values.sms_sender
    custom_field.default_country = values.default_country
    custom_field.allowed_countries = values.allowed_countries
    custom_field.allowed_countries_list = list(values.allowed_countries_list)
    custom_field.forbidden_countries_list = list(values.forbidden_countries_list)
    custom_field.position = values.position
    if values.condition is not None:
        custom_field.condition = dict(values.condition)
    session.flush()
    return custom_field


def _stored_option(option: dict) -> dict:
    stored = {
        "value": option["value"].strip(),
        "label": option["label"].strip(),
        "label_translations": dict(option.get("label_translations") or {}),
    }
    if option.get("minutes"):
        stored["minutes"] = int(option["minutes"])
    if option.get("price"):
        stored["price"] = f"{Decimal(str(option['price'])):.2f}"
    return stored


def _info(current: dict, values: FieldValues) -> dict:
    info = {k: v for k, v in current.items() if k not in INFO_KEYS}
    if values.filter_resources:
        info["filterResources"] = True
    if values.multiple:
        info["multiple"] = True
    for name, number in (("min", values.min_value), ("max", values.max_value)):
        if number is not None:
            info[name] = int(number) if number == number.to_integral_value() else float(number)
    for name in ("placeholder", "content"):
        text = getattr(values, name).strip()
        translations = getattr(values, f"{name}_translations")
        if text:
            info[name] = text
        if translations:
            info[f"{name}Translations"] = dict(translations)
    return info


def delete_field(session: Session, organization: Organization, field_id: str) -> None:
    """Remove a field; answers already given stay with their bookings and customers. The core
    customer fields stay: they can be made optional or switched off instead."""
    custom_field = get_field(session, organization, field_id)
    if custom_field.scope == "customer" and custom_field.key in CORE_CUSTOMER_FIELDS:
        raise ValidationFailed(
            _("Built-in customer fields cannot be deleted; make them optional or switch them off."),
            field="__all__",
        )
    session.delete(custom_field)
    session.flush()
