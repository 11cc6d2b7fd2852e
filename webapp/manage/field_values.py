"""The shape of a custom field as the admin edits it: its values, the defaults of the core
customer fields, and what applies to which scope and type."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.models import CustomField
from webapp.models.custom_fields import CORE_CUSTOMER_FIELDS

PHONE_AUTH_METHODS = ("sms", "whatsapp")
SMS_SENDERS = ("app", "custom")
COUNTRY_RULES = ("all", "specific", "forbidden")
MAX_OPTIONS = 100
MAX_ADDED_MINUTES = 24 * 60
# What the core customer fields are when the organization has not changed them (the booking
# website assumes the same: webapp.public.fields).
CORE_TEXT_TYPES = {"phoneNumber": "phone", "email": "email", "firstName": None, "lastName": None}
CORE_OPTIONAL = {"phoneNumber": True, "email": False, "firstName": False, "lastName": False}
# Which types a setting belongs to.
PLACEHOLDER_TYPES = frozenset({"text", "paragraph", "number", "location"})
FILTER_TYPES = frozenset({"text", "options"})
# ``info`` keys this module owns; any others are kept as they are.
INFO_KEYS = frozenset(
    {
        "filterResources",
        "multiple",
        "min",
        "max",
        "placeholder",
        "placeholderTranslations",
        "placeholder_translations",
        "content",
        "contentTranslations",
        "content_translations",
    }
)


def core_name(key: str) -> str:
    return {
        "phoneNumber": _("Mobile number"),
        "firstName": _("First name"),
        "lastName": _("Last name"),
        "email": _("Email"),
    }[key]


@dataclass
class FieldValues:
    scope: str
    key: str
    name: str
    type: str = "text"
    name_translations: dict = field(default_factory=dict)
    text_type: str | None = None
    optional: bool = False
    enabled: bool = True
    visibility: str = "public"
    # [{"value", "label", "label_translations", "minutes", "price"}]
    options: list[dict] = field(default_factory=list)
    multiple: bool = False
    filter_resources: bool = False
    types: list[str] = field(default_factory=list)
    minutes: int | None = None
    price: Decimal | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    placeholder: str = ""
    placeholder_translations: dict = field(default_factory=dict)
    content: str = ""
    content_translations: dict = field(default_factory=dict)
    phone_auth_methods: list[str] = field(default_factory=list)
    sms_sender: str = "app"
    default_country: str | None = None
    allowed_countries: str = "all"
    allowed_countries_list: list[str] = field(default_factory=list)
    forbidden_countries_list: list[str] = field(default_factory=list)
    position: int = 0
    # When the field is shown (kept as given; None keeps what is stored).
    condition: dict | None = None

    @property
    def is_core(self) -> bool:
        return self.scope == "customer" and self.key in CORE_CUSTOMER_FIELDS

    @property
    def is_phone(self) -> bool:
        return self.type == "text" and self.text_type == "phone"

    @property
    def adjusts_time(self) -> bool:
        if self.type == "number":
            return bool(self.minutes) or bool(self.price)
        if self.type == "options":
            return any(o.get("minutes") or o.get("price") for o in self.options)
        return False


def core_defaults(key: str) -> FieldValues:
    """A core customer field as the website asks it before the organization changes it
    (named in English, with the Arabic name as its translation)."""
    with force_locale("en"):
        name = core_name(key)
    with force_locale("ar"):
        arabic = core_name(key)
    return FieldValues(
        scope="customer",
        key=key,
        name=name,
        name_translations={"ar": arabic} if arabic != name else {},
        type="text",
        text_type=CORE_TEXT_TYPES[key],
        optional=CORE_OPTIONAL[key],
        visibility="public",
        position=list(CORE_CUSTOMER_FIELDS).index(key),
    )


def values_of(custom_field: CustomField) -> FieldValues:
    info = custom_field.info or {}
    return FieldValues(
        scope=custom_field.scope,
        key=custom_field.key,
        name=custom_field.name,
        type=custom_field.type,
        name_translations=dict(custom_field.name_translations or {}),
        text_type=custom_field.text_type,
        optional=bool(custom_field.optional),
        enabled=custom_field.enabled is not False,
        visibility=custom_field.visibility or "providerOnly",
        options=[dict(option) for option in custom_field.options or ()],
        multiple=bool(info.get("multiple")),
        filter_resources=bool(info.get("filterResources")),
        types=list(custom_field.types or ()),
        minutes=custom_field.minutes,
        price=custom_field.price,
        min_value=_decimal(info.get("min")),
        max_value=_decimal(info.get("max")),
        placeholder=_text(info.get("placeholder")),
        placeholder_translations=_translations(info, "placeholder"),
        content=_text(info.get("content")),
        content_translations=_translations(info, "content"),
        phone_auth_methods=list(custom_field.phone_auth_methods or ()),
        sms_sender=custom_field.sms_sender or "app",
        default_country=custom_field.default_country,
        allowed_countries=custom_field.allowed_countries or "all",
        allowed_countries_list=list(custom_field.allowed_countries_list or ()),
        forbidden_countries_list=list(custom_field.forbidden_countries_list or ()),
        position=custom_field.position or 0,
        condition=dict(custom_field.condition or {}),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _translations(info: dict, name: str) -> dict:
    found = info.get(f"{name}Translations") or info.get(f"{name}_translations") or {}
    return dict(found) if isinstance(found, dict) else {}


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def normalized(values: FieldValues) -> FieldValues:
    """``values`` with what does not apply to the field's scope and type left out."""
    if values.is_core:
        values.type = "text"
        values.text_type = CORE_TEXT_TYPES[values.key]
        values.visibility = "public"
    if values.type != "text":
        values.text_type = None
    if values.type != "options":
        values.options = []
        values.multiple = False
    if values.type != "number":
        values.minutes = values.price = None
        values.min_value = values.max_value = None
    if values.type not in PLACEHOLDER_TYPES:
        values.placeholder, values.placeholder_translations = "", {}
    if values.type == "paragraph-readonly":
        values.optional = True  # nothing to answer
    else:
        values.content, values.content_translations = "", {}
    if values.scope != "booking":
        values.types = []
        values.filter_resources = False
        values.minutes = values.price = None
        for option in values.options:
            option["minutes"] = option["price"] = None
    if values.type not in FILTER_TYPES:
        values.filter_resources = False
    if not values.is_phone:
        values.phone_auth_methods = []
        values.sms_sender = "app"
        values.default_country = None
        values.allowed_countries = "all"
    if values.allowed_countries != "specific":
        values.allowed_countries_list = []
    if values.allowed_countries != "forbidden":
        values.forbidden_countries_list = []
    return values
