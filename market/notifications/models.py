"""The notification outbox: one row per recipient and event, written with the event itself.

Also each user's delivery preferences (per category and channel) and the digests that carry
notifications kept back from immediate email.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import User
from market.extensions import db
from market.timeutil import utcnow


class EmailStatus(str, enum.Enum):
    NOT_NEEDED = "not_needed"  # in-app only (no mail transport, or the user opted out)
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DIGEST = "digest"  # kept for the user's next daily or weekly digest email


class Channel(str, enum.Enum):
    IN_APP = "in_app"
    EMAIL = "email"


class Frequency(str, enum.Enum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


class Notification(db.Model):
    __tablename__ = "notifications"
    # The event key makes a retried or duplicated task a no-op: one row per user and event.
    __table_args__ = (UniqueConstraint("user_id", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    event_key: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20), default="general", server_default="general")
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(200))
    # False when the user turned the in-app channel off for this category: the row exists only
    # to carry the email, and stays out of the inbox and the bell.
    in_app: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    email_status: Mapped[EmailStatus] = mapped_column(
        Enum(EmailStatus, native_enum=False, length=20), default=EmailStatus.NOT_NEEDED
    )
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    email_error: Mapped[str | None] = mapped_column(Text)
    # The digest that took this notification (listed, or counted among the “more” beyond the
    # cap): set once, so no notification is considered for a second digest.
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notification_digests.id"), index=True)

    user: Mapped[User] = relationship()


class NotificationPreference(db.Model):
    """A user's choice for one category on one channel; absent rows mean the default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "category", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=20))
    frequency: Mapped[Frequency] = mapped_column(Enum(Frequency, native_enum=False, length=20))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class NotificationDigest(db.Model):
    """One digest email for one user and period; the unique period makes a rerun a no-op."""

    __tablename__ = "notification_digests"
    __table_args__ = (UniqueConstraint("user_id", "frequency", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    frequency: Mapped[Frequency] = mapped_column(Enum(Frequency, native_enum=False, length=20))
    period: Mapped[str] = mapped_column(String(10))  # 2026-11-30 (daily) or 2026-W49 (weekly)
    # The notification ids listed in the email, in their order (best match first).
    items: Mapped[list] = mapped_column(JSON, default=list)
    more: Mapped[int] = mapped_column(Integer, default=0)  # beyond the cap: “另有 N 条”
    status: Mapped[EmailStatus] = mapped_column(
        Enum(EmailStatus, native_enum=False, length=20), default=EmailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()
