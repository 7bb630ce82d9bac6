"""Postings: companies' demands (problems, talent needs) and institutes' supply (research
results, experts, shareable equipment).

One table with a `kind` discriminator (single-table inheritance): every posting shares review,
freshness, visibility and indexing; each kind adds columns, not machinery.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, Enum, ForeignKey, Integer, String, Text, and_, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organization, User
from market.extensions import db
from market.money import Money
from market.timeutil import today, utcnow

TITLE_MAX = 200  # research results titled by their keywords run past 100 characters
BODY_MAX = 5000


class PostingKind(str, enum.Enum):
    PROBLEM = "problem"
    TALENT = "talent"
    RESULT = "result"
    EXPERT = "expert"
    EQUIPMENT = "equipment"


DEMAND_KINDS = (PostingKind.PROBLEM, PostingKind.TALENT)  # posted by companies
SUPPLY_KINDS = (PostingKind.RESULT, PostingKind.EXPERT, PostingKind.EQUIPMENT)  # by institutes


class PostingStatus(str, enum.Enum):
    PENDING = "pending"  # submitted, waiting for the bureau
    PUBLISHED = "published"
    RETURNED = "returned"  # sent back to the poster for changes
    REJECTED = "rejected"
    ARCHIVED = "archived"  # expired or withdrawn


class Visibility(str, enum.Enum):
    """Who may read a problem's details and its company's name."""

    PUBLIC = "public"
    LIAISONS = "liaisons"  # details for logged-in institute liaisons (and the bureau) only
    ANONYMOUS = "anonymous"  # as LIAISONS, and the company's name hidden until it accepts a 对接


COOPERATION_MODES = ("技术转让", "技术许可", "合作开发", "委托开发", "技术咨询")
MATURITY_LEVELS = ("实验室", "小试", "中试", "产业化")
BUDGET_BANDS = ("10万元以下", "10-50万元", "50-100万元", "100-500万元", "500万元以上", "面议")
IP_STATUSES = ("无", "专利申请中", "已授权专利", "软件著作权", "技术秘密")
SHARING_MODES = ("共享使用", "委托测试", "合作研究")
DEGREES = ("大专", "本科", "硕士", "博士", "不限")
FIELDS = (
    "电力装备",
    "超硬材料",
    "发制品",
    "农副产品深加工",
    "汽车零部件",
    "再生金属",
    "中药材",
    "电子信息",
    "节能环保",
    "新材料",
    "生物医药",
    "装备制造",
    "花木",
    "钧瓷",
    "化工",
    "轻工纺织",
    "现代农业",
    "其他",
)


class Posting(db.Model):
    __tablename__ = "postings"
    __mapper_args__ = {"polymorphic_on": "kind"}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PostingKind] = mapped_column(Enum(PostingKind, native_enum=False, length=20))
    ref: Mapped[str | None] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(40))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[PostingStatus] = mapped_column(
        Enum(PostingStatus, native_enum=False, length=20), default=PostingStatus.PENDING
    )
    valid_until: Mapped[date | None] = mapped_column(Date)
    # When the owner last said the posting is still current (publication counts).
    last_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The valid-until date the expiry reminder was sent for: one reminder per expiry date.
    reminded_for: Mapped[date | None] = mapped_column(Date)
    contact_person: Mapped[str | None] = mapped_column(String(60))
    # 技术指标: a problem's target figures, a result's achieved figures.
    indicators: Mapped[str | None] = mapped_column(Text)
    # The unit (department, lab) an expert works in or that owns a piece of equipment.
    unit: Mapped[str | None] = mapped_column(String(120))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organization: Mapped[Organization] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def is_demand(self) -> bool:
        return self.kind in DEMAND_KINDS

    @hybrid_property
    def is_visible(self) -> bool:
        """Published and not past its valid-until date: what the public may see and match."""
        expired = self.valid_until is not None and self.valid_until < today()
        return self.status == PostingStatus.PUBLISHED and not expired

    @is_visible.inplace.expression
    @classmethod
    def _is_visible_expression(cls):
        # The same rule in SQL, for queries: select(Posting).where(Posting.is_visible).
        current = or_(cls.valid_until.is_(None), cls.valid_until >= today())
        return and_(cls.status == PostingStatus.PUBLISHED, current)

    def stamp(self) -> str:
        """A version stamp the index keeps, so stale documents can be found."""
        return f"{self.updated_at.isoformat()}|{self.status.value}"

    def to_search_document(self) -> dict:
        """The document search_index stores: only what anyone may read."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "title": self.title,
            "body": self.body,
            "keywords": list(self.keywords or []),
            "field": self.field,
            "org": self.organization.name,
            "stamp": self.stamp(),
            # Fit: cooperation modes offered or wanted, and money (万元) as a decimal string.
            "cooperation": self.cooperation_offered(),
            "amount": self.fit_amount(),
        }

    def cooperation_offered(self) -> list[str]:
        """The cooperation modes this posting asks for or offers (none by default)."""
        return []

    def fit_amount(self) -> str | None:
        """The budget or reference price in 万元 as a decimal string, when one is given."""
        return None


