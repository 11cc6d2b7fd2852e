"""Custom fields as seed 002's ``FormField``, the way customers meet them: built from the
website's field specs (labels and options already in the request's language), with the
stored settings a form needs (``types``, ``condition``, the phone rules)."""

from __future__ import annotations

from webapp.api.shapes.catalog import money
from webapp.models import CustomField
from webapp.public.fields import FieldSpec


def form_field(spec: FieldSpec, row: CustomField | None) -> dict:
    """``row`` is None for a core customer field the organization never configured."""
    shaped = {
        "id": spec.key,
        "name": spec.label,
        "type": spec.type,
        "textType": spec.text_type,
        "optional": not spec.required,
        "enabled": True,
        "visibility": "public",
        "options": [
            {
                "value": choice.value,
                "label": choice.label,
                "minutes": choice.minutes,
                "price": money(choice.price),
            }
            for choice in spec.options
        ],
        "types": list(row.types or []) if row is not None else [],
        "minutes": spec.minutes,
        "price": money(spec.price),
        "info": _info(spec, row),
        "condition": dict(row.condition or {}) if row is not None else {},
    }
    if spec.text_type == "phone":
        shaped.update(
            phoneAuthMethods=list(row.phone_auth_methods or []) if row is not None else [],
            defaultCountry=spec.default_country,
            allowedCountries=(row.allowed_countries if row is not None else None) or "all",
            allowedCountriesList=list(spec.allowed_countries),
            forbiddenCountriesList=list(spec.forbidden_countries),
        )
    return shaped


def _info(spec: FieldSpec, row: CustomField | None) -> dict:
    """What a form needs of ``info``; anything else stored there stays with the staff."""
    info: dict = {"filterResources": bool(row is not None and row.filters_resources)}
    if spec.type == "options":
        info["multiple"] = spec.multiple
    if spec.placeholder:
        info["placeholder"] = spec.placeholder
    if spec.content:
        info["content"] = spec.content
    if spec.min_value is not None:
        info["min"] = _number(spec.min_value)
    if spec.max_value is not None:
        info["max"] = _number(spec.max_value)
    return info


def _number(value) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
