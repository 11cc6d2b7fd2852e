"""What every API call shares: the website named by ``X-APP-ID``, the language named by
``lang``, the JSON body, and the envelope of an answer."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from webapp.auth import tokens
from webapp.booking import idempotency
from webapp.booking.errors import NotFound, ValidationFailed
from webapp.extensions import db
from webapp.i18n import LANGUAGES
from webapp.models import Customer, Organization, Website, WebsiteVersion
from webapp.public.blueprint import now

bp = Blueprint("api", __name__, url_prefix="/api")


# The website of an app id, whether or not it is on (staff manage a website that is off).
_WEBSITE = (
    select(Website, WebsiteVersion, Organization)
    .join(WebsiteVersion, WebsiteVersion.website_id == Website.id)
    .join(Organization, Organization.id == Website.organization_id)
    .where(
        WebsiteVersion.version == "default",
        Organization.is_deleted.is_(False),
        Website.app_id == bindparam("app_id"),
    )
)
# Paths that work on a website that is switched off: its staff manage it from here.
STAFF_PATHS = ("/api/management/", "/api/website")


def app_id_optional(view):
    """The view works without ``X-APP-ID`` (e.g. an account key listing organizations)."""
    view.app_id_optional = True
    return view


@bp.before_request
def _website_and_language():
    lang = request.headers.get("lang") or request.args.get("lang")
    if lang in LANGUAGES:
        g.lang = lang
    app_id = (request.headers.get("X-APP-ID") or "").strip()[:64]
    row = db.session.execute(_WEBSITE, {"app_id": app_id}).first() if app_id else None
    if row is not None and (row[1].on or request.path.startswith(STAFF_PATHS)):
        g.website, g.site, g.organization = row
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "app_id_optional", False) and not app_id:
        g.organization = None
        return
    raise NotFound(_("Send the website's app id in the X-APP-ID header."), header="X-APP-ID")


def body() -> dict:
    """The request's JSON object (an empty body counts as ``{}``)."""
    if not request.get_data(cache=True):
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(_("The body must be a JSON object."))
    return data


def ok(result, status: int = 200, *, pagination: dict | None = None):
    """The answer envelope: ``{"result": ...}``, lists with their ``pagination``."""
    answer = {"result": result}
    if pagination is not None:
        answer["pagination"] = pagination
    response = jsonify(answer)
    response.status_code = status
    return response


def answer_once(
    organization_id: str, operation: str, payload: object, action: Callable[[], tuple[int, str]]
):
    """Run ``action`` (which answers the status and body to send) once per
    ``Idempotency-Key`` and commit: a retry gets the first answer byte for byte, with
    ``Idempotent-Replayed: true``; the key with another payload answers 422."""
    result = idempotency.run_idempotent(
        db.session,
        organization_id,
        request.headers.get("Idempotency-Key"),
        operation,
        payload,
        action,
        now(),
    )
    db.session.commit()
    response = current_app.response_class(
        result.body, status=result.status, mimetype="application/json"
    )
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def bearer_claims() -> tokens.AccessClaims | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    claims = tokens.read_access_token(raw.strip(), secret_key=current_app.config["SECRET_KEY"])
    if claims is None or g.organization is None or claims.organization_id != g.organization.id:
        return None
    return claims


def customer_required(view):
    """The view acts for the customer named by the request's access token (401 without)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        claims = bearer_claims()
        customer = (
            db.session.get(Customer, claims.customer_id) if claims and claims.customer_id else None
        )
        if customer is None or customer.organization_id != g.organization.id:
            raise tokens.TokenInvalid(
                _("Sign in as a customer: send Authorization: Bearer <accessToken>.")
            )
        g.customer = customer
        return view(*args, **kwargs)

    return wrapped
