"""Outgoing mail: a message rendered in the reader's language, handed to the SMTP server.

Only tasks call deliver(), so a slow or failing mail server never holds up a page; the task
retries and writes the outcome to the mail log (app.models.MailLog).
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask import render_template
from flask_babel import force_locale


def render(template: str, language: str, **context: Any) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of `mail/<template>.{subject,txt,html}` in `language`."""
    with force_locale(language):
        context = {"mail_language": language, **context}
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    return " ".join(subject.split()), text, html


def build_message(*, sender: str, to: str, subject: str, text: str, html: str | None = None,
                  language: str = "en", headers: Mapping[str, str] | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    # After the parts: making the message multipart moves Content-* headers into the first part.
    message["Content-Language"] = language
    return message


class MailNotConfigured(OSError):
    """No MAIL_SERVER is set: nothing can be sent, and trying again will not help."""


def configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get("MAIL_SERVER"))


def deliver(message: EmailMessage, config: Mapping[str, Any]) -> None:
    """Send through the configured SMTP server; raises OSError or smtplib.SMTPException."""
    if not configured(config):
        raise MailNotConfigured("no MAIL_SERVER is set")
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
