"""Finding and recording customers, per organization, by email or phone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.models import Customer, Organization

CORE_KEYS = {"firstName": "first_name", "lastName": "last_name"}
IDENTITY_KEYS = ("email", "phoneNumber")


def find_customer(
    session: Session, organization_id: str, *, email: str | None, phone: str | None
) -> Customer | None:
    conditions = []
    if email:
        conditions.append(Customer.email == email)
    if phone:
        conditions.append(Customer.phone == phone)
    if not conditions:
        return None
    return session.scalars(
        select(Customer)
        .where(Customer.organization_id == organization_id, or_(*conditions))
        .order_by(Customer.created_at)
        .limit(1)
    ).first()


def record_customer(
    session: Session,
    organization: Organization,
    answers: Mapping[str, object],
    *,
    now: datetime,
    lang: str = "en",
    verified: bool = False,
) -> Customer:
    """The customer these answers describe, created when new.

    An existing customer's details change only when they proved who they are (``verified``);
    otherwise anyone who knows an email address could rename its owner. Missing details are
    always filled in."""
    email = _text(answers.get("email"))
    phone = _text(answers.get("phoneNumber"))
    customer = find_customer(session, organization.id, email=email, phone=phone)
    if customer is None:
        customer = Customer(organization_id=organization.id, created_at=now, lang=lang)
        session.add(customer)
        overwrite = True
    else:
        overwrite = verified
    for key, column in CORE_KEYS.items():
        value = _text(answers.get(key))
        if value and (overwrite or not getattr(customer, column)):
            setattr(customer, column, value)
    # Another customer may already own the other identifier; then it stays as it was.
    if email and not customer.email and not _taken(session, customer, email=email):
        customer.email = email
    if phone and not customer.phone and not _taken(session, customer, phone=phone):
        customer.phone = phone
    extra = {k: v for k, v in answers.items() if k not in CORE_KEYS and k not in IDENTITY_KEYS}
    data = dict(customer.data or {})
    for key, value in extra.items():
        if overwrite or key not in data:
            data[key] = value
    customer.data = data
    customer.updated_at = now
    session.flush()
    return customer


def _taken(session: Session, customer: Customer, **identity) -> bool:
    other = find_customer(
        session, customer.organization_id, email=identity.get("email"), phone=identity.get("phone")
    )
    return other is not None and other.id != customer.id


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
