"""The module API of seed 001 at ``/module/v3/<lang>/organization/<organizationId>/``: the
booking types a module may offer (``bookingTemplate/list``), a template's earliest free slot
and the free slots of a week, and booking a slot for a customer (``appointment/add``).

Callers send ``Authorization: Bearer <access token>`` (from ``/oauth/token``, the way seed
001 obtains it) or an organization API key. A credential of another organization answers
403, and so does an organization id nobody has: unknown and foreign ids answer alike. The
module books as the website's customers do: its services and resources, its start times,
the resources' notice and horizon.

When the website lets customers choose who they book with, a slot names one resource (one
``BOOKING_SLOT`` per resource free at that time, as the seed's example shows); when the
website assigns the resource itself, one slot per time names every resource free then and
the booking goes to the least busy of them.

``<lang>`` is ``en`` or ``ar``; any other two-letter code answers in the website's default
language. Errors, anywhere under ``/module``, answer
``{"messageList": [{"class": "MESSAGE", "type": "ERROR", "code", "text"}], "content": null}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import refresh
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as PathNotFound

from webapp.api import inputs
from webapp.api.blueprint import answer_once
from webapp.booking import availability as av
from webapp.booking import intervals as iv
from webapp.booking import lifecycle
from webapp.booking import slots as sl
from webapp.booking.errors import BookingError, NotFound, ValidationFailed
from webapp.customers import record_customer
from webapp.errors import HTTP_CODES, KEPT_HEADERS
from webapp.extensions import db
from webapp.i18n import LANGUAGES, current_lang
from webapp.integrations import module_inputs
from webapp.integrations import module_shapes as shapes
from webapp.integrations.access import bearer_error_headers, default_website, integration
from webapp.models import BookingType, Resource, TimeRules, Website, WebsiteVersion
from webapp.public.blueprint import now
from webapp.public.catalog import Catalog, asks_for_resource, load_catalog
from webapp.public.schedule import website_grid

bp = Blueprint("module_api", __name__, url_prefix="/module/v3")

ORGANIZATION = "/<lang>/organization/<organization_id>"
TEMPLATE = ORGANIZATION + "/bookingTemplate/<template_id>"
UNKNOWN_PATH = "module_api.unknown_path"
ROUTED_METHODS = ("GET", "POST")
LANG = re.compile(r"[a-z]{2}")
ID_LIMIT = 64
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class Place:
    """The website the organization's integration bookings belong to."""

    website: Website
    site: WebsiteVersion

    @property
    def timezone(self) -> str:
        return self.site.timezone


# --- language, errors, unknown addresses -------------------------------------------------


@bp.url_value_preprocessor
def _language(endpoint, values) -> None:
    lang = (values or {}).pop("lang", None)
    if lang is None:
        return
    lang = lang.lower()
    if not LANG.fullmatch(lang):
        raise PathNotFound()
    g.module_lang = lang
    if lang in LANGUAGES:
        g.lang = lang


@bp.errorhandler(BookingError)
def _booking_error(error: BookingError):
    db.session.rollback()
    response = shapes.error_response(error.code, error.message, error.http_status, error.details)
    response.headers.update(bearer_error_headers(error))
    retry_after = error.details.get("retry_after")
    if isinstance(retry_after, int):
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    db.session.rollback()
    status = error.code or 500
    code = HTTP_CODES.get(status) or (error.name or "error").upper().replace(" ", "_")
    messages = {
        404: _("There is nothing at this address of the module API."),
        405: _("This address does not take %(method)s requests.", method=request.method),
        413: _("The body is too large."),
        429: _("Too many requests; please wait a little and try again."),
    }
    response = shapes.error_response(code, messages.get(status, error.description or ""), status)
    for name, value in error.get_headers():
        if name in KEPT_HEADERS:
            response.headers[name] = value
    return response


