"""Synonym groups added by bureau staff; active groups join the thesaurus used for matching."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import User
from market.extensions import db
from market.timeutil import utcnow


class SynonymGroup(db.Model):
    __tablename__ = "synonym_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    words: Mapped[list[str]] = mapped_column(JSON)  # as validate_group returned them
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    created_by: Mapped[User | None] = relationship()
