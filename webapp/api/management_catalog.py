"""Manage resources (seed 002) and their time and off rules.

Every member reads; a staff member only the resources they provide (others answer 404, like
an unknown id). Creating, changing and deleting resources needs an admin; a staff member
may set the working hours and time off of their own resources."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from webapp.api import pagination as pages
from webapp.api.access import management, may_use_resource
from webapp.api.blueprint import body, bp, ok
from webapp.api.management_values import MAX_LONG_TEXT, JsonReader, api_fields, deleted, fail
from webapp.api.shapes import management as shapes
from webapp.auth import otp
from webapp.booking.errors import BookingError, NotFound, ValidationFailed
from webapp.extensions import db
from webapp.manage import calendar_feeds as feeds
from webapp.manage import resources as manage
from webapp.manage import rules
from webapp.models import CustomField, Resource

LIST_NAME = "management.resources"
DEFAULT_LIMIT = 10
RESOURCE_FIELDS = {
    "name",
    "name_translations",
    "description",
    "description_translations",
    "category",
    "timeZone",
    "on",
    "activated",
    "bookFromWebsite",
    "meta",
    "types",
    "photo",
    "photos",
    "position",
    "providerEmail",
    "providerPhone",
}
# What a response carries that a client may send back; it is not written.
READ_ONLY = {"id", "createdAt", "updatedAt", "calendarFeedUrl"}
SERVICE_NAMES = {
    "category_id": "category",
    "timezone": "timeZone",
    "type_ids": "types",
    "provider_email": "providerEmail",
    "provider_phone": "providerPhone",
    "book_from_website": "bookFromWebsite",
}
RULE_NAMES = {"depth_of_days": "depthOfDays", "notice_hours": "scheduleAfterHoursFromNow"}
MAX_META_KEY = 64
MAX_META_TEXT = 200


class ResourceInUse(BookingError):
    code = "RESOURCE_IN_USE"
    http_status = 409
    default_message = "This resource has bookings, so it is kept for their history."


def _statement():
    return (
        select(Resource)
        .where(Resource.organization_id == g.organization.id)
        .options(selectinload(Resource.booking_types))
    )


def _visible(resource_id: str) -> Resource:
    """The resource, if the caller may see it; 404 like an unknown id otherwise."""
    if not may_use_resource(resource_id):
        raise NotFound(_("Resource not found."))
    return manage.get_resource(db.session, g.organization, resource_id)


def _answer(resources) -> list[dict]:
    resources = list(resources)
    urls = feeds.resource_feed_urls(db.session, g.organization, (r.id for r in resources))
    return [shapes.resource(r, g.organization, urls.get(r.id)) for r in resources]


def _one(resource: Resource) -> dict:
    return _answer([resource])[0]


# -- reading ----------------------------------------------------------------------------------


@bp.get("/management/resources")
@management("staff")
def management_resources_list():
    limit = pages.read_limit(request.args.get("limit"), default=DEFAULT_LIMIT)
    after = pages.decode(LIST_NAME, request.args.get("nextPageToken"))
    statement = _statement().order_by(Resource.position, Resource.name, Resource.id)
    scope = g.caller.resource_scope
    if scope is not None:
        statement = statement.where(Resource.id.in_(scope))
    if after is not None:
        if len(after) != 3:
            raise fail("nextPageToken", _("This nextPageToken is not valid."))
        statement = statement.where(
            tuple_(Resource.position, Resource.name, Resource.id) > tuple_(*after)
        )
    found = list(db.session.scalars(statement.limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    last = found[-1] if found else None
    position = [last.position, last.name, last.id] if more and last else None
    return ok(_answer(found), pagination=pages.pagination(position, LIST_NAME))


@bp.get("/management/resources/mine")
@management("staff")
def management_resources_mine():
    """The resources the caller provides (none for an organization API key)."""
    member = g.caller.member
    if member is None:
        return ok([])
    own = [r.id for r in member.resources]
    statement = _statement().where(Resource.id.in_(own))
    return ok(_answer(db.session.scalars(statement.order_by(Resource.position, Resource.name))))


def _viewable():
    """Active resources whose bookings the caller may see: all of them for owners, admins
    and API keys; the ones they provide for a staff member."""
    statement = _statement().where(Resource.on.is_(True), Resource.activated.is_(True))
    scope = g.caller.resource_scope
    if scope is not None:
        statement = statement.where(Resource.id.in_(scope))
    return _answer(db.session.scalars(statement.order_by(Resource.position, Resource.name)))


@bp.get("/management/resources/withConfirmedViewingPermission")
@management("staff")
def management_resources_confirmed_viewing():
    return ok(_viewable())


@bp.get("/management/resources/withRequestViewingPermission")
@management("staff")
def management_resources_request_viewing():
    return ok(_viewable())


@bp.get("/management/resources/<resource_id>")
@management("staff")
def management_resource_get(resource_id: str):
    return ok(_one(_visible(resource_id)))


# -- writing ----------------------------------------------------------------------------------


def _current(resource: Resource | None) -> manage.ResourceValues:
    if resource is None:
        return manage.ResourceValues(name="")
    return manage.ResourceValues(
        name=resource.name,
        name_translations=dict(resource.name_translations or {}),
        description=resource.description or "",
        description_translations=dict(resource.description_translations or {}),
        category_id=resource.category_id,
        timezone=resource.timezone,
        on=resource.on,
        book_from_website=resource.book_from_website,
        type_ids=[t.id for t in resource.booking_types],
        meta=dict(resource.meta or {}),
        provider_email=resource.provider_email,
        provider_phone=resource.provider_phone,
        position=resource.position,
    )


def _read(data: dict, resource: Resource | None) -> manage.ResourceValues:
    """The resource's values after the request; what the body leaves out stays as it is."""
    reader = JsonReader(data)
    reader.only(RESOURCE_FIELDS, READ_ONLY)
    values = _current(resource)
    values.name, values.name_translations = reader.localized(
        "name", values.name, values.name_translations, required=True
    )
    values.description, values.description_translations = reader.localized(
        "description", values.description, values.description_translations, max_length=MAX_LONG_TEXT
    )
    values.category_id = reader.text("category", values.category_id, max_length=64)
    values.timezone = reader.text("timeZone", values.timezone, max_length=64)
    values.on = reader.boolean("on", values.on)
    values.activated = reader.boolean("activated", None)
    values.book_from_website = reader.boolean("bookFromWebsite", values.book_from_website)
    values.meta = _meta(reader.obj("meta", values.meta))
    values.type_ids = reader.strings("types", values.type_ids, max_length=64)
    values.position = reader.integer("position", values.position, minimum=0, maximum=10_000)
    values.photo = reader.photo("photo", g.organization.id)
    values.photos = reader.photos("photos", g.organization.id)
    values.provider_email = reader.text("providerEmail", values.provider_email, max_length=254)
    phone = reader.text("providerPhone", values.provider_phone, max_length=32)
    if phone and reader.has("providerPhone"):
        phone = _phone(phone)
    values.provider_phone = phone or None
    return values


