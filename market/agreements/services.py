"""Record signed agreements: the bureau submits, the worker enters them in the ledger.

The ledger is append-only. A correction writes a REVERSAL line (the current revision's figures
negated) and a REPLACEMENT line (the new figures), both with the next revision number; a
cancellation (作废) writes the reversal only. Summing the ledger therefore always gives the
agreements' current figures, for any grouping.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from market import outbox
from market.accounts.models import COUNTIES, Organization, Role, User
from market.agreements import contracts
from market.agreements.models import (
    Agreement,
    AgreementCorrection,
    AgreementParty,
    AgreementStatus,
    ContractType,
    CorrectionKind,
    LedgerEntry,
    LedgerKind,
    PartyRole,
)
from market.dockings.models import Docking, DockingStatus
from market.dockings.services import mark_signed
from market.errors import DomainError, NotFound, PermissionDenied
from market.events.models import Event
from market.extensions import db
from market.i18n import DEFAULT_LOCALE
from market.links import path_for
from market.money import AmountError, format_amount, parse_amount
from market.notifications.services import notify, notify_members
from market.postings.models import FIELDS, Posting, PostingKind
from market.timeutil import local_date, today, utcnow

log = logging.getLogger(__name__)

TITLE_MAX = 200
REASON_MAX = 1000
KEY_MAX = 64
# Agreement attributes a correction may change (parties are not: cancel and record anew).
CORRECTABLE = (
    "title",
    "contract_type",
    "amount",
    "tech_amount",
    "signed_on",
    "term_start",
    "term_end",
    "county",
    "field",
    "event_id",
)


# Submitting ----------------------------------------------------------------------------------


def submit_agreement(bureau_user: User, data: dict, contract=None) -> Agreement:
    """Accept an agreement from bureau staff; the same submission key records it only once."""
    _require_bureau(bureau_user, _("只有科技局工作人员可以登记合同。"))
    key = _submission_key(data)
    existing = _agreement_by_key(key)
    if existing is not None:
        return existing  # a double click or a resent form: already accepted
    errors: dict[str, str] = {}
    upload = _checked_upload(contract, errors)
    values, parties = _validated(data, errors)
    agreement = Agreement(submission_key=key, submitted_by=bureau_user, **values)
    for position, (organization, role) in enumerate(parties):
        agreement.parties.append(
            AgreementParty(organization=organization, role=role, position=position)
        )
    if upload is not None:
        content, agreement.contract_file_name = upload
        agreement.contract_file = contracts.store(content)
    try:
        with db.session.begin_nested():  # a twin submission may be inserting the same key
            db.session.add(agreement)
    except IntegrityError:
        contracts.remove(agreement.contract_file)
        earlier = _agreement_by_key(key)
        if earlier is None:
            raise
        log.info("agreement #%s: a simultaneous resubmission was dropped", earlier.id)
        return earlier
    except Exception:
        contracts.remove(agreement.contract_file)
        raise
    outbox.defer("worker.tasks.record_agreement", agreement.id)
    log.info(
        "agreement #%s submitted by %s: %s 万元", agreement.id, bureau_user.email, agreement.amount
    )
    return agreement


def _agreement_by_key(key: str) -> Agreement | None:
    return db.session.scalar(select(Agreement).where(Agreement.submission_key == key))


def _require_bureau(user: User, message: str) -> None:
    if not user.is_bureau:
        raise PermissionDenied(message)


def _submission_key(data: dict) -> str:
    key = str(data.get("submission_key") or "").strip()
    if not key or len(key) > KEY_MAX:
        raise DomainError(_("提交已失效，请刷新页面后重新填写。"))
    return key


def _checked_upload(contract, errors: dict) -> tuple[bytes, str] | None:
    if not contracts.is_upload(contract):
        return None
    try:
        return contracts.read_upload(contract)
    except contracts.ContractFileError as error:
        errors["contract"] = str(error)
        return None


def _validated(data: dict, errors: dict) -> tuple[dict, list[tuple[Organization, PartyRole]]]:
    """Every field checked at once, so the form shows all its mistakes together."""
    values = _terms(data, errors)
    docking, parties = _parties(data, errors)
    company = parties[0][0] if parties else None
    buyers = {o.id for o, role in parties if role == PartyRole.BUYER}
    sellers = {o.id for o, role in parties if role == PartyRole.SELLER}
    problem, result = _linked_postings(data, docking, buyers, sellers, errors)
    values["county"] = _county(data.get("county"), company, errors)
    values["field"] = _field(data.get("field"), problem, result, company, errors)
    values["event_id"] = _event_id(data.get("event_id"), values.get("signed_on"), errors)
    if errors:
        raise DomainError(_("合同信息有误，请按提示修改。"), errors)
    values.update(
        docking=docking,
        company=company,
        institute=next(o for o, role in parties if role == PartyRole.SELLER),
        problem=problem,
        result=result,
    )
    return values, parties


def _terms(data: dict, errors: dict) -> dict:
    """Title, type, amounts and dates: the figures a correction may change too."""
    amount = _amount(data.get("amount"), "amount", errors, required=True)
    tech_amount = _amount(data.get("tech_amount"), "tech_amount", errors, required=False)
    if amount is not None and tech_amount is not None and tech_amount > amount:
        errors["tech_amount"] = _("技术交易额不能超过合同金额。")
    signed_on = _date(data.get("signed_on"), "signed_on", errors)
    if signed_on is None and "signed_on" not in errors:
        errors["signed_on"] = _("请填写签订日期。")
    elif signed_on is not None and signed_on > today():
        errors["signed_on"] = _("签订日期不能晚于今天。")
    term_start = _date(data.get("term_start"), "term_start", errors)
    term_end = _date(data.get("term_end"), "term_end", errors)
    if term_start and term_end and term_end < term_start:
        errors["term_end"] = _("合同期限的结束日期不能早于开始日期。")
    return {
        "title": _title(data.get("title"), errors),
        "contract_type": _contract_type(data.get("contract_type"), errors),
        "amount": amount,
        "tech_amount": tech_amount if tech_amount is not None else amount,
        "signed_on": signed_on,
        "term_start": term_start,
        "term_end": term_end,
    }


def _title(value, errors: dict) -> str:
    title = " ".join(str(value or "").split())
    if not title:
        errors["title"] = _("请填写合同名称。")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("合同名称不能超过 %(n)d 个字。", n=TITLE_MAX)
    return title


def _contract_type(value, errors: dict) -> ContractType | None:
    if value in (None, ""):
        return ContractType.DEVELOPMENT  # the API's and older callers' default
    if isinstance(value, ContractType):
        return value
    text = str(value).strip()
    for member in ContractType:
        if text in (member.value, member.name):
            return member
    errors["contract_type"] = _("请选择合同类型（技术开发、转让、许可、咨询或服务）。")
    return None


def _amount(value, name: str, errors: dict, *, required: bool) -> Decimal | None:
    text = None if value is None else str(value)
    try:
        return parse_amount(text, required=required)
    except AmountError as exc:
        message = str(exc)
        if name == "tech_amount":
            message = _("技术交易额：%(problem)s", problem=message)
        errors[name] = message
        return None


def _date(value, name: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = _("日期格式不正确，请按 2026-03-18 的格式填写。")
        return None


def _ids(value) -> list[int | None]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [_int(item) for item in items if item not in (None, "")]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _parties(data: dict, errors: dict) -> tuple[Docking | None, list]:
    """The lead company (buyer) and institute (seller) first, then the further parties."""
    docking, company, institute = _lead_parties(data, errors)
    parties = []
    if company is not None and institute is not None:
        parties = [(company, PartyRole.BUYER), (institute, PartyRole.SELLER)]
    seen = {o.id for o in (company, institute) if o is not None}
    extras = ((PartyRole.BUYER, "extra_buyer_ids"), (PartyRole.SELLER, "extra_seller_ids"))
    for role, name in extras:
        for org_id in _ids(data.get(name)):
            organization = db.session.get(Organization, org_id) if org_id else None
            if organization is None or organization.kind == Role.BUREAU:
                errors[name] = _("所选参与方不存在，或不是企业或科研机构。")
            elif organization.id in seen:
                errors[name] = _("参与方不能重复：%(name)s", name=organization.name)
            else:
                seen.add(organization.id)
                parties.append((organization, role))
    return docking, parties


def _lead_parties(data: dict, errors: dict):
    docking_id = data.get("docking_id")
    if docking_id not in (None, ""):
        docking = db.session.get(Docking, _int(docking_id) or 0)
        if docking is None or docking.status != DockingStatus.ACCEPTED:
            errors["docking_id"] = _("只能为洽谈中的对接登记合同。")
            return None, None, None
        for name, party in (("company_id", docking.company), ("institute_id", docking.institute)):
            chosen = _int(data.get(name))
            if chosen is not None and chosen != party.id:
                errors[name] = _("与所选对接的双方不一致。")
        return docking, docking.company, docking.institute
    company = _organization(data.get("company_id"), Role.ENTERPRISE)
    institute = _organization(data.get("institute_id"), Role.INSTITUTE)
    if company is None:
        errors["company_id"] = _("请选择签约企业。")
    if institute is None:
        errors["institute_id"] = _("请选择签约科研机构。")
    return None, company, institute


def _organization(org_id, kind: Role) -> Organization | None:
    org_id = _int(org_id)
    if not org_id:
        return None
    organization = db.session.get(Organization, org_id)
    return organization if organization is not None and organization.kind == kind else None


def _linked_postings(data, docking, buyers: set, sellers: set, errors: dict):
    """The problem and result it came from: given, or taken from the 对接; they must fit."""
    problem_id, result_id = _int(data.get("problem_id")), _int(data.get("result_id"))
    if docking is not None:
        if problem_id is None and docking.demand.kind == PostingKind.PROBLEM:
            problem_id = docking.demand_id
        if result_id is None and docking.supply.kind == PostingKind.RESULT:
            result_id = docking.supply_id
    problem = _posting(problem_id, PostingKind.PROBLEM, buyers)
    result = _posting(result_id, PostingKind.RESULT, sellers)
    if problem_id is not None and problem is None:
        errors["problem_id"] = _("所选技术需求不存在，或不是买方发布的。")
    if result_id is not None and result is None:
        errors["result_id"] = _("所选科技成果不存在，或不是卖方发布的。")
    return problem, result


def _posting(posting_id, kind: PostingKind, owners: set) -> Posting | None:
    if posting_id is None:
        return None
    posting = db.session.get(Posting, posting_id)
    if posting is None or posting.kind != kind or posting.organization_id not in owners:
        return None
    return posting


def _county(value, company: Organization | None, errors: dict) -> str | None:
    county = str(value or "").strip() or (company.county if company is not None else None)
    if county is not None and county not in COUNTIES:
        errors["county"] = _("请选择许昌市的县（市、区）。")
        return None
    return county


def _field(value, problem, result, company, errors: dict) -> str | None:
    chosen = str(value or "").strip()
    if chosen:
        if chosen not in FIELDS:
            errors["field"] = _("请选择列表中的技术领域。")
            return None
        return chosen
    defaults = (problem and problem.field, result and result.field, company and company.industry)
    for source in defaults:
        if source in FIELDS:
            return source
    return None


def _event_id(value, signed_on: date | None, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    event = db.session.get(Event, _int(value) or 0)
    if event is None:
        errors["event_id"] = _("所选活动不存在。")
        return None
    held_on = local_date(event.starts_at)
    if signed_on is not None and signed_on < held_on:
        errors["event_id"] = _("签订日期早于所选活动的日期（%(day)s）。", day=held_on.isoformat())
        return None
    return event.id


# Recording (worker) --------------------------------------------------------------------------


def record_in_ledger(agreement_id: int) -> LedgerEntry | None:
    """Enter the agreement in the ledger once, however often this runs; notify its parties."""
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
    entry = _line(agreement, LedgerKind.RECORD, 1, agreement.submitted_by_id, None)
    try:
        with db.session.begin_nested():  # a twin task may be recording it right now
            db.session.add(entry)
    except IntegrityError:
        return None
    agreement.status = AgreementStatus.RECORDED
    if agreement.docking is not None:
        mark_signed(agreement.docking_id, agreement.id)  # the 对接 timeline says 签约
    _tell_parties(agreement, f"agreement:{agreement.id}", _recorded_message)
    log.info("agreement #%s recorded in the ledger: %s 万元", agreement.id, agreement.amount)
    return entry


def _line(
    agreement: Agreement, kind: LedgerKind, revision: int, user_id, reason, **new_values
) -> LedgerEntry:
    """A +1 line with the agreement's figures (or corrected ones) and every tally dimension."""
    figures = {name: getattr(agreement, name) for name in CORRECTABLE} | new_values
    return LedgerEntry(
        agreement_id=agreement.id,
        kind=kind,
        revision=revision,
        count=1,
        amount=figures["amount"],
        tech_amount=figures["amount"] if figures["tech_amount"] is None else figures["tech_amount"],
        signed_on=figures["signed_on"],
        contract_type=figures["contract_type"] or ContractType.DEVELOPMENT,
        county=figures["county"] or agreement.company.county,
        field=figures["field"],
        company_id=agreement.company_id,
        institute_id=agreement.institute_id,
        event_id=figures["event_id"],
        entered_by_id=user_id,
        reason=reason,
    )


