"""The module API of seed 001 at ``/module/v3/<lang>/organization/<organizationId>/``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("module_api", __name__, url_prefix="/module/v3")
