"""A website's settings: edited as a draft, published to the live version customers see,
and its address (slug)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, fields

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts import RESERVED_SLUGS, SLUG_PATTERN, normalize_email, validate_slug
from webapp.booking.errors import NotFound, ValidationFailed
from webapp.booking.intervals import is_valid_timezone
from webapp.booking.lifecycle import HOLD_MINUTES_RANGE
from webapp.i18n import LANGUAGES
from webapp.models import Organization, Website, WebsiteVersion
from webapp.models.websites import BOOKING_POLICIES, BOOKING_TIME_POLICIES, SPLITTING_MODES
from webapp.public.blueprint import SITE_TEXTS, THEME_PROPERTIES, is_color

LIVE, DRAFT = "default", "draft"
# Columns of a version that are settings (what publishing copies).
SETTING_COLUMNS = tuple(
    column.key
    for column in WebsiteVersion.__table__.columns
    if column.key not in {"id", "organization_id", "website_id", "version", "updated_at"}
)
SUGGESTED_TIMES_RANGE = (1, 20)
CHANGE_NOTICE_RANGE = (0, 720)  # hours: up to 30 days
MAX_NAME = 200
MAX_TEXT = 10_000
PHONE = re.compile(r"\+?[0-9][0-9 ()-]{4,30}")
HANDLE = re.compile(r"[A-Za-z0-9._-]{1,100}")
REGISTRATION = re.compile(r"[A-Za-z0-9-]{1,64}")
FIXED_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")
SOCIAL_COLUMNS = ("twitter", "instagram", "facebook", "tiktok", "snapchat")
# Form names of the Arabic texts, by their key in ``translations["ar"]``.
ARABIC_FIELDS = {key: f"{column}_ar" for key, column in SITE_TEXTS.items()}


@dataclass
class WebsiteSettings:
    """Everything on the settings form (the theme has a page of its own)."""

    name: str
    timezone: str
    on: bool = True
    default_lang: str = "en"
    display_name: str = ""
    description: str = ""
    terms: str = ""
    booking_success_message: str = ""
    translations: dict = field(default_factory=dict)
    booking_policy: str = "specify"
    booking_time_policy: str = "displayAll"
    suggested_times: int = 3
    booking_time_splitting: str = "oclockAndHalf"
    fixed_times: list[int] = field(default_factory=list)
    booking_time_splitting_optimize: bool = False
    booking_time_show_midnight: bool = True
    select_type_first: bool = True
    select_resource_category: bool = False
    hide_resource: bool = False
    require_verification: bool = False
    hold_minutes: int = 10
    change_notice_hours: int = 0
    call_support: str | None = None
    whatsapp: str | None = None
    email_support: str | None = None
    twitter: str | None = None
    instagram: str | None = None
    facebook: str | None = None
    tiktok: str | None = None
    snapchat: str | None = None
    map: dict | None = None
    maroof: str | None = None
    saudi_business_center: str | None = None
    # None keeps the current image; {} removes it.
    logo: dict | None = None
    logo_fav_icon: dict | None = None


IMAGES = ("logo", "logo_fav_icon")


def get_website(session: Session, organization: Organization) -> Website:
    """The organization's website (its first, when it has several)."""
    website = session.scalars(
        select(Website)
        .where(Website.organization_id == organization.id)
        .order_by(Website.created_at, Website.id)
    ).first()
    if website is None:
        raise NotFound(_("This organization has no website."))
    return website


def copy_settings(source: WebsiteVersion, target: WebsiteVersion) -> None:
    for name in SETTING_COLUMNS:
        setattr(target, name, copy.deepcopy(getattr(source, name)))


def draft_of(session: Session, website: Website) -> WebsiteVersion:
    """The draft version, made from the live one when there is none yet."""
    draft = website.version(DRAFT)
    if draft is None:
        draft = WebsiteVersion(
            organization_id=website.organization_id, website_id=website.id, version=DRAFT
        )
        copy_settings(website.settings, draft)
        website.versions.append(draft)
        session.flush()
    return draft


def unpublished_changes(website: Website) -> list[str]:
    """The settings whose draft value differs from the live one."""
    live, draft = website.version(LIVE), website.version(DRAFT)
    if live is None or draft is None:
        return []
    return [name for name in SETTING_COLUMNS if getattr(live, name) != getattr(draft, name)]


def publish_draft(session: Session, organization: Organization) -> Website:
    """Customers see the draft from now on."""
    website = get_website(session, organization)
    copy_settings(draft_of(session, website), website.settings)
    session.flush()
    return website


def discard_draft(session: Session, organization: Organization) -> Website:
    """The draft goes back to what customers see."""
    website = get_website(session, organization)
    copy_settings(website.settings, draft_of(session, website))
    session.flush()
    return website


