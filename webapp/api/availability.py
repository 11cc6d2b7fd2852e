"""Availability (seed 002): the resources, resource categories, services and free times a
website offers, read from the same catalog and booking service as the booking website."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import g, request
from flask_babel import gettext as _

from webapp.api import offer, times
from webapp.api.blueprint import body, bp, ok
from webapp.api.pagination import pagination, read_limit
from webapp.api.shapes import catalog as shapes
from webapp.booking import availability as av
from webapp.booking import intervals as iv
from webapp.booking import queue
from webapp.booking.errors import InvalidResource, NotFound, ValidationFailed
from webapp.extensions import db
from webapp.i18n import current_lang, translated
from webapp.models import BookingType, Resource
from webapp.public.blueprint import now
from webapp.public.catalog import Catalog

SORT_DIRECTIONS = ("asc", "desc")


def _stamp(row) -> str:
    return row.created_at.strftime("%Y-%m-%dT%H:%M:%S.%f") if row.created_at else ""


def _ordered(row) -> tuple:
    """The order the business set (position, then name), as the booking website shows it."""
    return (row.position or 0, row.name.casefold(), row.id)


RESOURCE_SORTS: dict[str, Callable[[Resource], tuple]] = {
    "position": _ordered,
    "name": lambda r: (translated(r.name, r.name_translations).casefold(), r.id),
    "createdAt": lambda r: (_stamp(r), r.id),
}


def _list_name(kind: str, *parts: str) -> str:
    """Page tokens are bound to the website, the list and its order."""
    return ":".join(("availability", kind, g.website.id, *parts))


def _sort_lang(sort_by: str) -> tuple[str, ...]:
    return (current_lang(),) if sort_by == "name" else ()


def _resource_shaper(catalog: Catalog, staff: bool) -> Callable[[Resource], dict]:
    type_ids = {t.id for t in catalog.types}
    keys = offer.meta_keys(catalog, staff)
    return lambda row: shapes.resource(row, type_ids=type_ids, meta_keys=keys)


@dataclass
class Search:
    """What every availability search reads first: who asks (``staff`` for showAll), the
    catalog they see, the service, and how the resources are narrowed down."""

    staff: bool
    catalog: Catalog
    booking_type: BookingType | None
    choice: object
    filters: dict


def _search(data: dict, *, type_required: bool = False) -> Search:
    staff = offer.show_all(data.get("showAll"))
    catalog = offer.catalog_for(staff)
    return Search(
        staff,
        catalog,
        offer.booking_type_of(catalog, data.get("type"), required=type_required),
        offer.resource_choice(catalog, data.get("resourceFilters")),
        offer.filter_values(catalog, data.get("resourceFiltersCustomFields"), staff),
    )


@bp.post("/availability/resources")
def availability_resources():
    data = body()
    search = _search(data)
    staff, catalog, booking_type = search.staff, search.catalog, search.booking_type
    choice, filters = search.choice, search.filters
    limit = read_limit(data.get("limit"))
    sort_by = data.get("sortBy") or "position"
    if not isinstance(sort_by, str) or sort_by not in RESOURCE_SORTS:
        raise ValidationFailed(
            _("sortBy must be one of: %(names)s.", names=", ".join(RESOURCE_SORTS)),
            field="sortBy",
        )
    direction = data.get("sortByDirection") or "asc"
    if not isinstance(direction, str) or direction not in SORT_DIRECTIONS:
        raise ValidationFailed(_("sortByDirection must be asc or desc."), field="sortByDirection")
    found = offer.matching_resources(
        catalog, choice, filters, booking_type.id if booking_type else None
    )
    page, pages = offer.keyset_page(
        found,
        RESOURCE_SORTS[sort_by],
        limit=limit,
        token=data.get("nextPageToken"),
        # Names sort in the request's language, so their pages belong to it.
        list_name=_list_name("resources", sort_by, direction, *_sort_lang(sort_by)),
        descending=direction == "desc",
    )
    shape = _resource_shaper(catalog, staff)
    return ok([shape(row) for row in page], pagination=pages)


@bp.get("/availability/resources/<resource_id>")
def availability_resource(resource_id: str):
    staff = offer.show_all(request.args.get("showAll"))
    catalog = offer.catalog_for(staff)
    row = catalog.resource(resource_id)
    if row is None:
        raise NotFound(_("No resource with this id can be booked here."), field="resourceId")
    return ok(_resource_shaper(catalog, staff)(row))


@bp.post("/availability/resourceCategories")
def availability_resource_categories():
    data = body()
    staff = offer.show_all(data.get("showAll"))
    catalog = offer.catalog_for(staff)
    booking_type = offer.booking_type_of(catalog, data.get("type"), required=False)
    filters = offer.filter_values(catalog, data.get("resourceFiltersCustomFields"), staff)
    limit = read_limit(data.get("limit"))
    found = offer.matching_resources(
        catalog, offer.ResourceChoice(), filters, booking_type.id if booking_type else None
    )
    members: dict[str, list[Resource]] = {}
    for row in found:
        if row.category_id:
            members.setdefault(row.category_id, []).append(row)
    page, pages = offer.keyset_page(
        [c for c in catalog.categories if c.id in members],
        _ordered,
        limit=limit,
        token=data.get("nextPageToken"),
        list_name=_list_name("resourceCategories"),
    )
    shape = _resource_shaper(catalog, staff)
    return ok(
        [shapes.category(row, [shape(r) for r in members[row.id]]) for row in page],
        pagination=pages,
    )


@bp.post("/availability/types")
def availability_types():
    data = body()
    search = _search(data)
    catalog, booking_type = search.catalog, search.booking_type
    choice, filters = search.choice, search.filters
    limit = read_limit(data.get("limit"))
    offered = catalog.types_for(offer.matching_resources(catalog, choice, filters))
    if booking_type is not None:
        offered = [t for t in offered if t.id == booking_type.id]
    page, pages = offer.keyset_page(
        offered,
        _ordered,
        limit=limit,
        token=data.get("nextPageToken"),
        list_name=_list_name("types"),
    )
    waiting = queue.pending_counts(db.session, g.organization.id, now())
    currency = g.organization.currency or "SAR"
    return ok(
        [
            shapes.booking_type(row, currency=currency, pending_count=waiting.get(row.id, 0))
            for row in page
        ],
        pagination=pages,
    )


@bp.post("/availability/times")
def availability_times():
    data = body()
    search = _search(data, type_required=True)
    staff, catalog, booking_type = search.staff, search.catalog, search.booking_type
    choice, filters = search.choice, search.filters
    adjusters = data.get("timeAdjustersCustomFields")
    if adjusters is not None and not isinstance(adjusters, dict):
        raise ValidationFailed(
            _("timeAdjustersCustomFields must be an object of field ids and values."),
            field="timeAdjustersCustomFields",
        )
    grid = times.grid(data)
    limit = read_limit(data.get("limit"), times.DEFAULT_DAYS)
    reschedule_id = times.reschedule_booking_id(data.get("rescheduleBookingId"))
    timezone, moment = g.site.timezone, now()
    list_name = _list_name("times", booking_type.id)
    first, last = times.window(data, list_name, moment.astimezone(iv.zone(timezone)).date())
    ctx = _context(catalog, booking_type, choice, filters, adjusters or {}, staff)
    days, following = times.search(
        ctx,
        first,
        last,
        limit=limit,
        grid=grid,
        time_policy="displayAll" if staff else g.site.booking_time_policy,
        suggested=g.site.suggested_times or 3,
        timezone=timezone,
        now=moment,
        reschedule_booking_id=reschedule_id,
    )
    position = [following.isoformat(), last.isoformat()] if following else None
    return ok(
        [times.day_shape(day, timezone) for day in days],
        pagination=pagination(position, list_name),
    )


def _context(
    catalog: Catalog,
    booking_type: BookingType,
    choice: offer.ResourceChoice,
    filters: dict,
    adjusters: dict,
    staff: bool,
) -> av.BookingContext:
    if choice.resource_ids and not any(
        t.id == booking_type.id
        for rid in choice.resource_ids
        for t in catalog.resource(rid).booking_types
    ):
        raise InvalidResource(
            _("The resource chosen in resourceFilters does not offer this service."),
            field="resourceFilters",
        )
    try:
        return av.load_context(
            db.session,
            g.organization,
            booking_type.id,
            resource_ids=choice.resource_ids,
            category_id=choice.category_id,
            resource_filters=filters or None,
            time_adjusters=adjusters,
            show_all=staff,
            strict_adjusters=True,
            # Customers get what the website offers, from the website's own copy.
            known=None if staff else av.KnownRows(booking_type, catalog.booking_fields),
        )
    except ValidationFailed as error:
        raise ValidationFailed(
            _("Some time-adjuster answers are missing or invalid."),
            field="timeAdjustersCustomFields",
            fields=error.details.get("fields"),
        ) from None
