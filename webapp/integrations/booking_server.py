"""The booking server of seed 004 at ``/rwg/v3/``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("booking_server", __name__, url_prefix="/rwg/v3")
