"""What a valid rules document is: the checks behind saving working hours (time rules) and
time off (off rules), each problem reported on the part it is about, in words that name the
day, the period or the row. Pure functions of the document; no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.booking.intervals import RuleError, parse_off_rules, parse_schedule

WEEK = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
DAY_LABELS = {
    "sunday": _l("Sunday"),
    "monday": _l("Monday"),
    "tuesday": _l("Tuesday"),
    "wednesday": _l("Wednesday"),
    "thursday": _l("Thursday"),
    "friday": _l("Friday"),
    "saturday": _l("Saturday"),
}
DEFAULT_DEPTH_OF_DAYS = 30
MAX_DEPTH_OF_DAYS = 730
MAX_NOTICE_HOURS = 8760
MAX_PERIODS_PER_DAY = 12
MAX_TIME_RULES = 100
MAX_OFF_RULES = 500
MAX_NOTE = 200


# --- time rules ----------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clock(military: int) -> str:
    """930 -> "09:30" (as people read it in a message)."""
    hours, minutes = divmod(military, 100)
    return f"{hours:02d}:{minutes:02d}"


def _minutes(value: object, *, end: bool) -> int | None:
    """Military time to minutes after midnight; None when it is not a time (2400 ends a day)."""
    if not _is_int(value):
        return None
    hours, minutes = divmod(value, 100)
    if value < 0 or minutes >= 60 or hours > 24 or (hours == 24 and (minutes or not end)):
        return None
    return hours * 60 + minutes


def _periods(raw: object, where: str) -> tuple[list[dict], list[tuple[int, int]], str | None]:
    """Clean periods, their (start, end) minutes sorted, and the first problem (or None)."""
    if raw is None:
        return [], [], None
    if not isinstance(raw, list):
        return [], [], _("%(where)s: the hours must be a list of periods.", where=where)
    if len(raw) > MAX_PERIODS_PER_DAY:
        return (
            [],
            [],
            _("%(where)s: use at most %(n)d periods.", where=where, n=MAX_PERIODS_PER_DAY),
        )
    clean, spans = [], []
    for item in raw:
        if not isinstance(item, dict) or "start" not in item or "end" not in item:
            return [], [], _("%(where)s: each period needs a start and an end.", where=where)
        start = _minutes(item["start"], end=False)
        end = _minutes(item["end"], end=True)
        if start is None or end is None:
            bad = item["start"] if start is None else item["end"]
            return (
                [],
                [],
                _(
                    "%(where)s: %(value)s is not a time; use military times such as 930 or 1820.",
                    where=where,
                    value=str(bad)[:20],
                ),
            )
        if end <= start:
            return (
                [],
                [],
                _(
                    "%(where)s: the period %(start)s–%(end)s ends before it starts. "
                    "Split a night shift at midnight.",
                    where=where,
                    start=clock(item["start"]),
                    end=clock(item["end"]),
                ),
            )
        clean.append({"start": item["start"], "end": item["end"]})
        spans.append((start, end))
    order = sorted(range(len(spans)), key=spans.__getitem__)
    return [clean[i] for i in order], [spans[i] for i in order], None


def _overlap(spans: list[tuple[int, int]], where: str) -> str | None:
    spans = sorted(spans)
    for (a_start, a_end), (b_start, b_end) in zip(spans, spans[1:], strict=False):
        if b_start < a_end:
            return _(
                "%(where)s: the periods %(a)s and %(b)s overlap.",
                where=where,
                a=_span_label(a_start, a_end),
                b=_span_label(b_start, b_end),
            )
    return None


def _span_label(start: int, end: int) -> str:
    return f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"


def _days(raw: object) -> list[str] | None:
    """Lower-case weekday names in week order; None when ``raw`` is not a list of them."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        return None
    names = [str(day).strip().lower() for day in raw]
    if any(name not in WEEK for name in names):
        return None
    return [day for day in WEEK if day in names]


