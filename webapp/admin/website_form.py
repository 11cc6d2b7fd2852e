"""The website settings form: from a draft to form values, and from a posted form back to
settings, with every problem marked on its field."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from webapp.admin.forms import FormReader
from webapp.booking.errors import ValidationFailed
from webapp.booking.lifecycle import HOLD_MINUTES_RANGE
from webapp.i18n import LANGUAGES
from webapp.manage import websites as manage
from webapp.models import WebsiteVersion
from webapp.models.websites import BOOKING_POLICIES, BOOKING_TIME_POLICIES, SPLITTING_MODES
from webapp.public.blueprint import SITE_TEXTS, THEME_PROPERTIES, is_color
from webapp.uploads import UploadRejected, save_upload

BOOLEAN_FIELDS = (
    "on",
    "booking_time_splitting_optimize",
    "booking_time_show_midnight",
    "select_type_first",
    "select_resource_category",
    "hide_resource",
    "require_verification",
)
TEXT_FIELDS = {"display_name": manage.MAX_NAME} | {
    column: manage.MAX_TEXT for column in ("description", "terms", "booking_success_message")
}
CONTACT_FIELDS = {
    "call_support": 64,
    "whatsapp": 64,
    "email_support": 254,
    "twitter": 100,
    "instagram": 100,
    "facebook": 100,
    "tiktok": 100,
    "snapchat": 100,
    "maroof": 64,
    "saudi_business_center": 64,
}
# Settings shown in the form as they are stored.
FORM_COLUMNS = (
    *BOOLEAN_FIELDS,
    *TEXT_FIELDS,
    *CONTACT_FIELDS,
    "name",
    "timezone",
    "default_lang",
    "booking_policy",
    "booking_time_policy",
    "suggested_times",
    "booking_time_splitting",
    "hold_minutes",
    "change_notice_hours",
)
# The booking website's own colours (static/css/public.css), shown where none is chosen.
THEME_DEFAULTS = {
    "primaryColor": "#0f6e6e",
    "primaryTextColor": "#ffffff",
    "backgroundColor": "#f5f6f8",
    "textColor": "#17202e",
}
assert THEME_DEFAULTS.keys() == THEME_PROPERTIES.keys()


def settings_values(draft: WebsiteVersion) -> dict:
    """The form's values for a version."""
    values = {name: getattr(draft, name) for name in FORM_COLUMNS}
    arabic = (draft.translations or {}).get("ar") or {}
    for key, column in SITE_TEXTS.items():
        values[f"{column}_ar"] = arabic.get(key, "")
    place = draft.map or {}
    values.update(
        fixed_times=manage.format_fixed_times(draft.fixed_times),
        map_label=place.get("label", ""),
        map_url=place.get("url", ""),
        map_lat=place.get("lat", ""),
        map_lng=place.get("lng", ""),
        logo=draft.logo,
        logo_fav_icon=draft.logo_fav_icon,
    )
    return values


def posted_values(reader: FormReader, draft: WebsiteVersion) -> dict:
    """What was posted, to show again with its errors (the logo is the draft's)."""
    values = request.form.to_dict()
    for flag in BOOLEAN_FIELDS:
        values[flag] = reader.boolean(flag)
    values["logo"] = draft.logo
    values["logo_fav_icon"] = draft.logo_fav_icon
    return values


def read_settings(reader: FormReader, organization_id: str) -> manage.WebsiteSettings | None:
    values = manage.WebsiteSettings(
        name=reader.text("name", required=True, max_length=manage.MAX_NAME),
        timezone=reader.timezone("timezone") or "",
        default_lang=reader.choice("default_lang", LANGUAGES, default="en"),
        booking_policy=reader.choice("booking_policy", BOOKING_POLICIES, default="specify"),
        booking_time_policy=reader.choice(
            "booking_time_policy", BOOKING_TIME_POLICIES, default="displayAll"
        ),
        booking_time_splitting=reader.choice(
            "booking_time_splitting", SPLITTING_MODES, default="oclockAndHalf"
        ),
        suggested_times=reader.integer(
            "suggested_times", minimum=1, maximum=manage.SUGGESTED_TIMES_RANGE[1], default=3
        ),
        hold_minutes=reader.integer(
            "hold_minutes", minimum=HOLD_MINUTES_RANGE[0], maximum=HOLD_MINUTES_RANGE[1]
        ),
        change_notice_hours=reader.integer(
            "change_notice_hours", minimum=0, maximum=manage.CHANGE_NOTICE_RANGE[1], default=0
        ),
    )
    for flag in BOOLEAN_FIELDS:
        setattr(values, flag, reader.boolean(flag))
    for column, limit in TEXT_FIELDS.items():
        setattr(values, column, reader.text(column, max_length=limit))
    for column, limit in CONTACT_FIELDS.items():
        setattr(values, column, reader.optional_text(column, max_length=limit))
    arabic = {}
    for key, column in SITE_TEXTS.items():
        text = reader.text(f"{column}_ar", max_length=TEXT_FIELDS[column])
        if text:
            arabic[key] = text
    values.translations = {"ar": arabic} if arabic else {}
    try:
        values.fixed_times = manage.parse_fixed_times(reader.text("fixed_times", max_length=2000))
    except ValidationFailed as error:
        reader.adopt(error)
    values.map = _read_map(reader)
    values.logo = _read_image(reader, organization_id, "logo")
    values.logo_fav_icon = _read_image(reader, organization_id, "logo_fav_icon")
    return values if reader else None


def _read_map(reader: FormReader) -> dict | None:
    place: dict = {}
    label = reader.text("map_label", max_length=manage.MAX_NAME)
    url = reader.text("map_url", max_length=500)
    if label:
        place["label"] = label
    if url:
        place["url"] = url
    for name, key in (("map_lat", "lat"), ("map_lng", "lng")):
        raw = reader.text(name, max_length=32).replace(",", ".")
        if not raw:
            continue
        try:
            place[key] = float(raw)
        except ValueError:
            reader.fail(name, _("Enter a number such as 24.6937."))
    return place or None


def _read_image(reader: FormReader, organization_id: str, name: str) -> dict | None:
    """An uploaded image for ``name`` (kept with the public media), {} to remove it, or None
    to keep what the draft has."""
    upload = request.files.get(name)
    if upload and upload.filename:
        try:
            kept = save_upload(
                organization_id,
                upload,
                kind="photo",
                max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                folder=current_app.config["MEDIA_FOLDER"],
            )
        except UploadRejected as error:
            reader.fail(name, error.message)
            return None
        return {
            "key": kept["key"],
            "url": url_for("media", organization_id=organization_id, key=kept["key"]),
        }
    if reader.boolean(f"remove_{name}"):
        return {}
    return None


def read_theme(form: MultiDict) -> dict[str, str]:
    return {key: (form.get(f"theme_{key}") or "").strip()[:20] for key in THEME_PROPERTIES}


def preview_colors(theme: dict[str, str]) -> dict[str, str]:
    """Each theme colour as the website would show it: the chosen one when it is a colour."""
    return {
        key: theme[key] if is_color(theme.get(key)) else default
        for key, default in THEME_DEFAULTS.items()
    }
