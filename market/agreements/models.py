"""Signed agreements and the append-only ledger the bureau's figures are summed from."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from market.accounts.models import Organization, User
from market.dockings.models import Docking
from market.events.models import Event
from market.extensions import db
from market.money import Money
from market.postings.models import Posting
from market.timeutil import local_date, today, utcnow


class ContractType(str, enum.Enum):
    """The national technology-contract categories (技术合同认定登记)."""

    DEVELOPMENT = "development"  # 技术开发
    TRANSFER = "transfer"  # 技术转让
    LICENSING = "licensing"  # 技术许可
    CONSULTING = "consulting"  # 技术咨询
    SERVICE = "service"  # 技术服务


CONTRACT_TYPE_LABELS = {
    ContractType.DEVELOPMENT: _l("技术开发"),
    ContractType.TRANSFER: _l("技术转让"),
    ContractType.LICENSING: _l("技术许可"),
    ContractType.CONSULTING: _l("技术咨询"),
    ContractType.SERVICE: _l("技术服务"),
}


class PartyRole(str, enum.Enum):
    BUYER = "buyer"  # 委托方/受让方 (usually the company)
    SELLER = "seller"  # 受托方/让与方 (usually the institute)


PARTY_ROLE_LABELS = {
    PartyRole.BUYER: _l("买方（委托方/受让方）"),
    PartyRole.SELLER: _l("卖方（受托方/让与方）"),
}


class AgreementStatus(str, enum.Enum):
    SUBMITTED = "submitted"  # accepted from the bureau, waiting for the worker
    RECORDED = "recorded"  # in the ledger
    CANCELLED = "cancelled"  # 作废: reversed in the ledger, counts for nothing


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
    # Indexed: the dashboard's funnel looks up the contracts signed on problems.
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id"), index=True)
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
    problem: Mapped[Posting | None] = relationship(foreign_keys=[problem_id])
    result: Mapped[Posting | None] = relationship(foreign_keys=[result_id])
    event: Mapped[Event | None] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    parties: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement", order_by="AgreementParty.position", cascade="all, delete-orphan"
    )
    ledger_entries: Mapped[list[LedgerEntry]] = relationship(
        back_populates="agreement", order_by="LedgerEntry.id", viewonly=True
    )
    corrections: Mapped[list[AgreementCorrection]] = relationship(
        back_populates="agreement", order_by="AgreementCorrection.id", viewonly=True
    )

    @property
    def registration_no(self) -> str:
        """合同登记号 as printed on the 登记表: XC, year of registration, five-digit number.

        The year is when the bureau entered it (Xuchang time), never the signing date: a
        correction of the signing date must not renumber an agreement.
        """
        year = local_date(self.created_at).year if self.created_at else today().year
        return f"XC{year}{self.id:05d}"

    def parties_in(self, role: PartyRole) -> list[Organization]:
        """The organisations on one side; the lead party first (also for unmigrated rows)."""
        found = [p.organization for p in self.parties if p.role == role]
        if not found:
            found = [self.company if role == PartyRole.BUYER else self.institute]
        return found

    @property
    def buyers(self) -> list[Organization]:
        return self.parties_in(PartyRole.BUYER)

    @property
    def sellers(self) -> list[Organization]:
        return self.parties_in(PartyRole.SELLER)


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
    __table_args__ = (
        UniqueConstraint("agreement_id", "revision", "kind"),
        CheckConstraint("count IN (-1, 1)", name="count_is_one"),
    )

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

    agreement: Mapped[Agreement] = relationship(back_populates="ledger_entries")
    entered_by: Mapped[User | None] = relationship()


class LedgerIsAppendOnly(RuntimeError):
    """Something tried to change or remove a ledger line."""


@event.listens_for(LedgerEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise LedgerIsAppendOnly(f"ledger line #{target.id} cannot be changed; write a correction")


@event.listens_for(LedgerEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise LedgerIsAppendOnly(f"ledger line #{target.id} cannot be deleted; write a correction")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state):
    # Bulk UPDATE/DELETE statements skip the mapper events above.
    if (state.is_update or state.is_delete) and any(
        m.class_ is LedgerEntry for m in state.all_mappers
    ):
        raise LedgerIsAppendOnly("ledger lines cannot be changed or deleted in bulk")


class CorrectionKind(str, enum.Enum):
    CORRECTION = "correction"  # 更正: reversal of the current figures + the new ones
    CANCELLATION = "cancellation"  # 作废: reversal only


class AgreementCorrection(db.Model):
    """A correction or cancellation as bureau staff submitted it; the worker applies it once.

    The new values of a correction are stored here in full (not as a diff), so that applying
    it is the same however often the task runs.
    """

    __tablename__ = "agreement_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    kind: Mapped[CorrectionKind] = mapped_column(Enum(CorrectionKind, native_enum=False, length=20))
    reason: Mapped[str] = mapped_column(Text)
    # The revision the staff member saw when correcting; the worker applies on top of it.
    base_revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200))
    contract_type: Mapped[ContractType | None] = mapped_column(
        Enum(ContractType, native_enum=False, length=20)
    )
    amount: Mapped[Decimal | None] = mapped_column(Money)
    tech_amount: Mapped[Decimal | None] = mapped_column(Money)
    signed_on: Mapped[date | None] = mapped_column(Date)
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    county: Mapped[str | None] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(40))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set once by the worker. applied_at: when it handled the correction; applied_revision: the
    # revision it produced, or None when it was rejected (the agreement had moved past
    # base_revision, so applying it would have silently overwritten another correction).
    applied_revision: Mapped[int | None] = mapped_column(Integer)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    agreement: Mapped[Agreement] = relationship(back_populates="corrections")
    submitted_by: Mapped[User | None] = relationship()

    @property
    def is_pending(self) -> bool:
        """Not yet handled by the worker."""
        return self.applied_at is None

    @property
    def is_rejected(self) -> bool:
        """Handled, but not applied: it was based on an outdated revision."""
        return self.applied_at is not None and self.applied_revision is None
