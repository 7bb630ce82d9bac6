"""Create postings and decide who may see them."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from market.accounts.models import Role, User
from market.errors import DomainError, NotFound, PermissionDenied
from market.extensions import db
from market.money import AmountError, parse_amount
from market.postings.models import (
    BODY_MAX,
    COOPERATION_MODES,
    FIELDS,
    MATURITY_LEVELS,
    TITLE_MAX,
    Posting,
    PostingKind,
    PostingStatus,
    Problem,
    Result,
    ReviewDecision,
    TalentNeed,
)
from market.timeutil import today

log = logging.getLogger(__name__)

BODY_MIN = 20
MAX_VALID_DAYS = 2 * 365
KEYWORD_SPLIT = re.compile(r"[,，、;；\s]+")


def create_problem(author: User, data: dict) -> Problem:
    """A company submits a technical problem for review."""
    _require_role(author, Role.ENTERPRISE)
    errors: dict[str, str] = {}
    common = _common_fields(data, errors)
    budget = _optional_amount(data.get("budget"), errors, "budget")
    cooperation = _choice(data.get("cooperation"), COOPERATION_MODES, errors, "cooperation")
    _raise_if(errors)
    problem = Problem(**common, budget=budget, cooperation=cooperation)
    return _add(problem, author)


def create_talent_need(author: User, data: dict) -> TalentNeed:
    """A company submits a talent need for review."""
    _require_role(author, Role.ENTERPRISE)
    errors: dict[str, str] = {}
    common = _common_fields(data, errors)
    headcount = data.get("headcount")
    if headcount is not None and not (1 <= int(headcount) <= 999):
        errors["headcount"] = _("招聘人数应在 1 到 999 之间。")
    _raise_if(errors)
    need = TalentNeed(
        **common,
        position=_clean(data.get("position"))[:60] or None,
        discipline=_clean(data.get("discipline"))[:60] or None,
        degree=_clean(data.get("degree"))[:20] or None,
        headcount=headcount,
    )
    return _add(need, author)


def create_result(author: User, data: dict) -> Result:
    """An institute liaison submits a research result for review."""
    _require_role(author, Role.INSTITUTE)
    errors: dict[str, str] = {}
    common = _common_fields(data, errors)
    maturity = _choice(data.get("maturity"), MATURITY_LEVELS, errors, "maturity")
    modes = [m for m in data.get("cooperation_modes") or [] if m in COOPERATION_MODES]
    if not modes:
        errors["cooperation_modes"] = _("请至少选择一种合作方式。")
    _raise_if(errors)
    return _add(Result(**common, maturity=maturity, cooperation_modes=modes), author)


def _add(posting: Posting, author: User) -> Posting:
    posting.author = author
    posting.organization = author.organization
    posting.status = PostingStatus.PENDING
    db.session.add(posting)
    db.session.flush()
    log.info("%s #%s submitted by %s", posting.kind.value, posting.id, author.email)
    return posting


def _common_fields(data: dict, errors: dict) -> dict:
    title = _clean(data.get("title"))
    body = _clean(data.get("body"), multiline=True)
    if not title:
        errors["title"] = _("请填写标题。")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("标题不能超过 %(n)d 个字。", n=TITLE_MAX)
    if len(body) < BODY_MIN:
        errors["body"] = _("内容太短：请至少写 %(n)d 个字，说明具体情况。", n=BODY_MIN)
    elif len(body) > BODY_MAX:
        errors["body"] = _("内容不能超过 %(n)d 个字。", n=BODY_MAX)
    field = _choice(data.get("field"), FIELDS, errors, "field")
    valid_until = _valid_until(data.get("valid_until"), errors)
    keywords = parse_keywords(data.get("keywords"))
    return {
        "title": title,
        "body": body,
        "field": field,
        "valid_until": valid_until,
        "keywords": keywords,
    }


def parse_keywords(value) -> list[str]:
    """Keywords from a list or a string separated by commas, 、 or spaces (at most 10)."""
    if isinstance(value, str):
        value = KEYWORD_SPLIT.split(unicodedata.normalize("NFKC", value))
    words = [_clean(v)[:30] for v in value or []]
    return list(dict.fromkeys(w for w in words if w))[:10]


def _valid_until(value: date | None, errors: dict) -> date | None:
    if value is None:
        errors["valid_until"] = _("请填写有效期。")
    elif value <= today():
        errors["valid_until"] = _("有效期必须晚于今天。")
    elif value > today() + timedelta(days=MAX_VALID_DAYS):
        errors["valid_until"] = _("有效期最长两年。")
    return value


def _optional_amount(value, errors: dict, name: str):
    try:
        return parse_amount(value, required=False)
    except AmountError as exc:
        errors[name] = str(exc)
        return None


def _choice(value, allowed, errors: dict, name: str) -> str | None:
    if value not in allowed:
        errors[name] = _("请从列表中选择。")
        return None
    return value


def _clean(value, multiline: bool = False) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").strip()
    return text if multiline else " ".join(text.split())


def _raise_if(errors: dict) -> None:
    if errors:
        raise DomainError(_("提交的内容有误，请按提示修改。"), errors)


def _require_role(user: User, role: Role) -> None:
    if user.role != role:
        raise PermissionDenied(_("您的账号类型不能发布此类信息。"))


def get_posting(posting_id: int) -> Posting:
    posting = db.session.get(Posting, posting_id)
    if posting is None:
        raise NotFound(_("信息不存在。"))
    return posting


def can_view(user, posting: Posting) -> bool:
    """Published postings are public; others only for their organisation and the bureau."""
    if posting.is_visible:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_bureau or user.organization_id == posting.organization_id


def is_owner(user, posting: Posting) -> bool:
    return (
        getattr(user, "is_authenticated", False) and user.organization_id == posting.organization_id
    )


def get_visible_posting(user, posting_id: int) -> Posting:
    """The posting if this user may see it; otherwise a 404 that reveals nothing."""
    posting = get_posting(posting_id)
    if not can_view(user, posting):
        raise NotFound(_("信息不存在。"))
    return posting


def postings_of(user: User) -> list[Posting]:
    return db.session.scalars(
        select(Posting)
        .where(Posting.organization_id == user.organization_id)
        .order_by(Posting.created_at.desc(), Posting.id.desc())
    ).all()


def published_postings(kind: PostingKind | None = None, limit: int = 100) -> list[Posting]:
    """Visible postings, newest first."""
    query = select(Posting).where(
        Posting.status == PostingStatus.PUBLISHED,
        (Posting.valid_until.is_(None)) | (Posting.valid_until >= today()),
    )
    if kind is not None:
        query = query.where(Posting.kind == kind)
    return db.session.scalars(
        query.order_by(Posting.published_at.desc(), Posting.id.desc()).limit(limit)
    ).all()


def review_history(posting: Posting) -> list[ReviewDecision]:
    """The bureau's decisions on this posting, oldest first."""
    return db.session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.posting_id == posting.id)
        .order_by(ReviewDecision.decided_at, ReviewDecision.id)
    ).all()
