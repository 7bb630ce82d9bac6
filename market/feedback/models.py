"""A mark on a matched (demand, supply) pair, one per marking organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organization, User
from market.extensions import db
from market.timeutil import utcnow

RELEVANT = 1
IRRELEVANT = 0
GRADES = (RELEVANT, IRRELEVANT)


class MatchFeedback(db.Model):
    __tablename__ = "match_feedback"
    # One mark per organisation and pair: colleagues share their organisation's judgement, and
    # marking again changes it.
    __table_args__ = (UniqueConstraint("organization_id", "demand_id", "supply_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(
        ForeignKey("postings.id", ondelete="CASCADE"), index=True
    )
    supply_id: Mapped[int] = mapped_column(
        ForeignKey("postings.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who marked last
    grade: Mapped[int] = mapped_column(Integer)  # 1 相关, 0 不相关
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    organization: Mapped[Organization] = relationship()
    user: Mapped[User | None] = relationship()
