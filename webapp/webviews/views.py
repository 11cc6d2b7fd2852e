"""The three admin widgets of seed 002, and the token exchange their frames use."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from webapp.admin import booking_form
from webapp.admin import rules as rules_editor
from webapp.admin.blueprint import own_resource_ids
from webapp.auth import tokens
from webapp.booking.errors import BookingError, NotFound, ValidationFailed
from webapp.booking.states import Actor, can_reschedule
from webapp.embed.origins import is_allowed, normalize_origin
from webapp.extensions import db
from webapp.manage import bookings as manage_bookings
from webapp.manage import resources as manage_resources
from webapp.manage import rules as manage_rules
from webapp.public.blueprint import now
from webapp.security import limiter
from webapp.webviews.blueprint import bearer_member, bp

KEPT = ("orgId", "lang", "rescheduleBookingId", "schedulingTypeId", "id", "webview")


def _kept() -> dict[str, str]:
    return {k: request.args[k][:64] for k in KEPT if request.args.get(k)}


def _shell(title: str, content_endpoint: str):
    return render_template(
        "webviews/shell.html",
        title=title,
        content_url=url_for(content_endpoint, **_kept()),
        token_url=url_for("webviews.token_exchange", orgId=g.organization.id),
        allowed=g.allowed_origins,
    )


# --- the token exchange ----------------------------------------------------------------------


@bp.post("/webviews/token")
@limiter.limit(lambda: current_app.config.get("TOKEN_RATE_LIMIT", "30/minute"))
def token_exchange():
    """A refresh token (posted by the host page to the frame) for a five-minute access
    token. Only frames on an allowed host page ask: the frame names the origin it verified."""
    host = normalize_origin(request.headers.get("X-Webview-Origin"))
    own = normalize_origin(request.host_url)
    if host != own and not is_allowed(host, g.allowed_origins):
        abort(403, description=_("This page may not use the admin widgets of this organization."))
    body = request.get_json(silent=True) or {}
    row = tokens.find_refresh_token(db.session, body.get("refreshToken"), now())
    if row is None or row.organization_id != g.organization.id:
        abort(401, description=_("The refresh token is not valid for this organization."))
    member = tokens.membership(
        db.session, tokens.AccessClaims(row.organization_id, user_id=row.user_id)
    )
    if member is None:
        abort(401, description=_("The refresh token's user no longer belongs here."))
    access, expires_at = tokens.access_token_for(
        row, secret_key=current_app.config["SECRET_KEY"], now=now()
    )
    db.session.commit()
    return jsonify(
        {
            "accessToken": access,
            "accessTokenExpiresAt": expires_at.isoformat(),
            "expiresIn": int(tokens.ACCESS_TTL.total_seconds()),
        }
    )


# --- add appointment -------------------------------------------------------------------------


@bp.get("/webviews/add-appointment")
def add_appointment():
    return _shell(_("Add an appointment"), "webviews.add_appointment_form")


@bp.route("/webviews/add-appointment/form", methods=["GET", "POST"])
@bearer_member
def add_appointment_form():
    organization = g.organization
    reschedule = None
    reschedule_id = request.args.get("rescheduleBookingId")
    if reschedule_id:
        reschedule = manage_bookings.get_booking(
            db.session, organization, reschedule_id, resource_scope=own_resource_ids()
        )
        if not can_reschedule(reschedule):
            return _error_fragment(
                "INVALID_TRANSITION", _("This booking cannot be moved in its current status.")
            )
    current = now()
    tz = ZoneInfo(organization.timezone)
    values = request.values.copy()
    fixed_type = request.args.get("schedulingTypeId")
    if fixed_type and not reschedule:
        values["type_id"] = fixed_type
    choice = booking_form.read_choice(values, tz, current)
    state = booking_form.build_state(
        db.session,
        organization,
        choice,
        now=current,
        scope=own_resource_ids(),
        reschedule=reschedule,
    )
    errors = dict(choice.errors)
    status, event = 200, None
    if request.method == "POST" and request.form.get("op") != "refresh":
        try:
            booking = booking_form.submit(
                db.session,
                organization,
                state,
                actor=Actor("staff", g.user_id),
                now=current,
                source="admin-widget",
                lang=g.lang,
            )
        except BookingError as error:
            db.session.rollback()
            field = error.details.get("field") if isinstance(error, ValidationFailed) else None
            errors[field or "start"] = error.message
            status = 422 if isinstance(error, ValidationFailed) else error.http_status
            event = {"type": "booking-error", "error": error.to_dict()}
            state = booking_form.build_state(
                db.session,
                organization,
                booking_form.read_choice(values, tz, current),
                now=current,
                scope=own_resource_ids(),
                reschedule=reschedule,
            )
        else:
            db.session.commit()
            kind = "booking-rescheduled" if reschedule else "booking-created"
            payload = booking_form.booking_payload(booking, organization.timezone)
            return render_template(
                "webviews/_done.html",
                booking=booking,
                tz=tz,
                rescheduled=bool(reschedule),
                event={"type": kind, "booking": payload},
                again_url=url_for("webviews.add_appointment_form", **_kept()),
            )
    action = url_for("webviews.add_appointment_form", **_kept())
    hidden = {"type_id": fixed_type} if fixed_type and not reschedule else {}
    return (
        render_template(
            "webviews/_add_appointment.html",
            state=state,
            errors=errors,
            form_action=action,
            refresh_url=action,
            hidden_fields=hidden,
            with_csrf=False,
            submit_label=_("Move the booking") if reschedule else _("Book"),
            event=event,
            fixed_type=bool(hidden),
        ),
        status,
    )


def _error_fragment(code: str, message: str, status: int = 409):
    event = {"type": "booking-error", "error": {"code": code, "message": message}}
    return render_template("webviews/_error.html", message=message, event=event), status


# --- working hours and time off ----------------------------------------------------------------

RULES = {
    "time": (
        "webviews.time_rules_form",
        "admin/rules/_time_editor.html",
        manage_rules.get_time_rules,
        rules_editor.time_rules_values,
        rules_editor.submit_time_rules,
    ),
    "off": (
        "webviews.off_rules_form",
        "admin/rules/_off_editor.html",
        manage_rules.get_off_rules,
        rules_editor.off_rules_values,
        rules_editor.submit_off_rules,
    ),
}


def _rules_shell(title: str, content_endpoint: str):
    # Seed 002: these addresses are the admin widgets only with webview=true.
    if request.args.get("webview") != "true":
        abort(404)
    return _shell(title, content_endpoint)


@bp.get("/settings/timeRules")
def time_rules():
    return _rules_shell(_("Working hours"), "webviews.time_rules_form")


@bp.get("/settings/offRules")
def off_rules():
    return _rules_shell(_("Time off"), "webviews.off_rules_form")


@bp.route("/settings/timeRules/form", methods=["GET", "POST"])
@bearer_member
def time_rules_form():
    return _rules_form("time")


@bp.route("/settings/offRules/form", methods=["GET", "POST"])
@bearer_member
def off_rules_form():
    return _rules_form("off")


def _rules_form(kind: str):
    endpoint, template, load, values_of, submit = RULES[kind]
    resource_id = (request.args.get("id") or "")[:64]
    own = own_resource_ids()
    if own is not None and resource_id not in own:
        raise NotFound(_("Resource not found."))
    resource = manage_resources.get_resource(db.session, g.organization, resource_id)
    event = None
    if request.method == "GET":
        result = rules_editor.EditorResult(values_of(load(db.session, g.organization, resource)))
    else:
        result = submit(db.session, g.organization, resource, request.form)
        if result.saved:
            db.session.commit()
            event = {"type": f"{kind}-rules-saved", "resourceId": resource.id}
    return (
        render_template(
            "webviews/_rules.html",
            editor=template,
            resource=resource,
            values=result.values,
            errors=result.errors,
            form_action=url_for(endpoint, **_kept()),
            hidden_fields={},
            include_csrf=False,
            timezone=manage_rules.resource_timezone(g.organization, resource),
            saved=bool(event),
            event=event,
            title=_("Working hours") if kind == "time" else _("Time off"),
        ),
        result.status,
    )
