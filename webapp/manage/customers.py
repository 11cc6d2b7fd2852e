"""Customers as staff see them: finding them fast, reading them, correcting their details."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.auth.otp import normalize_identifier
from webapp.booking.errors import NotFound, ValidationFailed
from webapp.customers import find_customer
from webapp.i18n import LANGUAGES
from webapp.models import Booking, Customer, CustomField, Organization
from webapp.models.custom_fields import CORE_CUSTOMER_FIELDS

MAX_NAME = 100
MAX_NOTE = 5000
# A query made only of these characters is read as (part of) a phone number.
_PHONE_LIKE = re.compile(r"[\d\s()+.-]+")
MIN_PHONE_DIGITS = 3
# Phone numbers are read the same way for every text channel (E.164).
PHONE_CHANNEL = "sms"


@dataclass
class CustomerValues:
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    note: str = ""
    lang: str = "en"


def get_customer(
    session: Session,
    organization: Organization,
    customer_id: str,
    *,
    resource_ids: list[str] | None = None,
) -> Customer:
    """The organization's customer; with ``resource_ids`` (a staff member's resources) only
    one who has booked one of them. Unknown, foreign and hidden customers answer the same."""
    statement = customers_of(organization, resource_ids).where(Customer.id == customer_id)
    customer = session.scalar(statement)
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


def customers_of(organization: Organization, resource_ids: list[str] | None = None) -> Select:
    """The organization's customers, or only those who booked one of ``resource_ids``."""
    statement = select(Customer).where(Customer.organization_id == organization.id)
    if resource_ids is not None:
        statement = statement.where(
            exists().where(
                Booking.customer_id == Customer.id,
                Booking.organization_id == organization.id,
                Booking.resource_id.in_(resource_ids),
            )
        )
    return statement


def search_condition(session: Session, organization: Organization, query: str):
    """Where a customer matches ``query``, in any case: part of an email address; a phone
    number, whole (answered by the organization's unique index) or in part; or part of a
    name or email address."""
    query = " ".join(query.split()).lower()
    if not query:
        return None
    if "@" in query:
        return func.lower(Customer.email).contains(query, autoescape=True)
    digits = re.sub(r"\D", "", query).lstrip("0")
    if _PHONE_LIKE.fullmatch(query) and len(digits) >= MIN_PHONE_DIGITS:
        try:
            return Customer.phone == normalize_identifier(
                PHONE_CHANNEL, query, phone_country(session, organization)
            )
        except ValidationFailed:
            # Part of a number, or a local way of writing it (0501...) for +966501...
            return Customer.phone.contains(digits, autoescape=True)
    return or_(
        func.lower(Customer.email).contains(query, autoescape=True),
        func.lower(Customer.first_name).contains(query, autoescape=True),
        func.lower(Customer.last_name).contains(query, autoescape=True),
        func.lower(Customer.first_name + " " + Customer.last_name).contains(query, autoescape=True),
    )


def after_cursor(order: str, cursor: tuple):
    """Rows after ``cursor`` in the list's order (keyset pagination: no OFFSET)."""
    if order == "name":
        first_name, last_name, customer_id = cursor
        first, last = func.lower(Customer.first_name), func.lower(Customer.last_name)
        first_then, last_then = func.lower(first_name), func.lower(last_name)
        return or_(
            first > first_then,
            and_(first == first_then, last > last_then),
            and_(first == first_then, last == last_then, Customer.id > customer_id),
        )
    created, customer_id = cursor
    return or_(
        Customer.created_at < created,
        and_(Customer.created_at == created, Customer.id < customer_id),
    )


def list_order(order: str) -> tuple:
    if order == "name":
        return (func.lower(Customer.first_name), func.lower(Customer.last_name), Customer.id)
    return (Customer.created_at.desc(), Customer.id.desc())


def cursor_of(order: str, customer: Customer) -> list:
    if order == "name":
        return [customer.first_name, customer.last_name, customer.id]
    return [customer.created_at.isoformat(), customer.id]


