"""The front page and the health check."""

from __future__ import annotations

from flask import Flask, abort, current_app, jsonify, render_template, send_file
from sqlalchemy import select, text

from webapp.extensions import db
from webapp.models import Organization, Website
from webapp.uploads import open_upload, photo_type


def register(app: Flask) -> None:
    @app.get("/")
    def home():
        rows = db.session.execute(
            select(Website, Organization)
            .join(Organization, Organization.id == Website.organization_id)
            .where(Organization.is_deleted.is_(False))
            .order_by(Organization.name)
        ).all()
        return render_template("home.html", websites=rows)

    @app.get("/healthz")
    def healthz():
        db.session.execute(text("SELECT 1"))
        return jsonify({"status": "ok", "database": db.engine.dialect.name})

    @app.get("/media/<organization_id>/<key>")
    def media(organization_id: str, key: str):
        """Photos staff uploaded for the website; public, and only ever served as images."""
        path = open_upload(organization_id, key, folder=current_app.config["MEDIA_FOLDER"])
        mimetype = photo_type(path) if path else None
        if mimetype is None:
            abort(404)
        response = send_file(path, mimetype=mimetype, max_age=86400)
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
