"""Services (booking types): owners and admins set what customers book."""

from __future__ import annotations

from dataclasses import replace

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.admin.blueprint import after_action, bp, render, requires
from webapp.admin.forms import FormReader, posted, save_and_go
from webapp.extensions import db
from webapp.i18n import translated
from webapp.manage import booking_types as manage
from webapp.models import BookingType
from webapp.models.booking_types import PAYMENT_METHODS

PAYMENT_LABELS = {
    "manual": _l("Manual (cash, bank transfer or card at the counter)"),
    "creditCard": _l("Credit card, online"),
    "tabby": _l("Tabby (pay later in instalments)"),
    "tamara": _l("Tamara (pay later in instalments)"),
}
TIME_FLAG_LABELS = {
    "showOclock": _l("On the hour (1:00, 2:00)"),
    "showHalfHour": _l("On the half hour (1:30, 2:30)"),
    "showThirdHour": _l("Every 20 minutes (1:20, 1:40)"),
    "showQuarterHour": _l("On the quarter hour (1:15, 1:45)"),
    "showSixthHour": _l("Every 10 minutes (1:10, 1:20, 1:30…)"),
    "showInBetweenSlots": _l("In-between times that start right after a free gap opens"),
    "showAfterMidnight": _l("Times after midnight (00:00 to 06:00)"),
}
# A service that chooses its own start times starts from the API's defaults.
DEFAULT_TIME_FLAGS = ["showOclock", "showAfterMidnight"]
CHECKBOXES = ("on", "auto_confirm", "book_from_website", "queue_enabled")


def _types() -> list[BookingType]:
    return list(
        db.session.scalars(
            select(BookingType)
            .where(BookingType.organization_id == g.organization.id)
            .order_by(BookingType.position, BookingType.name)
        )
    )


@bp.get("/types")
@requires("admin")
def types_list():
    return render(
        "admin/types/list.html",
        types=_types(),
        offered=manage.resources_offering(db.session, g.organization),
    )


def _form_page(booking_type, values: dict, errors: dict, status: int = 200):
    all_resources = [
        (r.id, translated(r.name, r.name_translations))
        for r in manage.organization_resources(db.session, g.organization)
    ]
    return render(
        "admin/types/form.html",
        status,
        booking_type=booking_type,
        values=values,
        errors=errors,
        resource_options=all_resources,
        payment_options=[(m, PAYMENT_LABELS[m]) for m in PAYMENT_METHODS],
        time_flag_options=list(TIME_FLAG_LABELS.items()),
        categories=sorted({t.category for t in _types() if t.category}),
        booked=booking_type is not None and manage.has_bookings(db.session, booking_type),
    )


def _amount(value) -> str:
    return "" if value is None else str(value)


def _values_of(booking_type: BookingType | None) -> dict:
    if booking_type is None:
        return {
            "minutes": 30,
            "leave_minutes_before": 0,
            "leave_minutes_after": 0,
            "color": "#2a7ab0",
            "on": True,
            "book_from_website": True,
            "auto_confirm": True,
            "queue_enabled": False,
            "payment_methods": [],
            "resource_ids": [],
            "time_mode": "website",
            "time_flags": DEFAULT_TIME_FLAGS,
            "position": 0,
        }
    options = booking_type.time_options or {}
    offering = manage.resources_offering(db.session, g.organization, [booking_type.id])
    return {
        "name": booking_type.name,
        "name_ar": (booking_type.name_translations or {}).get("ar", ""),
        "description": booking_type.description,
        "description_ar": (booking_type.description_translations or {}).get("ar", ""),
        "minutes": booking_type.minutes,
        "leave_minutes_before": booking_type.leave_minutes_before,
        "leave_minutes_after": booking_type.leave_minutes_after,
        "category": booking_type.category or "",
        "color": booking_type.color or "#2a7ab0",
        "on": booking_type.on,
        "price": _amount(booking_type.price),
        "old_price": _amount(booking_type.old_price),
        "price_increase": _amount(booking_type.price_increase),
        "price_increase_days": booking_type.price_increase_days or "",
        "deposit_amount": _amount(booking_type.deposit_amount),
        "deposit_percentage": _amount(booking_type.deposit_percentage),
        "time_mode": "custom" if options else "website",
        "time_flags": (
            [flag for flag in manage.TIME_FLAGS if options.get(flag)]
            if options
            else DEFAULT_TIME_FLAGS
        ),
        "show_fixed_times": options.get("showFixedTimes", ""),
        "auto_confirm": booking_type.auto_confirm,
        "payment_methods": list(booking_type.payment_methods or []),
        "book_from_website": booking_type.book_from_website,
        "queue_enabled": booking_type.queue_enabled,
        "position": booking_type.position,
        "resource_ids": [r.id for r in offering.get(booking_type.id, [])],
    }