def _reversal(line: LedgerEntry, revision: int, user_id, reason: str) -> LedgerEntry:
    """The exact negation of a +1 line, dimensions and all."""
    return LedgerEntry(
        agreement_id=line.agreement_id,
        kind=LedgerKind.REVERSAL,
        revision=revision,
        count=-line.count,
        amount=-line.amount,
        tech_amount=-line.tech_amount,
        signed_on=line.signed_on,
        contract_type=line.contract_type,
        county=line.county,
        field=line.field,
        company_id=line.company_id,
        institute_id=line.institute_id,
        event_id=line.event_id,
        entered_by_id=user_id,
        reason=reason,
    )


def _recorded_message(agreement: Agreement):
    return _("合同已登记：“%(title)s”", title=agreement.title), _(
        "科技局已登记您单位签订的合同“%(title)s”，合同金额 %(amount)s 万元，签订日期 %(date)s。",
        title=agreement.title,
        amount=format_amount(agreement.amount),
        date=agreement.signed_on.isoformat(),
    )


def _corrected_message(agreement: Agreement):
    if agreement.status == AgreementStatus.CANCELLED:
        return _("合同已作废：“%(title)s”", title=agreement.title), _(
            "科技局已将您单位的合同“%(title)s”登记作废。", title=agreement.title
        )
    return _("合同登记已更正：“%(title)s”", title=agreement.title), _(
        "科技局已更正您单位的合同“%(title)s”的登记信息，现合同金额 %(amount)s 万元。",
        title=agreement.title,
        amount=format_amount(agreement.amount),
    )


