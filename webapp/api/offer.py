"""What an availability call may see and what it asks for.

Customers see what the website offers (its catalog, shared with the booking website).
``showAll: true`` is for the organization's staff: it adds the resources and services that
are not bookable from the website; anyone else gets 403. The request narrows that down with
``type``, ``resourceFilters`` (``{"resource": id}``, ``{"resources": [ids]}``,
``{"category": id}``) and ``resourceFiltersCustomFields`` (field id -> wanted value(s)).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from webapp.api.access import Caller, Unauthorized, credential, resolve_caller
from webapp.api.blueprint import bearer_claims
from webapp.api.pagination import decode, pagination
from webapp.auth import tokens
from webapp.booking import availability as av
from webapp.booking.errors import (
    BookingError,
    InvalidResource,
    InvalidService,
    NotFound,
    ValidationFailed,
)
from webapp.extensions import db
from webapp.models import BookingType, CustomField, Resource
from webapp.public.catalog import Catalog, load_catalog, read_catalog

RESOURCE_FILTER_KEYS = ("resource", "resources", "category")
MAX_FILTER_IDS = 100


class StaffOnly(BookingError):
    code = "FORBIDDEN"
    http_status = 403
    default_message = "This option is for the organization's staff."


def flag(value: object, name: str, default: bool = False) -> bool:
    """A true/false parameter (JSON booleans; "true"/"false" in a query string)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
        return value.lower() in {"true", "1"}
    raise ValidationFailed(_("%(name)s must be true or false.", name=name), field=name)


def staff_member() -> Caller | None:
    """The organization's staff behind this request (a staff access token or an API key),
    if any."""
    if not credential():
        return None
    try:
        return resolve_caller()
    except Unauthorized:
        return None


def show_all(value: object) -> bool:
    """Whether the request asks for everything, which only staff may."""
    if not flag(value, "showAll"):
        return False
    if staff_member() is not None:
        return True
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    sent_token = scheme.lower() == "bearer" and raw.strip().startswith(tokens.ACCESS_PREFIX)
    if sent_token and bearer_claims() is None:
        # An expired or foreign access token: the client should refresh it, not give up.
        raise tokens.TokenInvalid(
            _("The access token is missing, expired or not valid here."), field="Authorization"
        )
    raise StaffOnly(
        _(
            "showAll is for the organization's staff: send a staff access token "
            "(Authorization: Bearer <accessToken>) or leave showAll out."
        ),
        field="showAll",
    )


def catalog_for(staff: bool) -> Catalog:
    if staff:
        return staff_catalog(db.session, g.organization.id)
    return load_catalog(db.session, g.organization)


def staff_catalog(session: Session, organization_id: str) -> Catalog:
    """Every active service and resource, bookable from the website or not."""
    return read_catalog(session, organization_id, website_only=False)