def parse_cursor(order: str, raw: object) -> tuple | None:
    """A cursor read back from a link; anything malformed means "from the start"."""
    if not isinstance(raw, list) or not all(isinstance(part, str) for part in raw):
        return None
    if order == "name" and len(raw) == 3:
        return tuple(raw)
    if order != "name" and len(raw) == 2:
        try:
            created = datetime.fromisoformat(raw[0])
        except ValueError:
            return None
        return (created, raw[1]) if created.tzinfo else None
    return None


def customer_fields(session: Session, organization: Organization) -> list[CustomField]:
    """The organization's own customer fields (not the name, email and phone every
    organization has), in form order."""
    return list(
        session.scalars(
            select(CustomField)
            .where(
                CustomField.organization_id == organization.id,
                CustomField.scope == "customer",
                CustomField.key.not_in(CORE_CUSTOMER_FIELDS),
            )
            .order_by(CustomField.position, CustomField.created_at)
        )
    )


def normalized_contact(
    session: Session, organization: Organization, kind: str, value: str, *, field: str
) -> str:
    """An email address (``kind`` "email") or phone number ("phone") written as customers
    are kept; a value that is neither answers 422 naming ``field``."""
    try:
        if kind == "email":
            return normalize_identifier("email", value)
        return normalize_identifier(PHONE_CHANNEL, value, phone_country(session, organization))
    except ValidationFailed:
        message = (
            _("Enter a valid email address.")
            if kind == "email"
            else _("Enter a valid phone number with its country code, such as +966501234567.")
        )
        raise ValidationFailed(message, field=field) from None


def phone_country(session: Session, organization: Organization) -> str | None:
    """The country whose numbers customers may write without +: the phone field's setting."""
    return session.scalar(
        select(CustomField.default_country).where(
            CustomField.organization_id == organization.id,
            CustomField.scope == "customer",
            CustomField.key == "phoneNumber",
        )
    )


def update_customer(
    session: Session, organization: Organization, customer: Customer, values: CustomerValues
) -> Customer:
    """Correct a customer's details. Email and phone are stored normalized and stay unique
    within the organization; every problem is reported at once (``details["errors"]``)."""
    if customer.organization_id != organization.id:
        raise NotFound(_("Customer not found."))
    errors: dict[str, str] = {}
    first_name = (values.first_name or "").strip()
    last_name = (values.last_name or "").strip()
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if len(value) > MAX_NAME:
            errors[field] = _("Use at most %(n)d characters.", n=MAX_NAME)
    note = (values.note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("Use at most %(n)d characters.", n=MAX_NOTE)
    if values.lang not in LANGUAGES:
        errors["lang"] = _("Choose one of the offered languages.")
    email = _email(session, organization, customer, values.email, errors)
    phone = _phone(session, organization, customer, values.phone, errors)
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = _(
            "Keep an email address or a phone number, so the customer can be found and told "
            "about their bookings."
        )
    if errors:
        field = next(iter(errors))
        raise ValidationFailed(errors[field], field=field, errors=errors)

    customer.first_name = first_name
    customer.last_name = last_name
    customer.email = email
    customer.phone = phone
    customer.note = note
    customer.lang = values.lang
    try:
        session.flush()
    except IntegrityError:
        # Another request took the address between the check and the write.
        raise ValidationFailed(
            _("Another customer already has this email address or phone number."),
            field="email",
        ) from None
    return customer


def _email(session, organization, customer, raw: str | None, errors: dict) -> str | None:
    if not (raw or "").strip():
        return None
    try:
        email = normalize_identifier("email", raw)
    except ValidationFailed:
        errors["email"] = _("Enter a valid email address.")
        return None
    other = find_customer(session, organization.id, email=email, phone=None)
    if other is not None and other.id != customer.id:
        errors["email"] = _("Another customer already has this email address.")
    return email


def _phone(session, organization, customer, raw: str | None, errors: dict) -> str | None:
    if not (raw or "").strip():
        return None
    try:
        phone = normalize_identifier(PHONE_CHANNEL, raw, phone_country(session, organization))
    except ValidationFailed:
        errors["phone"] = _(
            "Enter a valid phone number with its country code, for example +966501234567."
        )
        return None
    other = find_customer(session, organization.id, email=None, phone=phone)
    if other is not None and other.id != customer.id:
        errors["phone"] = _("Another customer already has this phone number.")
    return phone
