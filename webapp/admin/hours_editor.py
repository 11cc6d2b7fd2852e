"""The working-hours editor (time rules): weekly periods, dates with other hours, the
booking window. See ``rules_editor`` for how the editors work."""

from __future__ import annotations

import copy
import re
from itertools import zip_longest

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from webapp.admin.rules_editor import (
    CHECKED,
    EditorResult,
    as_index,
    form_count,
    form_text,
    read_op,
)
from webapp.booking.errors import ValidationFailed
from webapp.manage import rules as manage
from webapp.manage.rules import DAY_LABELS, MAX_PERIODS_PER_DAY, WEEK
from webapp.models import Organization, Resource, TimeRules

TIME_EDITOR_ID = "time-rules-editor"
MAX_DATE_RANGES = 50
DEFAULT_PERIOD = {"start": "09:00", "end": "17:00"}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$")


def parse_clock(text: str, *, end: bool = False) -> int | None:
    """``"09:30"`` -> 930 (military); an end of ``"00:00"`` or ``"24:00"`` is the midnight
    that closes the day (2400). None when it is not a time of day."""
    found = _CLOCK.match((text or "").strip())
    if not found:
        return None
    hours, minutes = int(found[1]), int(found[2])
    if minutes >= 60 or hours > 24 or (hours == 24 and (minutes or not end)):
        return None
    military = hours * 100 + minutes
    return 2400 if end and military in (0, 2400) else military


def clock_value(military: object) -> str:
    """930 -> ``"09:30"``, what a time input shows (the closing midnight 2400 is 00:00)."""
    if not isinstance(military, int) or isinstance(military, bool):
        return ""
    hours, minutes = divmod(military % 2400, 100)
    return f"{hours:02d}:{minutes:02d}"


def time_rules_values(row: TimeRules) -> dict:
    """What the working-hours editor shows for stored rules."""
    week: dict[str, list[dict]] = {day: [] for day in WEEK}
    ranges = []
    for rule in row.rules or []:
        if not isinstance(rule, dict):
            continue
        periods = [
            {"start": clock_value(p.get("start")), "end": clock_value(p.get("end"))}
            for p in rule.get("times") or []
            if isinstance(p, dict)
        ]
        days = [str(day).lower() for day in rule.get("days") or []]
        if "from" in rule or "to" in rule:
            ranges.append(
                {
                    "from": str(rule.get("from") or ""),
                    "to": str(rule.get("to") or rule.get("from") or ""),
                    "closed": not periods,
                    "days": [day for day in WEEK if day in days],
                    "periods": periods,
                }
            )
            continue
        for day in days:
            if day in week:
                week[day].extend(copy.deepcopy(periods))
    notice = row.schedule_after_hours_from_now or 0
    return {
        "depth_of_days": str(row.depth_of_days if row.depth_of_days is not None else ""),
        "notice_mode": "tomorrow" if notice < 0 else "now" if notice == 0 else "hours",
        "notice_hours": str(notice) if notice > 0 else "",
        "days": [
            {
                "key": day,
                "open": bool(week[day]),
                "periods": sorted(week[day], key=lambda p: p["start"]),
            }
            for day in WEEK
        ],
        "ranges": ranges,
        "focus": None,
        "message": None,
    }


def _form_periods(form: MultiDict, group: str) -> list[dict]:
    starts = form.getlist(f"{group}-start")[:MAX_PERIODS_PER_DAY]
    ends = form.getlist(f"{group}-end")[:MAX_PERIODS_PER_DAY]
    return [
        {"start": (start or "").strip()[:8], "end": (end or "").strip()[:8]}
        for start, end in zip_longest(starts, ends, fillvalue="")
    ]


