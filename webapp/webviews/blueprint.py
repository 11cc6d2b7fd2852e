"""What every admin widget shares: the organization from ``orgId``, Arabic unless ``lang``
says otherwise, framing by allowed origins only, and the bearer token on fragment requests."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.auth import tokens
from webapp.embed.origins import allowed_origins, frame_ancestors
from webapp.extensions import db
from webapp.i18n import LANGUAGES
from webapp.models import Organization, Website

bp = Blueprint("webviews", __name__)

DEFAULT_LANG = "ar"  # seed 002: "Defaults to ar."


@bp.before_request
def _organization_and_language():
    lang = request.args.get("lang")
    g.lang = lang if lang in LANGUAGES else DEFAULT_LANG
    g.error_template = "webviews/error.html"
    org_id = (request.args.get("orgId") or "")[:64]
    organization = db.session.get(Organization, org_id) if org_id else None
    if organization is None or organization.is_deleted:
        abort(404, description=_("There is no organization with this orgId."))
    g.organization = organization
    websites = db.session.scalars(
        select(Website.allowed_domains).where(Website.organization_id == organization.id)
    )
    g.allowed_origins = allowed_origins(o for domains in websites for o in (domains or []))


@bp.after_request
def _frame_headers(response):
    if "allowed_origins" in g:
        # The organization's own pages (its admin) may preview the widgets too.
        directive = frame_ancestors(["'self'", *g.allowed_origins])
        response.headers["Content-Security-Policy"] = directive
        response.headers.pop("X-Frame-Options", None)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def bearer_member(view):
    """The view acts as the member named by the request's access token (401 without one)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, raw = header.partition(" ")
        claims = None
        if scheme.lower() == "bearer":
            claims = tokens.read_access_token(
                raw.strip(), secret_key=current_app.config["SECRET_KEY"]
            )
        found = tokens.membership(db.session, claims) if claims else None
        if found is None or found[1].id != g.organization.id:
            abort(401, description=_("Sign-in is needed: the access token is missing or expired."))
        g.member, _organization = found
        g.user_id = claims.user_id
        return view(*args, **kwargs)

    return wrapped