def unknown_path(rest: str = ""):
    """Any other address under ``/module``: 405 when another method is served there."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = [m for m in ROUTED_METHODS if m != request.method and _routed(adapter, m)]
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise PathNotFound()


def _routed(adapter, method: str) -> bool:
    try:
        endpoint, _args = adapter.match(method=method)
    except HTTPException:
        return False
    return endpoint != UNKNOWN_PATH


@bp.record_once
def _catch_unknown_paths(state) -> None:
    # Registered on the app under the blueprint's name, so its errors reach the handlers
    # above and every address under /module answers in the module API's shape.
    for rule in ("/module", "/module/", "/module/<path:rest>"):
        state.app.add_url_rule(
            rule,
            UNKNOWN_PATH,
            unknown_path,
            methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        )


# --- booking templates -------------------------------------------------------------------


@bp.get(ORGANIZATION + "/bookingTemplate/list")
@integration("org:read", organization_arg="organization_id")
def booking_template_list(organization_id: str):
    place = _place()
    catalog = load_catalog(db.session, g.organization)
    offered = catalog.types_for(catalog.resources)
    windows = _windows(catalog, offered)
    required = module_inputs.required_customer_fields()
    records = [
        shapes.booking_template(
            row,
            organization=g.organization,
            site=place.site,
            window=windows[row.id],
            required=required,
        )
        for row in offered[: shapes.RECORD_LIMIT]
    ]
    return jsonify(shapes.listing(records, total=len(offered)))


def _windows(catalog: Catalog, types: list[BookingType]) -> dict[str, shapes.BookingWindow]:
    """Each template's booking window, from the time rules of the resources offering it."""
    rows = db.session.execute(
        select(
            TimeRules.resource_id,
            TimeRules.depth_of_days,
            TimeRules.schedule_after_hours_from_now,
        ).where(
            TimeRules.organization_id == g.organization.id,
            TimeRules.resource_id.in_([r.id for r in catalog.resources]),
        )
    )
    rules = {rid: (depth or 0, hours or 0) for rid, depth, hours in rows}
    return {
        row.id: shapes.booking_window(
            rules[r.id] for r in catalog.resources_for(row.id) if r.id in rules
        )
        for row in types
    }


# --- slots -------------------------------------------------------------------------------


@bp.get(TEMPLATE + "/bookingSlot/earliest")
@integration("availability:read", organization_arg="organization_id")
def booking_slot_earliest(organization_id: str, template_id: str):
    place = _place()
    ctx = _context(template_id)
    moment = now()
    found = av.next_available(
        db.session,
        ctx,
        moment,
        grid=website_grid(place.site),
        timezone=place.timezone,
        now=moment,
    )
    return _slots_answer(
        place, ctx, moment, _window_end(ctx, moment), [found] if found is not None else []
    )


@bp.get(TEMPLATE + "/bookingSlot/list")
@integration("availability:read", organization_arg="organization_id")
def booking_slot_list(organization_id: str, template_id: str):
    place = _place()
    ctx = _context(template_id)
    moment = now()
    tz = iv.zone(place.timezone)
    first, last = module_inputs.week(moment.astimezone(tz).date(), place.timezone)
    found = av.find_available_slots(
        db.session,
        g.organization,
        ctx.booking_type.id,
        first,
        last,
        timezone=place.timezone,
        grid=website_grid(place.site),
        now=moment,
        context=ctx,
    )
    slots = [slot for day in found.days for slot in day.slots]
    end = _midnight(last + timedelta(days=1), tz)
    return _slots_answer(place, ctx, _midnight(first, tz), end, slots)


def _context(template_id: str) -> av.BookingContext:
    """The template as customers may book it, with the website's resources offering it."""
    catalog = load_catalog(db.session, g.organization)
    row = catalog.type(template_id) if len(template_id) <= ID_LIMIT else None
    if row is None or not catalog.resources_for(row.id):
        raise NotFound(_("There is no booking template with this id."), field="templateId")
    return av.load_context(
        db.session,
        g.organization,
        row.id,
        known=av.KnownRows(row, catalog.booking_fields),
    )


def _slots_answer(
    place: Place,
    ctx: av.BookingContext,
    range_start: datetime,
    range_end: datetime,
    slots: Iterable[av.Slot],
):
    tz = iv.zone(place.timezone)
    issued = now()
    # One resource per slot where customers choose who they book with; all free ones where
    # the website assigns the resource itself.
    together = not asks_for_resource(place.site)
    shaped = []
    for slot in slots:
        groups = [slot.resource_ids] if together else [(rid,) for rid in slot.resource_ids]
        for group in groups:
            ref = shapes.SlotRef(g.organization.id, ctx.booking_type.id, slot.start, group)
            shaped.append(shapes.booking_slot(ref, timezone=place.timezone, issued=issued))
    return jsonify(
        {
            "rangeStart": range_start.astimezone(tz).isoformat(),
            "rangeEnd": range_end.astimezone(tz).isoformat(),
            "timeZone": place.timezone,
            "bookingSlotList": shaped,
        }
    )


