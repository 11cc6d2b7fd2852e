"""How errors reach people: JSON surfaces answer the error envelope, pages an error page.
Bad input is never a 5xx."""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from webapp.booking.errors import BookingError
from webapp.extensions import db
from webapp.security import CSRFError

# Headers of an HTTP error that tell the client what to do next.
KEPT_HEADERS = frozenset({"Retry-After", "Allow", "WWW-Authenticate"})
JSON_PREFIXES = ("/api", "/oauth", "/rwg", "/mcp", "/module", "/healthz")
# Stable codes for the HTTP errors clients act on.
HTTP_CODES = {429: "RATE_LIMITED", 413: "PAYLOAD_TOO_LARGE"}


def wants_json() -> bool:
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def error_template() -> str:
    """The page an error is shown on: inside the widget's frame, one without site chrome."""
    return g.get("error_template", "error.html")


def envelope(code: str, message: str, status: int, details: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


def register(app: Flask) -> None:
    @app.errorhandler(BookingError)
    def _booking_error(error: BookingError):
        db.session.rollback()
        if wants_json():
            response = envelope(error.code, error.message, error.http_status, error.details)
        else:
            response = app.make_response(
                (
                    render_template(error_template(), code=error.code, message=error.message),
                    error.http_status,
                )
            )
        retry_after = error.details.get("retry_after")
        if isinstance(retry_after, int):
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = HTTP_CODES.get(error.code or 0) or (error.name or "error").upper().replace(" ", "_")
        if isinstance(error, CSRFError):
            code = "CSRF_FAILED"
        if wants_json():
            response = envelope(code, error.description or error.name, error.code or 500)
        else:
            response = app.make_response(
                (
                    render_template(error_template(), code=code, message=error.description),
                    error.code or 500,
                )
            )
        for name, value in error.get_headers():
            if name in KEPT_HEADERS:
                response.headers[name] = value
        return response
