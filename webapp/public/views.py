"""Choosing: the website's front page, the steps (category, service, resource, time) and
placing a hold on the chosen time."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.booking import availability as av
from webapp.booking import intervals as iv
from webapp.booking import lifecycle
from webapp.booking.errors import BookingConflict, BookingError, ValidationFailed
from webapp.extensions import db
from webapp.i18n import month_name, weekday_names
from webapp.public import catalog as cat
from webapp.public import schedule, zones
from webapp.public.blueprint import TZ_COOKIE, bp, customer_timezone, go, now, render
from webapp.public.tokens import hold_token
from webapp.security import cookieless, limiter


@bp.after_request
def _remember_timezone(response):
    chosen = request.args.get("tz")
    if cookieless() or not chosen or request.cookies.get(TZ_COOKIE) == chosen:
        return response
    if cat.display_timezone(chosen, ""):
        response.set_cookie(TZ_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.get("/")
def website_home():
    return step_page("public/home.html")


@bp.get("/book")
def booking_start():
    return step_page("public/book.html")


@bp.get("/book/times")
def booking_times():
    """The times of one day: a fragment for HTMX, the whole time step otherwise."""
    if request.headers.get("HX-Request") != "true":
        return step_page("public/book.html")
    catalog = cat.load_catalog(db.session, g.organization)
    choice = cat.read_choice(request.args)
    if cat.unknown_choice(catalog, choice) or not choice.type_id or choice.day is None:
        abort(404, description=_("This service or time is not offered here."))
    tz = customer_timezone()
    try:
        ctx = schedule.load_context(db.session, g.organization, choice, catalog=catalog)
    except BookingError:
        abort(404, description=_("This service or time is not offered here."))
    slots = schedule.day_times(
        db.session, g.organization, g.site, ctx, choice.day, timezone=tz, now=now()
    )
    return render_template(
        "public/_times.html",
        slots=slots,
        day=choice.day,
        choice=choice,
        tz=tz,
        tz_info=iv.zone(tz),
        business_tz_info=iv.zone(g.site.timezone),
        hold_url=url_for(".booking_hold"),
    )


def step_page(template: str, status: int = 200, choice: cat.Choice | None = None, **extra):
    """The next step of the booking flow for ``choice`` (by default, the request's)."""
    catalog = cat.load_catalog(db.session, g.organization)
    if choice is None:
        choice = cat.read_choice(request.args if request.method == "GET" else request.form)
    if cat.unknown_choice(catalog, choice):
        abort(404, description=_("This choice is not offered on this website."))
    step = cat.next_step(g.site, catalog, choice)
    context = dict(
        catalog=catalog,
        choice=choice,
        step=step,
        tz=customer_timezone(),
        chosen_type=catalog.type(choice.type_id),
        chosen_resource=catalog.resource(choice.specific_resource),
        chosen_category=catalog.category(choice.category_id),
        step_title=STEP_TITLES.get(step, _("Book")),
        **extra,
    )
    if step == cat.CATEGORY:
        context["categories"] = catalog.used_categories()
    elif step == cat.SERVICE:
        resources = catalog.resources_for(category_id=choice.category_id)
        if choice.specific_resource:
            resources = [r for r in resources if r.id == choice.specific_resource]
        context["service_groups"] = _grouped(catalog.types_for(resources))
    elif step == cat.RESOURCE:
        context.update(_resource_step(catalog, choice))
    else:
        status = _time_step(catalog, choice, context, status)
    return render(template, status, **context)


STEP_TITLES = {
    cat.CATEGORY: _l("Choose a branch"),
    cat.SERVICE: _l("Choose a service"),
    cat.RESOURCE: _l("Choose who you would like to see"),
    cat.TIME: _l("Choose a time"),
}


def _grouped(types: list) -> list[tuple[str | None, list]]:
    groups: dict[str | None, list] = {}
    for booking_type in types:
        groups.setdefault(booking_type.category or None, []).append(booking_type)
    return list(groups.items())


def _resource_step(catalog: cat.Catalog, choice: cat.Choice) -> dict:
    fields = catalog.filter_fields(choice.type_id)
    resources = [
        r
        for r in catalog.resources_for(choice.type_id, choice.category_id)
        if av.matches_filters(r, fields, choice.filters)
    ]
    return dict(
        filter_fields=fields,
        filter_params=[cat.FILTER_PREFIX + f.key for f in fields],
        resources=resources,
        offers_any=cat.offers_any_resource(g.site) and len(resources) > 1,
    )


def _time_step(catalog: cat.Catalog, choice: cat.Choice, context: dict, status: int) -> int:
    adjusters = catalog.adjuster_fields(choice.type_id)
    # Filters not asked on a resource step (none shown) are asked here, before the times.
    filters = [] if cat.asks_for_resource(g.site) else catalog.filter_fields(choice.type_id)
    choice.adjusters = cat.filter_values(choice.adjusters, adjusters)
    context.update(
        adjuster_fields=adjusters,
        filter_fields_here=filters,
        adjuster_params=[cat.ADJUSTER_PREFIX + f.key for f in adjusters]
        + [cat.FILTER_PREFIX + f.key for f in filters],
    )
    if any(not f.optional and f.key not in choice.adjusters for f in adjusters):
        # Duration and price depend on these answers: ask for them before showing times.
        context["awaiting_answers"] = True
        return status
    try:
        ctx = schedule.load_context(db.session, g.organization, choice, catalog=catalog)
    except ValidationFailed as error:
        context["adjuster_errors"] = _field_messages(error.details.get("fields") or {})
        if any(not f.optional for f in adjusters):
            # No times without a valid answer: ask again, next to the message.
            context["awaiting_answers"] = True
            return 422
        choice.adjusters = {}
        ctx = schedule.load_context(db.session, g.organization, choice, catalog=catalog)
        status = 422
    if not ctx.plans:
        context["step"] = "none"
        return status
    tz = context["tz"]
    time = schedule.build_time_step(
        db.session, g.organization, g.site, ctx, choice, timezone=tz, now=now()
    )
    if context.get("lost"):
        time.alternatives = schedule.nearest(time.slots, context["lost"])
    context.update(time_context(time, choice, tz))
    context.update(
        calendar_endpoint=".booking_start",
        times_endpoint=".booking_times",
        calendar_args=lambda **changes: choice.params(tz=tz, **changes),
        hold_url=url_for(".booking_hold"),
    )
    return status


def time_context(time: schedule.TimeStep, choice: cat.Choice, tz: str) -> dict:
    """What the calendar and the times need, shared with rescheduling."""
    return dict(
        time=time,
        day=time.selected,
        slots=time.slots,
        alternatives=time.alternatives,
        month_label=month_name(time.month),
        weekdays=weekday_names(),
        tz_info=iv.zone(tz),
        business_tz_info=iv.zone(g.site.timezone),
        business_tz_label=zones.label(g.site.timezone, now()),
        timezone_choices=zones.choices(tz, g.site.timezone, now()),
    )


def _field_messages(errors: dict) -> dict[str, str]:
    return {
        key: _("This field is required.")
        if "required" in str(message)
        else _("Enter a valid value.")
        for key, message in errors.items()
    }


def _booking_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


@bp.post("/book/hold")
@limiter.limit(_booking_limit, scope="booking")
def booking_hold():
    """Hold the chosen time for the customer while they fill in their details."""
    choice = cat.read_choice(request.form)
    start = parse_start(request.form.get("start"))
    if start is None or not choice.type_id:
        return step_page("public/book.html", 422, message=_("Choose a time from the list."))
    tz = customer_timezone()
    try:
        booking = lifecycle.hold_slot(
            db.session,
            g.organization,
            hold_minutes=g.site.hold_minutes or current_app.config["HOLD_MINUTES_DEFAULT"],
            booking_type_id=choice.type_id,
            start=start,
            actor=lifecycle.Actor("customer"),
            now=now(),
            resource_id=choice.specific_resource,
            category_id=choice.category_id,
            resource_filters=choice.filters or None,
            time_adjusters=choice.adjusters,
            info={**choice.filters, **choice.adjusters},
            source="website",
            website_id=g.website.id,
            timezone=tz,
            suggestion_grid=schedule.website_grid(g.site),
        )
    except BookingConflict:
        db.session.rollback()
        return _lost_time(choice, start, _("Sorry, someone has just booked that time."))
    except BookingError as error:
        db.session.rollback()
        return _lost_time(choice, start, _no_longer_bookable(error))
    db.session.commit()
    return go(url_for(".hold_details", token=hold_token(g.website.id, booking.id)))


def _lost_time(choice: cat.Choice, start: datetime, message: str):
    """Back to the times of that day with the nearest free ones offered, never an error page."""
    choice.day = start.astimezone(iv.zone(customer_timezone())).date()
    choice.month = None
    return step_page("public/book.html", 409, choice=choice, message=message, lost=start)


def _no_longer_bookable(error: BookingError) -> str:
    if error.code in {"OUTSIDE_WINDOW", "INVALID_TIME"}:
        return _("That time can no longer be booked. Please choose another.")
    return _("That choice can no longer be booked. Please choose again.")


def parse_start(value: str | None) -> datetime | None:
    try:
        start = datetime.fromisoformat((value or "").strip()[:40])
    except ValueError:
        return None
    return start if start.tzinfo is not None and start.year in cat.YEARS else None
