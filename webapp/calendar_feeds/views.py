"""The feed itself: a calendar file that apps read again every so often. It answers 304 when
nothing changed since the app's last reading, and plain text when there is no such feed."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, g, request
from flask_babel import gettext as _

from webapp.extensions import db
from webapp.manage import calendar_feeds as feeds
from webapp.public.blueprint import now
from webapp.security import limiter

bp = Blueprint("calendar_feeds", __name__, url_prefix="/calendar")

CACHE_CONTROL = "private, max-age=300"


def _feed_limit() -> str:
    return current_app.config["CALENDAR_FEED_RATE_LIMIT"]


def _token_key() -> str:
    # Per feed address: one office may have many apps reading many feeds.
    token = (request.view_args or {}).get("token", "")
    return "calendar-feed:" + hashlib.sha256(token.encode()).hexdigest()[:32]


@bp.get("/feed/<token>.ics")
@limiter.limit(_feed_limit, key_func=_token_key)
def feed_ics(token: str):
    moment = now()
    feed = feeds.find_by_token(db.session, token, current_app.config["SECRET_KEY"])
    if feed is None:
        return _plain(_("There is no calendar feed at this address."), 404)
    g.site_lang = feeds.feed_language(db.session, feed)
    document = feeds.feed_document(db.session, feed, now=moment)
    response = Response(document.body, mimetype="text/calendar")
    response.headers.set("Content-Disposition", "inline", filename=document.filename)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Accept-Language")
    response.set_etag(hashlib.sha256(document.body).hexdigest()[:32])
    response.make_conditional(request)
    feeds.note_read(db.session, feed, moment)
    db.session.commit()
    return response


@bp.errorhandler(429)
def _too_many(error):
    response = _plain(_("Too many requests for this calendar feed. Try again later."), 429)
    for name, value in error.get_headers():
        if name == "Retry-After":
            response.headers[name] = value
    return response


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status, mimetype="text/plain")