def _tell_parties(agreement: Agreement, event_key: str, message) -> None:
    for organization in {o.id: o for o in agreement.buyers + agreement.sellers}.values():
        notify_members(
            organization,
            event_key=event_key,
            link=path_for("agreements.detail", agreement_id=agreement.id),
            compose=lambda: message(agreement),
        )


# Corrections and cancellations ---------------------------------------------------------------


def submit_correction(bureau_user: User, agreement_id: int, data: dict) -> AgreementCorrection:
    """Accept a correction (new values and a reason); the worker writes it to the ledger."""
    _require_bureau(bureau_user, _("只有科技局工作人员可以更正合同。"))
    key, earlier, agreement = _change_of(agreement_id, data)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    reason = _reason(data.get("reason"), errors)
    values = _terms(data, errors)
    values["county"] = _county(data.get("county"), agreement.company, errors)
    values["field"] = _field(data.get("field"), None, None, None, errors) or agreement.field
    values["event_id"] = _event_id(data.get("event_id"), values.get("signed_on"), errors)
    if not errors and all(getattr(agreement, k) == values[k] for k in CORRECTABLE):
        errors["reason"] = _("没有任何改动：请修改需要更正的内容。")
    if errors:
        raise DomainError(_("更正信息有误，请按提示修改。"), errors)
    correction = AgreementCorrection(kind=CorrectionKind.CORRECTION, **values)
    return _queue_correction(bureau_user, agreement, correction, key, reason)


