"""A website-settings body read onto the settings it changes: each member by its seed name,
type-checked here (a wrong type is named, never a crash), then checked by the website
service's own rules. Members left out keep the version's current value."""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Mapping
from dataclasses import fields

from flask import current_app, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from webapp.api.shapes.websites import IMAGES, PLAIN, TEXTS
from webapp.booking.errors import ValidationFailed
from webapp.manage.websites import WebsiteSettings
from webapp.models import WebsiteVersion
from webapp.public.blueprint import THEME_PROPERTIES
from webapp.uploads import UploadRejected, delete_upload, save_upload

FLAGS = frozenset(
    {
        "on",
        "bookingTimeSplittingOptimize",
        "bookingTimeShowMidnight",
        "selectTypeFirst",
        "selectResourceCategory",
        "hideResource",
        "requireVerification",
    }
)
NUMBERS = frozenset({"suggestedTimes", "holdMinutes", "changeNoticeHours"})
# Texts that may be cleared with null.
OPTIONAL_TEXTS = frozenset(
    {
        "callSupport",
        "whatsapp",
        "emailSupport",
        "twitter",
        "instagram",
        "facebook",
        "tiktok",
        "snapchat",
        "maroof",
        "saudiBusinessCenter",
    }
)
MAP_KEYS = {"label": "label", "url": "url", "lat": "lat", "lng": "lng"}
MAP_ALIASES = {"address": "label", "latitude": "lat", "longitude": "lng"}
TRANSLATED = ("ar",)
_DATA_URL = re.compile(r"data:(image/[\w.+-]+)(?:;[\w=.+-]+)*;base64,(.*)", re.S)


def _fail(field: str, message: str):
    raise ValidationFailed(f"{field}: {message}", field=field)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def read_settings(
    data: Mapping, current: WebsiteVersion, organization_id: str
) -> tuple[WebsiteSettings, list[str]]:
    """The settings after this change, and the keys of the images it uploaded (to remove
    should the change not be saved)."""
    values = WebsiteSettings(
        **{
            f.name: getattr(current, f.name)
            for f in fields(WebsiteSettings)
            if f.name not in IMAGES.values()
        }
    )
    for name, column in {**PLAIN, **TEXTS}.items():
        if name not in data or name in {"map", "fixedTimes"}:
            continue
        value = data[name]
        if name in FLAGS:
            if not isinstance(value, bool):
                _fail(name, _("Send true or false."))
        elif name in NUMBERS:
            if not isinstance(value, int) or isinstance(value, bool):
                _fail(name, _("Send a whole number."))
        elif value is None and name in OPTIONAL_TEXTS:
            pass
        elif not isinstance(value, str):
            _fail(name, _("Send text."))
        setattr(values, column, value)
    if "fixedTimes" in data:
        values.fixed_times = _fixed_times(data["fixedTimes"])
    if "map" in data:
        values.map = _map(data["map"])
    values.translations = _translations(data, current)
    uploaded: list[str] = []
    try:
        for name, column in IMAGES.items():
            if name in data:
                image = _image(name, data[name], organization_id)
                setattr(values, column, image)
                if image:
                    uploaded.append(image["key"])
    except ValidationFailed:
        forget_uploads(organization_id, uploaded)
        raise
    return values, uploaded


def _fixed_times(value: object) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(t, int) and not isinstance(t, bool) for t in value
    ):
        _fail("fixedTimes", _("Send a list of minutes from midnight, such as [540, 570]."))
    return list(value)


def _map(value: object) -> dict | None:
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        _fail("map", _("Send an object with label, url, lat and lng."))
    place = {}
    for key, item in value.items():
        target = MAP_KEYS.get(key) or MAP_ALIASES.get(key)
        if target is None or item is None or item == "":
            continue
        if target in {"lat", "lng"} and not _is_number(item):
            _fail(f"map.{target}", _("Send a number."))
        place[target] = item
    return place or None


def _translations(data: Mapping, current: WebsiteVersion) -> dict:
    """The Arabic texts: the current ones with the members given (``<text>_translations``
    objects such as ``{"ar": "..."}``; null or "" removes one)."""
    arabic = dict(((current.translations or {}).get("ar")) or {})
    for key in TEXTS:
        name = f"{key}_translations"
        if name not in data:
            continue
        given = data[name] if data[name] is not None else {"ar": None}
        if not isinstance(given, dict):
            _fail(name, _('Send an object such as {"ar": "..."}.'))
        for lang, text in given.items():
            if lang == "en":
                continue  # English is the text itself
            if lang not in TRANSLATED:
                _fail(f"{name}.{lang}", _("Only Arabic translations are kept."))
            if text is not None and not isinstance(text, str):
                _fail(f"{name}.{lang}", _("Send text."))
            if text and text.strip():
                arabic[key] = text
            else:
                arabic.pop(key, None)
    return {"ar": arabic} if arabic else {}


def read_theme(data: Mapping, current: dict | None) -> dict[str, str]:
    """The colours after this change: members given replace, null or "" clears one."""
    theme = data.get("theme")
    if theme is None:
        return {}
    if not isinstance(theme, dict):
        _fail("theme", _('Send an object of colours, such as {"primaryColor": "#0f6e6e"}.'))
    merged = dict(current or {})
    for key, value in theme.items():
        if key not in THEME_PROPERTIES:
            _fail(
                f"theme.{str(key)[:40]}",
                _("Colours are %(names)s.", names=", ".join(THEME_PROPERTIES)),
            )
        if value is not None and not isinstance(value, str):
            _fail(f"theme.{key}", _("Enter a colour such as #0f6e6e."))
        merged[key] = (value or "").strip()[:20]
    return {key: value for key, value in merged.items() if value}


def _image(name: str, value: object, organization_id: str) -> dict | None:
    """A new image (``{"fileName", "data": "data:image/...;base64,..."}``), {} to remove the
    image (null), or None to keep it (an image as answered, without data)."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict):
        _fail(name, _("Send a photo object with fileName and data, or null to remove it."))
    data = value.get("data")
    if data is None:
        return None
    found = _DATA_URL.fullmatch(data.strip()) if isinstance(data, str) else None
    if found is None:
        _fail(f"{name}.data", _("Send the image as a base64 data URL: data:image/png;base64,..."))
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if len(found.group(2)) > (limit // 3 + 1) * 4 + 4:
        _fail(f"{name}.data", _("This image is too large."))
    try:
        content = base64.b64decode(found.group(2), validate=True)
    except (binascii.Error, ValueError):
        _fail(f"{name}.data", _("The image's data is not valid base64."))
    file_name = value.get("fileName") if isinstance(value.get("fileName"), str) else ""
    storage = FileStorage(
        stream=io.BytesIO(content),
        filename=(file_name.strip() or "image")[:200],
        content_type=found.group(1),
    )
    try:
        kept = save_upload(
            organization_id,
            storage,
            kind="photo",
            max_bytes=limit,
            folder=current_app.config["MEDIA_FOLDER"],
        )
    except UploadRejected as error:
        _fail(name, error.message)
    return {
        "key": kept["key"],
        "url": url_for("media", organization_id=organization_id, key=kept["key"]),
    }


def forget_uploads(organization_id: str, keys: list[str]) -> None:
    """Remove images kept for a change that was not saved."""
    for key in keys:
        delete_upload(organization_id, key, folder=current_app.config["MEDIA_FOLDER"])
