"""Signed agreements and the append-only ledger the bureau's figures are summed from."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.accounts.models import Organization, User
from market.dockings.models import Docking
from market.extensions import db
from market.money import Money
from market.timeutil import utcnow


class ContractType(str, enum.Enum):
    """The national technology-contract categories (技术合同认定登记)."""

    DEVELOPMENT = "development"  # 技术开发
    TRANSFER = "transfer"  # 技术转让
    LICENSING = "licensing"  # 技术许可
    CONSULTING = "consulting"  # 技术咨询
    SERVICE = "service"  # 技术服务


class PartyRole(str, enum.Enum):
    BUYER = "buyer"  # 委托方/受让方 (usually the company)
    SELLER = "seller"  # 受托方/让与方 (usually the institute)


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
    # 技术交易额: the technology part of the contract amount (never more than amount).
    tech_amount: Mapped[Decimal | None] = mapped_column(Money)
    contract_type: Mapped[ContractType] = mapped_column(
        Enum(ContractType, native_enum=False, length=20), default=ContractType.DEVELOPMENT
    )
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    # Snapshots at recording time: the tallies must not move when an organisation moves.
    county: Mapped[str | None] = mapped_column(String(20), index=True)
    field: Mapped[str | None] = mapped_column(String(40), index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id"))
    result_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    # The scanned contract: a PDF stored outside the web root under this generated name.
    contract_file: Mapped[str | None] = mapped_column(String(100))
    contract_file_name: Mapped[str | None] = mapped_column(String(200))
    # Bumped by each correction; the ledger's latest lines carry the same revision.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[AgreementStatus] = mapped_column(
        Enum(AgreementStatus, native_enum=False, length=20), default=AgreementStatus.SUBMITTED
    )
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    company: Mapped[Organization] = relationship(foreign_keys=[company_id])
    institute: Mapped[Organization] = relationship(foreign_keys=[institute_id])
    docking: Mapped[Docking | None] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    parties: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement", order_by="AgreementParty.position", cascade="all, delete-orphan"
    )


class AgreementParty(db.Model):
    """Every party to an agreement; company_id and institute_id above are the lead parties."""

    __tablename__ = "agreement_parties"
    __table_args__ = (UniqueConstraint("agreement_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[PartyRole] = mapped_column(Enum(PartyRole, native_enum=False, length=20))
    position: Mapped[int] = mapped_column(Integer, default=0)

    agreement: Mapped[Agreement] = relationship(back_populates="parties")
    organization: Mapped[Organization] = relationship()


class LedgerKind(str, enum.Enum):
    RECORD = "record"  # first entry of an agreement (revision 1)
    REVERSAL = "reversal"  # cancels the previous revision's figures (count -1, amounts negated)
    REPLACEMENT = "replacement"  # the corrected figures (count +1) for the new revision


class LedgerEntry(db.Model):
    """An append-only line: never updated or deleted; corrections are new lines."""

    __tablename__ = "ledger_entries"
    # One line per agreement, revision and kind: a retried recording or correction is a no-op.
    __table_args__ = (UniqueConstraint("agreement_id", "revision", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    kind: Mapped[LedgerKind] = mapped_column(Enum(LedgerKind, native_enum=False, length=20))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Count contributed to the tally (+1 for a record or replacement, -1 for a reversal).
    count: Mapped[int] = mapped_column(default=1)
    amount: Mapped[Decimal] = mapped_column(Money)  # negative on a reversal
    tech_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    # The dimensions every tally groups by, copied from the agreement's revision, so that
    # SUM over the ledger alone gives any breakdown and a correction moves figures exactly.
    signed_on: Mapped[date] = mapped_column(Date, index=True)
    contract_type: Mapped[ContractType] = mapped_column(
        Enum(ContractType, native_enum=False, length=20)
    )
    county: Mapped[str | None] = mapped_column(String(20), index=True)
    field: Mapped[str | None] = mapped_column(String(40), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    institute_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    # Who made the entry and why (corrections must say why).
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    agreement: Mapped[Agreement] = relationship()
