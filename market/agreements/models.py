"""Signed agreements and the append-only ledger the bureau's figures are summed from."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organization, User
from market.dockings.models import Docking
from market.extensions import db
from market.money import Money
from market.timeutil import utcnow


class AgreementStatus(str, enum.Enum):
    SUBMITTED = "submitted"  # accepted from the bureau, waiting for the worker
    RECORDED = "recorded"  # in the ledger


class Agreement(db.Model):
    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One per form submission: submitting the same form twice records one agreement.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    company_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    institute_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    docking_id: Mapped[int | None] = mapped_column(ForeignKey("dockings.id"))
    signed_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[AgreementStatus] = mapped_column(
        Enum(AgreementStatus, native_enum=False, length=20), default=AgreementStatus.SUBMITTED
    )
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    company: Mapped[Organization] = relationship(foreign_keys=[company_id])
    institute: Mapped[Organization] = relationship(foreign_keys=[institute_id])
    docking: Mapped[Docking | None] = relationship()
    submitted_by: Mapped[User | None] = relationship()


class LedgerKind(str, enum.Enum):
    RECORD = "record"


class LedgerEntry(db.Model):
    """An append-only line: never updated or deleted; corrections are new lines."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("agreement_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    kind: Mapped[LedgerKind] = mapped_column(Enum(LedgerKind, native_enum=False, length=20))
    # Count contributed to the tally (+1 for a record; a later reversal will carry -1).
    count: Mapped[int] = mapped_column(default=1)
    amount: Mapped[Decimal] = mapped_column(Money)
    signed_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    agreement: Mapped[Agreement] = relationship()
