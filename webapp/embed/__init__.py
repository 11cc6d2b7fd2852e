"""The embeddable widget: ``/scheduling-sdk.js`` and the booking flow in its iframes,
``/embed/<app id>/...``, served by the website's own views (see :mod:`webapp.embed.frame`)."""

from __future__ import annotations

from flask import Flask

from webapp.public.blueprint import EMBED, FRAME_KEY


def init_app(app: Flask) -> None:
    from webapp.embed import assets, views
    from webapp.public.blueprint import bp as website

    assets.init_app(app)
    app.register_blueprint(website, name=EMBED, url_prefix=f"/embed/<{FRAME_KEY}>")
    app.register_blueprint(views.bp)