def _window_end(ctx: av.BookingContext, moment: datetime) -> datetime:
    """Where the search for the earliest slot stops: the farthest horizon."""
    moment_i = iv.to_instant(moment)
    ends = [sl.horizon_end(moment_i, p.schedule.depth_of_days, p.tz) for p in ctx.plans]
    if not ends or None in ends:
        return moment + timedelta(days=av.NEXT_AVAILABLE_MAX_DAYS)
    return iv.from_instant(max(ends))


def _midnight(day: date, tz) -> datetime:
    return iv.from_instant(sl.resolve_local_floor(tz, iv.local_epoch(day)), tz)


# --- appointments ------------------------------------------------------------------------


@bp.post(ORGANIZATION + "/appointment/add")
@integration("appointments:write", organization_arg="organization_id")
def appointment_add(organization_id: str):
    place = _place()
    data = module_inputs.body()

    def answer() -> tuple[int, str]:
        return 201, current_app.json.dumps(_book(data, place))

    # Another caller's key is not theirs to replay.
    payload = {"caller": g.integration.actor.label, "body": data}
    return answer_once(g.organization.id, "module.appointment.add", payload, answer)


def _book(data: dict, place: Place) -> dict:
    moment = now()
    slot = shapes.read_slot_id(data.get("bookingSlotId"), g.organization.id, moment)
    booking_type = load_catalog(db.session, g.organization).type(slot.template_id)
    if booking_type is None:
        raise NotFound(_("This booking slot is no longer offered."), field="bookingSlotId")
    answers = module_inputs.customer_answers(data)
    note = inputs.text(data, "notes", limit=NOTE_LIMIT) or ""
    customer = record_customer(db.session, g.organization, answers, now=moment, lang=current_lang())
    several = len(slot.resource_ids) > 1
    try:
        booking = lifecycle.create_booking(
            db.session,
            g.organization,
            booking_type_id=booking_type.id,
            start=slot.start,
            actor=g.integration.actor,
            now=moment,
            customer=customer,
            # Among several resources, the least busy one free then.
            resource_id=None if several else slot.resource_ids[0],
            resource_ids=list(slot.resource_ids) if several else None,
            note=note,
            source="api",
            website_id=place.website.id,
            timezone=place.timezone,
            payment_window_minutes=current_app.config["PAYMENT_WINDOW_MINUTES"],
        )
    except BookingError as error:
        raise _in_words(error) from None
    return shapes.appointment(
        booking,
        booking_type=booking_type,
        customer=customer,
        resource=db.session.get(Resource, booking.resource_id) if booking.resource_id else None,
        timezone=place.timezone,
    )


def _in_words(error: BookingError) -> BookingError:
    """The booking service's refusals, about the slot the caller sent."""
    if error.code == "BOOKING_CONFLICT":
        error.message = _(
            "This time has just been taken. The nearest free time is in next_available."
        )
    elif error.code in ("OUTSIDE_WINDOW", "INVALID_TIME"):
        error.message = _("This booking slot can no longer be booked: ask for the slots again.")
    elif error.code in ("INVALID_RESOURCE", "INVALID_SERVICE"):
        error.message = _("This booking slot is no longer offered.")
    elif isinstance(error, ValidationFailed):
        # Questions that change the length of the appointment, which no module can answer.
        error.message = _("This booking template asks questions only the booking website can.")
    error.details["field"] = "bookingSlotId"
    return error


# --- the request -------------------------------------------------------------------------


def _place() -> Place:
    """The organization's website; a language code other than en and ar answers in its
    default language."""
    website = default_website(g.organization)
    if website is None:
        raise NotFound(_("This organization has no booking website."))
    site = website.settings
    if g.get("module_lang") not in LANGUAGES:
        g.lang = site.default_lang if site.default_lang in LANGUAGES else "en"
        refresh()
    return Place(website, site)
