"""Messages to customers: email over SMTP, text messages (SMS, WhatsApp) through a provider.

Email goes to ``MAIL_SERVER`` when it is set, otherwise to the ``mawid.messages`` log.
Text messages go to the provider named by ``SMS_PROVIDER``: ``"log"`` (the default) or an
import path ``"package.module:ClassName"`` whose class takes no arguments and has
``send(channel, to, text)``; it is created once per app.

Capture (for tests): when ``app.config["MESSAGES_CAPTURE"]`` is a list, each message is
appended to it instead of being sent or logged, as a dict:
``{"kind": "email", "to", "subject", "text", "html", "attachments"}`` for email and
``{"kind": "sms" | "whatsapp", "to", "text"}`` for text messages.

Sending never raises into the caller: a failure is logged at WARNING and the function
returns False.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Protocol

from flask import Flask, current_app
from flask_babel import gettext as _

from webapp.providers import configured_provider

log = logging.getLogger("mawid.messages")

TEXT_CHANNELS = ("sms", "whatsapp")
SMTP_TIMEOUT_SECONDS = 15

# (filename, content type, bytes), e.g. ("booking.ics", "text/calendar", b"...")
Attachment = tuple[str, str, bytes]


class TextProvider(Protocol):
    def send(self, channel: str, to: str, text: str) -> None: ...


class LogTextProvider:
    """Writes text messages to the log; for development and until a provider is set up."""

    def send(self, channel: str, to: str, text: str) -> None:
        log.info("%s to %s:\n%s", channel, to, text)


def send_email(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> bool:
    """Send one email; True when it was handed over (or captured, or logged)."""
    config = current_app.config
    captured = config.get("MESSAGES_CAPTURE")
    if isinstance(captured, list):
        captured.append(
            {
                "kind": "email",
                "to": to,
                "subject": subject,
                "text": text,
                "html": html,
                "attachments": list(attachments),
            }
        )
        return True
    if not config.get("MAIL_SERVER"):
        log.info("email to %s\nSubject: %s\n\n%s", to, subject, text)
        return True
    message = build_email(config["MAIL_DEFAULT_SENDER"], to, subject, text, html, attachments)
    try:
        _deliver(config, message)
    except OSError as error:  # smtplib.SMTPException is an OSError
        log.warning("email to %s failed: %s", to, error)
        return False
    return True


def build_email(
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(
            data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename
        )
    return message


def _deliver(config, message: EmailMessage) -> None:
    server, port = config["MAIL_SERVER"], config.get("MAIL_PORT") or 25
    with smtplib.SMTP(server, port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def send_text(channel: str, to: str, text: str) -> bool:
    """Send an SMS or WhatsApp message; True when the provider accepted it."""
    if channel not in TEXT_CHANNELS:
        raise ValueError(f"unknown text channel {channel!r}")
    captured = current_app.config.get("MESSAGES_CAPTURE")
    if isinstance(captured, list):
        captured.append({"kind": channel, "to": to, "text": text})
        return True
    provider = text_provider(current_app)
    try:
        provider.send(channel, to, text)
    except Exception as error:  # a provider's own errors must not break the caller's flow
        log.warning("%s to %s failed: %s", channel, to, error)
        return False
    return True


def text_provider(app: Flask) -> TextProvider:
    """The app's provider, created on first use; a bad ``SMS_PROVIDER`` raises here."""
    return configured_provider(app, "SMS_PROVIDER", {"log": LogTextProvider}, "log")


def send_code(channel: str, to: str, code: str, business: str) -> None:
    """A one-time code by email, SMS or WhatsApp, in the reader's language."""
    text = _(
        "Your %(business)s code is %(code)s. It is valid for 10 minutes.",
        business=business,
        code=code,
    )
    if channel == "email":
        send_email(to, _("Your code: %(code)s", code=code), text)
    else:
        send_text(channel, to, text)