def submit_cancellation(bureau_user: User, agreement_id: int, data: dict) -> AgreementCorrection:
    """Accept a cancellation (作废) with its reason; the worker reverses the figures."""
    _require_bureau(bureau_user, _("只有科技局工作人员可以作废合同。"))
    key, earlier, agreement = _change_of(agreement_id, data)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    reason = _reason(data.get("reason"), errors)
    if errors:
        raise DomainError(_("请填写作废原因。"), errors)
    correction = AgreementCorrection(kind=CorrectionKind.CANCELLATION)
    return _queue_correction(bureau_user, agreement, correction, key, reason)


def _change_of(agreement_id: int, data: dict):
    """(submission key, the earlier submission when this one was sent before, else None, and
    then the locked agreement to change)."""
    key = _submission_key(data)
    earlier = _correction_by_key(key)
    if earlier is not None:
        return key, earlier, None
    return key, None, _correctable(agreement_id, data)


def _correction_by_key(key: str) -> AgreementCorrection | None:
    return db.session.scalar(
        select(AgreementCorrection).where(AgreementCorrection.submission_key == key)
    )


def _correctable(agreement_id: int, data: dict) -> Agreement:
    """The agreement, locked: simultaneous corrections of it queue here, and the later one sees
    the earlier one as pending (or the revision it produced) and is refused."""
    agreement = _locked_agreement(agreement_id)
    if agreement is None:
        raise NotFound(_("合同不存在。"))
    if agreement.status == AgreementStatus.CANCELLED:
        raise DomainError(_("合同已作废，不能再更正或作废。"))
    if agreement.status != AgreementStatus.RECORDED:
        raise DomainError(_("合同尚未登记入账，请稍后再更正。"))
    revision = _int(data.get("revision"))
    if revision is None:
        raise DomainError(_("提交已失效，请刷新页面后重新填写。"))
    if revision != agreement.revision:
        raise DomainError(_("合同已被他人更正，请刷新页面后重新填写。"))
    pending = db.session.scalar(
        select(AgreementCorrection.id).where(
            AgreementCorrection.agreement_id == agreement.id,
            AgreementCorrection.applied_at.is_(None),
        )
    )
    if pending is not None:
        raise DomainError(_("该合同还有一项更正正在处理，请稍后再试。"))
    return agreement


