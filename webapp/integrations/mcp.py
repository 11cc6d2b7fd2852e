"""The MCP server of seed 003 at ``/mcp``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("mcp", __name__)
