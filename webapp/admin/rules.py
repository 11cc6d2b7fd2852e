"""Working hours (time rules) and time off (off rules) of a resource."""

from __future__ import annotations

from flask import abort

from webapp.admin.blueprint import bp


@bp.route("/resources/<resource_id>/time-rules", methods=["GET", "POST"])
def rules_time(resource_id: str):
    abort(404)


@bp.route("/resources/<resource_id>/off-rules", methods=["GET", "POST"])
def rules_off(resource_id: str):
    abort(404)