def _meta(meta: dict) -> dict:
    """Custom data that resource filters match: short texts, numbers, true/false, or lists
    of them."""

    def plain(value) -> bool:
        if isinstance(value, str):
            return len(value) <= MAX_META_TEXT
        return isinstance(value, bool | int | float)

    for key, value in meta.items():
        if len(key) > MAX_META_KEY or not key.strip():
            raise fail("meta", _("meta: keys are 1 to 64 characters."))
        items = value if isinstance(value, list) else [value]
        if value is not None and not all(plain(item) for item in items):
            raise fail(
                f"meta.{key}",
                _("meta.%(key)s: use a short text, a number, true/false or a list.", key=key),
            )
    return meta


def _phone(raw: str) -> str:
    country = db.session.scalar(
        select(CustomField.default_country).where(
            CustomField.organization_id == g.organization.id,
            CustomField.scope == "customer",
            CustomField.key == "phoneNumber",
        )
    )
    try:
        return otp.normalize_identifier("sms", raw, country)
    except ValidationFailed:
        raise fail(
            "providerPhone", _("providerPhone: enter a phone number such as +966501234567.")
        ) from None


def _save(resource: Resource | None):
    data = body()
    values = _read(data, resource)
    with api_fields(SERVICE_NAMES):
        saved = manage.save_resource(db.session, g.organization, values, resource)
    if data.get("providerEmail") or data.get("providerPhone"):
        manage.link_provider(db.session, g.organization, saved)
    db.session.commit()
    return saved


@bp.post("/management/resources")
@management("admin")
def management_resource_create():
    return ok(_one(_save(None)), 201)


@bp.put("/management/resources/<resource_id>")
@management("admin")
def management_resource_update(resource_id: str):
    resource = manage.get_resource(db.session, g.organization, resource_id)
    return ok(_one(_save(resource)))


@bp.delete("/management/resources/<resource_id>")
@management("admin")
def management_resource_delete(resource_id: str):
    try:
        manage.delete_resource(db.session, g.organization, resource_id)
    except ValidationFailed as error:
        raise ResourceInUse(error.message) from None
    db.session.commit()
    return deleted(resource_id, _("Resource deleted."))


# -- time and off rules ---------------------------------------------------------------------


def _rules_error(error: ValidationFailed) -> ValidationFailed:
    problems = rules.rule_problems(error)
    named = {RULE_NAMES.get(k, k if k == "rules" else f"rules.{k}"): v for k, v in problems.items()}
    field, message = next(iter(named.items()))
    return ValidationFailed(message, field=field.split(".")[0], problems=named)


@bp.get("/management/resources/<resource_id>/timeRules")
@management("staff")
def management_time_rules_get(resource_id: str):
    row = rules.get_time_rules(db.session, g.organization, _visible(resource_id))
    return ok(shapes.time_rules(row))


@bp.put("/management/resources/<resource_id>/timeRules")
@management("staff")
def management_time_rules_update(resource_id: str):
    resource = _visible(resource_id)
    data = body()
    JsonReader(data).only({"depthOfDays", "scheduleAfterHoursFromNow", "rules"})
    current = rules.get_time_rules(db.session, g.organization, resource)
    try:
        row = rules.save_time_rules(
            db.session,
            g.organization,
            resource,
            depth_of_days=data.get("depthOfDays", current.depth_of_days),
            notice_hours=data.get(
                "scheduleAfterHoursFromNow", current.schedule_after_hours_from_now
            ),
            rules=data.get("rules", current.rules),
        )
    except ValidationFailed as error:
        raise _rules_error(error) from None
    db.session.commit()
    return ok(shapes.time_rules(row))


@bp.get("/management/resources/<resource_id>/offRules")
@management("staff")
def management_off_rules_get(resource_id: str):
    row = rules.get_off_rules(db.session, g.organization, _visible(resource_id))
    return ok(shapes.off_rules(row))


@bp.put("/management/resources/<resource_id>/offRules")
@management("staff")
def management_off_rules_update(resource_id: str):
    resource = _visible(resource_id)
    data = body()
    JsonReader(data).only({"rules"})
    if "rules" not in data:
        raise fail("rules", _("rules is required: the list of off rules."))
    try:
        row = rules.save_off_rules(db.session, g.organization, resource, data["rules"])
    except ValidationFailed as error:
        raise _rules_error(error) from None
    db.session.commit()
    return ok(shapes.off_rules(row))
