"""Manage Organizations, Organization API Keys and Account API Keys (seed 002).

An account API key acts as its user: it lists and creates the user's organizations (the
creator becomes the owner) and reaches every organization the user belongs to, by id, with
the user's role there. Staff access tokens and organization keys reach only the ``X-APP-ID``
organization; anything else answers 404, like an unknown id. Raw keys are shown once, in the
answer that made them."""

from __future__ import annotations

from datetime import datetime

from flask import g, request
from flask_babel import gettext as _

from webapp import accounts
from webapp.api.access import ROLE_RANK, Forbidden, management
from webapp.api.blueprint import app_id_optional, body, bp, ok
from webapp.api.pagination import decode, pagination, read_limit
from webapp.api.shapes import accounts as shape
from webapp.booking.errors import InvalidTimezone, NotFound, ValidationFailed
from webapp.extensions import db
from webapp.manage import api_keys as keys
from webapp.manage import organizations as orgs
from webapp.models import Organization, User
from webapp.public.blueprint import now

ORGANIZATIONS_PAGE = 10  # the seed's default page size for this list
LIST_NAME = "organizations"


def _account_key_caller() -> bool:
    key = g.caller.api_key
    return key is not None and key.scope == keys.ACCOUNT


def _target(organization_id: str, role: str) -> tuple[Organization, str]:
    """The organization named in the path and the caller's role in it (404 when the caller
    cannot reach it, 403 when the role is too low)."""
    if _account_key_caller():
        member = orgs.membership(db.session, g.caller.user, organization_id)
        if member is None:
            raise NotFound(_("Organization not found."))
        organization, actual = orgs.organization_by_id(db.session, organization_id), member.role
    elif g.organization is not None and g.organization.id == organization_id:
        organization, actual = g.organization, g.caller.role
    else:
        raise NotFound(_("Organization not found."))
    if ROLE_RANK[actual] < ROLE_RANK[role]:
        raise Forbidden(_("Your role does not allow this."))
    return organization, actual


def _shaped(organization: Organization, role: str | None) -> dict:
    website = orgs.websites_of(db.session, [organization.id]).get(organization.id)
    return shape.organization(organization, website, role)


