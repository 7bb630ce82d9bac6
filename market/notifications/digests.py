"""Daily and weekly digest emails: the notifications a user chose to receive in a batch.

A digest lists at most the ten best new matches (strongest first) and up to twenty other
notifications. Each notification is taken by one digest at most (`Notification.digest_id`),
so nothing is repeated: not in a later digest, and not after an immediate email (an emailed
notification never waits for a digest). A digest is unique per user and period, so running
the beat task twice in a day sends one digest; its email is claimed like any other.
"""

from __future__ import annotations

import logging
from datetime import date
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, tuple_, update
from sqlalchemy.exc import IntegrityError

from market import outbox, timeutil
from market.accounts.models import User
from market.extensions import db
from market.i18n import DEFAULT_LOCALE
from market.notifications import mail
from market.notifications.claims import EmailClaim
from market.notifications.models import (
    Channel,
    EmailStatus,
    Frequency,
    Notification,
    NotificationDigest,
)
from market.notifications.preferences import (
    ALL,
    CATEGORY_LABELS,
    choices_of,
    unsubscribe_url,
)
from market.timeutil import utcnow

log = logging.getLogger(__name__)

MATCH_CAP = 10
OTHER_CAP = 20
DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)

# A digest's email: claimed by one worker before it is sent, like a notification's own.
DIGEST_EMAILS = EmailClaim(
    NotificationDigest,
    status="status",
    attempts="attempts",
    error="error",
    task="worker.tasks.deliver_digest",
)


def period_of(frequency: Frequency, day: date) -> str:
    """The digest period a Xuchang date falls in: 2026-11-30 (daily) or 2026-W49 (weekly)."""
    if frequency == Frequency.DAILY:
        return day.isoformat()
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def prepare_digests(frequency: Frequency, today: date | None = None) -> list[int]:
    """Make this period's digest for every user with notifications waiting for one.

    Each digest's email is deferred to the outbox; returns the new digests' ids.
    """
    frequency = Frequency(frequency)
    period = period_of(frequency, today or timeutil.today())
    user_ids = db.session.scalars(
        select(Notification.user_id)
        .where(Notification.email_status == EmailStatus.DIGEST, Notification.digest_id.is_(None))
        .distinct()
        .order_by(Notification.user_id)
    ).all()
    users = db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id))
    made = []
    for user in users:
        digest = _prepare_for(user, frequency, period)
        if digest is not None:
            outbox.defer("worker.tasks.deliver_digest", digest.id)
            made.append(digest.id)
    log.info("%s digests for %s: %d", frequency.value, period, len(made))
    return made


def _prepare_for(user: User, frequency: Frequency, period: str) -> NotificationDigest | None:
    if _exists(user.id, frequency, period):
        return None  # this period's digest was made already; newer items wait for the next
    due = _due_notifications(user, frequency)
    matches = _ranked_matches([n for n in due if n.category == "match"])
    others = sorted((n for n in due if n.category != "match"), key=lambda n: n.id, reverse=True)
    listed = matches[:MATCH_CAP] + others[:OTHER_CAP]
    beyond = matches[MATCH_CAP:] + others[OTHER_CAP:]
    if not listed:
        return None
    digest = NotificationDigest(
        user_id=user.id,
        frequency=frequency,
        period=period,
        items=[n.id for n in listed],
        more=len(beyond),
    )
    try:
        with db.session.begin_nested():  # a concurrent run made it first: theirs stands
            db.session.add(digest)
    except IntegrityError:
        return None
    for notification in listed:
        notification.digest_id = digest.id
    for notification in beyond:  # in the inbox, counted in the email, never in a later digest
        notification.digest_id = digest.id
        notification.email_status = EmailStatus.NOT_NEEDED
    return digest


def _exists(user_id: int, frequency: Frequency, period: str) -> bool:
    return (
        db.session.scalar(
            select(NotificationDigest.id).where(
                NotificationDigest.user_id == user_id,
                NotificationDigest.frequency == frequency,
                NotificationDigest.period == period,
            )
        )
        is not None
    )


def _due_notifications(user: User, frequency: Frequency) -> list[Notification]:
    """The user's waiting notifications this digest takes, by the user's current choice.

    A category switched to 关闭 since is dropped; one switched to 立即 goes out with the next
    digest of either kind (it is already late); one now in the other digest waits for it.
    """
    waiting = db.session.scalars(
        select(Notification).where(
            Notification.user_id == user.id,
            Notification.email_status == EmailStatus.DIGEST,
            Notification.digest_id.is_(None),
        )
    ).all()
    choices = choices_of(user)  # one query, whatever the number waiting
    due = []
    for notification in waiting:
        chosen = choices[(notification.category, Channel.EMAIL)]
        if chosen == Frequency.OFF:
            notification.email_status = EmailStatus.NOT_NEEDED
        elif chosen in (frequency, Frequency.IMMEDIATE):
            due.append(notification)
    return due


