"""The bureau's review of submitted postings: publish, return for changes or reject.

Every decision is kept with who took it, when and why; the poster is told of each one.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from market import outbox
from market.accounts.models import User
from market.errors import DomainError, PermissionDenied
from market.extensions import db
from market.links import path_for
from market.notifications.services import notify_members
from market.postings.models import Posting, PostingStatus, ReviewDecision
from market.postings.services import get_posting
from market.timeutil import utcnow

log = logging.getLogger(__name__)

REASON_MAX = 1000


def review_queue() -> list[Posting]:
    """Postings waiting for a decision, oldest first."""
    return db.session.scalars(
        select(Posting)
        .where(Posting.status == PostingStatus.PENDING)
        .order_by(Posting.created_at, Posting.id)
    ).all()


def publish_posting(reviewer: User, posting_id: int) -> Posting:
    """Publish a pending posting; it is indexed and matched after the commit."""
    posting = _pending_posting(reviewer, posting_id)
    posting.status = PostingStatus.PUBLISHED
    posting.published_at = posting.last_confirmed_at = utcnow()
    decision = _record(reviewer, posting, PostingStatus.PUBLISHED, None)
    outbox.defer("worker.tasks.index_posting", posting.id)
    _tell_poster(posting, decision)
    return posting


def return_posting(reviewer: User, posting_id: int, reason: str) -> Posting:
    """Send a pending posting back to its poster for changes, saying what to change."""
    reason = _required_reason(reason)
    posting = _pending_posting(reviewer, posting_id)
    posting.status = PostingStatus.RETURNED
    _tell_poster(posting, _record(reviewer, posting, PostingStatus.RETURNED, reason))
    return posting


def reject_posting(reviewer: User, posting_id: int, reason: str) -> Posting:
    """Reject a pending posting; the poster is told why."""
    reason = _required_reason(reason)
    posting = _pending_posting(reviewer, posting_id)
    posting.status = PostingStatus.REJECTED
    _tell_poster(posting, _record(reviewer, posting, PostingStatus.REJECTED, reason))
    return posting


def resubmit_posting(posting: Posting) -> Posting:
    """Put a returned posting, changed by its owner, back into the review queue."""
    if posting.status not in (PostingStatus.RETURNED, PostingStatus.PENDING):
        raise DomainError(_("只有退回修改的信息可以重新提交审核。"))
    posting.status = PostingStatus.PENDING
    return posting


def _required_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("退回或驳回时必须填写原因。"), {"reason": _("请填写原因。")})
    if len(reason) > REASON_MAX:
        raise DomainError(_("原因不能超过 %(n)d 个字。", n=REASON_MAX))
    return reason


def _pending_posting(reviewer: User, posting_id: int) -> Posting:
    if not reviewer.is_bureau:
        raise PermissionDenied(_("只有科技局工作人员可以审核。"))
    posting = get_posting(posting_id)
    if posting.status != PostingStatus.PENDING:
        raise DomainError(_("该信息已审核过，不能重复审核。"))
    return posting


def _record(
    reviewer: User, posting: Posting, decision: PostingStatus, reason: str | None
) -> ReviewDecision:
    record = ReviewDecision(posting=posting, reviewer=reviewer, decision=decision, reason=reason)
    db.session.add(record)
    db.session.flush()  # its id names the notification event
    log.info("%s %s posting #%s", reviewer.email, decision.value, posting.id)
    return record


def _tell_poster(posting: Posting, decision: ReviewDecision) -> None:
    notify_members(
        posting.organization,
        event_key=f"review:{posting.id}:{decision.id}",
        link=path_for("postings.detail", posting_id=posting.id),
        compose=lambda: _decision_message(posting, decision),
    )


def _decision_message(posting: Posting, decision: ReviewDecision) -> tuple[str, str]:
    title, reason = posting.title, decision.reason
    if decision.decision == PostingStatus.PUBLISHED:
        return (
            _("您发布的“%(title)s”已通过审核并公开", title=title),
            _("科技局已审核通过，系统正在为其匹配成果与需求。"),
        )
    if decision.decision == PostingStatus.RETURNED:
        return (
            _("您发布的“%(title)s”需要修改后重新提交", title=title),
            _("修改意见：%(reason)s", reason=reason) + "\n" + _("请修改后重新提交审核。"),
        )
    return (
        _("您发布的“%(title)s”未通过审核", title=title),
        _("原因：%(reason)s", reason=reason),
    )
