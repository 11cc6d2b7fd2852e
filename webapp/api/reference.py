"""The API's description: ``/api/openapi.json`` (OpenAPI 3.1) and ``/api/docs``, a page
rendered on the server from the same description (no script, nothing from a CDN)."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request

from webapp.api.blueprint import app_id_optional, bp
from webapp.api.openapi import build_spec

_CACHE_KEY = "mawid.openapi"


def spec() -> dict:
    """The description (built once), its server the address this request came to."""
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is None:
        cached = build_spec(current_app)
        current_app.extensions[_CACHE_KEY] = cached
    return {**cached, "servers": [{"url": request.host_url.rstrip("/")}]}


@bp.get("/openapi.json")
@app_id_optional
def openapi_json():
    response = jsonify(spec())
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/docs")
@app_id_optional
def docs():
    return render_template("api/docs.html", spec=spec())
