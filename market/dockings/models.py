"""对接: a contact between a company's demand and an institute's supply."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organization, User
from market.extensions import db
from market.postings.models import Posting
from market.timeutil import utcnow


class DockingStatus(str, enum.Enum):
    REQUESTED = "requested"  # 意向
    ACCEPTED = "accepted"  # 洽谈
    DECLINED = "declined"  # 未达成
    SIGNED = "signed"  # 签约


class Docking(db.Model):
    __tablename__ = "dockings"
    __table_args__ = (UniqueConstraint("demand_id", "supply_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("postings.id"))
    supply_id: Mapped[int] = mapped_column(ForeignKey("postings.id"))
    requester_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    responder_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[DockingStatus] = mapped_column(
        Enum(DockingStatus, native_enum=False, length=20), default=DockingStatus.REQUESTED
    )
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    demand: Mapped[Posting] = relationship(foreign_keys=[demand_id])
    supply: Mapped[Posting] = relationship(foreign_keys=[supply_id])
    requester_org: Mapped[Organization] = relationship(foreign_keys=[requester_org_id])
    responder_org: Mapped[Organization] = relationship(foreign_keys=[responder_org_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])

    @property
    def company(self) -> Organization:
        return self.demand.organization

    @property
    def institute(self) -> Organization:
        return self.supply.organization
