"""What the management API answers: resources (``ResourceForManagement``), booking types
(``BookingTypeForManagement``), time and off rules and custom fields (``FormField``) as the
staff edit them. Names come in the request's language, next to every translation (``en`` is
the base text), so a client can send back what it read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from webapp.api.shapes import catalog
from webapp.i18n import translated
from webapp.manage.field_values import FieldValues
from webapp.models import BookingType, OffRules, Organization, Resource, TimeRules

BASE_LANG = "en"


def translations(base: str | None, others: Mapping | None) -> dict:
    """Every language's text: the base as ``en``, then the stored translations."""
    shaped = {BASE_LANG: base or ""}
    for lang, text in (others or {}).items():
        if isinstance(text, str) and text.strip() and lang != BASE_LANG:
            shaped[lang] = text
    return shaped


def resource(
    row: Resource, organization: Organization, calendar_feed_url: str | None = None
) -> dict:
    """A resource with everything staff set on it, and the address of its calendar feed
    when it has one. The provider's email and phone are only written, never answered
    (seed 002)."""
    shaped = catalog.resource(row, type_ids={t.id for t in row.booking_types}, meta_keys=None)
    shaped.update(
        name_translations=translations(row.name, row.name_translations),
        description_translations=translations(row.description, row.description_translations),
        timeZone=row.timezone or organization.timezone,
        position=row.position,
        updatedAt=row.updated_at.isoformat() if row.updated_at else None,
        calendarFeedUrl=calendar_feed_url,
    )
    return shaped


def booking_type(row: BookingType, organization: Organization, resource_ids: Iterable[str]) -> dict:
    """A service with its settings and the resources that offer it."""
    shaped = catalog.booking_type(row, currency=organization.currency, pending_count=0)
    del shaped["pendingCount"]  # a customer-facing figure, not a setting
    shaped.update(
        name_translations=translations(row.name, row.name_translations),
        description_translations=translations(row.description, row.description_translations),
        schedule=dict(row.schedule or {}),
        resources=list(resource_ids),
        position=row.position,
        createdAt=row.created_at.isoformat() if row.created_at else None,
        updatedAt=row.updated_at.isoformat() if row.updated_at else None,
    )
    return shaped


def time_rules(row: TimeRules) -> dict:
    return {
        "depthOfDays": row.depth_of_days,
        "scheduleAfterHoursFromNow": row.schedule_after_hours_from_now,
        "rules": list(row.rules or []),
    }


def off_rules(row: OffRules) -> dict:
    return {"rules": list(row.rules or [])}


def form_field(values: FieldValues) -> dict:
    """A custom field as staff configure it (``values`` of a stored field, or the defaults
    of a core customer field never changed)."""
    shaped = {
        "id": values.key,
        "name": translated(values.name, values.name_translations),
        "name_translations": translations(values.name, values.name_translations),
        "type": values.type,
        "textType": values.text_type,
        "optional": values.optional,
        "enabled": values.enabled,
        "visibility": values.visibility,
        "options": [_option(option) for option in values.options],
        "types": list(values.types),
        "minutes": values.minutes,
        "price": catalog.money(values.price),
        "info": _info(values),
        "condition": dict(values.condition or {}),
    }
    if values.is_phone:
        shaped.update(
            phoneAuthMethods=list(values.phone_auth_methods),
            smsSender=values.sms_sender,
            defaultCountry=values.default_country,
            allowedCountries=values.allowed_countries,
            allowedCountriesList=list(values.allowed_countries_list),
            forbiddenCountriesList=list(values.forbidden_countries_list),
        )
    return shaped


def _option(option: Mapping) -> dict:
    price = option.get("price")
    return {
        "value": option.get("value", ""),
        "label": translated(option.get("label"), option.get("label_translations")),
        "label_translations": translations(option.get("label"), option.get("label_translations")),
        "minutes": option.get("minutes") or None,
        "price": catalog.money(price) if price not in (None, "") else None,
    }


def _info(values: FieldValues) -> dict:
    info: dict = {"filterResources": values.filter_resources}
    if values.type == "options":
        info["multiple"] = values.multiple
    for name in ("placeholder", "content"):
        text = getattr(values, name)
        others = getattr(values, f"{name}_translations")
        if text or others:
            info[name] = translated(text, others)
            info[f"{name}_translations"] = translations(text, others)
    for name, number in (("min", values.min_value), ("max", values.max_value)):
        if number is not None:
            info[name] = int(number) if number == number.to_integral_value() else float(number)
    return info