def _date(raw: object) -> date | None:
    if not isinstance(raw, str):
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def check_time_rules(
    depth_of_days: object, notice_hours: object, rules: object
) -> tuple[list[dict], dict[str, str]]:
    """The rules in their stored shape, and every problem found (empty when they are fine).

    Problems are keyed by ``depth_of_days``, ``notice_hours``, a weekday (``monday``),
    ``range-<n>`` / ``range-<n>-from`` / ``range-<n>-to`` (the n-th date-range rule) or
    ``rules``."""
    problems: dict[str, str] = {}
    if not _is_int(depth_of_days) or not 0 <= depth_of_days <= MAX_DEPTH_OF_DAYS:
        problems["depth_of_days"] = _(
            "Choose how far ahead customers may book: 0 (no limit) to %(n)d days.",
            n=MAX_DEPTH_OF_DAYS,
        )
    if not _is_int(notice_hours) or not -1 <= notice_hours <= MAX_NOTICE_HOURS:
        problems["notice_hours"] = _(
            "The minimum notice is -1 (from tomorrow), 0 (right away) or up to %(n)d hours.",
            n=MAX_NOTICE_HOURS,
        )
    if rules is None:
        rules = []
    if not isinstance(rules, list):
        problems["rules"] = _("The rules must be a list.")
        return [], problems
    if len(rules) > MAX_TIME_RULES:
        problems["rules"] = _("Use at most %(n)d rules.", n=MAX_TIME_RULES)
        return [], problems

    weekly: list[dict] = []
    week_spans: dict[str, list[tuple[int, int]]] = {day: [] for day in WEEK}
    dated: list[dict] = []
    ranges: list[tuple[int, date, date, list[str]]] = []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            problems.setdefault("rules", _("Rule %(n)d is not an object.", n=index + 1))
            continue
        days = _days(rule.get("days"))
        if "from" in rule or "to" in rule:
            _check_dated(rule, len(dated), days, problems, dated, ranges)
            continue
        if days is None:
            problems.setdefault(
                "rules",
                _(
                    "Rule %(n)d: use lower-case English weekday names such as sunday.",
                    n=index + 1,
                ),
            )
            continue
        if not days:
            problems.setdefault(
                "rules",
                _("Rule %(n)d needs weekdays (or from/to dates for a date range).", n=index + 1),
            )
            continue
        times: list[dict] = []
        for day in days:
            times, spans, problem = _periods(rule.get("times"), str(DAY_LABELS[day]))
            if problem:
                problems.setdefault(day, problem)
            week_spans[day].extend(spans)
        weekly.append({"days": days, "times": times})
    for day in WEEK:
        if day not in problems:
            problem = _overlap(week_spans[day], str(DAY_LABELS[day]))
            if problem:
                problems[day] = problem
            elif len(week_spans[day]) > MAX_PERIODS_PER_DAY:
                problems[day] = _(
                    "%(where)s: use at most %(n)d periods.",
                    where=str(DAY_LABELS[day]),
                    n=MAX_PERIODS_PER_DAY,
                )
    _check_range_overlaps(ranges, problems)
    clean = weekly + dated
    if not problems:
        try:
            parse_schedule(clean, depth_of_days, notice_hours)
        except RuleError as error:
            problems["rules"] = error.message
    return clean, problems


def _range_label(number: int, first: date | None, last: date | None) -> str:
    if first and last:
        return _("Dates %(first)s to %(last)s", first=first.isoformat(), last=last.isoformat())
    return _("Date range %(n)d", n=number + 1)


def _check_dated(
    rule: dict,
    number: int,
    days: list[str] | None,
    problems: dict[str, str],
    dated: list[dict],
    ranges: list,
) -> None:
    key = f"range-{number}"
    first = _date(rule.get("from"))
    last = _date(rule.get("to", rule.get("from")))
    if first is None:
        problems[f"{key}-from"] = _(
            "Date range %(n)d: enter its first day as a date.", n=number + 1
        )
    if last is None:
        problems[f"{key}-to"] = _("Date range %(n)d: enter its last day as a date.", n=number + 1)
    elif first is not None and last < first:
        problems[f"{key}-to"] = _(
            "Date range %(n)d: the last day (%(last)s) is before the first (%(first)s).",
            n=number + 1,
            first=first.isoformat(),
            last=last.isoformat(),
        )
    if days is None:
        problems.setdefault(
            key, _("Date range %(n)d: choose weekdays from the list.", n=number + 1)
        )
        days = []
    where = _range_label(number, first, last)
    times, spans, problem = _periods(rule.get("times"), where)
    problem = problem or _overlap(spans, where)
    if problem:
        problems.setdefault(key, problem)
    dated.append(
        {
            "from": first.isoformat() if first else rule.get("from"),
            "to": last.isoformat() if last else rule.get("to"),
            "days": days,
            "times": times,
        }
    )
    if first is not None and last is not None and first <= last:
        ranges.append((number, first, last, days))


