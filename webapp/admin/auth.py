"""Signing in and out, recovering a password, and choosing the organization to work on."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from webapp.accounts import MIN_PASSWORD_LENGTH
from webapp.admin.blueprint import ORG_SESSION_KEY, after_action, bp, memberships
from webapp.extensions import db
from webapp.models import User
from webapp.notify.messaging import send_email
from webapp.security import limiter

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.session_protection = "basic"

RESET_SALT = "mawid.password-reset"
RESET_MAX_AGE = 3600
INVITE_MAX_AGE = 7 * 24 * 3600


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None


def _safe_next(target: str | None) -> str:
    """Only a path on this site under /admin (never another host) after signing in."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin"):
        return url_for("admin.dashboard")
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("LOGIN_RATE_LIMIT", "10/minute"), methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    email = (request.form.get("email") or "").strip().lower()
    error = None
    if request.method == "POST":
        user = db.session.scalar(select(User).where(User.email == email)) if email else None
        if (
            user is not None
            and user.is_active
            and user.check_password(request.form.get("password") or "")
        ):
            session.clear()
            login_user(user, remember=bool(request.form.get("remember")))
            return redirect(_safe_next(request.form.get("next")), 303)
        error = _("The email or the password is not right.")
    return (
        render_template(
            "admin/login.html", email=email, error=error, next=request.values.get("next", "")
        ),
        422 if error else 200,
    )


@bp.post("/logout")
def logout():
    logout_user()
    session.pop(ORG_SESSION_KEY, None)
    return redirect(url_for("admin.login"), 303)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def password_token(user: User, *, invite: bool = False) -> str:
    # Bound to the current password hash: the link stops working once it has been used.
    return _serializer().dumps({"u": user.id, "h": user.password_hash[-12:], "i": invite})


def _user_from_token(token: str) -> User | None:
    serializer = _serializer()
    try:
        data = serializer.loads(token, max_age=INVITE_MAX_AGE)
        if not data.get("i"):
            serializer.loads(token, max_age=RESET_MAX_AGE)
    except (BadSignature, SignatureExpired, AttributeError):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_active or user.password_hash[-12:] != data.get("h"):
        return None
    return user


def send_password_link(user: User, *, invited_to: str | None = None) -> None:
    token = password_token(user, invite=bool(invited_to))
    link = url_for("admin.password_reset", token=token, _external=True)
    if invited_to:
        subject = _("You are invited to manage %(name)s", name=invited_to)
        text = _(
            "You have been added to %(name)s on Mawid. Choose your password here "
            "(the link works for 7 days):\n\n%(link)s",
            name=invited_to,
            link=link,
        )
    else:
        subject = _("Reset your Mawid password")
        text = _(
            "Choose a new password here (the link works for one hour):\n\n%(link)s\n\n"
            "If you did not ask for this, ignore this email.",
            link=link,
        )
    send_email(user.email, subject, text)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("LOGIN_RATE_LIMIT", "10/minute"), methods=["POST"])
def password_forgot():
    sent = False
    if request.method == "POST":
        email = (request.form.get("email") or "").strip().lower()
        user = db.session.scalar(select(User).where(User.email == email)) if email else None
        if user is not None and user.is_active:
            send_password_link(user)
        # The same answer whether or not the address has an account.
        sent = True
    return render_template("admin/password_forgot.html", sent=sent)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    user = _user_from_token(token)
    if user is None:
        abort(404, description=_("This link has expired or was already used."))
    error = None
    if request.method == "POST":
        password = request.form.get("password") or ""
        if len(password) < MIN_PASSWORD_LENGTH:
            error = _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        elif password != request.form.get("confirm"):
            error = _("The two passwords are not the same.")
        else:
            user.set_password(password)
            db.session.commit()
            session.clear()
            login_user(user)
            return redirect(url_for("admin.dashboard"), 303)
    return (
        render_template("admin/password_reset.html", token=token, user=user, error=error),
        422 if error else 200,
    )


@bp.post("/organization")
def organization_switch():
    chosen = request.form.get("organization_id")
    if not any(org.id == chosen for _member, org in memberships(current_user)):
        abort(404)
    session[ORG_SESSION_KEY] = chosen
    return after_action(url_for("admin.dashboard"), _("Organization switched."))
