"""Manage types (seed 002): the organization's booking types ("services"), with every
setting the seed lists and the resources that offer each one. Every member reads; writing
needs an admin."""

from __future__ import annotations

from collections.abc import Iterable

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import select, tuple_

from webapp.api import pagination as pages
from webapp.api.access import management
from webapp.api.blueprint import body, bp, ok
from webapp.api.management_values import MAX_LONG_TEXT, JsonReader, api_fields, deleted, fail
from webapp.api.shapes import management as shapes
from webapp.extensions import db
from webapp.manage import booking_types as manage
from webapp.models import BookingType, Resource, resource_types
from webapp.models.booking_types import PAYMENT_METHODS

LIST_NAME = "management.types"
DEFAULT_LIMIT = 10
TYPE_FIELDS = {
    "name",
    "name_translations",
    "description",
    "description_translations",
    "minutes",
    "leaveMinutesBefore",
    "leaveMinutesAfter",
    "category",
    "color",
    "on",
    "price",
    "oldPrice",
    "priceIncrease",
    "priceIncreaseDays",
    "depositAmount",
    "depositPercentage",
    "schedule",
    "timeOptions",
    "photos",
    "autoConfirm",
    "paymentMethods",
    "bookFromWebsite",
    "queueEnabled",
    "resources",
    "position",
}
READ_ONLY = {"id", "currency", "createdAt", "updatedAt", "pendingCount"}
SERVICE_NAMES = {
    "leave_minutes_before": "leaveMinutesBefore",
    "leave_minutes_after": "leaveMinutesAfter",
    "old_price": "oldPrice",
    "price_increase": "priceIncrease",
    "price_increase_days": "priceIncreaseDays",
    "deposit_amount": "depositAmount",
    "deposit_percentage": "depositPercentage",
    "time_options": "timeOptions",
    "payment_methods": "paymentMethods",
    "resource_ids": "resources",
}


def _offered_by(type_ids: Iterable[str]) -> dict[str, list[str]]:
    """{type id: the ids of the organization's resources offering it}."""
    rows = db.session.execute(
        select(resource_types.c.booking_type_id, resource_types.c.resource_id)
        .join(Resource, Resource.id == resource_types.c.resource_id)
        .where(
            Resource.organization_id == g.organization.id,
            resource_types.c.booking_type_id.in_(list(type_ids)),
        )
        .order_by(Resource.position, Resource.name)
    )
    offered: dict[str, list[str]] = {}
    for type_id, resource_id in rows:
        offered.setdefault(type_id, []).append(resource_id)
    return offered


def _answer(rows: list[BookingType]) -> list[dict]:
    offered = _offered_by(row.id for row in rows)
    return [shapes.booking_type(row, g.organization, offered.get(row.id, [])) for row in rows]


