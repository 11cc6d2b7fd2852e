"""Built front-end files (webassets): the widget SDK, and the frame's script and styles.

Bundles are minified into ``static/gen/`` under names that carry a hash of their content, so
they can be cached for a year; a source that changes gets a new name on the next request.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass

from flask import Flask, current_app, request
from markupsafe import Markup
from webassets import Bundle, Environment

EXTENSION_KEY = "mawid.assets"
GEN_FOLDER = "gen"
SDK_SOURCE = os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "widget", "scheduling-sdk.js")
)
# name: (sources, filter, output)
BUNDLES = {
    "sdk": ((SDK_SOURCE,), "rjsmin", "gen/scheduling-sdk.%(version)s.js"),
    "frame_js": (
        ("vendor/htmx.min.js", "js/public.js", "js/embed.js"),
        "rjsmin",
        "gen/embed.%(version)s.js",
    ),
    "frame_css": (("css/public.css", "css/embed.css"), "rcssmin", "gen/embed.%(version)s.css"),
}


@dataclass(frozen=True)
class Built:
    """A bundle as built: its URL, its bytes, the same gzipped, and an ETag."""

    url: str
    body: bytes
    gzipped: bytes
    etag: str


class Assets:
    def __init__(self, app: Flask):
        static = app.static_folder or ""
        os.makedirs(os.path.join(static, GEN_FOLDER), exist_ok=True)
        self.env = Environment(
            directory=static,
            url=app.static_url_path,
            versions="hash",
            manifest="file:" + os.path.join(static, GEN_FOLDER, ".manifest"),
            cache=False,
            url_expire=False,
            auto_build=True,
        )
        for name, (sources, filters, output) in BUNDLES.items():
            self.env.register(name, Bundle(*sources, filters=filters, output=output))
        self._built: dict[str, Built] = {}
        # Outside debug mode the files are built once per process.
        self._check_sources = app.debug

    def get(self, name: str) -> Built:
        built = self._built.get(name)
        if built is not None and not self._check_sources:
            return built
        bundle = self.env[name]
        url = bundle.urls()[0]
        if built is None or built.url != url:
            with open(bundle.resolve_output(), "rb") as file:
                body = file.read()
            built = Built(
                url=url,
                body=body,
                gzipped=gzip.compress(body, 9, mtime=0),
                etag=hashlib.sha256(body).hexdigest()[:24],
            )
            self._built[name] = built
        return built


def assets() -> Assets:
    return current_app.extensions[EXTENSION_KEY]


def asset_url(name: str) -> str:
    return assets().get(name).url


def frame_styles() -> Markup:
    # Our own minified stylesheet, inlined into the frame's head.
    return Markup(assets().get("frame_css").body.decode("utf-8"))


def build_all() -> list[str]:
    """Build every bundle that is missing or older than its sources; their URLs."""
    return [assets().get(name).url for name in BUNDLES]


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = Assets(app)
    app.jinja_env.globals.update(asset_url=asset_url, frame_styles=frame_styles)

    @app.after_request
    def _cache_built_files(response):
        # Built files are named by their content: they never change under the same name.
        if request.endpoint == "static" and (request.view_args or {}).get(
            "filename", ""
        ).startswith(GEN_FOLDER + "/"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response
