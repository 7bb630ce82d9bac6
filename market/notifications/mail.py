"""How mail leaves the portal: SMTP when a server is configured, else a folder (development).

- MARKET_MAIL_SERVER set: SMTP to that server (production, and the tests' SMTP sink).
- otherwise MARKET_MAIL_FOLDER set (the development default, instance/mail/): each message is
  written there as an .eml file and its recipient and subject are logged to the console.
- neither (the unit tests): no mail at all; notifications are in-app only.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from market.accounts.models import User
from market.i18n import DEFAULT_LOCALE
from market.timeutil import utcnow

log = logging.getLogger(__name__)

# Errors of the network or the disk: the message was not accepted; trying again may work.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
SMTP_TIMEOUT = 10  # seconds per socket operation; a stalled server fails the attempt


def can_send() -> bool:
    """True when this configuration delivers email somewhere (a server or a folder)."""
    config = current_app.config
    return bool(config.get("MARKET_MAIL_SERVER") or config.get("MARKET_MAIL_FOLDER"))


def absolute_url(path: str) -> str:
    """A link for an email: the portal's base URL and a site-relative path."""
    return f"{current_app.config['MARKET_BASE_URL'].rstrip('/')}{path}"


def compose(
    user: User,
    *,
    subject: str,
    template: str,
    context: dict,
    idstring: str,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """A text + HTML message rendered in the recipient's language from email/<template>.

    idstring names what is sent (one notification, one digest) and makes the Message-ID:
    the same on every attempt, so a copy sent again after a crash (see deliver_email) carries
    the Message-ID of the first, and clients and servers that deduplicate can drop it.
    """
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MARKET_MAIL_SENDER"]
    message["To"] = user.email
    message["Message-ID"] = message_id(idstring)
    if unsubscribe_url:
        # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe button (a POST).
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    context = {**context, "user": user, "unsubscribe_url": unsubscribe_url}
    with force_locale(user.locale or DEFAULT_LOCALE):
        message.set_content(render_template(f"email/{template}.txt", **context))
        html = render_template(f"email/{template}.html", **context)
    message.add_alternative(html, subtype="html")
    return message


def message_id(idstring: str) -> str:
    """A Message-ID that is stable for one thing sent: <xcsci.IDSTRING@host of the site>."""
    host = urlsplit(current_app.config["MARKET_BASE_URL"]).hostname or "localhost"
    return f"<xcsci.{idstring}@{host}>"


def send(message: EmailMessage) -> None:
    """Hand the message to the configured transport; raises TRANSIENT_ERRORS on failure."""
    config = current_app.config
    server = config.get("MARKET_MAIL_SERVER")
    if server:
        with smtplib.SMTP(server, config["MARKET_MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
            smtp.send_message(message)
    elif config.get("MARKET_MAIL_FOLDER"):
        path = _write_to_folder(message, Path(config["MARKET_MAIL_FOLDER"]))
        log.info("mail to %s: %s (saved as %s)", message["To"], message["Subject"], path)
    else:
        raise smtplib.SMTPException("no mail transport configured")


def _write_to_folder(message: EmailMessage, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    token = message["Message-ID"].strip("<>").split("@")[0].replace("/", "_")
    path = folder / f"{stamp}-{token}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(bytes(message))
    temporary.replace(path)  # a reader never sees half a message
    return path
