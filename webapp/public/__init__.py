"""The public booking website, ``/<website slug>/...``: the customer's whole journey."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # Importing the view modules registers their routes on the blueprint.
    from webapp.public import account, details, manage, views  # noqa: F401
    from webapp.public.blueprint import bp

    app.register_blueprint(bp)
