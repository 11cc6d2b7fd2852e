"""Values API bodies carry that need more than a type check: a start time (the website's
``date`` + military ``time``, or an ISO-8601 ``startDateTime``) and answers to custom
fields, read with the booking website's own rules (:mod:`webapp.public.answers`)."""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from flask import current_app, g
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict

from webapp.booking import intervals as iv
from webapp.booking.errors import ValidationFailed
from webapp.public import answers as form_answers
from webapp.public.catalog import YEARS
from webapp.public.details import json_answers
from webapp.public.fields import PLURAL_UPLOADS, UPLOAD_KINDS, FieldSpec
from webapp.uploads import delete_upload

_DATA_URL = re.compile(r"data:([\w.+-]+/[\w.+-]+)?(?:;[\w=.+-]+)*;base64,(.*)", re.S)
_NAME_LIMIT = 200
# The members that give a start time.
TIME_MEMBERS = ("date", "time", "startDateTime")
_SPACED_OFFSET = re.compile(r"^(.*T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


def text(data: Mapping, name: str, *, limit: int, required: bool = False) -> str | None:
    """A string member, trimmed; None when absent or empty."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise ValidationFailed(_("%(field)s is required.", field=name), field=name)
        return None
    if not isinstance(value, str):
        raise ValidationFailed(_("%(field)s must be a string.", field=name), field=name)
    value = value.strip()
    if len(value) > limit:
        raise ValidationFailed(
            _("%(field)s must be at most %(limit)d characters.", field=name, limit=limit),
            field=name,
        )
    if required and not value:
        raise ValidationFailed(_("%(field)s is required.", field=name), field=name)
    return value or None


def flag(data: Mapping, name: str, default: bool) -> bool:
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationFailed(_("%(field)s must be true or false.", field=name), field=name)
    return value


def whole_number(data: Mapping, name: str) -> int | None:
    """An integer member (5.0 counts as 5); None when absent or null."""
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("%(field)s must be a whole number.", field=name), field=name)
    return value


def refuse_for_queue(data: dict, members: tuple[str, ...]) -> None:
    """A queued booking has no date, time or resource yet: members that name one are
    refused rather than quietly dropped."""
    for name in members:
        if data.get(name) in (None, "", {}, []):
            continue
        if name in TIME_MEMBERS:
            message = _(
                "Joining the queue (assign: false) takes no date or time: leave out %(field)s.",
                field=name,
            )
        else:
            message = _(
                "A queued booking goes to the first provider free: leave out %(field)s.", field=name
            )
        raise ValidationFailed(message, field=name)


def obj(data: Mapping, name: str) -> dict:
    """An object member; absent or null counts as empty."""
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(_("%(field)s must be an object.", field=name), field=name)
    return value


# --- a start time --------------------------------------------------------------------------


def start_time(data: Mapping, timezone: str) -> datetime:
    """The instant asked for: ``startDateTime`` (ISO-8601 with an offset) or ``date`` and
    military ``time`` on the wall clock of ``timezone``. A wall time the clocks skip is
    refused, and one they show twice is refused naming both instants."""
    if data.get("startDateTime") in (None, ""):
        return _wall_start(data, timezone)
    start = _iso_start(data["startDateTime"])
    if data.get("date") not in (None, ""):
        # Both given: they must agree (which also settles a wall time shown twice).
        local = start.astimezone(iv.zone(timezone))
        wall = (_date(data.get("date")), _military(data.get("time")))
        if (local.date(), local.hour * 60 + local.minute) != wall or local.second:
            raise ValidationFailed(
                _("date and time say another moment than startDateTime; send one of them."),
                field="startDateTime",
            )
    return start


def _wall_start(data: Mapping, timezone: str) -> datetime:
    day = _date(data.get("date"))
    minutes = _military(data.get("time"))
    tz = iv.zone(timezone)
    found = iv.resolve_local(tz, iv.local_epoch(day, minutes))
    if not found:
        raise ValidationFailed(
            _(
                "%(date)s %(time)s does not exist in %(zone)s: the clocks skip it.",
                date=day.isoformat(),
                time=_clock(minutes),
                zone=timezone,
            ),
            field="time",
        )
    if len(found) > 1:
        instants = [iv.from_instant(i, tz).isoformat() for i in found]
        raise ValidationFailed(
            _(
                "%(date)s %(time)s happens twice in %(zone)s; send startDateTime with the "
                "offset you mean: %(first)s or %(second)s.",
                date=day.isoformat(),
                time=_clock(minutes),
                zone=timezone,
                first=instants[0],
                second=instants[1],
            ),
            field="time",
            candidates=instants,
        )
    return iv.from_instant(found[0], tz)


def _iso_start(value: object) -> datetime:
    problem = _(
        "startDateTime must be an ISO-8601 date-time with an offset, such as "
        "2026-11-22T09:00:00+03:00."
    )
    if not isinstance(value, str):
        raise ValidationFailed(problem, field="startDateTime")
    try:
        moment = datetime.fromisoformat(value.strip()[:40])
    except ValueError:
        raise ValidationFailed(problem, field="startDateTime") from None
    if moment.tzinfo is None or moment.year not in YEARS:
        raise ValidationFailed(problem, field="startDateTime")
    return moment


def _date(value: object) -> date:
    if value in (None, ""):
        raise ValidationFailed(
            _("Send date and time, or startDateTime, for the booking's start."), field="date"
        )
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or day.year not in YEARS:
        raise ValidationFailed(_("date must be a date such as 2026-11-22."), field="date")
    return day


def _military(value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        return iv.parse_military(value)
    except ValidationFailed:
        raise ValidationFailed(
            _("time must be a military time from 0 to 2359, such as 930 or 1820."), field="time"
        ) from None


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def list_bound(value: object, name: str, timezone: str) -> tuple[datetime, bool] | None:
    """A list's ``from`` or ``to``: an ISO date-time (on the website's clock when it has no
    offset) or a date, which stands for its whole day; None when absent. The flag says the
    value was a bare date (its day's midnight is answered)."""
    if value is None or value == "":
        return None
    problem = _(
        "%(field)s must be a date such as 2026-11-22 or a date-time such as "
        "2026-11-22T09:00:00+03:00.",
        field=name,
    )
    text = value.strip()[:40] if isinstance(value, str) else ""
    # A "+" left unencoded in a query string arrives as a space.
    text = _SPACED_OFFSET.sub(r"\1+\2", text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(problem, field=name) from None
    if moment.year not in YEARS:
        raise ValidationFailed(problem, field=name)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=iv.zone(timezone))
    return moment, len(text) == 10


# --- answers to custom fields ----------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def answers(
    specs: Sequence[FieldSpec], values: object, *, member: str, partial: bool = False
) -> dict:
    """Answers (by field id) to the fields of ``specs`` given as JSON in ``member``,
    checked and normalized as the booking website does; uploads (base64 data URLs) are kept.
    ``partial``: only the fields given are read (a profile update), so required fields that
    are left out are not asked for."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValidationFailed(_("%(field)s must be an object.", field=member), field=member)
    known = {s.key: s for s in specs if s.type != "paragraph-readonly"}
    for key in values:
        if key not in known:
            raise ValidationFailed(
                _("There is no field %(key)s to answer here.", key=str(key)[:64]),
                field=f"{member}.{str(key)[:64]}",
            )
    chosen = [s for s in known.values() if not partial or s.key in values]
    form, files, problems, found = MultiDict(), MultiDict(), {}, {}
    for spec in chosen:
        try:
            _as_form(spec, values.get(spec.key), form, files)
        except _Refused as refused:
            problems[spec.key] = refused.message
    if not problems:
        found, problems = form_answers.parse_answers(
            chosen,
            form,
            files,
            organization_id=g.organization.id,
            upload_folder=current_app.config["UPLOAD_FOLDER"],
            max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
        )
    if problems:
        first = next(iter(problems))
        raise ValidationFailed(
            f"{known[first].label}: {problems[first]}",
            field=f"{member}.{first}",
            fields={f"{member}.{k}": v for k, v in problems.items()},
        )
    return json_answers(found)


def forget_uploads(specs: Sequence[FieldSpec], found: Mapping[str, object]) -> None:
    """Remove the files kept for these answers (the request they came with failed)."""
    for spec in specs:
        if spec.type not in UPLOAD_KINDS or spec.key not in found:
            continue
        value = found[spec.key]
        for upload in value if isinstance(value, list) else [value]:
            if isinstance(upload, dict) and isinstance(upload.get("key"), str):
                delete_upload(
                    g.organization.id, upload["key"], folder=current_app.config["UPLOAD_FOLDER"]
                )


def _as_form(spec: FieldSpec, value: object, form: MultiDict, files: MultiDict) -> None:
    """Put a JSON answer where the website's form reader expects it."""
    if value is None or value == "" or value == []:
        return
    name = spec.input_name
    if spec.type in UPLOAD_KINDS:
        many = value if spec.type in PLURAL_UPLOADS and isinstance(value, list) else [value]
        files.setlist(name, [_upload(item) for item in many])
    elif spec.type == "options":
        chosen = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in chosen):
            raise _Refused(_("Choose one of the options shown."))
        form.setlist(name, [str(v) for v in chosen])
    elif spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _Refused(_("Enter a number."))
        form[name] = str(value)
    elif spec.type == "location":
        form[name] = _location(value)
    elif isinstance(value, str):
        form[name] = value
    else:
        raise _Refused(_("Enter text."))


