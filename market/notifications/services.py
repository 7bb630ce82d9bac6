"""Write notifications with the event that causes them; deliver each email once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from email.message import EmailMessage

from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from market import outbox
from market.accounts.models import Organization, User
from market.extensions import db
from market.i18n import DEFAULT_LOCALE
from market.notifications import mail
from market.notifications.claims import EmailClaim, TransientMailError
from market.notifications.models import Channel, EmailStatus, Frequency, Notification
from market.notifications.preferences import CATEGORIES, category_for, choices_of
from market.notifications.preferences import unsubscribe_url as _unsubscribe_url
from market.timeutil import utcnow

log = logging.getLogger(__name__)

__all__ = ["CATEGORIES", "TransientMailError", "notify", "notify_members"]


# A notification's own email: claimed by one worker before it is sent.
EMAILS = EmailClaim(
    Notification,
    status="email_status",
    attempts="email_attempts",
    error="email_error",
    task="worker.tasks.deliver_notification",
)


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

    category (one of CATEGORIES) selects the user's delivery preference for it; callers that
    pass none get the category their event key names (see preferences.category_for). A user
    with both channels off for it gets no row; email in a digest waits for the digest task.
    """
    category = category_for(category, event_key)
    created = []
    for user in users:
        notification = _add_once(user, event_key, subject, body, link, category)
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


def _add_once(user, event_key, subject, body, link, category) -> Notification | None:
    exists = select(Notification.id).where(
        Notification.user_id == user.id, Notification.event_key == event_key
    )
    if db.session.scalar(exists) is not None:
        return None
    chosen = choices_of(user)  # one query for both channels
    in_app = chosen[(category, Channel.IN_APP)] != Frequency.OFF
    email_status = _email_status(chosen[(category, Channel.EMAIL)])
    if not in_app and email_status == EmailStatus.NOT_NEEDED:
        return None  # both channels off: nothing to keep
    notification = Notification(
        user=user,
        event_key=event_key,
        category=category,
        subject=subject[:200],
        body=body,
        link=link,
        in_app=in_app,
        email_status=email_status,
    )
    try:
        with db.session.begin_nested():  # a concurrent twin task may have inserted it first
            db.session.add(notification)
    except IntegrityError:
        return None
    return notification


def _email_status(frequency: Frequency) -> EmailStatus:
    """How an email the user chose to get this often starts: now, in a digest, or not at all."""
    if not mail.can_send():
        return EmailStatus.NOT_NEEDED
    if frequency == Frequency.IMMEDIATE:
        return EmailStatus.PENDING
    if frequency in (Frequency.DAILY, Frequency.WEEKLY):
        return EmailStatus.DIGEST
    return EmailStatus.NOT_NEEDED


def deliver_email(notification_id: int) -> bool:
    """Send this notification's email if nobody has yet; True when this call sent it."""
    notification = EMAILS.send(notification_id, _compose)
    if notification is None:
        return False
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
    return EMAILS.requeue_stale(stale_after_seconds)


def _stamp(moment) -> str:
    """Seconds since the epoch: with the row id, unique even across a database reset."""
    return str(int(moment.timestamp()))


def _compose(notification: Notification) -> EmailMessage:
    user = notification.user
    return mail.compose(
        user,
        subject=notification.subject,
        template="notification",
        context={
            "notification": notification,
            "link": mail.absolute_url(notification.link or "/notifications/"),
            "settings_url": mail.absolute_url("/notifications/settings"),
        },
        idstring=f"n{notification.id}.{_stamp(notification.created_at)}",
        unsubscribe_url=_unsubscribe_url(user, notification.category),
    )


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id,
            Notification.in_app.is_(True),
            Notification.read_at.is_(None),
        )
    )


def notifications_for(user: User, limit: int = 100) -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id, Notification.in_app.is_(True))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def mark_all_read(user: User) -> int:
    """Mark the user's unread notifications read; returns how many."""
    return db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.in_app.is_(True),
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    ).rowcount


def failed_emails(limit: int = 100) -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.email_status == EmailStatus.FAILED)
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
