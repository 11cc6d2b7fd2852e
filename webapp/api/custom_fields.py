"""Custom fields (seed 002), public: the questions a customer answers, as the booking
website asks them. Only fields that are enabled and visible to customers are listed, in
the request's language; questions shown only to staff never leave the server."""

from __future__ import annotations

from flask import g, request
from sqlalchemy import select

from webapp.api import offer
from webapp.api.blueprint import bp, ok
from webapp.api.shapes.fields import form_field
from webapp.extensions import db
from webapp.models import CustomField
from webapp.public import fields as form_fields
from webapp.public.catalog import Catalog, load_catalog


def _catalog() -> Catalog:
    return load_catalog(db.session, g.organization)


def _type_id(catalog: Catalog, *, required: bool) -> str | None:
    booking_type = offer.booking_type_of(catalog, request.args.get("type"), required=required)
    return booking_type.id if booking_type else None


def _shaped(rows: list[CustomField], type_id: str | None, **options) -> list[dict]:
    """The rows' specs (those a customer sees), each shaped with its row."""
    shaped = []
    for row in rows:
        # A field of several services reads the same for any of them.
        for_type = type_id or next(iter(row.types or ()), "")
        for spec in form_fields.booking_specs([row], for_type, **options):
            shaped.append(form_field(spec, row))
    return shaped


@bp.get("/customFields/resourceFilters")
def custom_fields_resource_filters():
    catalog = _catalog()
    type_id = _type_id(catalog, required=False)
    rows = catalog.filter_fields(type_id)
    return ok(_shaped(rows, type_id, exclude_filters_and_adjusters=False))


@bp.get("/customFields/timeAdjusters")
def custom_fields_time_adjusters():
    catalog = _catalog()
    type_id = _type_id(catalog, required=True)
    rows = catalog.adjuster_fields(type_id)
    return ok(_shaped(rows, type_id, exclude_filters_and_adjusters=False))


@bp.get("/customFields/bookingInfo")
def custom_fields_booking_info():
    catalog = _catalog()
    type_id = _type_id(catalog, required=True)
    return ok(_shaped(catalog.booking_fields, type_id))


@bp.get("/customFields/customer")
def custom_fields_customer():
    catalog = _catalog()
    type_id = _type_id(catalog, required=False)
    # Switched-off rows are read too: a core field switched off stays off rather than
    # coming back as the built-in default.
    rows = db.session.scalars(
        select(CustomField)
        .where(CustomField.organization_id == g.organization.id, CustomField.scope == "customer")
        .order_by(CustomField.position, CustomField.key)
    ).all()
    by_key = {row.key: row for row in rows}
    shaped = []
    for spec in form_fields.customer_specs(rows):
        row = by_key.get(spec.key)
        if type_id and row is not None and not row.applies_to(type_id):
            continue
        shaped.append(form_field(spec, row))
    return ok(shaped)
