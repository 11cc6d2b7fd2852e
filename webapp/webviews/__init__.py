"""The admin widgets: admin pages a business embeds in its own systems (seed 002 "Admin
Widgets"), at the seed's addresses.

A widget page is a chrome-less shell that tells its host page it is ready; the host answers
with a refresh or access token by ``postMessage``. The token stays in the frame's memory and
travels as ``Authorization: Bearer`` on every HTMX request, so nothing depends on a cookie
(a third-party frame may not have any) and there is no ambient credential to forge requests
with. Only the organization's allowed origins may frame the widgets, and the frame talks to
its verified host origin only."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.webviews import views  # noqa: F401  (routes register on the blueprint)
    from webapp.webviews.blueprint import bp

    app.register_blueprint(bp)