def _ranked_matches(notifications: list[Notification]) -> list[Notification]:
    """Match notifications strongest first; those whose match was withdrawn are dropped."""
    found = _matches_of(notifications)
    ranked = []
    for notification in notifications:
        match = found.get(notification.id)
        if match is None:
            notification.email_status = EmailStatus.NOT_NEEDED
            notification.email_error = "match withdrawn before the digest"
            continue
        notification.strength = match.strength
        ranked.append(notification)
    ranked.sort(key=lambda n: (-n.strength, n.id))
    return ranked


def _matches_of(notifications) -> dict:
    """The stored matches these `match:<demand>:<supply>` notifications announced, by
    notification id (withdrawn ones missing): one query for all of them."""
    from market.matching.models import Match

    pairs = {}
    for notification in notifications:
        parts = notification.event_key.split(":")
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            pairs[notification.id] = (int(parts[1]), int(parts[2]))
    if not pairs:
        return {}
    matches = {
        (m.demand_id, m.supply_id): m
        for m in db.session.scalars(
            select(Match).where(
                tuple_(Match.demand_id, Match.supply_id).in_(sorted(set(pairs.values())))
            )
        )
    }
    return {nid: matches[pair] for nid, pair in pairs.items() if pair in matches}


# --- delivery -------------------------------------------------------------------------------


def deliver_digest(digest_id: int) -> bool:
    """Send this digest's email if nobody has yet; True when this call sent it."""
    digest = DIGEST_EMAILS.send(digest_id, compose_digest)
    if digest is None:
        return False
    now = utcnow()
    digest.status, digest.sent_at = EmailStatus.SENT, now
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(digest.items))
        .values(email_status=EmailStatus.SENT, emailed_at=now)
    )
    db.session.commit()
    log.info("digest %s (%d items) emailed to %s", digest_id, len(digest.items), digest.user.email)
    return True


def mark_digest_failed(digest_id: int, error: str) -> None:
    """Give up on a digest after the last retry; its items join the bureau's failed list."""
    digest = db.session.get(NotificationDigest, digest_id)
    if digest is None or digest.status == EmailStatus.SENT:
        return
    digest.status, digest.error = EmailStatus.FAILED, error[:2000]
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(digest.items), Notification.email_status != EmailStatus.SENT)
        .values(email_status=EmailStatus.FAILED, email_error=error[:2000])
    )
    db.session.commit()
    log.error("digest %s: email failed for good: %s", digest_id, error)


def requeue_stale_digests(stale_after_seconds: int) -> int:
    """Put back digests claimed long ago by a worker that died, and queue their delivery."""
    return DIGEST_EMAILS.requeue_stale(stale_after_seconds)


# --- the email ------------------------------------------------------------------------------


def digest_contents(digest: NotificationDigest) -> tuple[list, list]:
    """(matches, others) as listed: matches as (notification, strength), strongest first."""
    by_id = {
        n.id: n
        for n in db.session.scalars(select(Notification).where(Notification.id.in_(digest.items)))
    }
    found = _matches_of(n for n in by_id.values() if n.category == "match")
    matches, others = [], []
    for notification_id in digest.items:
        notification = by_id.get(notification_id)
        if notification is None:
            continue
        if notification.category == "match":
            match = found.get(notification.id)
            matches.append((notification, match.strength if match else None))
        else:
            others.append(notification)
    return matches, others


def compose_digest(digest: NotificationDigest) -> EmailMessage:
    """The digest email: text + HTML in the user's language, with unsubscribe links."""
    user = digest.user
    matches, others = digest_contents(digest)
    categories = sorted({n.category for n, _s in matches} | {n.category for n in others})
    primary = "match" if matches else (categories[0] if len(categories) == 1 else ALL)
    with force_locale(user.locale or DEFAULT_LOCALE):
        subject = _digest_subject(digest)
        unsubscribe = [(str(CATEGORY_LABELS[c]), unsubscribe_url(user, c)) for c in categories]
    return mail.compose(
        user,
        subject=subject,
        template="digest",
        context={
            "digest": digest,
            "matches": [(n, s, mail.absolute_url(n.link or "/notifications/")) for n, s in matches],
            "others": [(n, mail.absolute_url(n.link or "/notifications/")) for n in others],
            "more": digest.more,
            "inbox_url": mail.absolute_url("/notifications/"),
            "settings_url": mail.absolute_url("/notifications/settings"),
            "unsubscribe_links": unsubscribe,
            "unsubscribe_all_url": unsubscribe_url(user, ALL),
        },
        idstring=f"d{digest.id}.{int(digest.created_at.timestamp())}",
        unsubscribe_url=unsubscribe_url(user, primary),
    )


def _digest_subject(digest: NotificationDigest) -> str:
    count = len(digest.items) + digest.more
    if digest.frequency == Frequency.DAILY:
        return _("许昌科技大市场每日汇总：%(count)d 条新消息", count=count)
    return _("许昌科技大市场每周汇总：%(count)d 条新消息", count=count)
