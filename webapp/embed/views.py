"""The widget's own addresses: the SDK script, a way out of a frame that cannot be shown, and
a page to try the widget on."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from webapp.embed.assets import assets
from webapp.embed.origins import allowed_origins, is_allowed
from webapp.extensions import db
from webapp.i18n import LANGUAGES
from webapp.public.blueprint import website_or_404
from webapp.public.catalog import load_catalog

bp = Blueprint("widget", __name__)

# The SDK's address never changes, so browsers check back for a new version now and then.
SDK_MAX_AGE = 3600
CHOICE_PARAMS = ("type", "resource")


@bp.get("/scheduling-sdk.js")
def sdk_script():
    built = assets().get("sdk")
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    response = make_response(built.gzipped if gzipped else built.body)
    response.content_type = "text/javascript; charset=utf-8"
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.set_etag(built.etag)
    response.cache_control.public = True
    response.cache_control.max_age = SDK_MAX_AGE
    response.headers["Access-Control-Allow-Origin"] = "*"
    # Pages that isolate themselves (COEP) may still load it.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


@bp.get("/embed/<app_id>/open")
def website_open(app_id: str):
    """The booking website itself, for a host page where the frame cannot be shown."""
    website, _site, _organization = website_or_404(app_id=app_id[:32])
    params = {k: request.args[k][:64] for k in CHOICE_PARAMS if request.args.get(k)}
    if request.args.get("lang") in LANGUAGES:
        params["lang"] = request.args["lang"]
    return redirect(url_for("public.booking_start", slug=website.slug, **params), 303)


@bp.get("/embed/<app_id>/try")
def website_try(app_id: str):
    """A host page with both kinds of widget, their snippets and the events they send."""
    website, _site, organization = website_or_404(app_id=app_id[:32])
    # The services the website offers, as its booking flow lists them.
    services = load_catalog(db.session, organization).types
    allowed = allowed_origins(website.allowed_domains)
    here = request.host_url.rstrip("/")
    return render_template(
        "embed/try.html",
        website=website,
        services=services,
        service=next((s for s in services if s.id == request.args.get("type")), None)
        or (services[0] if services else None),
        allowed=allowed,
        here=here,
        here_allowed=is_allowed(here, allowed),
        sdk_url=url_for("widget.sdk_script", _external=True),
    )