def _reason(value, errors: dict) -> str:
    reason = str(value or "").strip()
    if not reason:
        errors["reason"] = _("请填写原因：更正和作废都必须说明原因。")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("原因不能超过 %(n)d 个字。", n=REASON_MAX)
    return reason


def _queue_correction(user, agreement, correction, key, reason) -> AgreementCorrection:
    correction.agreement = agreement
    correction.submission_key = key
    correction.reason = reason
    correction.base_revision = agreement.revision
    correction.submitted_by = user
    db.session.add(correction)
    db.session.flush()
    outbox.defer("worker.tasks.apply_agreement_correction", correction.id)
    log.info(
        "%s #%s of agreement #%s submitted by %s: %s",
        correction.kind.value,
        correction.id,
        agreement.id,
        user.email,
        reason,
    )
    return correction


def apply_correction(correction_id: int) -> list[LedgerEntry]:
    """Write a correction's reversal (and replacement) lines once; bump the revision."""
    correction = db.session.get(AgreementCorrection, correction_id)
    if correction is None or not correction.is_pending:
        return []
    agreement = _locked_agreement(correction.agreement_id)
    db.session.refresh(correction)  # a twin task may have handled it while we waited
    if not correction.is_pending:
        return []
    if correction.base_revision != agreement.revision:
        _reject(correction, agreement)
        return []
    current = _current_line(agreement)
    if current is None:
        log.warning("agreement #%s has no current ledger line; correction waits", agreement.id)
        return []
    revision = agreement.revision + 1
    lines = [_reversal(current, revision, correction.submitted_by_id, correction.reason)]
    new_values = {}
    if correction.kind == CorrectionKind.CORRECTION:
        new_values = {name: getattr(correction, name) for name in CORRECTABLE}
        lines.append(
            _line(
                agreement,
                LedgerKind.REPLACEMENT,
                revision,
                correction.submitted_by_id,
                correction.reason,
                **new_values,
            )
        )
    try:
        with db.session.begin_nested():  # a twin task may be applying it right now
            db.session.add_all(lines)
    except IntegrityError:
        return []
    for name, value in new_values.items():
        setattr(agreement, name, value)
    if correction.kind == CorrectionKind.CANCELLATION:
        agreement.status = AgreementStatus.CANCELLED
    agreement.revision = revision
    correction.applied_revision = revision
    correction.applied_at = utcnow()
    _tell_parties(agreement, f"agreement:{agreement.id}:r{revision}", _corrected_message)
    log.info("agreement #%s now at revision %s (%s)", agreement.id, revision, correction.kind.value)
    return lines