def _read(reader: FormReader) -> manage.BookingTypeValues | None:
    time_mode = reader.choice("time_mode", ("website", "custom"), default="website")
    flags = reader.many("time_flags", manage.TIME_FLAGS)
    fixed = reader.text("show_fixed_times", max_length=500).replace(" ", "")
    time_options = {}
    if time_mode == "custom":
        time_options = {flag: flag in flags for flag in manage.TIME_FLAGS}
        if fixed:
            time_options["showFixedTimes"] = fixed
    values = manage.BookingTypeValues(
        name=reader.text("name", required=True),
        name_translations=reader.translations("name"),
        description=reader.text("description", max_length=5000),
        description_translations=reader.translations("description", max_length=5000),
        minutes=reader.integer("minutes", minimum=1, maximum=manage.MAX_MINUTES),
        leave_minutes_before=reader.integer(
            "leave_minutes_before", minimum=0, maximum=manage.MAX_BUFFER_MINUTES, default=0
        ),
        leave_minutes_after=reader.integer(
            "leave_minutes_after", minimum=0, maximum=manage.MAX_BUFFER_MINUTES, default=0
        ),
        category=reader.optional_text("category", max_length=100),
        color=reader.optional_text("color", max_length=16),
        on=reader.boolean("on"),
        price=reader.amount("price"),
        old_price=reader.amount("old_price"),
        price_increase=reader.amount("price_increase"),
        price_increase_days=reader.optional_integer("price_increase_days", minimum=1, maximum=365),
        deposit_amount=reader.amount("deposit_amount"),
        deposit_percentage=reader.amount("deposit_percentage"),
        time_options=time_options,
        auto_confirm=reader.boolean("auto_confirm"),
        payment_methods=reader.many("payment_methods", PAYMENT_METHODS),
        book_from_website=reader.boolean("book_from_website"),
        queue_enabled=reader.boolean("queue_enabled"),
        position=reader.integer("position", minimum=0, maximum=10_000, default=0),
        resource_ids=reader.many(
            "resource_ids",
            (r.id for r in manage.organization_resources(db.session, g.organization)),
        ),
    )
    # The rules between fields, marked together with the fields' own problems (a duration
    # that could not be read is already marked).
    checked = replace(values, minutes=values.minutes if values.minutes is not None else 1)
    for name, message in manage.problems_of(checked).items():
        reader.fail(name, message)
    return values if reader else None


@bp.route("/types/new", methods=["GET", "POST"])
@requires("admin")
def type_new():
    return _save(None)


@bp.route("/types/<type_id>", methods=["GET", "POST"])
@requires("admin")
def type_edit(type_id: str):
    return _save(manage.get_booking_type(db.session, g.organization, type_id))


def _save(booking_type: BookingType | None):
    if request.method == "GET":
        return _form_page(booking_type, _values_of(booking_type), {})
    reader = FormReader(request.form)
    values = _read(reader)
    done = save_and_go(
        reader,
        values,
        lambda: manage.save_booking_type(db.session, g.organization, values, booking_type),
        lambda row: url_for("admin.type_edit", type_id=row.id),
    )
    if done is not None:
        return done
    shown = posted(
        reader, lists=("payment_methods", "resource_ids", "time_flags"), flags=tuple(CHECKBOXES)
    )
    return _form_page(booking_type, shown, reader.errors, 422)


@bp.post("/types/<type_id>/delete")
@requires("admin")
def type_delete(type_id: str):
    booking_type = manage.get_booking_type(db.session, g.organization, type_id)
    name = booking_type.name
    deleted = manage.delete_or_switch_off(db.session, g.organization, booking_type.id)
    db.session.commit()
    if deleted:
        return after_action(url_for("admin.types_list"), _("%(name)s is deleted.", name=name))
    return after_action(
        url_for("admin.type_edit", type_id=type_id),
        _(
            "%(name)s has bookings, so it is kept for their history and switched off: "
            "nobody can book it any more.",
            name=name,
        ),
    )
