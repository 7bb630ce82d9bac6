"""API tokens, and the listings the API pages through (filters and counts in SQL)."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, Text, cast, func, or_, select

from market.accounts.models import Organization, User
from market.agreements.models import Agreement
from market.agreements.services import _party_filter as party_filter
from market.agreements.services import with_parties
from market.api.models import ApiToken
from market.errors import DomainError, NotFound
from market.extensions import db
from market.postings.models import (
    Posting,
    PostingKind,
    PostingStatus,
    Problem,
    Result,
    Visibility,
)
from market.postings.services import KIND_CLASSES
from market.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_ID = 2**31 - 1  # INTEGER ids: PostgreSQL fails on a larger one rather than finding none
TOKEN_PREFIX = "xcm_"
TOKEN_NAME_MAX = 60
MAX_ACTIVE_TOKENS = 10
# Writing the last-use time on every call would turn each GET into a write; once a minute
# is exact enough to tell a token in use from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """The stored form of a token: hex SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for this user; returns the row and the token, which is never stored."""
    name = " ".join(str(name or "").split())
    if not name:
        raise DomainError(_("请填写令牌名称。"), {"name": _("请填写令牌名称。")})
    if len(name) > TOKEN_NAME_MAX:
        message = _("令牌名称不能超过 %(n)d 个字。", n=TOKEN_NAME_MAX)
        raise DomainError(message, {"name": message})
    if len(active_tokens_of(user)) >= MAX_ACTIVE_TOKENS:
        raise DomainError(
            _("最多可同时持有 %(n)d 个令牌，请先撤销不用的令牌。", n=MAX_ACTIVE_TOKENS)
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=hash_token(plain), prefix=plain[:12])
    db.session.add(token)
    db.session.flush()
    log.info("API token #%s (%s) created by %s", token.id, token.prefix, user.email)
    return token, plain


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; it is refused from then on."""
    token = db.session.get(ApiToken, token_id) if token_id <= MAX_ID else None
    if token is None or token.user_id != user.id:
        raise NotFound(_("令牌不存在。"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        log.info("API token #%s (%s) revoked by %s", token.id, token.prefix, user.email)
    return token


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, active first, newest first."""
    return db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def active_tokens_of(user: User) -> list[ApiToken]:
    return [token for token in tokens_of(user) if token.is_active]


def user_for_token(plain: str) -> User | None:
    """The owner of an active token, noting when it was used; None for unknown or revoked."""
    token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(plain), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None:
        return None
    now = utcnow()
    last = token.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last >= LAST_USED_PRECISION:
        token.last_used_at = now
    return token.user


@dataclass(frozen=True)
class PostingFilters:
    """What a posting list may be narrowed by; None means "any"."""

    field: str | None = None
    county: str | None = None
    cooperation: str | None = None
    maturity: str | None = None
    status: PostingStatus | None = None
    mine: bool = False


@dataclass(frozen=True)
class Page:
    number: int = 1
    size: int = 20

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def list_postings(viewer, kind: PostingKind, filters: PostingFilters, page: Page):
    """One page of the postings of a kind this viewer may list, and how many there are.

    Everyone lists published, current postings; members list their own organisation's with
    `mine`; only the bureau lists every status.
    """
    # Selecting the kind's class loads its own columns with the rows (and filters on kind).
    query = _scope(viewer, select(KIND_CLASSES[kind]), filters)
    query = _narrow(viewer, query, kind, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(
            func.coalesce(Posting.published_at, Posting.created_at).desc(), Posting.id.desc()
        )
        .offset(page.offset)
        .limit(page.size)
    ).all()
    return rows, total


def _scope(viewer, query: Select, filters: PostingFilters) -> Select:
    if filters.mine:
        query = query.where(Posting.organization_id == viewer.organization_id)
    elif not is_bureau(viewer):
        return query.where(Posting.is_visible)
    if filters.status is not None:
        query = query.where(Posting.status == filters.status)
    return query


def _narrow(viewer, query: Select, kind: PostingKind, filters: PostingFilters) -> Select:
    if filters.field:
        query = query.where(Posting.field == filters.field)
    if filters.county:
        query = query.join(Organization, Organization.id == Posting.organization_id).where(
            Organization.county == filters.county
        )
        if kind == PostingKind.PROBLEM and not is_bureau(viewer):
            # An anonymous problem's county would narrow down who posted it: such problems
            # never answer a county filter, except for their own company.
            query = query.where(
                or_(
                    Problem.visibility.is_(None),
                    Problem.visibility != Visibility.ANONYMOUS,
                    Posting.organization_id == getattr(viewer, "organization_id", None),
                )
            )
    if filters.cooperation and kind == PostingKind.PROBLEM:
        query = query.where(Problem.cooperation == filters.cooperation)
    if filters.cooperation and kind == PostingKind.RESULT:
        query = query.where(_json_list_contains(Result.cooperation_modes, filters.cooperation))
    if filters.maturity and kind == PostingKind.RESULT:
        query = query.where(Result.maturity == filters.maturity)
    return query


def _json_list_contains(column, value: str):
    """A JSON list column holds `value`, on SQLite and PostgreSQL alike (JSON kept as text).

    Lists are stored as json.dumps wrote them, with or without escaped non-ASCII characters.
    """
    as_text = cast(column, Text)
    return or_(
        as_text.contains(json.dumps(value), autoescape=True),
        as_text.contains(json.dumps(value, ensure_ascii=False), autoescape=True),
    )


def agreement_by_key(key: str) -> Agreement | None:
    """The agreement an earlier submission with this key recorded, if any."""
    return db.session.scalar(select(Agreement).where(Agreement.submission_key == key.strip()))


def is_bureau(viewer) -> bool:
    return bool(getattr(viewer, "is_authenticated", False) and viewer.is_bureau)


def visible_agreements(viewer, year: int | None = None, county: str | None = None) -> Select:
    """The SELECT behind `agreements_visible_to`, newest first, for paging in SQL: every
    agreement for the bureau, else those the viewer's organisation is party to; `county` is the
    agreement's own county field (as the API has always filtered)."""
    query = (
        select(Agreement)
        .options(*with_parties())
        .order_by(Agreement.signed_on.desc(), Agreement.id.desc())
    )
    if not is_bureau(viewer):
        query = query.where(party_filter(viewer.organization_id))
    if year is not None:
        query = query.where(
            Agreement.signed_on >= date(year, 1, 1), Agreement.signed_on <= date(year, 12, 31)
        )
    if county is not None:
        query = query.where(Agreement.county == county)
    return query


def paginate(query: Select, page: Page) -> tuple[list, int]:
    """One page of a SELECT's rows (LIMIT/OFFSET in SQL), and how many rows there are."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.offset(page.offset).limit(page.size)).all()
    return rows, total


def page_of(items: list, page: Page) -> tuple[list, int]:
    """One page of a list a service already returned, and the list's length."""
    return items[page.offset : page.offset + page.size], len(items)
