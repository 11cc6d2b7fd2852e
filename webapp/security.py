"""Request-level protection: CSRF on every form, framing denied unless a view allows it,
rate limits, and the client address behind trusted proxies."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import integrations

csrf = CSRFProtect()
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Surfaces that never read a cookie or a session: the widget's frames carry their state in
# signed URLs and the admin widgets a bearer token in a header, so a forged request has no
# ambient credential to ride on and needs no CSRF token (which would live in a cookie the
# browser blocks inside a third-party frame). The API authenticates by header only, and a
# calendar feed by the token in its address, the integrations by their own credentials.
COOKIELESS_BLUEPRINTS = frozenset(
    {"embed", "webviews", "api", "calendar_feeds"} | set(integrations.BLUEPRINTS)
)

# Pages elsewhere that read no cookie either: an invoice's payment page for an app's web view
# or another site's frame, reached by its signed link.
COOKIELESS_ENDPOINTS = frozenset({"public.payment_webview"})


def cookieless() -> bool:
    return request.blueprint in COOKIELESS_BLUEPRINTS or request.endpoint in COOKIELESS_ENDPOINTS


def client_ip() -> str:
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_ip, default_limits=[], headers_enabled=True)


def init_app(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    # CSRF is checked by the hook below, which knows the cookieless surfaces.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    @app.before_request
    def _check_csrf():
        if (
            app.config.get("WTF_CSRF_ENABLED", True)
            and request.method in app.config.get("WTF_CSRF_METHODS", UNSAFE_METHODS)
            and request.endpoint is not None
            and not cookieless()
        ):
            csrf.protect()

    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)

    @app.after_request
    def _headers(response):
        # Pages are never framed unless the view said otherwise (the widget's views do).
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        if "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", ""):
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


__all__ = ["CSRFError", "client_ip", "cookieless", "csrf", "init_app", "limiter"]
