"""The time-off editor (off rules): vacations and other ranges, weekly days off, single
days such as holidays. See ``rules_editor`` for how the editors work."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from webapp.admin.rules_editor import EditorResult, as_index, form_count, form_text, read_op
from webapp.booking.errors import ValidationFailed
from webapp.manage import rules as manage
from webapp.manage.rules import WEEK
from webapp.models import OffRules, Organization, Resource

OFF_EDITOR_ID = "off-rules-editor"
MAX_OFF_ROWS = 200


def _moment_value(raw: object, *, end: bool) -> str:
    """A stored local date-time as a datetime-local input shows it; a bare end date
    (inclusive) becomes the midnight after it."""
    text = str(raw or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if "T" not in text and " " not in text and end:
        moment += timedelta(days=1)
    if moment.second:
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return moment.strftime("%Y-%m-%dT%H:%M")


def off_rules_values(row: OffRules) -> dict:
    """What the time-off editor shows for stored off rules."""
    ranges, weekly, dates = [], set(), []
    for rule in row.rules or []:
        if not isinstance(rule, dict):
            continue
        kind = rule.get("type")
        if kind == "range":
            ranges.append(
                {
                    "from": _moment_value(rule.get("from"), end=False),
                    "to": _moment_value(rule.get("to"), end=True),
                    "note": str(rule.get("note") or ""),
                }
            )
        elif kind == "weekly":
            weekly |= {str(day).lower() for day in rule.get("days") or []}
        elif kind == "date":
            dates.append({"date": str(rule.get("date") or ""), "note": str(rule.get("note") or "")})
    return {
        "ranges": ranges,
        "weekly": [day for day in WEEK if day in weekly],
        "dates": dates,
        "focus": None,
        "message": None,
    }


def read_off_rules_form(form: MultiDict) -> tuple[dict, dict[str, str], str]:
    """The time-off editor's values as submitted, problems found reading them, and the
    button pressed."""
    chosen = set(form.getlist("weekly"))
    values = {
        "ranges": [
            {
                "from": form_text(form, f"range-{i}-from"),
                "to": form_text(form, f"range-{i}-to"),
                "note": form_text(form, f"range-{i}-note", manage.MAX_NOTE + 1),
            }
            for i in range(form_count(form, "range_count", MAX_OFF_ROWS))
        ],
        "weekly": [day for day in WEEK if day in chosen],
        "dates": [
            {
                "date": form_text(form, f"date-{i}-date"),
                "note": form_text(form, f"date-{i}-note", manage.MAX_NOTE + 1),
            }
            for i in range(form_count(form, "date_count", MAX_OFF_ROWS))
        ],
        "focus": None,
        "message": None,
    }
    return values, {}, read_op(form)


def _off_document(values: dict) -> tuple[list[dict], dict[str, list[int]]]:
    """The off rules, and for each kind the editor row each rule came from (empty rows are
    left out, so the n-th rule of a kind is not always the n-th row)."""
    rules: list[dict] = []
    rows: dict[str, list[int]] = {"range": [], "date": []}
    for i, entry in enumerate(values["ranges"]):
        if entry["from"] or entry["to"] or entry["note"]:
            rules.append({"type": "range", **entry})
            rows["range"].append(i)
    if values["weekly"]:
        rules.append({"type": "weekly", "days": list(values["weekly"])})
    for i, entry in enumerate(values["dates"]):
        if entry["date"] or entry["note"]:
            rules.append({"type": "date", **entry})
            rows["date"].append(i)
    return rules, rows


def off_rules_document(values: dict) -> list[dict]:
    """The editor's values as the service's ``rules`` argument."""
    return _off_document(values)[0]


def _to_rows(problems: dict[str, str], rows: dict[str, list[int]]) -> dict[str, str]:
    """Problem keys of the n-th rule of a kind, moved to the editor row it came from."""
    placed = {}
    for key, message in problems.items():
        kind, _sep, rest = key.partition("-")
        number, _sep, part = rest.partition("-")
        n = as_index(number)
        if kind in rows and n is not None and n < len(rows[kind]):
            key = f"{kind}-{rows[kind][n]}" + (f"-{part}" if part else "")
        placed[key] = message
    return placed


def apply_off_rules_op(values: dict, op: str) -> dict:
    """The editor after an editing button: ``add-range``, ``remove-range:<i>``,
    ``add-date`` or ``remove-date:<i>``."""
    kind, _sep, arg = op.partition(":")
    if kind in ("add-range", "add-date"):
        rows = values["ranges"] if kind == "add-range" else values["dates"]
        if len(rows) < MAX_OFF_ROWS:
            blank = {"from": "", "to": "", "note": ""} if kind == "add-range" else None
            rows.append(blank or {"date": "", "note": ""})
            first = "from" if kind == "add-range" else "date"
            values["focus"] = f"f-{kind.removeprefix('add-')}-{len(rows) - 1}-{first}"
    elif kind in ("remove-range", "remove-date"):
        rows = values["ranges"] if kind == "remove-range" else values["dates"]
        i = as_index(arg)
        if i is not None and i < len(rows):
            del rows[i]
            values["focus"] = f"f-{kind.replace('remove', 'add')}"
    return values


def submit_off_rules(
    session: Session, organization: Organization, resource: Resource, form: MultiDict
) -> EditorResult:
    """Handle a posted time-off editor, like :func:`submit_time_rules`."""
    values, errors, op = read_off_rules_form(form)
    if op != "save":
        return EditorResult(apply_off_rules_op(values, op))
    rules, rows = _off_document(values)
    _clean, problems = manage.check_off_rules(rules)
    problems.update(errors)
    if not problems:
        try:
            manage.save_off_rules(session, organization, resource, rules)
        except ValidationFailed as error:
            problems = manage.rule_problems(error)
        else:
            return EditorResult(values, saved=True)
    return EditorResult(values, _to_rows(problems, rows))
