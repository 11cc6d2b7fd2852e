"""A resource's working hours (time rules) and time off (off rules).

Both are kept as the JSON documents the API speaks, in the resource's own time zone:
``{"depthOfDays", "scheduleAfterHoursFromNow", "rules": [{days, times}, {from, to, days, times}]}``
and ``{"rules": [{type: range, from, to, note}, {type: weekly, days}, {type: date, date, note}]}``.
Every problem of a document is reported at once (``RulesInvalid.problems``, keyed by the part it
is about: a weekday, ``range-<n>``, ``date-<n>-date``...), and the availability engine's own
parser has the last word, so nothing is stored that availability cannot read.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.manage.resources import get_resource
from webapp.manage.rule_checks import (
    DAY_LABELS,
    DEFAULT_DEPTH_OF_DAYS,
    MAX_DEPTH_OF_DAYS,
    MAX_NOTE,
    MAX_NOTICE_HOURS,
    MAX_PERIODS_PER_DAY,
    WEEK,
    check_off_rules,
    check_time_rules,
)
from webapp.models import OffRules, Organization, Resource, TimeRules


class RulesInvalid(ValidationFailed):
    """A rules document with problems; ``problems`` maps each part to its message."""

    def __init__(self, problems: dict[str, str]):
        field, message = next(iter(problems.items()))
        super().__init__(message, field=field, problems=problems)
        self.problems = problems


def rule_problems(error: ValidationFailed) -> dict[str, str]:
    """Every problem a service error reports, keyed by the part it is about."""
    problems = error.details.get("problems") if isinstance(error.details, dict) else None
    if problems:
        return dict(problems)
    field = error.details.get("field") if isinstance(error.details, dict) else None
    return {field or "__all__": error.message}


def resource_timezone(organization: Organization, resource: Resource) -> str:
    """The zone a resource's rules are written in."""
    return resource.timezone or organization.timezone


def _resource(session: Session, organization: Organization, resource: Resource | str) -> Resource:
    if isinstance(resource, str):
        return get_resource(session, organization, resource)
    if resource.organization_id != organization.id:
        raise NotFound(_("Resource not found."))
    return resource


# --- reading and writing -----------------------------------------------------------------


def get_time_rules(
    session: Session, organization: Organization, resource: Resource | str
) -> TimeRules:
    """The resource's time rules; a new, unsaved row with defaults when it has none yet."""
    resource = _resource(session, organization, resource)
    row = session.get(TimeRules, resource.id)
    if row is None:
        row = TimeRules(
            resource_id=resource.id,
            organization_id=organization.id,
            depth_of_days=DEFAULT_DEPTH_OF_DAYS,
            schedule_after_hours_from_now=0,
            rules=[],
        )
    return row


def save_time_rules(
    session: Session,
    organization: Organization,
    resource: Resource | str,
    *,
    depth_of_days: int,
    notice_hours: int,
    rules: list,
) -> TimeRules:
    resource = _resource(session, organization, resource)
    clean, problems = check_time_rules(depth_of_days, notice_hours, rules)
    if problems:
        raise RulesInvalid(problems)
    row = session.get(TimeRules, resource.id)
    if row is None:
        row = TimeRules(resource_id=resource.id, organization_id=organization.id)
        session.add(row)
    row.depth_of_days = depth_of_days
    row.schedule_after_hours_from_now = notice_hours
    row.rules = clean
    session.flush()
    return row


def get_off_rules(
    session: Session, organization: Organization, resource: Resource | str
) -> OffRules:
    """The resource's off rules; a new, unsaved, empty row when it has none yet."""
    resource = _resource(session, organization, resource)
    row = session.get(OffRules, resource.id)
    if row is None:
        row = OffRules(resource_id=resource.id, organization_id=organization.id, rules=[])
    return row


def save_off_rules(
    session: Session, organization: Organization, resource: Resource | str, rules: list
) -> OffRules:
    resource = _resource(session, organization, resource)
    clean, problems = check_off_rules(rules)
    if problems:
        raise RulesInvalid(problems)
    row = session.get(OffRules, resource.id)
    if row is None:
        row = OffRules(resource_id=resource.id, organization_id=organization.id)
        session.add(row)
    row.rules = clean
    session.flush()
    return row


__all__ = [
    "DAY_LABELS",
    "DEFAULT_DEPTH_OF_DAYS",
    "MAX_DEPTH_OF_DAYS",
    "MAX_NOTE",
    "MAX_NOTICE_HOURS",
    "MAX_PERIODS_PER_DAY",
    "WEEK",
    "RulesInvalid",
    "check_off_rules",
    "check_time_rules",
    "get_off_rules",
    "get_time_rules",
    "resource_timezone",
    "rule_problems",
    "save_off_rules",
    "save_time_rules",
]
