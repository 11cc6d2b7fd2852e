"""One-time codes: six digits stored hashed, good for ten minutes and five tries, used once,
scoped to their organization, limited per identifier and per IP, and identifiers normalized
so the same person is always the same identifier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_organization
from webapp.auth import otp
from webapp.booking.errors import CodeExpired, CodeInvalid, RateLimited, ValidationFailed
from webapp.models import OtpChallenge

EMAIL = "sara@example.com"


@pytest.fixture
def organization(session):
    return make_organization(session)


@pytest.fixture
def ask_code(session, organization, now):
    """Request a code: ``ask_code(identifier=..., ip=..., at=...)``."""

    def _ask_code(identifier=EMAIL, *, channel="email", ip=None, at=now, **overrides):
        return otp.request_code(
            session,
            overrides.pop("organization", organization),
            channel=channel,
            identifier=identifier,
            purpose=overrides.pop("purpose", "sign_in"),
            now=at,
            ip=ip,
            **overrides,
        )

    return _ask_code


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**otp.CODE_LENGTH:06d}"


def test_code_is_six_digits_and_stored_only_as_a_hash(session, ask_code, now):
    challenge, code = ask_code(payload={"booking": {"start": "2026-11-22T09:00"}})

    assert len(code) == otp.CODE_LENGTH and code.isdigit()
    assert code not in challenge.code_hash
    assert challenge.code_hash == otp.code_hash(challenge.id, code)
    assert challenge.expires_at == now + otp.CODE_TTL
    assert challenge.payload == {"booking": {"start": "2026-11-22T09:00"}}
    assert session.get(OtpChallenge, challenge.id) is challenge


def test_right_code_is_accepted_once(session, ask_code, organization, now):
    challenge, code = ask_code()

    verified = otp.verify_code(session, organization, challenge.id, code, now=now)

    assert verified.id == challenge.id and verified.consumed_at == now
    with pytest.raises(CodeExpired, match="already used"):
        otp.verify_code(session, organization, challenge.id, code, now=now)


def test_wrong_codes_count_down_then_the_challenge_is_dead(session, ask_code, organization, now):
    challenge, code = ask_code()

    for left in range(otp.MAX_ATTEMPTS - 1, 0, -1):
        with pytest.raises(CodeInvalid) as caught:
            otp.verify_code(session, organization, challenge.id, wrong(code), now=now)
        assert caught.value.code == "OTP_INVALID"
        assert caught.value.details == {"attempts_left": left}
    with pytest.raises(CodeExpired, match="request a new code"):
        otp.verify_code(session, organization, challenge.id, wrong(code), now=now)
    # Even the right code is refused now.
    with pytest.raises(CodeExpired, match="request a new code"):
        otp.verify_code(session, organization, challenge.id, code, now=now)
    assert challenge.attempts == otp.MAX_ATTEMPTS and challenge.consumed_at is None


def test_wrong_attempt_survives_the_rollback_after_the_caller_commits(
    session, ask_code, organization, now
):
    challenge, code = ask_code()
    session.commit()

    try:
        otp.verify_code(session, organization, challenge.id, wrong(code), now=now)
    except otp.CODE_ERRORS:
        session.commit()
    session.rollback()

    assert session.get(OtpChallenge, challenge.id).attempts == 1


def test_code_expires_after_ten_minutes(session, ask_code, organization, now):
    challenge, code = ask_code()

    with pytest.raises(CodeExpired) as caught:
        otp.verify_code(session, organization, challenge.id, code, now=now + otp.CODE_TTL)
    assert caught.value.code == "OTP_EXPIRED" and caught.value.http_status == 422
    still_fresh = now + otp.CODE_TTL - timedelta(seconds=1)
    assert otp.verify_code(session, organization, challenge.id, code, now=still_fresh)


def test_another_organizations_challenge_is_invalid(session, ask_code, now):
    challenge, code = ask_code()
    other = make_organization(session)

    with pytest.raises(CodeInvalid):
        otp.verify_code(session, other, challenge.id, code, now=now)
    assert challenge.attempts == 0 and challenge.consumed_at is None


def test_unknown_id_and_other_purpose_are_invalid(session, ask_code, organization, now):
    challenge, code = ask_code(purpose="verify_booking")

    with pytest.raises(CodeInvalid):
        otp.verify_code(session, organization, "no-such-challenge", code, now=now)
    with pytest.raises(CodeInvalid):
        otp.verify_code(session, organization, challenge.id, code, now=now, purpose="sign_in")
    verified = otp.verify_code(
        session, organization, challenge.id, code, now=now, purpose="verify_booking"
    )
    assert verified.consumed_at == now


def test_too_many_codes_for_one_identifier(session, ask_code, now):
    for minute in range(otp.MAX_CODES_PER_IDENTIFIER):
        ask_code(at=now + timedelta(minutes=minute))
    fifth_minute = now + timedelta(minutes=otp.MAX_CODES_PER_IDENTIFIER)

    with pytest.raises(RateLimited) as caught:
        ask_code(" Sara@Example.com ", at=fifth_minute)

    assert caught.value.http_status == 429 and caught.value.code == "RATE_LIMITED"
    # The first code leaves the 15-minute window at now + 15 min.
    assert caught.value.details["retry_after"] == 10 * 60
    assert ask_code("other@example.com", at=fifth_minute)
    assert ask_code(at=now + otp.LIMIT_WINDOW)


def test_limit_per_identifier_is_per_organization(session, ask_code, now):
    for _ in range(otp.MAX_CODES_PER_IDENTIFIER):
        ask_code()

    challenge, _code = ask_code(organization=make_organization(session))

    assert challenge.identifier == EMAIL


def test_too_many_codes_from_one_ip(session, ask_code, now):
    for n in range(otp.MAX_CODES_PER_IP):
        ask_code(f"person{n}@example.com", ip="203.0.113.9", at=now + timedelta(seconds=n))

    with pytest.raises(RateLimited) as caught:
        ask_code("someone@example.com", ip="203.0.113.9", at=now + timedelta(minutes=1))

    assert caught.value.details["retry_after"] == 14 * 60
    assert ask_code("someone@example.com", ip="198.51.100.7", at=now + timedelta(minutes=1))
    count = session.scalar(select(func.count()).select_from(OtpChallenge))
    assert count == otp.MAX_CODES_PER_IP + 1


@pytest.mark.parametrize(
    ("channel", "raw", "expected"),
    [
        ("email", "  Sara.Ali@Example.COM ", "sara.ali@example.com"),
        ("sms", "0501234567", "+966501234567"),
        ("whatsapp", "+966 50 123 4567", "+966501234567"),
        ("sms", "+44 20 7946 0958", "+442079460958"),
    ],
)
def test_identifiers_are_normalized(channel, raw, expected):
    assert otp.normalize_identifier(channel, raw, default_country="SA") == expected


@pytest.mark.parametrize(
    ("channel", "raw"),
    [
        ("email", "sara"),
        ("email", "sara@@example.com"),
        ("email", "sara@example"),
        ("email", "sara ali@example.com"),
        ("email", "sara@example..com"),
        ("email", f"{'a' * 250}@example.com"),
        ("sms", "12345"),
        ("sms", "not a phone"),
        ("whatsapp", "0501234567"),  # no country to read it with
        ("sms", ""),
    ],
)
def test_invalid_identifiers_are_refused(channel, raw):
    default_country = None if channel == "whatsapp" else "SA"
    with pytest.raises(ValidationFailed) as caught:
        otp.normalize_identifier(channel, raw, default_country=default_country)
    assert caught.value.details == {"field": "identifier"}


def test_request_code_stores_the_normalized_phone(ask_code):
    challenge, _code = ask_code("+966 50 123 4567", channel="sms")

    assert challenge.identifier == "+966501234567" and challenge.channel == "sms"


def test_purge_removes_challenges_older_than_a_day(session, ask_code, now):
    old, _ = ask_code("old@example.com", at=now - timedelta(days=1, seconds=1))
    recent, _ = ask_code("recent@example.com", at=now - timedelta(hours=23))

    assert otp.purge_old_challenges(session, now) == 1

    session.expire_all()
    assert session.get(OtpChallenge, old.id) is None
    assert session.get(OtpChallenge, recent.id) is not None
