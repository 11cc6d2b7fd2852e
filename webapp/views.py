"""The front page and the health check."""

from __future__ import annotations

from flask import Flask, jsonify, render_template
from sqlalchemy import select, text

from webapp.extensions import db
from webapp.models import Organization, Website


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
