"""Bookings: the filtered list, the detail (a side panel or a page), what staff do with a
booking, and booking on a customer's behalf."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, g, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from htmx_flask import make_response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from webapp.admin import booking_form
from webapp.admin.actors import actor_names
from webapp.admin.blueprint import (
    after_action,
    bp,
    is_partial,
    own_resource_ids,
    render,
    scoped_resources,
    toast,
)
from webapp.booking import invoices, lifecycle
from webapp.booking.errors import BookingError, ValidationFailed
from webapp.booking.states import Actor, can_cancel, can_reschedule
from webapp.extensions import db
from webapp.manage import bookings as manage
from webapp.models import Booking, BookingType, CustomField, Invoice
from webapp.public.blueprint import now
from webapp.uploads import open_upload

CURSOR_SALT = "mawid.admin.bookings"


# action -> (service, allowed from, toast)
ACTIONS = {
    "approve": (lifecycle.approve_booking, {"PENDING_APPROVAL"}, _l("The booking is approved.")),
    "reject": (lifecycle.reject_booking, {"PENDING_APPROVAL"}, _l("The booking is rejected.")),
    "cancel": (lifecycle.cancel_booking, None, _l("The booking is canceled.")),
    "complete": (lifecycle.complete_booking, {"CONFIRMED"}, _l("The booking is completed.")),
    "paid": (invoices.paid_at_desk, {"PENDING_PAYMENT"}, _l("The booking is marked paid.")),
}
WITH_REASON = frozenset({"reject", "cancel"})
# Where a booking was made, as staff read it.
SOURCE_LABELS = {
    "website": _l("on the booking website"),
    "embed": _l("in the widget"),
    "admin": _l("by the team"),
    "admin-widget": _l("in an admin widget"),
    "api": _l("through the API"),
    "partner": _l("through a booking partner"),
}


def staff_actor() -> Actor:
    return Actor("staff", current_user.id)


def _tz() -> ZoneInfo:
    return ZoneInfo(g.organization.timezone)


# --- the list ------------------------------------------------------------------------------


def _cursors() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CURSOR_SALT)


def _read_filters() -> tuple[manage.BookingFilters, dict]:
    args = request.args
    errors = {}

    def day(name):
        raw = args.get(name) or ""
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = _("Enter a date such as 2026-12-01.")
            return None

    first, last = day("from"), day("to")
    if not any(args.get(name) for name in ("from", "to", "q", "customer")):
        first = now().astimezone(_tz()).date()
    status = args.get("status") or None
    if status and status not in manage.STATUSES:
        errors["status"] = _("Choose a status from the list.")
        status = None
    filters = manage.BookingFilters(
        first=first,
        last=last,
        resource_id=(args.get("resource") or None),
        status=status,
        type_id=(args.get("type") or None),
        customer_id=(args.get("customer") or None),
        search=(args.get("q") or "").strip()[:100],
    )
    return filters, errors


def _read_cursor() -> manage.Cursor | None:
    raw = request.args.get("after")
    if not raw:
        return None
    try:
        start, booking_id = _cursors().loads(raw)
        return manage.Cursor(datetime.fromisoformat(start), booking_id)
    except (BadSignature, ValueError, TypeError):
        abort(400, description=_("This page link is not valid any more. Start from the list."))


@bp.get("/bookings")
def bookings_list():
    filters, errors = _read_filters()
    page = manage.list_bookings(
        db.session,
        g.organization,
        filters,
        resource_scope=own_resource_ids(),
        after=_read_cursor(),
        limit=current_app.config.get("ADMIN_PAGE_SIZE", manage.PAGE_SIZE),
    )
    next_url = None
    if page.next_cursor:
        token = _cursors().dumps([page.next_cursor.start.isoformat(), page.next_cursor.booking_id])
        params = {k: v for k, v in request.args.items() if k != "after"}
        next_url = url_for("admin.bookings_list", after=token, **params)
    context = {
        "page": page,
        "filters": filters,
        "errors": errors,
        "next_url": next_url,
        "tz": _tz(),
        "resources": scoped_resources(),
        "types": list(
            db.session.scalars(
                select(BookingType)
                .where(BookingType.organization_id == g.organization.id)
                .order_by(BookingType.position, BookingType.name)
            )
        ),
        "statuses": manage.STATUSES,
        "args": request.args,
    }
    if request.htmx and request.args.get("after") and request.htmx.target != "booking-results":
        # "Show more": only the next rows, appended where the button was.
        return render("admin/bookings/_rows.html", **context)
    return render(
        "admin/bookings/list.html",
        422 if errors else 200,
        partial="admin/bookings/_results.html",
        target="booking-results",
        **context,
    )


# --- one booking ---------------------------------------------------------------------------


def _booking(booking_id: str) -> Booking:
    return manage.get_booking(
        db.session, g.organization, booking_id, resource_scope=own_resource_ids()
    )


def _detail_context(booking: Booking) -> dict:
    fields = {
        f.key: f
        for f in db.session.scalars(
            select(CustomField).where(
                CustomField.organization_id == g.organization.id, CustomField.scope == "booking"
            )
        )
    }
    invoices = list(
        db.session.scalars(
            select(Invoice).where(
                Invoice.organization_id == g.organization.id, Invoice.booking_id == booking.id
            )
        )
    )
    return {
        "booking": booking,
        "actors": actor_names(booking),
        "source": SOURCE_LABELS.get(booking.source, booking.source),
        "view": "panel"
        if request.values.get("view") == "panel" or is_partial("panel-slot")
        else "page",
        "tz": _tz(),
        "fields": fields,
        "invoices": invoices,
        "may_cancel": can_cancel(booking) and booking.status != "TEMPORARY",
        "may_reschedule": can_reschedule(booking),
        "may_complete": booking.status == "CONFIRMED"
        and booking.start_at is not None
        and booking.start_at <= now(),
    }


@bp.get("/bookings/<booking_id>")
def booking_detail(booking_id: str):
    booking = _booking(booking_id)
    return render(
        "admin/bookings/detail.html",
        partial="admin/bookings/_panel.html",
        target="panel-slot",
        **_detail_context(booking),
    )


@bp.post("/bookings/<booking_id>/<action>")
def booking_action(booking_id: str, action: str):
    if action not in ACTIONS:
        abort(404)
    booking = _booking(booking_id)  # 404 before anything else for foreign ids
    service, allowed, done = ACTIONS[action]
    kwargs = {"actor": staff_actor(), "now": now()}
    if action in WITH_REASON:
        reason = (request.form.get("reason") or "").strip()
        if len(reason) > 1000:
            return _action_failed(booking, _("Keep the reason under 1,000 characters."))
        kwargs["reason"] = reason or None
    try:
        booking = service(db.session, g.organization, booking.id, **kwargs)
    except BookingError as error:
        db.session.rollback()
        return _action_failed(_booking(booking_id), _action_message(error))
    db.session.commit()
    return _after_change(booking, str(done))


def _action_message(error: BookingError) -> str:
    if error.code == "INVALID_TRANSITION":
        return _("This booking cannot do that in its current status.")
    return error.message


def _action_failed(booking: Booking, message: str):
    if request.htmx:
        body = render("admin/bookings/_detail.html", **_detail_context(booking))[0]
        return toast(body, message, "error", 409)
    return after_action(url_for("admin.booking_detail", booking_id=booking.id), message, "error")


def _after_change(booking: Booking, message: str):
    """HTMX: the panel shows the booking as it is now, and lists and calendars on the page
    refresh themselves (they listen for "bookingsChanged")."""
    if request.htmx:
        body = render("admin/bookings/_detail.html", **_detail_context(booking))[0]
        return make_response(
            body,
            200,
            trigger={"toast": {"message": message, "kind": "success"}, "bookingsChanged": True},
        )
    return after_action(url_for("admin.booking_detail", booking_id=booking.id), message)


@bp.get("/bookings/<booking_id>/files/<key>")
def booking_file(booking_id: str, key: str):
    """A file or photo a customer sent with this booking (never any other upload)."""
    booking = _booking(booking_id)
    kept = _uploads_of(booking)
    if key not in kept:
        abort(404)
    path = open_upload(g.organization.id, key, folder=current_app.config["UPLOAD_FOLDER"])
    if path is None:
        abort(404)
    meta = kept[key]
    response = send_file(
        path,
        mimetype=meta.get("contentType") or "application/octet-stream",
        as_attachment=not str(meta.get("contentType", "")).startswith("image/"),
        download_name=meta.get("name") or "file",
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _uploads_of(booking: Booking) -> dict[str, dict]:
    found = {}
    sources = [booking.info or {}]
    if booking.customer is not None:
        sources.append(booking.customer.data or {})
    for answers in sources:
        for value in answers.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and isinstance(item.get("key"), str):
                    found[item["key"]] = item
    return found


# --- booking on a customer's behalf, and moving a booking ------------------------------------


@bp.route("/bookings/new", methods=["GET", "POST"])
def booking_new():
    return _booking_form_view(None)


@bp.route("/bookings/<booking_id>/reschedule", methods=["GET", "POST"])
def booking_reschedule(booking_id: str):
    booking = _booking(booking_id)
    if not can_reschedule(booking):
        return after_action(
            url_for("admin.booking_detail", booking_id=booking.id),
            _("This booking cannot be moved in its current status."),
            "error",
        )
    return _booking_form_view(booking)


def _booking_form_view(reschedule: Booking | None):
    current = now()
    choice = booking_form.read_choice(request.values, _tz(), current)
    state = booking_form.build_state(
        db.session,
        g.organization,
        choice,
        now=current,
        scope=own_resource_ids(),
        reschedule=reschedule,
    )
    errors = dict(choice.errors)
    status = 200
    if request.method == "POST" and request.form.get("op") != "refresh":
        try:
            booking = booking_form.submit(
                db.session,
                g.organization,
                state,
                actor=staff_actor(),
                now=current,
                source="admin",
                lang=g.get("lang") or "en",
            )
        except ValidationFailed as error:
            db.session.rollback()
            errors[error.details.get("field") or "__all__"] = error.message
            status = 422
        except BookingError as error:
            db.session.rollback()
            errors["start"] = error.message
            status = 409
        else:
            db.session.commit()
            message = _("The booking is moved.") if reschedule else _("The booking is made.")
            return after_action(url_for("admin.booking_detail", booking_id=booking.id), message)
        if status != 200:
            # Offer what is free now (a conflict means the list changed).
            state = booking_form.build_state(
                db.session,
                g.organization,
                booking_form.read_choice(request.values, _tz(), current),
                now=current,
                scope=own_resource_ids(),
                reschedule=reschedule,
            )
    action = (
        url_for("admin.booking_reschedule", booking_id=reschedule.id)
        if reschedule
        else url_for("admin.booking_new")
    )
    return render(
        "admin/bookings/new.html",
        status,
        partial="admin/bookings/_booking_form.html",
        target="booking-form",
        state=state,
        errors=errors,
        form_action=action,
        refresh_url=action,
        hidden_fields={},
        with_csrf=True,
        submit_label=_("Move the booking") if reschedule else _("Book"),
        reschedule=reschedule,
    )
