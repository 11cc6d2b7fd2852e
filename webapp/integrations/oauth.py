"""``POST /oauth/token``: OAuth 2.0 for API clients, on authlib's authorization server.

Seed 001's flow, which seed 003's clients follow too:
- ``grant_type=client_credentials`` (with the client's secret, or only its ``client_id`` for
  a public module client) answers a refresh token and, for clients that want to start at
  once, an access token;
- ``grant_type=refresh_token`` with ``organization_id`` answers an access token for that
  organization, valid five minutes.

A refresh token is kept (hashed) for 30 minutes and may be exchanged again and again, as the
seed's clients do; a new one costs one more client-credentials call. Access tokens are signed
and carry the organization, the client and the scopes; the client is looked up on every call,
so revoking it stops its tokens at once.

Bodies may be form-encoded or JSON (seed 001 shows both, sometimes with the other's content
type). Errors follow RFC 6749: ``{"error": "invalid_client", "error_description": ...}``."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qsl

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    ClientMixin,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant, RefreshTokenGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from flask import Blueprint, current_app, jsonify, request

from webapp.auth import tokens
from webapp.extensions import db
from webapp.manage import oauth_clients
from webapp.models import OAuthClient, Organization, RefreshToken
from webapp.public.blueprint import now
from webapp.security import client_ip, limiter

bp = Blueprint("oauth", __name__, url_prefix="/oauth")

ACCESS_SECONDS = 300  # seed 001: the organization access token lives five minutes
REFRESH_SECONDS = 1800  # seed 001's example: 1800
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
MAX_BODY = 8 * 1024


class Client(ClientMixin):
    """An :class:`OAuthClient` row as authlib sees it."""

    def __init__(self, row: OAuthClient):
        self.row = row

    def get_client_id(self):
        return self.row.client_id

    def check_client_secret(self, client_secret):
        return oauth_clients.check_secret(self.row, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        # A public client has no secret to show; a confidential one must show it.
        return (method == "none") == self.row.is_public

    def check_grant_type(self, grant_type):
        return grant_type in ("client_credentials", "refresh_token")

    def get_allowed_scope(self, scope):
        return " ".join(self.row.scopes)


class Credential:
    """A stored refresh token of a client, as authlib's refresh grant sees it."""

    def __init__(self, row: RefreshToken):
        self.row = row

    def check_client(self, client: Client) -> bool:
        return self.row.client_id == client.row.id

    def get_scope(self) -> str:
        return self.row.scope


def _granted(client: Client, requested: str | None) -> str:
    """The scopes asked for, all of which the client must hold; all it holds when none."""
    allowed = client.row.scopes
    if not requested:
        return " ".join(allowed)
    wanted = requested.split()
    if not set(wanted) <= set(allowed):
        raise InvalidScopeError(
            description="The client may ask only for: " + " ".join(allowed) + "."
        )
    return " ".join(scope for scope in allowed if scope in wanted)


def _access_token(client: Client, organization_id: str, scope: str) -> str:
    moment = now()
    claims = tokens.AccessClaims(
        organization_id,
        client_id=client.row.id,
        scopes=tuple(scope.split()),
        expires_at=int((moment + timedelta(seconds=ACCESS_SECONDS)).timestamp()),
    )
    return tokens.issue_access_token(claims, secret_key=current_app.config["SECRET_KEY"])