class Problem(Posting):
    """A company's technical problem (技术难题/技术需求)."""

    __mapper_args__ = {"polymorphic_identity": PostingKind.PROBLEM}

    baseline: Mapped[str | None] = mapped_column(Text)  # 现有基础: what was tried, equipment
    expected_outcome: Mapped[str | None] = mapped_column(Text)
    budget_band: Mapped[str | None] = mapped_column(String(20))
    budget: Mapped[Decimal | None] = mapped_column(Money)
    cooperation: Mapped[str | None] = mapped_column(String(20))
    visibility: Mapped[Visibility] = mapped_column(
        Enum(Visibility, native_enum=False, length=20), default=Visibility.PUBLIC
    )

    def cooperation_offered(self) -> list[str]:
        return [self.cooperation] if self.cooperation else []

    def fit_amount(self) -> str | None:
        return None if self.budget is None else str(self.budget)


class TalentNeed(Posting):
    """A company's talent need (人才需求)."""

    __mapper_args__ = {"polymorphic_identity": PostingKind.TALENT}

    position: Mapped[str | None] = mapped_column(String(60))
    discipline: Mapped[str | None] = mapped_column(String(60))
    degree: Mapped[str | None] = mapped_column(String(20))
    headcount: Mapped[int | None] = mapped_column(Integer)
    salary: Mapped[str | None] = mapped_column(String(100))  # salary and support offered
    workplace: Mapped[str | None] = mapped_column(String(100))


class Result(Posting):
    """An institute's research result (科技成果)."""

    __mapper_args__ = {"polymorphic_identity": PostingKind.RESULT}

    maturity: Mapped[str | None] = mapped_column(String(20))
    cooperation_modes: Mapped[list[str] | None] = mapped_column(JSON)
    ip_status: Mapped[str | None] = mapped_column(String(20))
    patent_numbers: Mapped[list[str] | None] = mapped_column(JSON)
    reference_price: Mapped[Decimal | None] = mapped_column(Money)
    application_fields: Mapped[str | None] = mapped_column(Text)

    def cooperation_offered(self) -> list[str]:
        return list(self.cooperation_modes or [])

    def fit_amount(self) -> str | None:
        return None if self.reference_price is None else str(self.reference_price)


class Expert(Posting):
    """An institute's expert (专家): `title` is the name, `body` the research directions."""

    __mapper_args__ = {"polymorphic_identity": PostingKind.EXPERT}

    expert_title: Mapped[str | None] = mapped_column(String(40))  # 职称
    achievements: Mapped[str | None] = mapped_column(Text)  # representative results


class Equipment(Posting):
    """Shareable equipment (仪器设备): `title` is its name, `body` what it can do."""

    __mapper_args__ = {"polymorphic_identity": PostingKind.EQUIPMENT}

    model_no: Mapped[str | None] = mapped_column(String(80))
    sharing_mode: Mapped[str | None] = mapped_column(String(20))
    fee_standard: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))


class ReviewDecision(db.Model):
    """Every publish/reject decision the bureau took: who, when, why."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[PostingStatus] = mapped_column(
        Enum(PostingStatus, native_enum=False, length=20)
    )
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    posting: Mapped[Posting] = relationship()
    reviewer: Mapped[User] = relationship()
