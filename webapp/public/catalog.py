"""What a website offers and what the customer has chosen so far.

The customer's choices travel in the URL (``?type=&category=&resource=&f_<key>=&a_<key>=``),
never in cookies, so every step has its own address, works without JavaScript and inside a
frame whose cookies the browser blocks. :func:`next_step` reads the website's policies to
decide which choice comes next.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import MultiDict

from webapp.booking import intervals as iv
from webapp.database import immediate_transactions
from webapp.models import (
    BookingType,
    CustomField,
    Organization,
    Resource,
    ResourceCategory,
    WebsiteVersion,
)

ANY_RESOURCE = "any"
FILTER_PREFIX = "f_"
ADJUSTER_PREFIX = "a_"


@dataclass
class Catalog:
    """The bookable services, resources and categories of one organization."""

    types: list[BookingType]
    resources: list[Resource]
    categories: list[ResourceCategory]
    booking_fields: list[CustomField]

    def type(self, type_id: str | None) -> BookingType | None:
        return next((t for t in self.types if t.id == type_id), None)

    def resource(self, resource_id: str | None) -> Resource | None:
        return next((r for r in self.resources if r.id == resource_id), None)

    def category(self, category_id: str | None) -> ResourceCategory | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def resources_for(
        self, type_id: str | None = None, category_id: str | None = None
    ) -> list[Resource]:
        return [
            r
            for r in self.resources
            if (category_id is None or r.category_id == category_id)
            and (type_id is None or any(t.id == type_id for t in r.booking_types))
        ]

    def types_for(self, resources: list[Resource]) -> list[BookingType]:
        offered = {t.id for r in resources for t in r.booking_types}
        return [t for t in self.types if t.id in offered]

    def queue_types(self) -> list[BookingType]:
        """The services with a queue to join that someone on the website offers."""
        offered = {t.id for r in self.resources for t in r.booking_types}
        return [t for t in self.types if t.queue_enabled and t.id in offered]

    def used_categories(self) -> list[ResourceCategory]:
        used = {r.category_id for r in self.resources}
        return [c for c in self.categories if c.id in used]

    def filter_fields(self, type_id: str | None) -> list[CustomField]:
        return [
            f
            for f in self.booking_fields
            if f.filters_resources
            and f.visibility == "public"
            and (type_id is None or f.applies_to(type_id))
        ]

    def adjuster_fields(self, type_id: str) -> list[CustomField]:
        return [
            f
            for f in self.booking_fields
            if f.adjusts_time
            and not f.filters_resources
            and f.visibility == "public"
            and f.applies_to(type_id)
        ]


def load_catalog(session: Session, organization: Organization) -> Catalog:
    """The organization's catalog, from this process's copy while the organization's
    catalog revision has not moved (see webapp.models.revisions), else read afresh."""
    cache = current_app.extensions[CACHE_KEY]  # one per app, made when the blueprint is added
    return cache.get(session.get_bind(), organization.id, organization.catalog_revision)


CACHE_KEY = "mawid.public.catalogs"


class CatalogCache:
    """The catalogs of the organizations seen lately, each with the revision it was read at.

    A catalog is read in a session of its own that is closed, never committed: its objects
    keep what was loaded and are only read afterwards, by any thread.
    """

    def __init__(self, size: int = 500) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[int, Catalog]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, engine, organization_id: str, revision: int) -> Catalog:
        with self._lock:
            entry = self._entries.get(organization_id)
            if entry is not None and entry[0] == revision:
                self._entries.move_to_end(organization_id)
                return entry[1]
        # Read outside the lock; a catalog newer than ``revision`` is harmless, since the
        # next request that sees the newer revision reads it again.
        with immediate_transactions(False), Session(engine) as session:
            catalog = read_catalog(session, organization_id)
        with self._lock:
            self._entries[organization_id] = (revision, catalog)
            self._entries.move_to_end(organization_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return catalog


def read_catalog(session: Session, organization_id: str, *, website_only: bool = True) -> Catalog:
    """What the organization offers: active services and resources (only those bookable
    from the website unless ``website_only`` is false, as staff see them), categories and the
    enabled booking questions."""
    type_filters = [BookingType.organization_id == organization_id, BookingType.on.is_(True)]
    resource_filters = [
        Resource.organization_id == organization_id,
        Resource.on.is_(True),
        Resource.activated.is_(True),
    ]
    if website_only:
        type_filters.append(BookingType.book_from_website.is_(True))
        resource_filters.append(Resource.book_from_website.is_(True))
    types = session.scalars(
        select(BookingType).where(*type_filters).order_by(BookingType.position, BookingType.name)
    ).all()
    resources = session.scalars(
        select(Resource)
        .where(*resource_filters)
        .options(selectinload(Resource.booking_types).load_only(BookingType.id))
        .order_by(Resource.position, Resource.name)
    ).all()
    categories = session.scalars(
        select(ResourceCategory)
        .where(ResourceCategory.organization_id == organization_id)
        .order_by(ResourceCategory.position, ResourceCategory.name)
    ).all()
    fields = session.scalars(
        select(CustomField)
        .where(
            CustomField.organization_id == organization_id,
            CustomField.scope == "booking",
            CustomField.enabled.is_(True),
        )
        .order_by(CustomField.position, CustomField.key)
    ).all()
    return Catalog(list(types), list(resources), list(categories), list(fields))


@dataclass
class Choice:
    """What the customer picked so far, read from the query string or a form."""

    type_id: str | None = None
    category_id: str | None = None
    resource_id: str | None = None  # a resource id or ANY_RESOURCE
    filters: dict[str, object] = field(default_factory=dict)
    adjusters: dict[str, object] = field(default_factory=dict)
    day: date | None = None
    month: date | None = None

    @property
    def any_resource(self) -> bool:
        return self.resource_id == ANY_RESOURCE

    @property
    def specific_resource(self) -> str | None:
        return None if self.any_resource else self.resource_id

    def params(self, **changes) -> dict[str, object]:
        """Query parameters for a link that keeps these choices (``None`` drops one)."""
        values: dict[str, object] = {
            "type": self.type_id,
            "category": self.category_id,
            "resource": self.resource_id,
        }
        for key, value in self.filters.items():
            values[FILTER_PREFIX + key] = value
        for key, value in self.adjusters.items():
            values[ADJUSTER_PREFIX + key] = value
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", [])}


def read_choice(args: MultiDict) -> Choice:
    choice = Choice(
        type_id=_text(args.get("type")),
        category_id=_text(args.get("category")),
        resource_id=_text(args.get("resource")),
        day=_date(args.get("date")),
        month=_month(args.get("month")),
    )
    for key in args:
        values = [v for v in args.getlist(key) if v.strip()]
        if not values or len(key) > 70:
            continue
        value: object = values if len(values) > 1 else values[0].strip()[:200]
        if key.startswith(FILTER_PREFIX):
            choice.filters[key[len(FILTER_PREFIX) :]] = value
        elif key.startswith(ADJUSTER_PREFIX):
            choice.adjusters[key[len(ADJUSTER_PREFIX) :]] = value
    return choice


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:64] or None


# Years a customer can ask about; dates near the ends of Python's range overflow the calendar.
YEARS = range(2000, 3000)


def _date(value: str | None) -> date | None:
    try:
        day = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
    return day if day.year in YEARS else None


def _month(value: str | None) -> date | None:
    try:
        month = date.fromisoformat((value or "").strip()[:7] + "-01")
    except ValueError:
        return None
    return month if month.year in YEARS else None


# --- steps -----------------------------------------------------------------------------

CATEGORY, SERVICE, RESOURCE, TIME = "category", "service", "resource", "time"


def asks_for_resource(site: WebsiteVersion) -> bool:
    return not site.hide_resource and site.booking_policy != "leastFirst"


def offers_any_resource(site: WebsiteVersion) -> bool:
    return site.booking_policy in {"leastFirst", "specifyAndLeastFirst"} or site.hide_resource


def next_step(site: WebsiteVersion, catalog: Catalog, choice: Choice) -> str:
    """The first choice still missing, in the order the website's policies set."""
    picks_category = site.select_resource_category and len(catalog.used_categories()) > 1
    if picks_category and not choice.category_id:
        return CATEGORY
    needs_resource = asks_for_resource(site) and not choice.resource_id
    if site.select_type_first:
        if not choice.type_id:
            return SERVICE
        if needs_resource:
            return RESOURCE
    else:
        if needs_resource:
            return RESOURCE
        if not choice.type_id:
            return SERVICE
    return TIME


def unknown_choice(catalog: Catalog, choice: Choice) -> str | None:
    """Which id in the choice this website does not know (another website's ids included)."""
    if choice.type_id and catalog.type(choice.type_id) is None:
        return "type"
    if choice.category_id and catalog.category(choice.category_id) is None:
        return "category"
    if choice.specific_resource:
        resource = catalog.resource(choice.specific_resource)
        if resource is None:
            return "resource"
        if choice.type_id and not any(t.id == choice.type_id for t in resource.booking_types):
            return "resource"
    return None


def display_timezone(requested: str | None, fallback: str) -> str:
    return requested if requested and iv.is_valid_timezone(requested) else fallback


def filter_values(values: Mapping[str, object], known: list[CustomField]) -> dict[str, object]:
    keys = {f.key for f in known}
    return {k: v for k, v in values.items() if k in keys}
