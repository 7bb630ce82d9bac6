"""Stored matches between a demand (problem, talent need) and a supply (result, expert,
equipment), with the reasons the engine gave."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.extensions import db
from market.postings.models import Posting
from market.timeutil import utcnow


class Match(db.Model):
    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("demand_id", "supply_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"))
    supply_id: Mapped[int] = mapped_column(
        ForeignKey("postings.id", ondelete="CASCADE"), index=True
    )
    # Relevance scores are ranking aids, not money: a float is the right type here.
    score: Mapped[float] = mapped_column(Float)
    strength: Mapped[float] = mapped_column(Float)
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    highlights: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Why the engine matched: {"bridges": [[source word, synonym]], "fields": [...], "fit": [...]}
    explanation: Mapped[dict | None] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    demand: Mapped[Posting] = relationship(foreign_keys=[demand_id])
    supply: Mapped[Posting] = relationship(foreign_keys=[supply_id])
