"""Record signed agreements: the bureau submits, the worker enters them in the ledger."""

from __future__ import annotations

import logging
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from market import outbox
from market.accounts.models import Organization, Role, User
from market.agreements.models import (
    Agreement,
    AgreementStatus,
    ContractType,
    LedgerEntry,
    LedgerKind,
)
from market.dockings.models import Docking, DockingStatus
from market.errors import DomainError, PermissionDenied
from market.extensions import db
from market.links import path_for
from market.money import AmountError, format_amount, parse_amount
from market.notifications.services import notify_members
from market.timeutil import today

log = logging.getLogger(__name__)

TITLE_MAX = 200


def submit_agreement(bureau_user: User, data: dict) -> Agreement:
    """Accept an agreement from bureau staff; the same submission key records it only once."""
    if not bureau_user.is_bureau:
        raise PermissionDenied(_("只有科技局工作人员可以登记合同。"))
    key = (data.get("submission_key") or "").strip()
    if not key or len(key) > 64:
        raise DomainError(_("提交已失效，请刷新页面后重新填写。"))
    existing = db.session.scalar(select(Agreement).where(Agreement.submission_key == key))
    if existing is not None:
        return existing  # a double click or a resent form: already accepted
    agreement = Agreement(submission_key=key, submitted_by=bureau_user, **_validated(data))
    db.session.add(agreement)
    db.session.flush()
    outbox.defer("worker.tasks.record_agreement", agreement.id)
    log.info(
        "agreement #%s submitted by %s: %s 万元", agreement.id, bureau_user.email, agreement.amount
    )
    return agreement


def _validated(data: dict) -> dict:
    errors: dict[str, str] = {}
    title = " ".join((data.get("title") or "").split())
    if not title:
        errors["title"] = _("请填写合同名称。")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("合同名称不能超过 %(n)d 个字。", n=TITLE_MAX)
    try:
        amount = parse_amount(data.get("amount"))
    except AmountError as exc:
        errors["amount"], amount = str(exc), None
    signed_on: date | None = data.get("signed_on")
    if signed_on is None:
        errors["signed_on"] = _("请填写签订日期。")
    elif signed_on > today():
        errors["signed_on"] = _("签订日期不能晚于今天。")
    docking, company, institute = _parties(data, errors)
    if errors:
        raise DomainError(_("合同信息有误，请按提示修改。"), errors)
    return {
        "title": title,
        "amount": amount,
        "signed_on": signed_on,
        "docking": docking,
        "company": company,
        "institute": institute,
    }


def _parties(data: dict, errors: dict):
    docking_id = data.get("docking_id")
    if docking_id:
        docking = db.session.get(Docking, int(docking_id))
        if docking is None or docking.status != DockingStatus.ACCEPTED:
            errors["docking_id"] = _("只能为洽谈中的对接登记合同。")
            return None, None, None
        return docking, docking.company, docking.institute
    company = _organization(data.get("company_id"), Role.ENTERPRISE)
    institute = _organization(data.get("institute_id"), Role.INSTITUTE)
    if company is None:
        errors["company_id"] = _("请选择签约企业。")
    if institute is None:
        errors["institute_id"] = _("请选择签约科研机构。")
    return None, company, institute


def _organization(org_id, kind: Role) -> Organization | None:
    if not org_id:
        return None
    organization = db.session.get(Organization, int(org_id))
    return organization if organization is not None and organization.kind == kind else None


def record_in_ledger(agreement_id: int) -> LedgerEntry | None:
    """Enter the agreement in the ledger once, however often this runs; notify both parties."""
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        log.warning("agreement #%s does not exist; nothing recorded", agreement_id)
        return None
    entry = db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.agreement_id == agreement.id, LedgerEntry.kind == LedgerKind.RECORD
        )
    )
    if entry is not None:
        return entry
    entry = LedgerEntry(
        agreement=agreement,
        kind=LedgerKind.RECORD,
        count=1,
        amount=agreement.amount,
        tech_amount=agreement.tech_amount or agreement.amount,
        signed_on=agreement.signed_on,
        contract_type=agreement.contract_type or ContractType.DEVELOPMENT,
        county=agreement.county or agreement.company.county,
        field=agreement.field,
        company_id=agreement.company_id,
        institute_id=agreement.institute_id,
        event_id=agreement.event_id,
        entered_by_id=agreement.submitted_by_id,
    )
    try:
        with db.session.begin_nested():  # a twin task may be recording it right now
            db.session.add(entry)
    except IntegrityError:
        return None
    agreement.status = AgreementStatus.RECORDED
    if agreement.docking is not None:
        agreement.docking.status = DockingStatus.SIGNED
    _tell_parties(agreement)
    log.info("agreement #%s recorded in the ledger: %s 万元", agreement.id, agreement.amount)
    return entry


def _tell_parties(agreement: Agreement) -> None:
    def compose():
        return _("合同已登记：“%(title)s”", title=agreement.title), _(
            "科技局已登记您单位签订的合同“%(title)s”，合同金额 %(amount)s 万元，"
            "签订日期 %(date)s。",
            title=agreement.title,
            amount=format_amount(agreement.amount),
            date=agreement.signed_on.isoformat(),
        )

    for organization in (agreement.company, agreement.institute):
        notify_members(
            organization,
            event_key=f"agreement:{agreement.id}",
            link=path_for("agreements.listing"),
            compose=compose,
        )


def agreements_visible_to(user: User, year: int | None = None) -> list[Agreement]:
    """All agreements for the bureau; a party's own agreements for everyone else."""
    query = select(Agreement).order_by(Agreement.signed_on.desc(), Agreement.id.desc())
    if not user.is_bureau:
        org = user.organization_id
        query = query.where((Agreement.company_id == org) | (Agreement.institute_id == org))
    if year is not None:
        query = query.where(
            Agreement.signed_on >= date(year, 1, 1), Agreement.signed_on <= date(year, 12, 31)
        )
    return db.session.scalars(query).all()