def save_draft(
    session: Session, organization: Organization, values: WebsiteSettings
) -> WebsiteVersion:
    """Check every setting (all problems at once) and write them to the draft."""
    return save_version(session, organization, values, version=DRAFT)


def save_version(
    session: Session,
    organization: Organization,
    values: WebsiteSettings,
    *,
    version: str,
    theme: dict[str, str] | None = None,
) -> WebsiteVersion:
    """Check every setting (and the colours, when given) and write them to the draft, or
    straight to the live version. Written live, the draft follows every setting it had not
    changed, so its own unpublished changes stay and nothing else goes back on publishing."""
    errors = check_settings(values)
    chosen = None
    if theme is not None:
        chosen, theme_errors = check_theme(theme)
        errors.update(theme_errors)
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(errors[first], field=first, fields=errors)
    website = get_website(session, organization)
    draft = draft_of(session, website)
    if version == DRAFT:
        _write(draft, values, chosen)
        session.flush()
        return draft
    live = website.settings
    before = {name: copy.deepcopy(getattr(live, name)) for name in SETTING_COLUMNS}
    _write(live, values, chosen)
    for name in SETTING_COLUMNS:
        if getattr(draft, name) == before[name]:
            setattr(draft, name, copy.deepcopy(getattr(live, name)))
    session.flush()
    return live


def _write(target: WebsiteVersion, values: WebsiteSettings, theme: dict | None) -> None:
    for item in fields(values):
        value = getattr(values, item.name)
        if item.name in IMAGES:
            if value is not None:
                setattr(target, item.name, value or None)
            continue
        setattr(target, item.name, value)
    if theme is not None:
        target.theme = theme


def check_settings(values: WebsiteSettings) -> dict[str, str]:
    """Problems by form field; cleans what it can (handles lose their "@")."""
    errors: dict[str, str] = {}
    values.name = (values.name or "").strip()
    if not values.name or len(values.name) > MAX_NAME:
        errors["name"] = _("The business needs a name (at most 200 characters).")
    if len(values.display_name or "") > MAX_NAME:
        errors["display_name"] = _("Use at most %(n)d characters.", n=MAX_NAME)
    if not is_valid_timezone(values.timezone):
        errors["timezone"] = _("Choose a time zone from the list, such as Asia/Riyadh.")
    if values.default_lang not in LANGUAGES:
        errors["default_lang"] = _("Choose English or Arabic.")
    for column in ("description", "terms", "booking_success_message"):
        if len(getattr(values, column) or "") > MAX_TEXT:
            errors[column] = _("Use at most %(n)d characters.", n=MAX_TEXT)
    _check_translations(values, errors)
    _check_choices(values, errors)
    _check_contacts(values, errors)
    _check_map(values.map, errors)
    return errors


def _check_translations(values: WebsiteSettings, errors: dict[str, str]) -> None:
    arabic = (values.translations or {}).get("ar") or {}
    if set(values.translations or {}) - {"ar"} or set(arabic) - set(SITE_TEXTS):
        errors["__all__"] = _("Only the Arabic texts can be translated.")
        return
    for key, text in arabic.items():
        limit = MAX_NAME if key == "displayName" else MAX_TEXT
        if not isinstance(text, str) or len(text) > limit:
            errors[ARABIC_FIELDS[key]] = _("Use at most %(n)d characters.", n=limit)
    values.translations = {"ar": arabic} if arabic else {}


def _in_range(value, bounds: tuple[int, int]) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]
    )


def _check_choices(values: WebsiteSettings, errors: dict[str, str]) -> None:
    offered = _("Choose one of the offered values.")
    if values.booking_policy not in BOOKING_POLICIES:
        errors["booking_policy"] = offered
    if values.booking_time_policy not in BOOKING_TIME_POLICIES:
        errors["booking_time_policy"] = offered
    if values.booking_time_splitting not in SPLITTING_MODES:
        errors["booking_time_splitting"] = offered
    if not _in_range(values.suggested_times, SUGGESTED_TIMES_RANGE):
        errors["suggested_times"] = _("Enter a number from %(a)d to %(b)d.", a=1, b=20)
    if not _in_range(values.hold_minutes, HOLD_MINUTES_RANGE):
        errors["hold_minutes"] = _(
            "Enter a number from %(a)d to %(b)d.", a=HOLD_MINUTES_RANGE[0], b=HOLD_MINUTES_RANGE[1]
        )
    if not _in_range(values.change_notice_hours, CHANGE_NOTICE_RANGE):
        errors["change_notice_hours"] = _(
            "Enter a number from %(a)d to %(b)d.",
            a=CHANGE_NOTICE_RANGE[0],
            b=CHANGE_NOTICE_RANGE[1],
        )
    times = values.fixed_times or []
    if any(not _in_range(t, (0, 1439)) for t in times):
        errors["fixed_times"] = _("Write times of day such as 09:00, 09:30.")
    elif values.booking_time_splitting == "fixed" and not times:
        errors["fixed_times"] = _("Times start at fixed times: write at least one, such as 09:00.")
    values.fixed_times = sorted(set(times))


