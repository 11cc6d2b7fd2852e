"""The hold/confirm API of seed 003 at ``/api/v1``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