def read_time_rules_form(form: MultiDict) -> tuple[dict, dict[str, str], str]:
    """The editor's values as submitted, the problems a person made typing them (each on
    its field: ``depth_of_days``, ``notice_hours``, ``<day>-<k>``, ``range-<i>``...) and
    the button pressed (``save`` or an editing ``op``)."""
    opened = set(form.getlist("open"))
    values = {
        "depth_of_days": form_text(form, "depth_of_days"),
        "notice_mode": form_text(form, "notice_mode") or "now",
        "notice_hours": form_text(form, "notice_hours"),
        "days": [
            {"key": day, "open": day in opened, "periods": _form_periods(form, day)} for day in WEEK
        ],
        "ranges": [],
        "focus": None,
        "message": None,
    }
    for i in range(form_count(form, "range_count", MAX_DATE_RANGES)):
        group = f"range-{i}"
        chosen = set(form.getlist(f"{group}-days"))
        values["ranges"].append(
            {
                "from": form_text(form, f"{group}-from"),
                "to": form_text(form, f"{group}-to"),
                "closed": form.get(f"{group}-closed") in CHECKED,
                "days": [day for day in WEEK if day in chosen],
                "periods": _form_periods(form, group),
            }
        )
    _, errors = _time_document(values)
    return values, errors, read_op(form)


def _form_times(periods: list[dict], group: str, where: str, errors: dict) -> list[dict]:
    """Military periods of one day or range; a problem is put on its period."""
    times = []
    for k, period in enumerate(periods):
        if not period["start"] and not period["end"]:
            continue  # an empty row is left out
        start = parse_clock(period["start"])
        end = parse_clock(period["end"], end=True)
        if start is None or end is None:
            errors[f"{group}-{k}"] = _(
                "%(where)s, period %(n)d: enter a start and an end, such as 09:00 and 13:00.",
                where=where,
                n=k + 1,
            )
        elif end <= start:
            errors[f"{group}-{k}"] = _(
                "%(where)s, period %(n)d: it ends (%(end)s) before it starts (%(start)s).",
                where=where,
                n=k + 1,
                start=period["start"],
                end=period["end"],
            )
        else:
            times.append({"start": start, "end": end})
    return times


def _integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _time_document(values: dict) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    depth = _integer(values["depth_of_days"])
    if depth is None:
        errors["depth_of_days"] = _("Enter a whole number of days (0 means no limit).")
    notice: int | None = None
    mode = values["notice_mode"]
    if mode == "now":
        notice = 0
    elif mode == "tomorrow":
        notice = -1
    elif mode == "hours":
        notice = _integer(values["notice_hours"])
        if notice is None or notice < 1:
            errors["notice_hours"] = _("Enter the minimum notice as a whole number of hours.")
            notice = None
    else:
        errors["notice_hours"] = _("Choose one of the offered values.")

    # Days with the same hours share one rule, as people write them: {"days": [...], ...}.
    groups: dict[tuple, list[str]] = {}
    for day in values["days"]:
        if not day["open"]:
            continue
        key = day["key"]
        times = _form_times(day["periods"], key, str(DAY_LABELS[key]), errors)
        if times:
            spans = tuple(sorted((t["start"], t["end"]) for t in times))
            groups.setdefault(spans, []).append(key)
    rules: list[dict] = [
        {"days": days, "times": [{"start": s, "end": e} for s, e in spans]}
        for spans, days in groups.items()
    ]
    for i, entry in enumerate(values["ranges"]):
        group = f"range-{i}"
        times = []
        if not entry["closed"]:
            where = _("Date range %(n)d", n=i + 1)
            times = _form_times(entry["periods"], group, where, errors)
            typed = any(p["start"] or p["end"] for p in entry["periods"])
            if not times and not typed:
                errors[group] = _(
                    "Date range %(n)d: add working hours, or mark the dates closed.", n=i + 1
                )
        rules.append(
            {
                "from": entry["from"],
                "to": entry["to"] or entry["from"],
                "days": entry["days"],
                "times": times,
            }
        )
    return {"depth_of_days": depth, "notice_hours": notice, "rules": rules}, errors


def time_rules_document(values: dict) -> dict:
    """The editor's values as the service's arguments: depth_of_days, notice_hours, rules."""
    return _time_document(values)[0]


