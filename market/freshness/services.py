"""Keep postings current: remind owners before expiry, let them reconfirm, archive the expired.

Every function that depends on the date takes `today` (default: Xuchang's today), so the beat
tasks and the tests can say which day it is.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import or_, select

from market import outbox, timeutil
from market.accounts.models import User
from market.errors import DomainError, PermissionDenied
from market.extensions import db
from market.links import path_for
from market.notifications.services import notify_members
from market.postings.models import Posting, PostingStatus
from market.postings.services import get_posting, is_owner

log = logging.getLogger(__name__)

EXTEND_DAYS = 180  # a reconfirmed posting stays valid this long from the day of confirmation
MAX_VALID_DAYS = 2 * 365  # never valid further ahead than this
TOKEN_SALT = "market.freshness.confirm"


# --- reminders and archiving (beat tasks) ---------------------------------------------------


def expiring_postings(today: date | None = None) -> list[Posting]:
    """Published postings expiring within the reminder window that were not yet reminded."""
    today = today or timeutil.today()
    horizon = today + timedelta(days=current_app.config["MARKET_REMIND_DAYS_BEFORE"])
    return db.session.scalars(
        select(Posting)
        .where(
            Posting.status == PostingStatus.PUBLISHED,
            Posting.valid_until >= today,
            Posting.valid_until <= horizon,
            or_(Posting.reminded_for.is_(None), Posting.reminded_for != Posting.valid_until),
        )
        .order_by(Posting.valid_until, Posting.id)
    ).all()


def remind_expiring_postings(today: date | None = None) -> int:
    """Ask owners to reconfirm postings about to expire: once per posting and expiry date."""
    postings = expiring_postings(today)
    for posting in postings:
        posting.reminded_for = posting.valid_until
        _tell_owners(posting, "remind", confirm_link(posting))
        log.info("posting #%s: expiry reminder for %s", posting.id, posting.valid_until)
    return len(postings)


def expired_postings(today: date | None = None) -> list[Posting]:
    """Published postings whose valid-until date has passed."""
    today = today or timeutil.today()
    return db.session.scalars(
        select(Posting)
        .where(Posting.status == PostingStatus.PUBLISHED, Posting.valid_until < today)
        .order_by(Posting.id)
    ).all()


def archive_expired_postings(today: date | None = None) -> int:
    """Archive expired postings, take them out of the index and tell their owners."""
    postings = expired_postings(today)
    for posting in postings:
        posting.status = PostingStatus.ARCHIVED
        outbox.defer("worker.tasks.index_posting", posting.id)
        _tell_owners(posting, "archived", path_for("postings.detail", posting_id=posting.id))
        log.info("posting #%s archived: valid until %s", posting.id, posting.valid_until)
    return len(postings)


def _tell_owners(posting: Posting, event: str, link: str) -> None:
    notify_members(
        posting.organization,
        event_key=f"freshness:{event}:{posting.id}:{posting.valid_until.isoformat()}",
        link=link,
        compose=lambda: _message(event, posting),
    )


def _message(event: str, posting: Posting) -> tuple[str, str]:
    title, until = posting.title, posting.valid_until.isoformat()
    if event == "remind":
        return (
            _("您发布的“%(title)s”将于 %(date)s 到期", title=title, date=until),
            _("如果该信息仍然有效，请点击链接确认，有效期将延长 %(days)d 天。", days=EXTEND_DAYS),
        )
    return (
        _("您发布的“%(title)s”已过期并归档", title=title),
        _("有效期至 %(date)s，已不再公开展示。如仍有需要，请重新发布。", date=until),
    )


# --- reconfirmation --------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def confirmation_token(posting: Posting) -> str:
    """A signed token naming the posting and the expiry date it reconfirms."""
    return _serializer().dumps({"p": posting.id, "v": posting.valid_until.isoformat()})


def confirm_link(posting: Posting) -> str:
    """The one-click reconfirmation path sent in a reminder."""
    token = confirmation_token(posting)
    return path_for("freshness.confirm_from_link", posting_id=posting.id, token=token)


def read_confirmation_token(token: str, posting_id: int) -> date:
    """The expiry date a valid token was sent for; DomainError for a bad or stale token."""
    max_age = current_app.config["MARKET_CONFIRM_LINK_DAYS"] * 24 * 3600
    try:
        data = _serializer().loads(token or "", max_age=max_age)
    except SignatureExpired as exc:
        raise DomainError(_("确认链接已过期，请登录后在信息页面点击“确认仍然有效”。")) from exc
    except BadSignature as exc:
        raise DomainError(_("确认链接无效，请从提醒邮件或站内消息中重新打开。")) from exc
    if not isinstance(data, dict) or data.get("p") != posting_id:
        raise DomainError(_("确认链接无效，请从提醒邮件或站内消息中重新打开。"))
    return date.fromisoformat(data["v"])


def link_is_used(posting: Posting, sent_for: date) -> bool:
    """True once the posting was reconfirmed (or changed) since the link was sent."""
    return posting.valid_until != sent_for


def confirm_from_link(token: str, posting_id: int, today: date | None = None) -> Posting:
    """Reconfirm a posting from a reminder's link; using the link again changes nothing."""
    sent_for = read_confirmation_token(token, posting_id)
    posting = get_posting(posting_id)
    if link_is_used(posting, sent_for):
        return posting
    return confirm_posting(posting, today)


def confirm_as_owner(user: User, posting_id: int, today: date | None = None) -> Posting:
    """A logged-in member of the owning organisation says the posting is still current."""
    posting = get_posting(posting_id)
    if not is_owner(user, posting):
        raise PermissionDenied(_("只有发布方可以确认该信息仍然有效。"))
    return confirm_posting(posting, today)


def confirm_posting(posting: Posting, today: date | None = None) -> Posting:
    """Record that the posting is current and extend its validity (never shorten it)."""
    if posting.status != PostingStatus.PUBLISHED:
        raise DomainError(_("只有已发布的信息可以确认有效；已归档的信息请重新发布。"))
    posting.valid_until = extended_until(posting.valid_until, today)
    posting.last_confirmed_at = timeutil.utcnow()
    outbox.defer("worker.tasks.index_posting", posting.id)
    log.info("posting #%s reconfirmed, valid until %s", posting.id, posting.valid_until)
    return posting


def extended_until(current: date | None, today: date | None = None) -> date:
    """180 days from today, unless already later; at most two years ahead."""
    today = today or timeutil.today()
    wanted = today + timedelta(days=EXTEND_DAYS)
    if current is not None and current > wanted:
        wanted = current
    return min(wanted, today + timedelta(days=MAX_VALID_DAYS))