def _reject(correction: AgreementCorrection, agreement: Agreement) -> None:
    """Close a correction made on an outdated revision unapplied, and tell who submitted it."""
    correction.applied_at = utcnow()
    log.warning(
        "%s #%s of agreement #%s rejected: made on revision %s, the agreement is at %s",
        correction.kind.value,
        correction.id,
        agreement.id,
        correction.base_revision,
        agreement.revision,
    )
    user = correction.submitted_by
    if user is None:
        return
    with force_locale(user.locale or DEFAULT_LOCALE):
        subject, body = _rejected_message(correction, agreement)
    notify(
        [user],
        event_key=f"agreement:{agreement.id}:c{correction.id}:rejected",
        subject=subject,
        body=body,
        link=path_for("agreements.detail", agreement_id=agreement.id),
    )


def _rejected_message(correction: AgreementCorrection, agreement: Agreement):
    names = {"title": agreement.title}
    versions = {"base": correction.base_revision, "current": agreement.revision}
    if correction.kind == CorrectionKind.CANCELLATION:
        return _("作废未执行：“%(title)s”", **names), _(
            "您提交的合同“%(title)s”的作废未执行：提交时合同为第 %(base)d 版，此后已被他人"
            "改为第 %(current)d 版。请查看最新内容后重新提交。",
            **names,
            **versions,
        )
    return _("更正未执行：“%(title)s”", **names), _(
        "您提交的合同“%(title)s”的更正未执行：提交时合同为第 %(base)d 版，此后已被他人"
        "改为第 %(current)d 版。请查看最新内容后重新提交。",
        **names,
        **versions,
    )


def _locked_agreement(agreement_id: int) -> Agreement | None:
    # FOR UPDATE on PostgreSQL (SQLite serialises writers itself): work on one agreement queues.
    return db.session.scalars(
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def _current_line(agreement: Agreement) -> LedgerEntry | None:
    return db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.agreement_id == agreement.id,
            LedgerEntry.revision == agreement.revision,
            LedgerEntry.count == 1,
        )
    )


# Reading -------------------------------------------------------------------------------------