class ClientCredentials(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def validate_requested_scope(self):
        self.request.granted_scope = _granted(self.request.client, self.request.payload.scope)

    def create_token_response(self):
        client: Client = self.request.client
        scope = self.request.granted_scope
        organization = db.session.get(Organization, client.row.organization_id)
        _row, refresh = tokens.issue_refresh_token(
            db.session,
            organization=organization,
            now=now(),
            client=client.row,
            scope=scope,
            label=client.row.name,
            lifetime=timedelta(seconds=REFRESH_SECONDS),
        )
        client.row.last_used_at = now()
        db.session.commit()
        token = {
            "access_token": _access_token(client, organization.id, scope),
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": ACCESS_SECONDS,
            "refresh_token_expires_in": REFRESH_SECONDS,
            "scope": scope,
            "organization_id": organization.id,
        }
        return 200, token, self.TOKEN_RESPONSE_HEADER


class RefreshForOrganization(RefreshTokenGrant):
    """The refresh token for an access token of ``organization_id`` (seed 001)."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def authenticate_refresh_token(self, refresh_token):
        row = tokens.find_refresh_token(db.session, refresh_token, now())
        return Credential(row) if row is not None and row.client_id else None

    def authenticate_user(self, refresh_token: Credential):
        return db.session.get(Organization, refresh_token.row.organization_id)

    def revoke_old_credential(self, refresh_token):
        """Kept: seed 001's clients exchange the same refresh token again."""

    def validate_token_request(self):
        super().validate_token_request()
        row = self.request.refresh_token.row
        wanted = self.request.payload.data.get("organization_id")
        if wanted not in (None, "", row.organization_id):
            raise InvalidGrantError(
                description="This client may not act for organization " + str(wanted)[:64] + "."
            )

    def create_token_response(self):
        credential: Credential = self.request.refresh_token
        client: Client = self.request.client
        scope = _granted(client, self.request.payload.scope or credential.get_scope())
        if not set(scope.split()) <= set(credential.get_scope().split()):
            raise InvalidScopeError(description="The refresh token was not granted this scope.")
        credential.row.last_used_at = now()
        client.row.last_used_at = now()
        db.session.commit()
        token = {
            "access_token": _access_token(client, credential.row.organization_id, scope),
            "token_type": "Bearer",
            "expires_in": ACCESS_SECONDS,
            "scope": scope,
        }
        return 200, token, self.TOKEN_RESPONSE_HEADER


class TokenRequest(OAuth2Request):
    def __init__(self, values: dict):
        super().__init__(request.method, request.url, headers=request.headers)
        self.payload = BasicOAuth2Payload(values)

    @property
    def args(self):
        return request.args

    @property
    def form(self):
        return self.payload.data


class TokenServer(AuthorizationServer):
    def query_client(self, client_id):
        row = oauth_clients.find_client(db.session, client_id)
        return Client(row) if row is not None else None

    def save_token(self, token, request):
        """Tokens are stored as they are issued (only refresh tokens are stored at all)."""

    def create_oauth2_request(self, _request):
        return TokenRequest(_token_values())

    def handle_response(self, status, body, headers):
        response = jsonify(body)
        response.status_code = status
        for name, value in headers:
            response.headers[name] = value
        response.headers["Cache-Control"] = "no-store"
        return response

    def handle_error_response(self, request, error):
        if error.error == "invalid_client":
            # 401 however the client sent its credentials (RFC 6749 allows 400 for a form).
            error.status_code = 401
            error.description = "The client id or secret is wrong, or the client is revoked."
        return super().handle_error_response(request, error)

    def send_signal(self, name, *args, **kwargs):
        pass


def _token_values() -> dict:
    """The parameters, from a JSON object or a form, whatever the content type says."""
    raw = request.get_data(cache=True)[:MAX_BODY]
    values: dict = {}
    text = raw.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise InvalidRequestError(description="The body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise InvalidRequestError(description="The body must be a JSON object.")
        for key, value in data.items():
            if isinstance(value, list):
                value = " ".join(str(v) for v in value)  # "scope": ["org:read", ...]
            if value is not None and not isinstance(value, dict):
                values[str(key)] = value if isinstance(value, str) else str(value)
    elif text:
        values = dict(parse_qsl(text, keep_blank_values=False))
    for key, value in request.args.items():
        values.setdefault(key, value)
    return values


server = TokenServer(scopes_supported=oauth_clients.SCOPES)
server.register_grant(ClientCredentials)
server.register_grant(RefreshForOrganization)


def _client_key() -> str:
    try:
        client_id = _token_values().get("client_id") or request.authorization.username
    except (InvalidRequestError, AttributeError):
        client_id = ""
    return "oauth-client:" + str(client_id)[:64]


def _token_limit() -> str:
    return current_app.config["OAUTH_TOKEN_RATE_LIMIT"]


@bp.post("/token")
@limiter.limit(_token_limit, key_func=client_ip, scope="oauth-ip")
@limiter.limit(_token_limit, key_func=_client_key, scope="oauth-client")
def token():
    if request.content_length and request.content_length > MAX_BODY:
        return jsonify(error="invalid_request", error_description="The body is too large."), 413
    try:
        return server.create_token_response()
    except OAuth2Error as error:  # raised before a grant is chosen: bad body, plain http
        return server.handle_error_response(None, error)
