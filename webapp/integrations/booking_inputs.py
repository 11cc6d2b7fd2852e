"""What the booking operations of the integrations read from a request: ids of the
caller's services and resources, dates, ISO-8601 start times and the customer's contact,
each refused with 422 naming its field (404 for an id the caller's website does not offer)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from flask_babel import gettext as _

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.extensions import db
from webapp.integrations.access import Integration
from webapp.manage.customers import MAX_NAME, normalized_contact
from webapp.models import BookingType
from webapp.public.catalog import YEARS, Catalog

MAX_DAYS = 14
EMAIL_LIMIT = 254
PHONE_LIMIT = 40
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def required_id(data: Mapping, name: str) -> str:
    """An id the request must give, as a string."""
    value = data.get(name)
    if value is None or value == "":
        raise ValidationFailed(_("%(field)s is required.", field=name), field=name)
    if not isinstance(value, str):
        raise ValidationFailed(_("%(field)s must be a string.", field=name), field=name)
    return value.strip()


def service_of(catalog: Catalog, data: Mapping) -> BookingType:
    """``service_id``: a service customers may book on the website (offered by a resource)."""
    found = catalog.type(required_id(data, "service_id"))
    if found is None or not catalog.resources_for(found.id):
        raise NotFound(_("No service with this id can be booked here."), field="service_id")
    return found


def resource_of(catalog: Catalog, service: BookingType, data: Mapping) -> str | None:
    """``resource_id`` when given: a resource the website offers this service with."""
    if data.get("resource_id") in (None, ""):
        return None
    wanted = required_id(data, "resource_id")
    if not any(r.id == wanted for r in catalog.resources_for(service.id)):
        raise NotFound(_("No resource with this id offers this service here."), field="resource_id")
    return wanted


def first_day(value: object) -> date:
    """``date``: YYYY-MM-DD."""
    if value is None or value == "":
        raise ValidationFailed(_("%(field)s is required.", field="date"), field="date")
    day = None
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None or day.year not in YEARS:
        raise ValidationFailed(_("date must be a date such as 2026-11-22."), field="date")
    return day


def day_count(value: object) -> int:
    """``days``: 1 to MAX_DAYS, 1 when left out (a query string's text too)."""
    if value is None or value == "":
        return 1
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise ValidationFailed(
            _("days must be a whole number from 1 to %(max)d.", max=MAX_DAYS), field="days"
        )
    return value


def start_time(value: object) -> datetime:
    """``start``: an ISO-8601 date-time with its offset (no wall time to guess about)."""
    problem = _(
        "start must be an ISO-8601 date-time with an offset, such as 2026-11-22T09:00:00+03:00."
    )
    if value is None or value == "":
        raise ValidationFailed(_("%(field)s is required.", field="start"), field="start")
    if not isinstance(value, str) or len(value) > 40:
        raise ValidationFailed(problem, field="start")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(problem, field="start") from None
    if moment.tzinfo is None or moment.year not in YEARS:
        raise ValidationFailed(problem, field="start")
    return moment


def text(data: Mapping, name: str, limit: int, *, within: str = "") -> str | None:
    """A string member, trimmed; None when absent or blank. ``within`` prefixes its field."""
    value, name = data.get(name), within + name
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(_("%(field)s must be a string.", field=name), field=name)
    if len(value) > limit:
        raise ValidationFailed(
            _("%(field)s must be at most %(limit)d characters.", field=name, limit=limit),
            field=name,
        )
    return value.strip() or None


def contact(integration: Integration, value: object) -> dict:
    """``contact`` as the customer's answers: a name, and an email or a phone (or both)."""
    if not isinstance(value, dict):
        raise ValidationFailed(
            _("Send the customer's contact: name, and email or phone."), field="contact"
        )
    name = " ".join((text(value, "name", 2 * MAX_NAME, within="contact.") or "").split())
    if not name:
        raise ValidationFailed(_("Give the customer's name."), field="contact.name")
    first, _sep, last = name.partition(" ")
    if len(first) > MAX_NAME or len(last) > MAX_NAME:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=MAX_NAME), field="contact.name")
    email = text(value, "email", EMAIL_LIMIT, within="contact.")
    phone = text(value, "phone", PHONE_LIMIT, within="contact.")
    if not email and not phone:
        raise ValidationFailed(
            _("Give the customer's email or phone number."), field="contact.email"
        )
    details = {"firstName": first, "lastName": last or None}
    organization = integration.organization
    if email:
        details["email"] = normalized_contact(
            db.session, organization, "email", email, field="contact.email"
        )
    if phone:
        details["phoneNumber"] = normalized_contact(
            db.session, organization, "phone", phone, field="contact.phone"
        )
    return details
