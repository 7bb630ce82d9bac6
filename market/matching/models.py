"""Stored matches between a demand (problem, talent need) and a supply (result, expert,
equipment), with the reasons the engine gave; and what the stored matches were computed with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, String, UniqueConstraint
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
    # Why the engine matched: {"bridges": [[source word, synonym]], "fields": [...], "fit": [...],
    # "source": "demand" or "supply" (the side whose computation stored it), and "feedback"
    # (see market.feedback.services.Evidence.explain) when similar postings' marks moved it}
    explanation: Mapped[dict | None] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    demand: Mapped[Posting] = relationship(foreign_keys=[demand_id])
    supply: Mapped[Posting] = relationship(foreign_keys=[supply_id])


class MatchingState(db.Model):
    """Small named facts about the stored matches, e.g. the thesaurus version they used."""

    __tablename__ = "matching_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
