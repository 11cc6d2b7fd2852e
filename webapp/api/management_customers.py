"""Manage Customers and Manage Invoices (seed 002).

Every member reads customers: owners, admins and API keys all of them, a staff member only
those who booked one of their resources (others answer 404, like an unknown id). Correcting
a customer's details and reading invoices need an admin, as in the staff admin."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.api import billing, inputs
from webapp.api.access import management
from webapp.api.blueprint import body, bp, ok
from webapp.api.management_values import JsonReader, api_fields
from webapp.api.pagination import decode, pagination, read_limit
from webapp.api.shapes import bookings as shapes
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.manage import customers as manage
from webapp.models import Booking, Customer, CustomField, Invoice
from webapp.models.custom_fields import CORE_CUSTOMER_FIELDS
from webapp.models.invoices import INVOICE_STATUSES
from webapp.public import fields as form_fields
from webapp.public.blueprint import now

CUSTOMER_LIST = "management.customers"
INVOICE_LIST = "management.invoices"
ORDER = "recent"  # newest customers first
SEARCH_LIMIT = 200
WRITABLE = {"firstName", "lastName", "email", "phone", "note", "lang", "data"}
# What an answer carries that a client may send back unchanged; it is not written.
READ_ONLY = {"id", "createdAt", "updatedAt"}
SERVICE_NAMES = {"first_name": "firstName", "last_name": "lastName"}


def _customer_json(customer: Customer) -> dict:
    return shapes.customer(customer)


@bp.get("/management/customers")
@management()
def management_customers_list():
    """Customers, newest first; ``search`` finds them by part of a name or email address,
    or by phone number."""
    limit = read_limit(request.args.get("limit"), default=20)
    search = (request.args.get("search") or "").strip()
    if len(search) > SEARCH_LIMIT:
        raise ValidationFailed(
            _("search: use at most %(n)d characters.", n=SEARCH_LIMIT), field="search"
        )
    statement = manage.customers_of(g.organization, g.caller.resource_scope)
    condition = manage.search_condition(db.session, g.organization, search)
    if condition is not None:
        statement = statement.where(condition)
    # The search is part of the list's name: a page token continues only its own search.
    list_name = f"{CUSTOMER_LIST}:{search.lower()}"
    position = decode(list_name, request.args.get("nextPageToken"))
    if position is not None:
        cursor = manage.parse_cursor(ORDER, position)
        if cursor is None:
            raise ValidationFailed(_("This nextPageToken is not valid."), field="nextPageToken")
        statement = statement.where(manage.after_cursor(ORDER, cursor))
    found = list(db.session.scalars(statement.order_by(*manage.list_order(ORDER)).limit(limit + 1)))
    page = found[:limit]
    following = manage.cursor_of(ORDER, page[-1]) if len(found) > limit else None
    return ok([_customer_json(c) for c in page], pagination=pagination(following, list_name))


@bp.get("/management/customers/<customer_id>")
@management()
def management_customer_get(customer_id: str):
    customer = manage.get_customer(
        db.session, g.organization, customer_id[:64], resource_ids=g.caller.resource_scope
    )
    return ok(_customer_json(customer))


@bp.put("/management/customers/<customer_id>")
@management("admin")
def management_customer_update(customer_id: str):
    """Correct a customer: the members sent change, the others stay as they are; ``data``
    answers the organization's customer fields by id (only those sent change)."""
    customer = manage.get_customer(db.session, g.organization, customer_id[:64])
    data = body()
    reader = JsonReader(data)
    reader.only(WRITABLE, READ_ONLY)
    values = manage.CustomerValues(
        first_name=reader.text("firstName", customer.first_name, max_length=manage.MAX_NAME),
        last_name=reader.text("lastName", customer.last_name, max_length=manage.MAX_NAME),
        email=reader.text("email", customer.email, max_length=254),
        phone=reader.text("phone", customer.phone, max_length=40),
        note=reader.text("note", customer.note, max_length=manage.MAX_NOTE),
        lang=reader.text("lang", customer.lang, max_length=8),
    )
    answers = inputs.answers(_custom_specs(), data.get("data"), member="data", partial=True)
    try:
        with api_fields(SERVICE_NAMES):
            manage.update_customer(db.session, g.organization, customer, values)
    except ValidationFailed:
        inputs.forget_uploads(_custom_specs(), answers)
        raise
    if answers:
        customer.data = {**(customer.data or {}), **answers}
    customer.updated_at = now()
    db.session.commit()
    return ok(_customer_json(customer))


def _custom_specs() -> list[form_fields.FieldSpec]:
    """The organization's own customer questions, those shown only to staff too (name,
    email and phone are the customer's own members)."""
    rows = db.session.scalars(
        select(CustomField)
        .where(CustomField.organization_id == g.organization.id, CustomField.scope == "customer")
        .order_by(CustomField.position, CustomField.key)
    ).all()
    specs = form_fields.customer_specs(rows, staff=True)
    return [spec for spec in specs if spec.key not in CORE_CUSTOMER_FIELDS]


# --- invoices ------------------------------------------------------------------------------------


@bp.get("/management/invoices")
@management("admin")
def management_invoices_list():
    """The organization's invoices, newest first, of one ``status`` when given."""
    limit = read_limit(request.args.get("limit"), default=20)
    status = request.args.get("status") or None
    if status is not None and status not in INVOICE_STATUSES:
        raise ValidationFailed(
            _("status must be one of: %(values)s.", values=", ".join(INVOICE_STATUSES)),
            field="status",
        )
    list_name = f"{INVOICE_LIST}:{status or ''}"
    position = decode(list_name, request.args.get("nextPageToken"))
    statement = select(Invoice).where(Invoice.organization_id == g.organization.id)
    if status is not None:
        statement = statement.where(Invoice.status == status)
    if position is not None:
        if len(position) != 1 or not isinstance(position[0], int):
            raise ValidationFailed(_("This nextPageToken is not valid."), field="nextPageToken")
        statement = statement.where(Invoice.number < position[0])
    found = list(db.session.scalars(statement.order_by(Invoice.number.desc()).limit(limit + 1)))
    page = found[:limit]
    following = [page[-1].number] if len(found) > limit else None
    bookings = _bookings_of(page)
    attempts = billing.payments_of([invoice.id for invoice in page])
    shaped = []
    for invoice in page:
        booking = bookings.get(invoice.booking_id)
        item = shapes.invoice(
            invoice,
            booking_row=booking,
            timezone=g.site.timezone,
            links=billing.invoice_links(invoice, booking),
            payments=attempts.get(invoice.id, []),
        )
        item["customerId"] = invoice.customer_id
        shaped.append(item)
    return ok(shaped, pagination=pagination(following, list_name))


def _bookings_of(invoices: list[Invoice]) -> dict[str, Booking]:
    ids = [invoice.booking_id for invoice in invoices if invoice.booking_id]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Booking).where(Booking.organization_id == g.organization.id, Booking.id.in_(ids))
    )
    return {row.id: row for row in rows}