def with_parties():
    """Loader options for lists of agreements: every party and its organisation, and the lead
    parties, in a fixed number of queries however long the list (tables, exports, the API)."""
    return (
        selectinload(Agreement.parties).joinedload(AgreementParty.organization),
        joinedload(Agreement.company),
        joinedload(Agreement.institute),
    )


def _party_filter(organization_id: int):
    among_parties = select(AgreementParty.agreement_id).where(
        AgreementParty.organization_id == organization_id
    )
    return or_(
        Agreement.company_id == organization_id,
        Agreement.institute_id == organization_id,
        Agreement.id.in_(among_parties),
    )


def agreements_visible_to(user: User, year: int | None = None) -> list[Agreement]:
    """All agreements for the bureau; for everyone else those their organisation is party to."""
    query = (
        select(Agreement)
        .options(*with_parties())
        .order_by(Agreement.signed_on.desc(), Agreement.id.desc())
    )
    if not user.is_bureau:
        query = query.where(_party_filter(user.organization_id))
    if year is not None:
        query = query.where(
            Agreement.signed_on >= date(year, 1, 1), Agreement.signed_on <= date(year, 12, 31)
        )
    return db.session.scalars(query).all()


def can_view_agreement(user: User, agreement: Agreement) -> bool:
    """The bureau, and members of any party to the agreement."""
    if user.is_bureau:
        return True
    org = user.organization_id
    return org in (agreement.company_id, agreement.institute_id) or any(
        p.organization_id == org for p in agreement.parties
    )


def get_agreement_for(user: User, agreement_id: int) -> Agreement:
    """The agreement if this user may see it; NotFound otherwise (its existence stays private)."""
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None or not can_view_agreement(user, agreement):
        raise NotFound(_("合同不存在。"))
    return agreement


def contract_file_for(user: User, agreement_id: int):
    """The stored scanned contract's path and download name, for parties and the bureau."""
    agreement = get_agreement_for(user, agreement_id)
    path = contracts.path_of(agreement.contract_file or "")
    if path is None:
        raise NotFound(_("这份合同没有上传扫描件。"))
    return path, agreement.contract_file_name or f"{agreement.registration_no}.pdf"


def pending_correction(agreement: Agreement) -> AgreementCorrection | None:
    """The correction or cancellation the worker has not applied yet, if any."""
    return next((c for c in agreement.corrections if c.is_pending), None)


def ledger_lines(agreement: Agreement) -> list[LedgerEntry]:
    """Every ledger line of the agreement, oldest first (the audit trail)."""
    return db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.agreement_id == agreement.id)
        .order_by(LedgerEntry.revision, LedgerEntry.id)
    ).all()


def recorded_agreements(year: int | None = None) -> list[Agreement]:
    """Agreements that currently count (recorded, not cancelled), oldest signing first."""
    query = (
        select(Agreement)
        .options(*with_parties())
        .where(Agreement.status == AgreementStatus.RECORDED)
        .order_by(Agreement.signed_on, Agreement.id)
    )
    if year is not None:
        query = query.where(
            Agreement.signed_on >= date(year, 1, 1), Agreement.signed_on <= date(year, 12, 31)
        )
    return db.session.scalars(query).all()


def recordable_dockings() -> list[Docking]:
    """Accepted 对接 an agreement can be recorded for, with both postings and organisations."""
    return db.session.scalars(
        select(Docking)
        .options(
            joinedload(Docking.demand).joinedload(Posting.organization),
            joinedload(Docking.supply).joinedload(Posting.organization),
        )
        .where(Docking.status == DockingStatus.ACCEPTED)
        .order_by(Docking.id)
    ).all()


def recordable_postings(kind: PostingKind) -> list[Posting]:
    """Problems or results an agreement may link to, newest first, with their organisations."""
    return db.session.scalars(
        select(Posting)
        .options(joinedload(Posting.organization))
        .where(Posting.kind == kind)
        .order_by(Posting.id.desc())
    ).all()