def _location(value: object) -> str:
    """``{"position": {"latitude", "longitude"}, "address"}`` or text, as the form's text."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        position = value.get("position")
        if isinstance(position, dict):
            lat, lng = position.get("latitude"), position.get("longitude")
            if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lng)):
                return f"{lat},{lng}"
        if isinstance(value.get("address"), str):
            return value["address"]
    raise _Refused(_("Give a position (latitude and longitude) or an address."))


def _upload(item: object) -> FileStorage:
    """``{"fileName", "data": "data:<type>;base64,..."}`` as an uploaded file."""
    data = item.get("data") if isinstance(item, dict) else None
    found = _DATA_URL.fullmatch(data.strip()) if isinstance(data, str) else None
    if found is None:
        raise _Refused(_("Send the file as a base64 data URL: data:<type>;base64,<content>."))
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if len(found.group(2)) > (limit // 3 + 1) * 4 + 4:
        raise _Refused(_("This file is too large."))
    try:
        content = base64.b64decode(found.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise _Refused(_("The file's data is not valid base64.")) from None
    content_type = found.group(1) or "application/octet-stream"
    file_name = item.get("fileName")
    if not isinstance(file_name, str) or not file_name.strip():
        file_name = "upload" + (mimetypes.guess_extension(content_type) or "")
    return FileStorage(
        stream=io.BytesIO(content), filename=file_name[:_NAME_LIMIT], content_type=content_type
    )
