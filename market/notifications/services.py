"""Write notifications with the event that causes them; deliver each email once."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from market import outbox
from market.accounts.models import Organization, User
from market.extensions import db
from market.i18n import DEFAULT_LOCALE
from market.notifications.models import EmailStatus, Notification
from market.timeutil import utcnow

log = logging.getLogger(__name__)


# What a notification is about; each user chooses per category and channel how to hear of it.
CATEGORIES = ("match", "docking", "review", "agreement", "reminder", "event", "general")


class TransientMailError(Exception):
    """The mail server could not take the message now; try again later."""


def notify(
    users: Iterable[User],
    *,
    event_key: str,
    subject: str,
    body: str,
    link: str | None = None,
    category: str = "general",
) -> list[Notification]:
    """Add one notification per user for this event; users already told are skipped.

    category (one of CATEGORIES) selects the user's delivery preference for it.
    """
    created = []
    for user in users:
        notification = _add_once(user, event_key, subject, body, link)
        if notification is not None:
            created.append(notification)
            if notification.email_status == EmailStatus.PENDING:
                outbox.defer("worker.tasks.deliver_notification", notification.id)
    return created


def notify_members(
    organization: Organization,
    *,
    event_key: str,
    link: str | None,
    compose: Callable[[], tuple[str, str]],
    category: str = "general",
) -> list[Notification]:
    """Notify every member, each in their own language: compose() returns (subject, body)."""
    created = []
    for user in organization.members:
        with force_locale(user.locale or DEFAULT_LOCALE):
            subject, body = compose()
        created += notify(
            [user], event_key=event_key, subject=subject, body=body, link=link, category=category
        )
    return created


def _add_once(user, event_key, subject, body, link) -> Notification | None:
    exists = select(Notification.id).where(
        Notification.user_id == user.id, Notification.event_key == event_key
    )
    if db.session.scalar(exists) is not None:
        return None
    notification = Notification(
        user=user,
        event_key=event_key,
        subject=subject[:200],
        body=body,
        link=link,
        email_status=EmailStatus.PENDING if _wants_email(user) else EmailStatus.NOT_NEEDED,
    )
    try:
        with db.session.begin_nested():  # a concurrent twin task may have inserted it first
            db.session.add(notification)
    except IntegrityError:
        return None
    return notification


def _wants_email(user: User) -> bool:
    return bool(current_app.config.get("MARKET_MAIL_SERVER")) and user.email_notifications


def deliver_email(notification_id: int) -> bool:
    """Send this notification's email if nobody has yet; True when this call sent it."""
    if not _claim_for_sending(notification_id):
        return False
    notification = db.session.get(Notification, notification_id)
    try:
        _send(_compose(notification))
    except (smtplib.SMTPException, OSError) as exc:
        _release_claim(notification_id, str(exc))
        raise TransientMailError(str(exc)) from exc
    except Exception as exc:  # a bug, not the network: keep the row visible, never stuck
        _release_claim(notification_id, repr(exc))
        raise
    notification.email_status = EmailStatus.SENT
    notification.emailed_at = utcnow()
    db.session.commit()
    log.info("notification %s emailed to %s", notification_id, notification.user.email)
    return True


def mark_email_failed(notification_id: int, error: str) -> None:
    """Give up on an email after the last retry; bureau staff see it in the failed list."""
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.email_status != EmailStatus.SENT)
        .values(email_status=EmailStatus.FAILED, email_error=error[:2000])
    )
    db.session.commit()
    log.error("notification %s: email failed for good: %s", notification_id, error)


def requeue_stale_emails(stale_after_seconds: int) -> int:
    """Put back emails claimed long ago by a worker that died, and queue their delivery.

    Their worker may have died after the mail server accepted the message, so such an email
    can arrive twice; the alternative, never sending it, is worse.
    """
    cutoff = utcnow() - timedelta(seconds=stale_after_seconds)
    stale = db.session.scalars(
        select(Notification.id).where(
            Notification.email_status == EmailStatus.SENDING, Notification.claimed_at < cutoff
        )
    ).all()
    for notification_id in stale:
        _back_to_pending(notification_id, "worker stopped during delivery")
        outbox.defer("worker.tasks.deliver_notification", notification_id)
    return len(stale)


def _claim_for_sending(notification_id: int) -> bool:
    # One atomic UPDATE: of two workers holding the same task, only one gets rowcount 1.
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.email_status == EmailStatus.PENDING)
        .values(
            email_status=EmailStatus.SENDING,
            email_attempts=Notification.email_attempts + 1,
            claimed_at=utcnow(),
        )
    ).rowcount
    db.session.commit()
    return claimed == 1


def _release_claim(notification_id: int, error: str) -> None:
    db.session.rollback()
    _back_to_pending(notification_id, error)
    db.session.commit()


def _back_to_pending(notification_id: int, error: str) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.email_status == EmailStatus.SENDING)
        .values(email_status=EmailStatus.PENDING, email_error=error[:2000])
    )


def _compose(notification: Notification) -> EmailMessage:
    config = current_app.config
    link = f"{config['MARKET_BASE_URL'].rstrip('/')}{notification.link or '/notifications'}"
    context = {"notification": notification, "link": link}
    message = EmailMessage()
    message["Subject"] = notification.subject
    message["From"] = config["MARKET_MAIL_SENDER"]
    message["To"] = notification.user.email
    message["Message-ID"] = make_msgid(idstring=f"n{notification.id}")
    message.set_content(render_template("email/notification.txt", **context))
    message.add_alternative(render_template("email/notification.html", **context), subtype="html")
    return message


def _send(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MARKET_MAIL_SERVER"], config["MARKET_MAIL_PORT"], timeout=10) as s:
        s.send_message(message)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def notifications_for(user: User, limit: int = 100) -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def mark_all_read(user: User) -> int:
    """Mark the user's unread notifications read; returns how many."""
    return db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount


def failed_emails(limit: int = 100) -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.email_status == EmailStatus.FAILED)
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
