"""The public booking website, ``/<website slug>/...``: the customer's whole journey."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # Importing the view modules registers their routes on the blueprint.
    from webapp.embed import frame  # noqa: F401  (the frames' hooks on the same blueprint)
    from webapp.public import account, details, manage, pay, queue, views  # noqa: F401
    from webapp.public.blueprint import bp, kept_params

    app.register_blueprint(bp)
    # A global, so the form macros see it without importing the page's context.
    app.jinja_env.globals["kept_params"] = kept_params
