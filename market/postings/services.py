"""Create, change and list postings; decide who may see them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import String, cast, select

from market import outbox
from market.accounts.models import Organization, Role, User
from market.errors import DomainError, NotFound, PermissionDenied
from market.extensions import db
from market.postings.completeness import Completeness, completeness, completeness_of
from market.postings.fields import KIND_FIELDS, keywords, validate_posting
from market.postings.models import (
    Equipment,
    Expert,
    Posting,
    PostingKind,
    PostingStatus,
    Problem,
    Result,
    ReviewDecision,
    TalentNeed,
    Visibility,
)
from market.postings.visibility import (
    can_see_company,
    can_view_details,
    company_name,
    visible_fields,
)
from market.timeutil import utcnow

log = logging.getLogger(__name__)

__all__ = [  # the contract other blueprints (import/export, API, review) build on
    "KIND_FIELDS",
    "Completeness",
    "can_see_company",
    "can_view_details",
    "company_name",
    "completeness",
    "completeness_of",
    "create_posting",
    "submit_posting",
    "update_posting",
    "update_posting_fields",
    "validate_posting",
    "visible_fields",
]


KIND_CLASSES = {
    PostingKind.PROBLEM: Problem,
    PostingKind.TALENT: TalentNeed,
    PostingKind.RESULT: Result,
    PostingKind.EXPERT: Expert,
    PostingKind.EQUIPMENT: Equipment,
}
POSTER_ROLES = {
    PostingKind.PROBLEM: Role.ENTERPRISE,
    PostingKind.TALENT: Role.ENTERPRISE,
    PostingKind.RESULT: Role.INSTITUTE,
    PostingKind.EXPERT: Role.INSTITUTE,
    PostingKind.EQUIPMENT: Role.INSTITUTE,
}
# Changing these on a published posting changes what it matches: index it again.
EDITABLE_STATUSES = (PostingStatus.PENDING, PostingStatus.RETURNED, PostingStatus.PUBLISHED)


def submit_posting(author: User, kind: PostingKind, data: dict) -> Posting:
    """A company or institute member submits a posting of this kind for review."""
    kind = PostingKind(kind)
    if author.role != POSTER_ROLES[kind]:
        raise PermissionDenied(_("您的账号类型不能发布此类信息。"))
    return create_posting(kind, data, author=author)


def create_posting(
    kind: PostingKind,
    data: dict,
    *,
    author: User | None = None,
    organization: Organization | None = None,
    status: PostingStatus = PostingStatus.PENDING,
    index: bool = True,
) -> Posting:
    """Validate and add a posting (pending review unless a status is given).

    A published posting is indexed after the commit, unless index=False (batch callers).
    """
    kind = PostingKind(kind)
    posting = KIND_CLASSES[kind](**validate_posting(kind, data))
    posting.author = author
    posting.organization = organization or author.organization
    posting.status = status
    if status == PostingStatus.PUBLISHED:
        posting.published_at = posting.last_confirmed_at = utcnow()
    db.session.add(posting)
    db.session.flush()
    if status == PostingStatus.PUBLISHED and index:
        outbox.defer("worker.tasks.index_posting", posting.id)
    log.info("%s #%s created (%s)", kind.value, posting.id, status.value)
    return posting


def update_posting_fields(posting: Posting, data: dict, *, index: bool = True) -> Posting:
    """Validate and apply the given fields; a published posting is indexed and matched again.

    With index=False the caller indexes it (in a batch with others).
    """
    for name, value in validate_posting(posting.kind, data, partial=True).items():
        setattr(posting, name, value)
    posting.updated_at = utcnow()
    db.session.flush()
    if posting.status == PostingStatus.PUBLISHED and index:
        outbox.defer("worker.tasks.index_posting", posting.id)
    return posting


def update_posting(user: User, posting_id: int, data: dict) -> Posting:
    """The owner changes a posting; a returned one goes back to the review queue."""
    posting = get_posting(posting_id)
    if not is_owner(user, posting):
        raise PermissionDenied(_("只能修改本单位发布的信息。"))
    if posting.status not in EDITABLE_STATUSES:
        raise DomainError(_("已驳回或已归档的信息不能修改，请重新发布。"))
    update_posting_fields(posting, data)
    if posting.status == PostingStatus.RETURNED:
        from market.review.services import resubmit_posting  # review imports postings

        resubmit_posting(posting)
    log.info("%s #%s updated by %s", posting.kind.value, posting.id, user.email)
    return posting


def create_problem(author: User, data: dict) -> Problem:
    """A company submits a technical problem for review."""
    return submit_posting(author, PostingKind.PROBLEM, data)


def create_talent_need(author: User, data: dict) -> TalentNeed:
    """A company submits a talent need for review."""
    return submit_posting(author, PostingKind.TALENT, data)


def create_result(author: User, data: dict) -> Result:
    """An institute liaison submits a research result for review."""
    return submit_posting(author, PostingKind.RESULT, data)


def parse_keywords(value) -> list[str]:
    """Keywords from a list or a separated string (at most 10)."""
    return keywords(value or [])


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
    query = _visible(select(Posting))
    if kind is not None:
        query = query.where(Posting.kind == kind)
    return db.session.scalars(
        query.order_by(Posting.published_at.desc(), Posting.id.desc()).limit(limit)
    ).all()


def _visible(query):
    return query.where(Posting.is_visible)


# Table columns, not subclass attributes: Problem.cooperation in a WHERE would make
# SQLAlchemy add "kind IN ('PROBLEM')" and drop every other kind from the list.
COLUMNS = Posting.__table__.c

SORTS = {
    "newest": (Posting.published_at.desc(), Posting.id.desc()),
    "oldest": (Posting.published_at.asc(), Posting.id.asc()),
    "expiring": (Posting.valid_until.asc(), Posting.id.asc()),
    "title": (Posting.title.asc(), Posting.id.asc()),
}


@dataclass
class ListFilters:
    """The filters and order of a posting list, as the query string gives them."""

    kind: PostingKind | None = None
    field: str | None = None
    county: str | None = None
    cooperation: str | None = None
    maturity: str | None = None
    status: PostingStatus | None = None  # the bureau's lists only
    sort: str = "newest"
    page: int = 1
    per_page: int = 20
    bureau: bool = False

    @classmethod
    def from_args(cls, args, viewer) -> ListFilters:
        """Read filters from request args; unknown values are ignored, not errors."""
        bureau = bool(getattr(viewer, "is_authenticated", False) and viewer.is_bureau)
        return cls(
            kind=_enum(PostingKind, args.get("kind")),
            field=args.get("field") or None,
            county=args.get("county") or None,
            cooperation=args.get("cooperation") or None,
            maturity=args.get("maturity") or None,
            status=_enum(PostingStatus, args.get("status")) if bureau else None,
            sort=args.get("sort") if args.get("sort") in SORTS else "newest",
            page=max(1, args.get("page", 1, type=int) or 1),
            per_page=min(100, max(1, args.get("per_page", 20, type=int) or 20)),
            bureau=bureau,
        )

    def args(self, **changes) -> dict:
        """Query-string arguments for a link to this list with some filters changed."""
        values = {
            "kind": self.kind.value if self.kind else None,
            "field": self.field,
            "county": self.county,
            "cooperation": self.cooperation,
            "maturity": self.maturity,
            "status": self.status.value if self.status else None,
            "sort": self.sort,
            "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _enum(enum_class, value):
    try:
        return enum_class(value) if value else None
    except ValueError:
        return None


def filtered_query(filters: ListFilters):
    """The SELECT behind a posting list (shared by the pages, exports and the API)."""
    query = select(Posting).join(Organization, Organization.id == Posting.organization_id)
    if filters.bureau and filters.status is not None:
        query = query.where(Posting.status == filters.status)
    elif not filters.bureau:
        query = _visible(query)
    if filters.kind is not None:
        query = query.where(Posting.kind == filters.kind)
    if filters.field:
        query = query.where(Posting.field == filters.field)
    if filters.county:
        query = query.where(Organization.county == filters.county)
        if not filters.bureau:  # an anonymous company's county would give it away
            query = query.where(COLUMNS.visibility.is_distinct_from(Visibility.ANONYMOUS))
    if filters.cooperation:
        modes = cast(COLUMNS.cooperation_modes, String)
        query = query.where(
            (COLUMNS.cooperation == filters.cooperation) | modes.like(f'%"{filters.cooperation}"%')
        )
    if filters.maturity:
        query = query.where(COLUMNS.maturity == filters.maturity)
    return query.order_by(*SORTS[filters.sort])


def list_postings(filters: ListFilters):
    """One page of postings (Flask-SQLAlchemy Pagination: .items, .total, .pages)."""
    return db.paginate(
        filtered_query(filters), page=filters.page, per_page=filters.per_page, error_out=False
    )


def form_values(posting: Posting) -> dict:
    """A stored posting as its edit form shows it."""
    values = {}
    for name in KIND_FIELDS[posting.kind]:
        value = getattr(posting, name)
        if isinstance(value, list):
            value = "、".join(value) if name != "cooperation_modes" else value
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        elif value is not None and not isinstance(value, str | int):
            value = f"{value:.2f}"  # money
        values[name] = value
    return values


def review_history(posting: Posting) -> list[ReviewDecision]:
    """The bureau's decisions on this posting, oldest first."""
    return db.session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.posting_id == posting.id)
        .order_by(ReviewDecision.decided_at, ReviewDecision.id)
    ).all()
