"""Outgoing messages: captured in tests, logged without a mail server or text provider, sent
over SMTP when one is configured, and a failing server or provider never breaks the caller."""

from __future__ import annotations

import logging
import smtplib
import socket

import pytest

from webapp.notify import messaging

ICS = ("booking.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")


class RecordingProvider:
    """A text provider loaded by import path in these tests."""

    created = 0
    sent: list[tuple[str, str, str]] = []

    def __init__(self):
        RecordingProvider.created += 1

    def send(self, channel: str, to: str, text: str) -> None:
        RecordingProvider.sent.append((channel, to, text))


class BrokenProvider:
    def send(self, channel: str, to: str, text: str) -> None:
        raise RuntimeError("provider is down")


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what the sender asked of it."""

    instances: list[FakeSMTP] = []
    fail_with: Exception | None = None

    def __init__(self, host, port, timeout=None):
        self.host, self.port, self.calls, self.sent = host, port, [], []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.calls.append("quit")

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        if FakeSMTP.fail_with is not None:
            raise FakeSMTP.fail_with
        self.sent.append(message)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def captured(ctx):
    ctx.config["MESSAGES_CAPTURE"] = []
    return ctx.config["MESSAGES_CAPTURE"]


@pytest.fixture
def fake_smtp(ctx, monkeypatch):
    monkeypatch.setattr(FakeSMTP, "instances", [])
    monkeypatch.setattr(FakeSMTP, "fail_with", None)
    monkeypatch.setattr(messaging.smtplib, "SMTP", FakeSMTP)
    ctx.config.update(MAIL_SERVER="smtp.example.com", MAIL_PORT=587)
    return FakeSMTP


@pytest.fixture
def recording_provider(ctx, monkeypatch):
    monkeypatch.setattr(RecordingProvider, "created", 0)
    monkeypatch.setattr(RecordingProvider, "sent", [])
    ctx.config["SMS_PROVIDER"] = f"{__name__}:RecordingProvider"
    return RecordingProvider


def test_capture_records_emails_and_texts_instead_of_sending(captured, fake_smtp):
    assert messaging.send_email("sara@example.com", "Booked", "See you", "<p>See you</p>", [ICS])
    assert messaging.send_text("whatsapp", "+966501234567", "Your code is 123456")

    assert captured == [
        {
            "kind": "email",
            "to": "sara@example.com",
            "subject": "Booked",
            "text": "See you",
            "html": "<p>See you</p>",
            "attachments": [ICS],
        },
        {"kind": "whatsapp", "to": "+966501234567", "text": "Your code is 123456"},
    ]
    assert fake_smtp.instances == []


def test_without_a_mail_server_emails_are_logged(ctx, caplog):
    caplog.set_level(logging.INFO, logger="mawid.messages")

    assert messaging.send_email("sara@example.com", "Your code", "Your code is 123456")

    [record] = [r for r in caplog.records if r.name == "mawid.messages"]
    assert record.levelno == logging.INFO
    assert "sara@example.com" in record.getMessage()
    assert "Your code is 123456" in record.getMessage()


def test_default_text_provider_logs(ctx, caplog):
    caplog.set_level(logging.INFO, logger="mawid.messages")

    assert messaging.send_text("sms", "+966501234567", "Your code is 654321")

    assert isinstance(messaging.text_provider(ctx), messaging.LogTextProvider)
    message = caplog.records[-1].getMessage()
    assert "sms to +966501234567" in message and "654321" in message


def test_email_goes_over_smtp_with_tls_and_login(ctx, fake_smtp):
    ctx.config.update(
        MAIL_USE_TLS=True,
        MAIL_USERNAME="mailer",
        MAIL_PASSWORD="s3cret",
        MAIL_DEFAULT_SENDER="Mawid <no-reply@mawid.example>",
    )

    sent = messaging.send_email("sara@example.com", "Booked", "See you", "<p>See you</p>", [ICS])

    assert sent is True
    [smtp] = fake_smtp.instances
    assert (smtp.host, smtp.port) == ("smtp.example.com", 587)
    assert smtp.calls == ["starttls", ("login", "mailer", "s3cret"), "quit"]
    [message] = smtp.sent
    assert message["To"] == "sara@example.com"
    assert message["From"] == "Mawid <no-reply@mawid.example>"
    assert message["Subject"] == "Booked"
    assert message.get_body(("plain",)).get_content().strip() == "See you"
    assert message.get_body(("html",)).get_content().strip() == "<p>See you</p>"
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "booking.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_payload(decode=True) == ICS[2]


def test_plain_smtp_without_tls_or_login(ctx, fake_smtp):
    assert messaging.send_email("sara@example.com", "Booked", "See you")

    [smtp] = fake_smtp.instances
    assert smtp.calls == ["quit"]
    assert smtp.sent[0].get_content_type() == "text/plain"


def test_smtp_error_returns_false_and_warns(ctx, fake_smtp, caplog):
    fake_smtp.fail_with = smtplib.SMTPRecipientsRefused({"sara@example.com": (550, b"no")})

    assert messaging.send_email("sara@example.com", "Booked", "See you") is False

    warning = caplog.records[-1]
    assert warning.levelno == logging.WARNING and "sara@example.com" in warning.getMessage()


def test_unreachable_mail_server_returns_false(ctx, caplog):
    with socket.socket() as probe:  # a port that nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ctx.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)

    assert messaging.send_email("sara@example.com", "Booked", "See you") is False
    assert caplog.records[-1].levelno == logging.WARNING


def test_text_provider_is_loaded_by_import_path_once(ctx, recording_provider):
    assert messaging.send_text("sms", "+966501234567", "one")
    assert messaging.send_text("whatsapp", "+966501234567", "two")

    assert recording_provider.created == 1
    assert recording_provider.sent == [
        ("sms", "+966501234567", "one"),
        ("whatsapp", "+966501234567", "two"),
    ]


def test_failing_text_provider_returns_false(ctx, caplog):
    ctx.config["SMS_PROVIDER"] = f"{__name__}:BrokenProvider"

    assert messaging.send_text("sms", "+966501234567", "hello") is False
    assert caplog.records[-1].levelno == logging.WARNING
    assert "+966501234567" in caplog.records[-1].getMessage()


@pytest.mark.parametrize("spec", ["nonsense", "tests.notify.test_messaging:Missing"])
def test_misconfigured_text_provider_fails_loudly(ctx, spec):
    ctx.config["SMS_PROVIDER"] = spec

    with pytest.raises((ValueError, AttributeError)):
        messaging.send_text("sms", "+966501234567", "hello")


def test_unknown_text_channel_is_a_programming_error(captured):
    with pytest.raises(ValueError):
        messaging.send_text("pigeon", "+966501234567", "hello")