def booking_type_of(catalog: Catalog, value: object, *, required: bool) -> BookingType | None:
    """The service named by ``type``; unknown and other organizations' ids answer alike."""
    if value is None or value == "":
        if required:
            raise ValidationFailed(_("Send the service's id in type."), field="type")
        return None
    found = catalog.type(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidService(_("No service with this id can be booked here."), field="type")
    return found


@dataclass(frozen=True)
class ResourceChoice:
    resource_ids: tuple[str, ...] | None = None
    category_id: str | None = None


def resource_choice(catalog: Catalog, value: object) -> ResourceChoice:
    """``resourceFilters``; ids this website does not offer answer 404."""
    if value is None or value == {}:
        return ResourceChoice()
    shape = _(
        'resourceFilters must be an object: {"resource": id}, {"resources": [ids]} '
        'or {"category": id}.'
    )
    if not isinstance(value, dict) or set(value) - set(RESOURCE_FILTER_KEYS):
        raise ValidationFailed(shape, field="resourceFilters")
    ids: list[str] | None = None
    if value.get("resource") is not None:
        ids = [value["resource"]]
    if value.get("resources") is not None:
        listed = value["resources"]
        if not isinstance(listed, list) or not listed or len(listed) > MAX_FILTER_IDS:
            raise ValidationFailed(shape, field="resourceFilters")
        ids = [*(ids or []), *listed]
    if ids is not None:
        if not all(isinstance(i, str) for i in ids):
            raise ValidationFailed(shape, field="resourceFilters")
        if any(catalog.resource(i) is None for i in ids):
            raise InvalidResource(
                _("No resource with this id can be booked here."), field="resourceFilters"
            )
    category_id = value.get("category")
    if category_id is not None and (
        not isinstance(category_id, str) or catalog.category(category_id) is None
    ):
        raise NotFound(_("There is no resource category with this id."), field="resourceFilters")
    return ResourceChoice(tuple(dict.fromkeys(ids)) if ids else None, category_id)


def filter_fields(catalog: Catalog, staff: bool) -> list[CustomField]:
    """The resource-filter questions the caller may answer."""
    return [
        f
        for f in catalog.booking_fields
        if f.filters_resources and (staff or f.visibility == "public")
    ]


def filter_values(catalog: Catalog, value: object, staff: bool) -> dict[str, object]:
    """``resourceFiltersCustomFields``: a value (or a list of values) per filter field id."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(
            _("resourceFiltersCustomFields must be an object of field ids and values."),
            field="resourceFiltersCustomFields",
        )
    known = {f.key for f in filter_fields(catalog, staff)}
    unknown = sorted(str(k)[:64] for k in set(value) - known)
    if unknown:
        raise ValidationFailed(
            _("These are not resource filters here: %(names)s.", names=", ".join(unknown)),
            field="resourceFiltersCustomFields",
            fields=unknown,
        )
    for key, wanted in value.items():
        items = wanted if isinstance(wanted, list) else [wanted]
        if not all(_plain(item) for item in items) or len(items) > MAX_FILTER_IDS:
            raise ValidationFailed(
                _("The value of %(name)s must be text, a number or a list of them.", name=key),
                field="resourceFiltersCustomFields",
                fields=[key],
            )
    return dict(value)


def _plain(value: object) -> bool:
    return (
        isinstance(value, str | int | float)
        and not isinstance(value, bool)
        and len(str(value)) <= 200
    )


def meta_keys(catalog: Catalog, staff: bool) -> set[str] | None:
    """Which custom data of a resource the caller sees: what the public filters match."""
    return None if staff else {f.key for f in filter_fields(catalog, staff)}


def matching_resources(
    catalog: Catalog,
    choice: ResourceChoice,
    filters: dict[str, object],
    type_id: str | None = None,
) -> list[Resource]:
    fields = [f for f in catalog.booking_fields if f.filters_resources]
    found = catalog.resources_for(type_id, choice.category_id)
    if choice.resource_ids:
        found = [r for r in found if r.id in choice.resource_ids]
    return [r for r in found if av.matches_filters(r, fields, filters)]


def keyset_page(
    items: Sequence,
    key: Callable[[object], tuple],
    *,
    limit: int,
    token: object,
    list_name: str,
    descending: bool = False,
) -> tuple[list, dict]:
    """One page of ``items`` in ``key`` order: those after the token's key, ``limit`` of them."""
    ordered = sorted(items, key=key, reverse=descending)
    after = decode(list_name, token)
    if after is not None:

        def beyond(item) -> bool:
            position = list(key(item))
            return position < after if descending else position > after

        try:
            ordered = [item for item in ordered if beyond(item)]
        except TypeError:
            raise ValidationFailed(
                _("This nextPageToken is not valid."), field="nextPageToken"
            ) from None
    chunk = ordered[:limit]
    following = list(key(chunk[-1])) if len(ordered) > limit else None
    return chunk, pagination(following, list_name)
