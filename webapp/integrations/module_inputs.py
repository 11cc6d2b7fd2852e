"""What a module API request says: the week asked for, the JSON body and the customer to
book for, read and checked before anything is written."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.booking import intervals as iv
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.manage.customers import MAX_NAME, normalized_contact
from webapp.models import CustomField
from webapp.public.catalog import YEARS
from webapp.public.fields import customer_specs

MAX_BODY = 16 * 1024
WEEK_DAYS = 7
EMAIL_LIMIT = 254
PHONE_LIMIT = 40
CORE_CUSTOMER_KEYS = ("firstName", "lastName", "email", "phoneNumber")


def body() -> dict:
    """The JSON object sent, whatever the content type says."""
    if (request.content_length or 0) > MAX_BODY:
        raise RequestEntityTooLarge()
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        raise RequestEntityTooLarge()
    try:
        data = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise ValidationFailed(_("The body must be a JSON object."), field="body")
    return data


def required_customer_fields() -> dict[str, bool]:
    """Which of the customer's core details the website requires."""
    rows = db.session.scalars(
        select(CustomField).where(
            CustomField.organization_id == g.organization.id, CustomField.scope == "customer"
        )
    )
    return {
        spec.key: spec.required
        for spec in customer_specs(list(rows))
        if spec.key in CORE_CUSTOMER_KEYS
    }


def week(today: date, timezone: str) -> tuple[date, date]:
    """``rangeStart`` (today when left out) to ``rangeEnd`` (six days later when left
    out), seven days at most."""
    first = query_day("rangeStart", timezone) or today
    last = query_day("rangeEnd", timezone) or first + timedelta(days=WEEK_DAYS - 1)
    if last < first:
        raise ValidationFailed(_("rangeEnd must not be before rangeStart."), field="rangeEnd")
    if (last - first).days >= WEEK_DAYS:
        raise ValidationFailed(
            _("Ask for at most %(days)d days at once.", days=WEEK_DAYS), field="rangeEnd"
        )
    return first, last


def query_day(name: str, timezone: str) -> date | None:
    """A date (``2026-11-22``), or the date of a date-time in the website's timezone."""
    text = request.args.get(name, "").strip()[:40]
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
        else:
            moment = datetime.fromisoformat(text)
            day = (moment.astimezone(iv.zone(timezone)) if moment.tzinfo else moment).date()
    except ValueError:
        day = None
    if day is None or day.year not in YEARS:
        raise ValidationFailed(
            _("%(name)s must be a date such as 2026-11-22.", name=name), field=name
        )
    return day


def customer_answers(data: dict) -> dict:
    """``customer`` as the customer record's answers, checked against the website's rules
    before anything is written."""
    given = data.get("customer")
    if not isinstance(given, dict):
        raise ValidationFailed(
            _("Send the customer as an object with firstName, lastName, email and mobile."),
            field="customer",
        )
    phone_key = "mobile" if given.get("mobile") not in (None, "") else "phone"
    answers = {
        "firstName": _customer_text(given, "firstName", MAX_NAME),
        "lastName": _customer_text(given, "lastName", MAX_NAME),
        "email": _customer_text(given, "email", EMAIL_LIMIT),
        "phoneNumber": _customer_text(given, phone_key, PHONE_LIMIT),
    }
    names = {"firstName": "firstName", "lastName": "lastName", "email": "email"}
    names["phoneNumber"] = phone_key  # the member the caller sent
    if answers["email"]:
        answers["email"] = _normalized("email", answers["email"])
    if answers["phoneNumber"]:
        answers["phoneNumber"] = _normalized(phone_key, answers["phoneNumber"])
    if not answers["email"] and not answers["phoneNumber"]:
        raise ValidationFailed(
            _("Give the customer's email address or mobile number."), field="customer.email"
        )
    for key, required in required_customer_fields().items():
        if required and not answers.get(key):
            field = f"customer.{names[key]}"
            raise ValidationFailed(_("%(field)s is required.", field=field), field=field)
    return {key: value for key, value in answers.items() if value}


def _customer_text(given: dict, name: str, limit: int) -> str | None:
    """A string member of ``customer``, trimmed; None when absent or empty."""
    value = given.get(name)
    field = f"customer.{name}"
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(_("%(field)s must be a string.", field=field), field=field)
    value = value.strip()
    if len(value) > limit:
        raise ValidationFailed(
            _("%(field)s must be at most %(limit)d characters.", field=field, limit=limit),
            field=field,
        )
    return value or None


def _normalized(name: str, value: str) -> str:
    kind = "email" if name == "email" else "phone"
    return normalized_contact(db.session, g.organization, kind, value, field=f"customer.{name}")