@bp.get("/management/types")
@management("staff")
def management_types_list():
    limit = pages.read_limit(request.args.get("limit"), default=DEFAULT_LIMIT)
    after = pages.decode(LIST_NAME, request.args.get("nextPageToken"))
    statement = (
        select(BookingType)
        .where(BookingType.organization_id == g.organization.id)
        .order_by(BookingType.position, BookingType.name, BookingType.id)
    )
    if after is not None:
        if len(after) != 3:
            raise fail("nextPageToken", _("This nextPageToken is not valid."))
        statement = statement.where(
            tuple_(BookingType.position, BookingType.name, BookingType.id) > tuple_(*after)
        )
    found = list(db.session.scalars(statement.limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    position = [found[-1].position, found[-1].name, found[-1].id] if more else None
    return ok(_answer(found), pagination=pages.pagination(position, LIST_NAME))


@bp.get("/management/types/<type_id>")
@management("staff")
def management_type_get(type_id: str):
    row = manage.get_booking_type(db.session, g.organization, type_id)
    return ok(_answer([row])[0])


def _current(row: BookingType | None) -> manage.BookingTypeValues:
    if row is None:
        return manage.BookingTypeValues(name="")
    return manage.BookingTypeValues(
        name=row.name,
        name_translations=dict(row.name_translations or {}),
        description=row.description or "",
        description_translations=dict(row.description_translations or {}),
        minutes=row.minutes,
        leave_minutes_before=row.leave_minutes_before or 0,
        leave_minutes_after=row.leave_minutes_after or 0,
        category=row.category,
        color=row.color,
        on=row.on,
        price=row.price,
        old_price=row.old_price,
        price_increase=row.price_increase,
        price_increase_days=row.price_increase_days,
        deposit_amount=row.deposit_amount,
        deposit_percentage=row.deposit_percentage,
        time_options=dict(row.time_options or {}),
        auto_confirm=row.auto_confirm,
        payment_methods=list(row.payment_methods or []),
        book_from_website=row.book_from_website,
        queue_enabled=row.queue_enabled,
        position=row.position,
        resource_ids=_offered_by([row.id]).get(row.id, []),
    )


def _read(data: dict, row: BookingType | None) -> manage.BookingTypeValues:
    """The type's values after the request; what the body leaves out stays as it is."""
    reader = JsonReader(data)
    reader.only(TYPE_FIELDS, READ_ONLY)
    v = _current(row)
    v.name, v.name_translations = reader.localized(
        "name", v.name, v.name_translations, required=True
    )
    v.description, v.description_translations = reader.localized(
        "description", v.description, v.description_translations, max_length=MAX_LONG_TEXT
    )
    v.minutes = reader.integer("minutes", v.minutes, minimum=1, maximum=manage.MAX_MINUTES)
    for name, attr in (
        ("leaveMinutesBefore", "leave_minutes_before"),
        ("leaveMinutesAfter", "leave_minutes_after"),
    ):
        minutes = reader.integer(
            name, getattr(v, attr), minimum=0, maximum=manage.MAX_BUFFER_MINUTES
        )
        setattr(v, attr, minutes)
    v.category = reader.text("category", v.category, max_length=100)
    v.color = reader.text("color", v.color, max_length=16) or None
    v.on = reader.boolean("on", v.on)
    for name, attr in (
        ("price", "price"),
        ("oldPrice", "old_price"),
        ("priceIncrease", "price_increase"),
        ("depositAmount", "deposit_amount"),
        ("depositPercentage", "deposit_percentage"),
    ):
        setattr(v, attr, reader.amount(name, getattr(v, attr)))
    v.price_increase_days = reader.integer(
        "priceIncreaseDays", v.price_increase_days, minimum=1, maximum=365, nullable=True
    )
    v.schedule = reader.obj("schedule", None)
    v.time_options = reader.obj("timeOptions", v.time_options)
    v.photos = reader.photos("photos", g.organization.id)
    v.auto_confirm = reader.boolean("autoConfirm", v.auto_confirm)
    methods = reader.strings("paymentMethods", v.payment_methods, max_length=32)
    if any(method not in PAYMENT_METHODS for method in methods):
        raise fail(
            "paymentMethods",
            _("paymentMethods: choose from %(methods)s.", methods=", ".join(PAYMENT_METHODS)),
        )
    v.payment_methods = methods
    v.book_from_website = reader.boolean("bookFromWebsite", v.book_from_website)
    v.queue_enabled = reader.boolean("queueEnabled", v.queue_enabled)
    v.resource_ids = reader.strings("resources", v.resource_ids, max_length=64)
    v.position = reader.integer("position", v.position, minimum=0, maximum=10_000)
    return v


def _save(row: BookingType | None) -> BookingType:
    values = _read(body(), row)
    with api_fields(SERVICE_NAMES):
        saved = manage.save_booking_type(db.session, g.organization, values, row)
    db.session.commit()
    return saved


@bp.post("/management/types")
@management("admin")
def management_type_create():
    return ok(_answer([_save(None)])[0], 201)


@bp.put("/management/types/<type_id>")
@management("admin")
def management_type_update(type_id: str):
    row = manage.get_booking_type(db.session, g.organization, type_id)
    return ok(_answer([_save(row)])[0])


@bp.delete("/management/types/<type_id>")
@management("admin")
def management_type_delete(type_id: str):
    removed = manage.delete_or_switch_off(db.session, g.organization, type_id)
    db.session.commit()
    if removed:
        return deleted(type_id, _("Booking type deleted."))
    return deleted(
        type_id,
        _("This booking type has bookings, so it was switched off and kept for their history."),
        removed=False,
        on=False,
    )
