"""Customers: find one fast, read their details, answers and bookings, correct them.

A staff member sees only the customers who booked one of their own resources, and only
those bookings; owners and admins see and correct every customer."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app, g, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.admin.blueprint import after_action, bp, own_resource_ids, render, requires
from webapp.admin.forms import FormReader
from webapp.booking.errors import ValidationFailed
from webapp.extensions import db
from webapp.i18n import LANGUAGES, format_number, translated
from webapp.manage import customers as manage
from webapp.models import Booking, Customer, CustomField
from webapp.models.custom_fields import CORE_CUSTOMER_FIELDS

PAGE_SIZE = 50
BOOKINGS_SHOWN = 100
ORDERS = ("recent", "name")
CURSOR_SALT = "mawid.admin.customers"
LANGUAGE_NAMES = {"en": "English", "ar": "العربية"}


def _cursors() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CURSOR_SALT)


def _read_cursor(order: str, token: str | None) -> tuple | None:
    if not token:
        return None
    try:
        return manage.parse_cursor(order, _cursors().loads(token))
    except BadSignature:
        return None


def _list_url(q: str, order: str, **extra) -> str:
    return url_for(
        "admin.customers_list",
        q=q or None,
        order=order if order != ORDERS[0] else None,
        **extra,
    )


@bp.get("/customers")
def customers_list():
    q = (request.args.get("q") or "").strip()[:200]
    order = request.args.get("order") if request.args.get("order") in ORDERS else ORDERS[0]
    cursor = _read_cursor(order, request.args.get("after"))

    statement = manage.customers_of(g.organization, own_resource_ids())
    condition = manage.search_condition(db.session, g.organization, q)
    if condition is not None:
        statement = statement.where(condition)
    if cursor is not None:
        statement = statement.where(manage.after_cursor(order, cursor))
    found = list(
        db.session.scalars(statement.order_by(*manage.list_order(order)).limit(PAGE_SIZE + 1))
    )
    customers = found[:PAGE_SIZE]
    next_url = None
    if len(found) > PAGE_SIZE:
        token = _cursors().dumps(manage.cursor_of(order, customers[-1]))
        next_url = _list_url(q, order, after=token)
    return render(
        "admin/customers/list.html",
        partial="admin/customers/_rows.html",
        target="customer-rows",
        customers=customers,
        counts=_booking_counts([c.id for c in customers]),
        q=q,
        order=order,
        next_url=next_url,
        # "after" is kept (empty) so the page that comes back takes the focus.
        first_url=_list_url(q, order, after="") if cursor is not None else None,
        paged="after" in request.args,
        customer_name=display_name,
        tz=ZoneInfo(g.organization.timezone),
    )


def _booking_counts(customer_ids: list[str]) -> dict[str, int]:
    if not customer_ids:
        return {}
    statement = (
        select(Booking.customer_id, func.count())
        .where(
            Booking.organization_id == g.organization.id,
            Booking.customer_id.in_(customer_ids),
        )
        .group_by(Booking.customer_id)
    )
    own = own_resource_ids()
    if own is not None:
        statement = statement.where(Booking.resource_id.in_(own))
    return {customer_id: count for customer_id, count in db.session.execute(statement)}


def _customer_or_404(customer_id: str) -> Customer:
    return manage.get_customer(
        db.session, g.organization, customer_id, resource_ids=own_resource_ids()
    )


@bp.get("/customers/<customer_id>")
def customer_detail(customer_id: str):
    customer = _customer_or_404(customer_id)
    statement = (
        select(Booking)
        .where(Booking.organization_id == g.organization.id, Booking.customer_id == customer.id)
        .options(selectinload(Booking.booking_type), selectinload(Booking.resource))
        # Queue bookings without a time yet come first: they are the newest business.
        .order_by(Booking.start_at.is_(None).desc(), Booking.start_at.desc(), Booking.id)
        .limit(BOOKINGS_SHOWN + 1)
    )
    own = own_resource_ids()
    if own is not None:
        statement = statement.where(Booking.resource_id.in_(own))
    bookings = list(db.session.scalars(statement))
    return render(
        "admin/customers/detail.html",
        customer=customer,
        answers=answer_rows(manage.customer_fields(db.session, g.organization), customer.data),
        # Staff read a booking's time in its resource's timezone.
        bookings=[(booking, _zone_of(booking)) for booking in bookings[:BOOKINGS_SHOWN]],
        more_bookings=len(bookings) > BOOKINGS_SHOWN,
        language_name=LANGUAGE_NAMES.get(customer.lang, customer.lang),
        customer_name=display_name,
        tz=ZoneInfo(g.organization.timezone),
    )


def _zone_of(booking: Booking) -> ZoneInfo:
    resource_zone = booking.resource.timezone if booking.resource else None
    return ZoneInfo(resource_zone or g.organization.timezone)


def answer_rows(fields: list[CustomField], data: Mapping | None) -> list[tuple[str, str]]:
    """(label, answer) for each customer field answered, in form order; answers to fields
    that were removed since are kept at the end under their key."""
    data = data or {}
    rows = []
    for field in fields:
        value = data.get(field.key)
        if not _is_blank(value) and field.type != "paragraph-readonly":
            rows.append((translated(field.name, field.name_translations), _answer(field, value)))
    # Name, email and phone are the profile's own columns, shown above.
    known = {field.key for field in fields} | set(CORE_CUSTOMER_FIELDS)
    for key, value in data.items():
        if key not in known and not _is_blank(value):
            rows.append((str(key), _answer(None, value)))
    return rows


def _is_blank(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _answer(field: CustomField | None, value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_answer(field, item) for item in value if not _is_blank(item))
    if isinstance(value, Mapping):  # an uploaded photo or file
        return str(value.get("name") or _("A file"))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.type == "options":
        for option in field.options or ():
            if str(option.get("value")) == str(value):
                return translated(
                    option.get("label") or str(value), option.get("label_translations")
                )
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    return str(value)


def _values_of(customer: Customer) -> dict:
    return {
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "email": customer.email or "",
        "phone": customer.phone or "",
        "note": customer.note,
        "lang": customer.lang,
    }


def _form_page(customer: Customer, values: dict, errors: dict, status: int = 200):
    return render(
        "admin/customers/form.html",
        status,
        customer=customer,
        values=values,
        errors=errors,
        customer_name=display_name,
        language_options=[(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES],
    )


def display_name(customer: Customer) -> str:
    return customer.full_name or customer.email or customer.phone or _("Unnamed customer")


@bp.route("/customers/<customer_id>/edit", methods=["GET", "POST"])
@requires("admin")
def customer_edit(customer_id: str):
    customer = _customer_or_404(customer_id)
    if request.method == "GET":
        return _form_page(customer, _values_of(customer), {})
    reader = FormReader(request.form)
    values = manage.CustomerValues(
        first_name=reader.text("first_name", max_length=manage.MAX_NAME),
        last_name=reader.text("last_name", max_length=manage.MAX_NAME),
        email=reader.optional_text("email", max_length=254),
        phone=reader.optional_text("phone", max_length=40),
        note=reader.text("note", max_length=manage.MAX_NOTE),
        lang=reader.choice("lang", LANGUAGES, default="en") or "en",
    )
    if reader:
        try:
            manage.update_customer(db.session, g.organization, customer, values)
        except ValidationFailed as error:
            db.session.rollback()
            for field, message in (error.details.get("errors") or {}).items():
                reader.fail(field, message)
            reader.adopt(error)
        else:
            db.session.commit()
            return after_action(
                url_for("admin.customer_detail", customer_id=customer.id),
                _("%(name)s is saved.", name=display_name(customer)),
            )
    return _form_page(customer, request.form.to_dict(), reader.errors, 422)
