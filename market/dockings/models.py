"""对接: a contact between a company's demand and an institute's supply, and its timeline.

Stages: 意向 (REQUESTED) → 洽谈 (ACCEPTED) → 签约 (SIGNED, an agreement was recorded) or
未达成 (DECLINED: declined from 意向 or closed from 洽谈, always with an outcome code).
While a docking is open one party must act before `due_at`: the responder answers a request,
both sides report progress on a negotiation.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Enum, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organization, User
from market.extensions import db
from market.postings.models import Posting
from market.timeutil import utcnow


class DockingStatus(str, enum.Enum):
    REQUESTED = "requested"  # 意向
    ACCEPTED = "accepted"  # 洽谈
    DECLINED = "declined"  # 未达成 (declined from 意向 or closed from 洽谈)
    SIGNED = "signed"  # 签约

    @property
    def is_open(self) -> bool:
        return self in (DockingStatus.REQUESTED, DockingStatus.ACCEPTED)


OPEN_STATUSES = (DockingStatus.REQUESTED, DockingStatus.ACCEPTED)


class DockingOutcome(str, enum.Enum):
    """Why a docking ended without an agreement."""

    TECH_MISMATCH = "tech_mismatch"  # 技术不匹配
    NO_BUDGET = "no_budget"  # 预算不足
    BAD_TIMING = "bad_timing"  # 时机不成熟
    SOLVED_ELSEWHERE = "solved_elsewhere"  # 已另行解决
    OTHER = "other"  # 其他 (a comment is required)


class WaitingOn(str, enum.Enum):
    """Who must act before the deadline."""

    RESPONDER = "responder"  # answer the request
    BOTH = "both"  # either side reports progress on the negotiation


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

    # The deadline of the party who must act; both None once the docking is signed or closed.
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    waiting_on: Mapped[WaitingOn | None] = mapped_column(
        Enum(WaitingOn, native_enum=False, length=20)
    )
    # The deadline a reminder went out for (one reminder per docking and deadline).
    reminded_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The Xuchang day of the last nudge (at most one per day).
    nudged_on: Mapped[date | None] = mapped_column(Date)
    broker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    outcome: Mapped[DockingOutcome | None] = mapped_column(
        Enum(DockingOutcome, native_enum=False, length=20)
    )
    outcome_comment: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    demand: Mapped[Posting] = relationship(foreign_keys=[demand_id])
    supply: Mapped[Posting] = relationship(foreign_keys=[supply_id])
    requester_org: Mapped[Organization] = relationship(foreign_keys=[requester_org_id])
    responder_org: Mapped[Organization] = relationship(foreign_keys=[responder_org_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    broker: Mapped[User | None] = relationship(foreign_keys=[broker_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    events: Mapped[list[DockingEvent]] = relationship(
        back_populates="docking", order_by="DockingEvent.id"
    )

    @property
    def company(self) -> Organization:
        return self.demand.organization

    @property
    def institute(self) -> Organization:
        return self.supply.organization

    @property
    def side_org_ids(self) -> tuple[int, int]:
        return (self.requester_org_id, self.responder_org_id)

    @property
    def waiting_orgs(self) -> list[Organization]:
        """The organisations that must act before the deadline."""
        if self.waiting_on == WaitingOn.RESPONDER:
            return [self.responder_org]
        if self.waiting_on == WaitingOn.BOTH:
            return [self.requester_org, self.responder_org]
        return []


class DockingEventKind(str, enum.Enum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"
    CHECKED_IN = "checked_in"
    MESSAGE = "message"
    NUDGED = "nudged"
    BROKER = "broker"
    REMINDED = "reminded"
    SIGNED = "signed"


class DockingEvent(db.Model):
    """One row of a docking's timeline: who did what, when; messages are rows too."""

    __tablename__ = "docking_events"
    __table_args__ = (Index("ix_docking_events_docking_id_kind", "docking_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    docking_id: Mapped[int] = mapped_column(ForeignKey("dockings.id"))
    kind: Mapped[DockingEventKind] = mapped_column(
        Enum(DockingEventKind, native_enum=False, length=20)
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    body: Mapped[str | None] = mapped_column(Text)  # a message, comment or progress note
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    docking: Mapped[Docking] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
