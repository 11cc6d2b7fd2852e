"""What every API call shares: the website named by ``X-APP-ID``, the language named by
``lang``, the JSON body, and the envelope of an answer."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from webapp.booking.errors import NotFound, ValidationFailed
from webapp.i18n import LANGUAGES
from webapp.public.blueprint import find_website

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def _website_and_language():
    lang = request.headers.get("lang") or request.args.get("lang")
    if lang in LANGUAGES:
        g.lang = lang
    app_id = (request.headers.get("X-APP-ID") or "").strip()[:64]
    row = find_website(app_id=app_id) if app_id else None
    if row is None:
        raise NotFound(_("Send the website's app id in the X-APP-ID header."), header="X-APP-ID")
    g.website, g.site, g.organization = row


def body() -> dict:
    """The request's JSON object (an empty body counts as ``{}``)."""
    if not request.get_data(cache=True):
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(_("The body must be a JSON object."))
    return data


def ok(result, status: int = 200):
    response = jsonify({"result": result})
    response.status_code = status
    return response
