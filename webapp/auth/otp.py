"""One-time codes sent to a customer's email address or phone, for signing in and for
verifying a booking before it is made.

Codes are stored as an HMAC keyed by the challenge id, never in plain text. Requests are
limited per identifier (within the organization) and per IP address.

A wrong code counts against the challenge: ``verify_code`` flushes the new attempt count
before it raises, and the caller must commit before the error propagates (the error handler
rolls back), otherwise the count is lost and codes could be guessed without limit::

    try:
        challenge = otp.verify_code(db.session, organization, challenge_id, code, now=now)
    except otp.CODE_ERRORS:
        db.session.commit()
        raise
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.booking.errors import CodeExpired, CodeInvalid, RateLimited, ValidationFailed
from webapp.booking.locking import begin_write, dialect_name
from webapp.models import Organization, OtpChallenge
from webapp.models.otp import CHANNELS, PURPOSES
from webapp.models.types import new_id

CODE_LENGTH = 6
CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
LIMIT_WINDOW = timedelta(minutes=15)
MAX_CODES_PER_IDENTIFIER = 5
MAX_CODES_PER_IP = 20
KEEP_FOR = timedelta(days=1)
MAX_EMAIL_LENGTH = 254
_TOO_MANY = "Too many wrong codes were entered; please request a new code."
_NOT_VALID = "This code is not valid; please request a new code."

# Both need the caller to commit before re-raising; see the module docstring.
CODE_ERRORS = (CodeInvalid, CodeExpired)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_identifier(channel: str, raw: str, default_country: str | None = None) -> str:
    """An email address in lower case, or a phone number in E.164 (``+966501234567``).

    ``default_country`` (ISO 3166 code such as ``"SA"``) reads numbers written without ``+``.
    """
    if channel not in CHANNELS:
        raise ValidationFailed(f"Unknown channel {channel!r}.", field="channel")
    value = (raw or "").strip()
    if channel == "email":
        return _normalize_email(value)
    return _normalize_phone(value, default_country)


def _normalize_email(value: str) -> str:
    value = value.lower()
    domain = value.rpartition("@")[2]
    if (
        len(value) > MAX_EMAIL_LENGTH
        or not _EMAIL.fullmatch(value)
        or domain.startswith(".")
        or domain.endswith(".")
        or ".." in domain
    ):
        raise ValidationFailed("Enter a valid email address.", field="identifier")
    return value


def _normalize_phone(value: str, default_country: str | None) -> str:
    message = "Enter a valid phone number, with the country code (for example +966501234567)."
    try:
        number = phonenumbers.parse(value, default_country)
    except phonenumbers.NumberParseException:
        raise ValidationFailed(message, field="identifier") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed(message, field="identifier")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def code_hash(challenge_id: str, code: str) -> str:
    return hmac.new(challenge_id.encode(), code.encode(), "sha256").hexdigest()


def request_code(
    session: Session,
    organization: Organization,
    *,
    channel: str,
    identifier: str,
    purpose: str,
    now: datetime,
    payload: dict | None = None,
    ip: str | None = None,
) -> tuple[OtpChallenge, str]:
    """A new challenge and its plain code, which the caller sends and then forgets.

    ``identifier`` is normalized again here; give phone numbers in E.164 (or normalize them
    first with the customer's country). Raises ``RateLimited`` past the request limits.
    """
    identifier = normalize_identifier(channel, identifier)
    if purpose not in PURPOSES:
        raise ValidationFailed(f"Unknown purpose {purpose!r}.", field="purpose")
    begin_write(session)
    _check_limits(session, organization.id, identifier, ip, now)
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    challenge = OtpChallenge(
        id=new_id(),
        organization_id=organization.id,
        channel=channel,
        identifier=identifier,
        purpose=purpose,
        attempts=0,
        payload=payload or {},
        ip=ip,
        expires_at=now + CODE_TTL,
        created_at=now,
    )
    challenge.code_hash = code_hash(challenge.id, code)
    session.add(challenge)
    session.flush()
    return challenge, code


def _check_limits(
    session: Session, organization_id: str, identifier: str, ip: str | None, now: datetime
) -> None:
    since = now - LIMIT_WINDOW
    per_identifier = (
        OtpChallenge.organization_id == organization_id,
        OtpChallenge.identifier == identifier,
    )
    wait = _wait_seconds(session, per_identifier, MAX_CODES_PER_IDENTIFIER, since, now)
    if wait is None and ip:
        wait = _wait_seconds(session, (OtpChallenge.ip == ip,), MAX_CODES_PER_IP, since, now)
    if wait is not None:
        raise RateLimited(
            "Too many codes were requested; please wait before asking for another.",
            retry_after=wait,
        )


def _wait_seconds(
    session: Session, conditions: tuple, limit: int, since: datetime, now: datetime
) -> int | None:
    """Seconds until one more request fits under ``limit``, or None if it fits now."""
    times = session.scalars(
        select(OtpChallenge.created_at)
        .where(*conditions, OtpChallenge.created_at > since)
        .order_by(OtpChallenge.created_at)
    ).all()
    if len(times) < limit:
        return None
    # A code counts for exactly LIMIT_WINDOW; this is the one whose leaving makes room.
    leaves_at = times[len(times) - limit] + LIMIT_WINDOW
    return max(1, math.ceil((leaves_at - now).total_seconds()))


def verify_code(
    session: Session,
    organization: Organization,
    challenge_id: str,
    code: str,
    *,
    now: datetime,
    purpose: str | None = None,
) -> OtpChallenge:
    """The challenge, now consumed, if ``code`` is right (and was sent for ``purpose``).

    Raises ``CodeInvalid`` (unknown id, or a wrong code with ``attempts_left``) or
    ``CodeExpired`` (expired, used, or out of attempts). Commit before re-raising either.
    """
    challenge = _load_for_update(session, organization.id, challenge_id)
    if challenge is None or (purpose is not None and challenge.purpose != purpose):
        raise CodeInvalid(_NOT_VALID)
    if challenge.consumed_at is not None:
        raise CodeExpired("This code was already used; please request a new code.")
    if challenge.attempts >= MAX_ATTEMPTS:
        raise CodeExpired(_TOO_MANY)
    if now >= challenge.expires_at:
        raise CodeExpired()
    if not hmac.compare_digest(challenge.code_hash, code_hash(challenge.id, str(code).strip())):
        raise _wrong_attempt(session, challenge)
    challenge.consumed_at = now
    session.flush()
    return challenge


def _wrong_attempt(session: Session, challenge: OtpChallenge) -> CodeInvalid | CodeExpired:
    """Count the attempt (flushed, for the caller to commit) and say what to tell the user."""
    challenge.attempts += 1
    session.flush()
    attempts_left = MAX_ATTEMPTS - challenge.attempts
    if attempts_left <= 0:
        return CodeExpired(_TOO_MANY)
    return CodeInvalid(attempts_left=attempts_left)


def _load_for_update(
    session: Session, organization_id: str, challenge_id: str
) -> OtpChallenge | None:
    # Under the write lock, so parallel guesses cannot share one attempt count.
    begin_write(session)
    statement = (
        select(OtpChallenge)
        .where(OtpChallenge.organization_id == organization_id, OtpChallenge.id == challenge_id)
        .execution_options(populate_existing=True)
    )
    if dialect_name(session) == "postgresql":
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()


def purge_old_challenges(session: Session, now: datetime) -> int:
    """Delete challenges created more than a day ago; returns how many."""
    result = session.execute(delete(OtpChallenge).where(OtpChallenge.created_at < now - KEEP_FOR))
    return result.rowcount or 0