def _check_contacts(values: WebsiteSettings, errors: dict[str, str]) -> None:
    for column in ("call_support", "whatsapp"):
        number = (getattr(values, column) or "").strip()
        if number and not PHONE.fullmatch(number):
            errors[column] = _("Enter a phone number such as +966 50 000 0000.")
        setattr(values, column, number or None)
    if values.email_support:
        try:
            values.email_support = normalize_email(values.email_support)
        except ValidationFailed:
            errors["email_support"] = _("Enter a valid email address.")
    else:
        values.email_support = None
    for column in SOCIAL_COLUMNS:
        handle = (getattr(values, column) or "").strip().removeprefix("@")
        if handle and not HANDLE.fullmatch(handle):
            errors[column] = _(
                "Enter the account name only, such as democlinic (letters, digits, dots, "
                "dashes and underscores; no address)."
            )
        setattr(values, column, handle or None)
    for column in ("maroof", "saudi_business_center"):
        number = (getattr(values, column) or "").strip()
        if number and not REGISTRATION.fullmatch(number):
            errors[column] = _("Enter the registration number (letters, digits and dashes).")
        setattr(values, column, number or None)


def _check_map(place: dict | None, errors: dict[str, str]) -> None:
    if not place:
        return
    url = place.get("url")
    if url is not None and (
        not isinstance(url, str)
        or not re.fullmatch(r"https://[^\s\"'<>]{3,}", url)
        or len(url) > 500
    ):
        errors["map_url"] = _("Enter a map link that starts with https://.")
    label = place.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > MAX_NAME):
        errors["map_label"] = _("Use at most %(n)d characters.", n=MAX_NAME)
    lat, lng = place.get("lat"), place.get("lng")
    if (lat is None) != (lng is None):
        errors["map_lat" if lat is None else "map_lng"] = _(
            "Give both the latitude and the longitude, or neither."
        )
    if lat is not None and not (isinstance(lat, int | float) and -90 <= lat <= 90):
        errors["map_lat"] = _("The latitude is a number from -90 to 90.")
    if lng is not None and not (isinstance(lng, int | float) and -180 <= lng <= 180):
        errors["map_lng"] = _("The longitude is a number from -180 to 180.")


def parse_fixed_times(text: str) -> list[int]:
    """``"09:00, 09:30"`` as minutes from midnight, in order, each once."""
    minutes = set()
    for part in re.split(r"[\s,;،]+", text or ""):
        if not part:
            continue
        match = FIXED_TIME.fullmatch(part)
        if match is None:
            raise ValidationFailed(
                _("%(value)s is not a time of day; write times such as 09:00, 14:30.", value=part),
                field="fixed_times",
            )
        minutes.add(int(match[1]) * 60 + int(match[2]))
    return sorted(minutes)


def format_fixed_times(minutes: list[int] | None) -> str:
    return ", ".join(f"{m // 60:02d}:{m % 60:02d}" for m in minutes or [])


def check_theme(theme: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The colours chosen (lower case, empty ones left out) and the problems by field."""
    errors: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for key, value in theme.items():
        if key not in THEME_PROPERTIES:
            errors["__all__"] = _("Only the colours offered can be changed.")
        elif value and not is_color(value):
            errors[f"theme_{key}"] = _("Enter a colour such as #0f6e6e.")
        elif value:
            chosen[key] = value.lower()
    return chosen, errors


def save_theme(session: Session, organization: Organization, theme: dict[str, str]) -> dict:
    """The draft's colours; an empty value means the website's default colour."""
    chosen, errors = check_theme(theme)
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(errors[first], field=first, fields=errors)
    draft = draft_of(session, get_website(session, organization))
    draft.theme = chosen
    session.flush()
    return chosen


def change_slug(session: Session, organization: Organization, slug: str) -> Website:
    """Move the website to a new address at once (links to the old one stop working)."""
    website = get_website(session, organization)
    slug = (slug or "").strip().lower()
    if slug == website.slug:
        return website
    if not SLUG_PATTERN.fullmatch(slug):
        raise ValidationFailed(
            _("Use lower-case letters, digits and dashes (at most 64), such as north-clinic."),
            field="slug",
        )
    if slug in RESERVED_SLUGS:
        raise ValidationFailed(_("%(slug)s is used by Mawid itself.", slug=slug), field="slug")
    try:
        website.slug = validate_slug(session, slug)
    except ValidationFailed:
        raise ValidationFailed(
            _("%(slug)s is taken by another website.", slug=slug), field="slug"
        ) from None
    session.flush()
    return website
