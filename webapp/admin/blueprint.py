"""The staff admin's blueprint and what every admin view shares: the signed-in member and
their organization, role checks, the staff member's own resources, and pages that are
either a full page or, for HTMX, just the part that changed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import make_response
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Member, Organization, Resource

bp = Blueprint("admin", __name__, url_prefix="/admin")

ORG_SESSION_KEY = "org_id"
ROLE_RANK = {"staff": 1, "admin": 2, "owner": 3}
# Views anyone may reach: signing in and recovering a password.
PUBLIC_ENDPOINTS = frozenset(
    {"admin.login", "admin.password_forgot", "admin.password_reset", "admin.logout"}
)


def memberships(user) -> list[tuple[Member, Organization]]:
    rows = db.session.execute(
        select(Member, Organization)
        .join(Organization, Organization.id == Member.organization_id)
        .where(Member.user_id == user.id, Organization.is_deleted.is_(False))
        .order_by(Organization.name)
    )
    return [(member, organization) for member, organization in rows]


@bp.before_request
def _require_member():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return _to_login()
    rows = memberships(current_user)
    if not rows:
        abort(403, description=_("Your account does not belong to any organization yet."))
    chosen = session.get(ORG_SESSION_KEY)
    member, organization = next(((m, o) for m, o in rows if o.id == chosen), rows[0])
    session[ORG_SESSION_KEY] = organization.id
    g.member, g.organization, g.memberships = member, organization, rows
    return None


def _to_login():
    target = url_for("admin.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") == "true":
        # HTMX follows this with a full page load, not a swap of the login form into a panel.
        return make_response("", 401, redirect=target)
    return redirect(target)


@bp.after_request
def _never_cached(response):
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def has_role(role: str) -> bool:
    member = g.get("member")
    return member is not None and ROLE_RANK[member.role] >= ROLE_RANK[role]


def requires(role: str) -> Callable:
    """Only members with at least ``role`` (staff < admin < owner) may use the view."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_role(role):
                abort(403, description=_("Your role does not allow this."))
            return view(*args, **kwargs)

        return wrapped

    return decorate


def own_resource_ids() -> list[str] | None:
    """The resources a staff member provides; None for owners and admins (all of them)."""
    if has_role("admin"):
        return None
    return [resource.id for resource in g.member.resources]


def scoped_resources():
    """The organization's resources this member may see, in display order."""
    statement = (
        select(Resource)
        .where(Resource.organization_id == g.organization.id)
        .order_by(Resource.position, Resource.name)
    )
    own = own_resource_ids()
    if own is not None:
        statement = statement.where(Resource.id.in_(own))
    return list(db.session.scalars(statement))


def may_manage_resource(resource_id: str | None) -> bool:
    own = own_resource_ids()
    return own is None or resource_id in own


def is_partial(target: str) -> bool:
    """HTMX asked for the element ``target`` only (not a boosted page or history restore)."""
    return (
        bool(request.htmx)
        and request.htmx.target == target
        and not request.htmx.history_restore_request
    )


def render(template: str, status: int = 200, *, partial: str | None = None, target=None, **ctx):
    """The full page, or ``partial`` when HTMX asked for the element ``target`` only."""
    if partial and target and is_partial(target):
        return render_template(partial, **ctx), status
    return render_template(template, **ctx), status


def toast(body, message: str, kind: str = "success", status: int = 200, **htmx):
    """A response that shows ``message`` as a toast (HTMX) or after the next page (plain)."""
    if request.htmx:
        trigger = {"toast": {"message": message, "kind": kind}}
        return make_response(body, status, trigger=trigger, **htmx)
    flash(message, kind)
    return make_response(body, status)


def after_action(url: str, message: str, kind: str = "success"):
    """Where a form or button goes next: HTMX follows ``url`` without a full reload and shows
    the toast; a plain browser follows a 303 and sees the flashed message."""
    if request.htmx:
        return make_response(
            "", 200, location=url, trigger={"toast": {"message": message, "kind": kind}}
        )
    flash(message, kind)
    return redirect(url, 303)
