"""活动: events the bureau runs (policy briefings, result launches, training, 对接会), the
organisations registered for them and a 对接会's pairing schedule."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organization, User
from market.extensions import db
from market.postings.models import Posting
from market.timeutil import utcnow


class EventKind(str, enum.Enum):
    POLICY = "policy"  # 政策宣讲会
    LAUNCH = "launch"  # 成果发布会
    TRAINING = "training"  # 创新创业讲座/培训
    MATCHMAKING = "matchmaking"  # 产学研专题对接会


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(Enum(EventKind, native_enum=False, length=20))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(Integer)
    # Seats taken: changed only by one conditional UPDATE (see services.register_for_event), so
    # concurrent registrations can never take more seats than the capacity.
    registered_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    description: Mapped[str] = mapped_column(Text, default="")
    # A 对接会's meeting slots: length in minutes and how many, from starts_at on.
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    slot_count: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    schedule_generated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    created_by: Mapped[User | None] = relationship()

    @property
    def is_matchmaking(self) -> bool:
        return self.kind == EventKind.MATCHMAKING

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.registered_count)


class RegistrationStatus(str, enum.Enum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"  # the event was full: first in line gets the next free seat
    CANCELLED = "cancelled"


# The problems and results an organisation brings to a 对接会.
registration_postings = Table(
    "event_registration_postings",
    db.metadata,
    Column(
        "registration_id",
        ForeignKey("event_registrations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("posting_id", ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True),
)


class EventRegistration(db.Model):
    """One per organisation and event; cancelling keeps the row (and its reminder key)."""

    __tablename__ = "event_registrations"
    __table_args__ = (UniqueConstraint("event_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(RegistrationStatus, native_enum=False, length=20),
        default=RegistrationStatus.REGISTERED,
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    event: Mapped[Event] = relationship()
    organization: Mapped[Organization] = relationship()
    registered_by: Mapped[User | None] = relationship()
    postings: Mapped[list[Posting]] = relationship(
        secondary=registration_postings, order_by=Posting.id
    )

    @property
    def is_active(self) -> bool:
        return self.status == RegistrationStatus.REGISTERED

    @property
    def is_waiting(self) -> bool:
        return self.status == RegistrationStatus.WAITLISTED


class EventMeeting(db.Model):
    """One meeting of a 对接会's schedule: a company and an institute, in one slot.

    The unique constraints make a double-booked organisation impossible, whatever the code does.
    """

    __tablename__ = "event_meetings"
    __table_args__ = (
        UniqueConstraint("event_id", "slot", "demand_org_id", name="uq_event_meetings_demand_slot"),
        UniqueConstraint("event_id", "slot", "supply_org_id", name="uq_event_meetings_supply_slot"),
        UniqueConstraint(
            "event_id", "demand_org_id", "supply_org_id", name="uq_event_meetings_pair"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    slot: Mapped[int] = mapped_column(Integer)  # 0-based
    rank: Mapped[int] = mapped_column(Integer)  # 1 = the best pair of the event
    demand_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    supply_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    supply_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    # The engine's match as it was when the schedule was made (stored matches move on).
    strength: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    explanation: Mapped[dict | None] = mapped_column(JSON, default=dict)

    event: Mapped[Event] = relationship()
    demand_org: Mapped[Organization] = relationship(foreign_keys=[demand_org_id])
    supply_org: Mapped[Organization] = relationship(foreign_keys=[supply_org_id])
    demand: Mapped[Posting | None] = relationship(foreign_keys=[demand_id])
    supply: Mapped[Posting | None] = relationship(foreign_keys=[supply_id])