def _no_store(response):
    """Answers that carry a secret are never kept by caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_position(token: object) -> tuple[datetime, str] | None:
    position = decode(LIST_NAME, token)
    if position is None:
        return None
    try:
        return datetime.fromisoformat(position[0]), str(position[1])
    except (IndexError, TypeError, ValueError):
        raise ValidationFailed(
            _("This nextPageToken is not valid."), field="nextPageToken"
        ) from None


# --- organizations -------------------------------------------------------------------------


@bp.get("/management/organizations")
@management("staff")
@app_id_optional
def organizations_list():
    limit = read_limit(request.args.get("limit"), default=ORGANIZATIONS_PAGE)
    after = _page_position(request.args.get("nextPageToken"))
    user = g.caller.user
    if user is None:  # an organization key knows only its own organization
        rows = [(g.organization, g.caller.role)] if after is None else []
    else:
        rows = orgs.user_organizations(db.session, user, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    websites = orgs.websites_of(db.session, [row.id for row, _role in rows])
    result = [shape.organization(row, websites.get(row.id), role) for row, role in rows]
    last = rows[-1][0] if more else None
    db.session.commit()
    return ok(
        result,
        pagination=pagination([last.created_at.isoformat(), last.id] if last else None, LIST_NAME),
    )


def _text_or_none(data: dict, name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(_("%(field)s must be a string.", field=name), field=name)
    return value


@bp.post("/management/organizations")
@management("staff")
@app_id_optional
def organization_create():
    if not _account_key_caller():
        raise Forbidden(_("Organizations are created with an account API key."))
    data = body()
    name = _text_or_none(data, "name")
    if not (name or "").strip():
        raise ValidationFailed(_("name is required."), field="name")
    timezone = orgs.check_timezone(data.get("timezone"))
    business = orgs.check_business(data.get("businessTypeId"), data.get("businessCustomConfig"))
    slug = _text_or_none(data, "slug")
    try:
        organization, website = accounts.create_organization(
            db.session, owner=g.caller.user, name=name, timezone=timezone, slug=slug or None
        )
    except InvalidTimezone:
        raise ValidationFailed(_("Choose a valid time zone."), field="timezone") from None
    organization.business_type_id, organization.business_custom_config = business
    db.session.flush()
    result = shape.organization(organization, website, "owner")
    db.session.commit()
    return ok(result, 201)


@bp.get("/management/organizations/<organization_id>")
@management("staff")
@app_id_optional
def organization_detail(organization_id: str):
    organization, role = _target(organization_id, "staff")
    result = _shaped(organization, role)
    db.session.commit()
    return ok(result)


@bp.put("/management/organizations/<organization_id>")
@management("staff")
@app_id_optional
def organization_update(organization_id: str):
    organization, role = _target(organization_id, "admin")
    data = body()
    orgs.update_organization(
        db.session,
        organization,
        name=data.get("name"),
        timezone=data.get("timezone"),
        business_type_id=data.get("businessTypeId", organization.business_type_id),
        business_custom_config=data.get(
            "businessCustomConfig", organization.business_custom_config
        ),
    )
    result = _shaped(organization, role)
    db.session.commit()
    return ok(result)


@bp.delete("/management/organizations/<organization_id>")
@management("staff")
@app_id_optional
def organization_delete(organization_id: str):
    organization, _role = _target(organization_id, "owner")
    if request.args.get("hardDelete", "false").lower() not in {"false", "0", ""}:
        raise ValidationFailed(
            _("Organizations are only closed (soft delete); permanent deletion is not offered."),
            field="hardDelete",
        )
    orgs.close_organization(db.session, organization, now=now())
    result = {
        "id": organization.id,
        "isDeleted": True,
        "deletedAt": shape.instant(organization.deleted_at),
    }
    db.session.commit()
    return ok(result)


# --- API keys ------------------------------------------------------------------------------


def _list_keys(owner: Organization | User):
    result = [shape.api_key(row) for row in keys.keys_of(db.session, owner, active_only=True)]
    db.session.commit()
    return ok(result)


def _create_key(owner: Organization | User):
    data = body()
    row, raw = keys.create_key(db.session, owner, data.get("name"))
    result = shape.api_key(row, raw)
    db.session.commit()
    return _no_store(ok(result, 201))


def _delete_key(owner: Organization | User, name: object):
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed(_("Name the key to delete."), field="name")
    row = keys.revoke_key_named(db.session, owner, name.strip(), now=now())
    result = shape.api_key(row)
    db.session.commit()
    return ok(result)


@bp.get("/management/organizations/<organization_id>/apiKeys")
@management("staff")
@app_id_optional
def organization_keys_list(organization_id: str):
    return _list_keys(_target(organization_id, "admin")[0])


@bp.post("/management/organizations/<organization_id>/apiKeys")
@management("staff")
@app_id_optional
def organization_key_create(organization_id: str):
    return _create_key(_target(organization_id, "admin")[0])


@bp.delete("/management/organizations/<organization_id>/apiKeys/<path:name>")
@management("staff")
@app_id_optional
def organization_key_delete(organization_id: str, name: str):
    return _delete_key(_target(organization_id, "admin")[0], name)


@bp.delete("/management/organizations/<organization_id>/apiKeys")
@management("staff")
@app_id_optional
def organization_key_delete_by_body(organization_id: str):
    organization = _target(organization_id, "admin")[0]
    return _delete_key(organization, body().get("name") or request.args.get("name"))


def _account() -> User:
    """The user whose account keys these are: an account key's own user, or a signed-in
    admin or owner (staff members and organization keys manage no keys)."""
    caller = g.caller
    if caller.user is None:
        raise Forbidden(_("Account keys are managed with an account API key."))
    if not _account_key_caller() and not caller.may("admin"):
        raise Forbidden(_("Your role does not allow this."))
    return caller.user


@bp.get("/management/account/apiKeys")
@management("staff")
@app_id_optional
def account_keys_list():
    return _list_keys(_account())


@bp.post("/management/account/apiKeys")
@management("staff")
@app_id_optional
def account_key_create():
    return _create_key(_account())


@bp.delete("/management/account/apiKeys/<path:name>")
@management("staff")
@app_id_optional
def account_key_delete(name: str):
    return _delete_key(_account(), name)


@bp.delete("/management/account/apiKeys")
@management("staff")
@app_id_optional
def account_key_delete_by_body():
    return _delete_key(_account(), body().get("name") or request.args.get("name"))