def _check_range_overlaps(ranges: list, problems: dict[str, str]) -> None:
    """Two date ranges on the same dates would add their hours up, so a closed range could
    not close what another one opens: each date belongs to at most one range."""
    for i, (n_a, first_a, last_a, days_a) in enumerate(ranges):
        for n_b, first_b, last_b, days_b in ranges[i + 1 :]:
            lo, hi = max(first_a, first_b), min(last_a, last_b)
            if lo > hi:
                continue
            shared = set(days_a or WEEK) & set(days_b or WEEK)
            span = (hi - lo).days + 1
            dates = [lo + timedelta(days=k) for k in range(min(span, 7))]
            if any(WEEK[(d.weekday() + 1) % 7] in shared for d in dates):
                problems.setdefault(
                    f"range-{n_b}",
                    _(
                        "Date range %(b)d shares dates with date range %(a)d; "
                        "give each date one set of hours.",
                        a=n_a + 1,
                        b=n_b + 1,
                    ),
                )


# --- off rules ---------------------------------------------------------------------------


def _local_moment(raw: object) -> tuple[datetime, bool] | None:
    """A naive local date-time (or a bare date, flagged True); None when unreadable."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return None
    return moment, ("T" not in text and " " not in text)


def check_off_rules(rules: object) -> tuple[list[dict], dict[str, str]]:
    """The off rules in their stored shape, and every problem found.

    Problems are keyed by ``range-<n>-from`` / ``-to`` / ``-note`` (the n-th range),
    ``weekly``, ``date-<n>-date`` / ``-note`` (the n-th single date) or ``rules``."""
    problems: dict[str, str] = {}
    if rules is None:
        rules = []
    if not isinstance(rules, list):
        return [], {"rules": _("The off rules must be a list.")}
    if len(rules) > MAX_OFF_RULES:
        return [], {"rules": _("Use at most %(n)d off rules.", n=MAX_OFF_RULES)}
    clean: list[dict[str, Any]] = []
    counts = {"range": 0, "date": 0}
    for index, rule in enumerate(rules):
        kind = rule.get("type") if isinstance(rule, dict) else None
        if kind == "range":
            clean.append(_check_off_range(rule, counts["range"], problems))
            counts["range"] += 1
        elif kind == "date":
            clean.append(_check_off_date(rule, counts["date"], problems))
            counts["date"] += 1
        elif kind == "weekly":
            days = _days(rule.get("days"))
            if not days:
                problems.setdefault("weekly", _("Choose the weekdays off from the list."))
                continue
            clean.append({"type": "weekly", "days": days})
        else:
            problems.setdefault(
                "rules", _("Off rule %(n)d must be a range, a weekly day or a date.", n=index + 1)
            )
    if not problems:
        try:
            parse_off_rules(clean)
        except RuleError as error:
            problems["rules"] = error.message
    return clean, problems


def _note(rule: dict, key: str, problems: dict[str, str], label: str) -> str:
    note = rule.get("note") or ""
    if not isinstance(note, str):
        note = str(note)
    note = note.strip()
    if len(note) > MAX_NOTE:
        problems[key] = _("%(where)s: keep the note to %(n)d characters.", where=label, n=MAX_NOTE)
    return note


def _check_off_range(rule: dict, number: int, problems: dict[str, str]) -> dict:
    key = f"range-{number}"
    label = _("Time off %(n)d", n=number + 1)
    start = _local_moment(rule.get("from"))
    end = _local_moment(rule.get("to"))
    if start is None:
        problems[f"{key}-from"] = _(
            "Time off %(n)d: enter when it starts, as a date and time.", n=number + 1
        )
    if end is None:
        problems[f"{key}-to"] = _(
            "Time off %(n)d: enter when it ends, as a date and time.", n=number + 1
        )
    if start is not None and end is not None:
        last = end[0]
        if end[1]:  # a bare end date includes that whole day
            last += timedelta(days=1)
        if last <= start[0]:
            problems[f"{key}-to"] = _("Time off %(n)d: it must end after it starts.", n=number + 1)
    return {
        "type": "range",
        "from": str(rule.get("from") or "").strip(),
        "to": str(rule.get("to") or "").strip(),
        "note": _note(rule, f"{key}-note", problems, label),
    }


def _check_off_date(rule: dict, number: int, problems: dict[str, str]) -> dict:
    key = f"date-{number}"
    day = _date(rule.get("date"))
    if day is None:
        problems[f"{key}-date"] = _("Day off %(n)d: enter the date.", n=number + 1)
    return {
        "type": "date",
        "date": day.isoformat() if day else str(rule.get("date") or ""),
        "note": _note(rule, f"{key}-note", problems, _("Day off %(n)d", n=number + 1)),
    }