def _next_period(periods: list[dict]) -> dict:
    """A new period an hour after the last one, two hours long (or empty when it would not
    fit in the day)."""
    if not periods:
        return dict(DEFAULT_PERIOD)
    last = parse_clock(periods[-1]["end"], end=True)
    if last is None:
        return {"start": "", "end": ""}
    start = (last // 100) * 60 + last % 100 + 60
    end = start + 120
    if end > 24 * 60:
        return {"start": "", "end": ""}
    return {
        "start": f"{start // 60:02d}:{start % 60:02d}",
        "end": f"{end // 60:02d}:{end % 60:02d}",
    }


def _period_group(values: dict, group: str) -> dict | None:
    if group in WEEK:
        return values["days"][WEEK.index(group)]
    if group.startswith("range-"):
        i = as_index(group.removeprefix("range-"))
        if i is not None and i < len(values["ranges"]):
            return values["ranges"][i]
    return None


def apply_time_rules_op(values: dict, op: str) -> dict:
    """The editor after an editing button: ``add:<group>``, ``remove:<group>:<k>``,
    ``copy:<day>``, ``add-range`` or ``remove-range:<i>`` (a group is a weekday or
    ``range-<i>``). Unknown buttons change nothing."""
    kind, _sep, arg = op.partition(":")
    if kind == "add":
        entry = _period_group(values, arg)
        if entry is None:
            return values
        if len(entry["periods"]) >= MAX_PERIODS_PER_DAY:
            values["message"] = _("A day has at most %(n)d periods.", n=MAX_PERIODS_PER_DAY)
            return values
        entry["periods"].append(_next_period(entry["periods"]))
        entry["open"] = True
        entry["closed"] = False
        values["focus"] = f"f-{arg}-{len(entry['periods']) - 1}-start"
    elif kind == "remove":
        group, _sep, index = arg.rpartition(":")
        entry = _period_group(values, group)
        k = as_index(index)
        if entry is None or k is None or k >= len(entry["periods"]):
            return values
        del entry["periods"][k]
        if group in WEEK and not entry["periods"]:
            entry["open"] = False
        values["focus"] = f"f-{group}-add"
    elif kind == "copy" and arg in WEEK:
        _copy_day(values, arg)
    elif kind == "add-range" and len(values["ranges"]) < MAX_DATE_RANGES:
        values["ranges"].append(
            {"from": "", "to": "", "closed": False, "days": [], "periods": [dict(DEFAULT_PERIOD)]}
        )
        values["focus"] = f"f-range-{len(values['ranges']) - 1}-from"
    elif kind == "remove-range":
        i = as_index(arg)
        if i is not None and i < len(values["ranges"]):
            del values["ranges"][i]
            values["focus"] = "f-add-range"
    return values


def _copy_day(values: dict, key: str) -> None:
    """Copy a day's periods to every other working (ticked) day."""
    source = values["days"][WEEK.index(key)]
    values["focus"] = f"f-{key}-copy"
    targets = [day for day in values["days"] if day["open"] and day["key"] != key]
    if not source["periods"]:
        return
    if not targets:
        values["message"] = _(
            "Tick the days %(day)s’s hours should be copied to, then copy again.",
            day=DAY_LABELS[key],
        )
        return
    for day in targets:
        day["periods"] = copy.deepcopy(source["periods"])
    values["message"] = _(
        "%(day)s’s hours are copied to %(days)s. Save to keep them.",
        day=DAY_LABELS[key],
        days=", ".join(str(DAY_LABELS[day["key"]]) for day in targets),
    )


def submit_time_rules(
    session: Session, organization: Organization, resource: Resource, form: MultiDict
) -> EditorResult:
    """Handle a posted working-hours editor: apply an editing button, or validate and save
    (every problem at once; nothing is stored unless all is well). The caller commits."""
    values, errors, op = read_time_rules_form(form)
    if op != "save":
        return EditorResult(apply_time_rules_op(values, op))
    document = time_rules_document(values)
    _clean, problems = manage.check_time_rules(
        document["depth_of_days"], document["notice_hours"], document["rules"]
    )
    problems.update(errors)  # a typing problem says more than what follows from it
    if not problems:
        try:
            manage.save_time_rules(session, organization, resource, **document)
        except ValidationFailed as error:
            problems = manage.rule_problems(error)
        else:
            return EditorResult(values, saved=True)
    return EditorResult(values, problems)
