"""The append-only ledger: recorded once, corrected by reversal + replacement, never edited.

THE RULE every tally relies on: summing ledger lines grouped by any dimension gives exactly the
figures of the agreements' current revisions. Checked here on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from market import create_app, outbox
from market.accounts.models import Role, User
from market.agreements.models import (
    Agreement,
    AgreementCorrection,
    AgreementParty,
    AgreementStatus,
    ContractType,
    CorrectionKind,
    LedgerEntry,
    LedgerIsAppendOnly,
    LedgerKind,
    PartyRole,
)
from market.agreements.services import (
    apply_correction,
    record_in_ledger,
    submit_agreement,
    submit_cancellation,
    submit_correction,
)
from market.errors import DomainError, PermissionDenied
from market.extensions import db
from market.notifications.models import Notification
from tests.conftest import base_config
from worker import tasks

ROOT = Path(__file__).parent.parent
DIMENSIONS = ("signed_on", "contract_type", "county", "field", "company_id", "institute_id")


@pytest.fixture
def parties(make_user):
    company = make_user(Role.ENTERPRISE, county="长葛市")
    institute = make_user(Role.INSTITUTE)
    bureau = make_user(Role.BUREAU)
    return company, institute, bureau


def form(company, institute, key="k-1", **overrides):
    data = {
        "submission_key": key,
        "company_id": str(company.organization_id),
        "institute_id": str(institute.organization_id),
        "title": "金刚石微粉整形与精密分级技术转让",
        "contract_type": "transfer",
        "signed_on": date(2025, 6, 18),
        "amount": "108.00",
        "tech_amount": "100.50",
        "field": "超硬材料",
    }
    data.update(overrides)
    return data


def record(bureau, data) -> Agreement:
    agreement = submit_agreement(bureau, data)
    outbox.commit()  # the eager worker records it
    return db.session.get(Agreement, agreement.id)


def correct(bureau, agreement, key="c-1", **changes) -> AgreementCorrection:
    data = {
        "submission_key": key,
        "revision": agreement.revision,
        "reason": "合同金额录入错误，按合同原件更正",
        "title": agreement.title,
        "contract_type": agreement.contract_type.value,
        "amount": str(agreement.amount),
        "tech_amount": str(agreement.tech_amount),
        "signed_on": agreement.signed_on,
        "county": agreement.county,
        "field": agreement.field,
    }
    data.update(changes)
    correction = submit_correction(bureau, agreement.id, data)
    outbox.commit()
    return correction


def lines_of(agreement) -> list[LedgerEntry]:
    return db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.agreement_id == agreement.id)
        .order_by(LedgerEntry.revision, LedgerEntry.id)
    ).all()


def ledger_by(dimension: str) -> dict:
    """count, amount and tech_amount per value of one dimension, summed by SQL."""
    column = getattr(LedgerEntry, dimension)
    rows = db.session.execute(
        select(
            column,
            func.sum(LedgerEntry.count),
            func.sum(LedgerEntry.amount),  # Money: exact integer cents summed, read as Decimal
            func.sum(LedgerEntry.tech_amount),
        ).group_by(column)
    ).all()
    return {key: (int(c), a, t) for key, c, a, t in rows if int(c) or a}


def agreements_by(dimension: str) -> dict:
    """The same figures computed from the agreements' current revisions, in Python."""
    found = defaultdict(lambda: [0, Decimal("0"), Decimal("0")])
    for agreement in db.session.scalars(
        select(Agreement).where(Agreement.status == AgreementStatus.RECORDED)
    ):
        key = getattr(agreement, dimension)
        found[key][0] += 1
        found[key][1] += agreement.amount
        found[key][2] += agreement.tech_amount
    return {k: tuple(v) for k, v in found.items()}


def assert_the_rule_holds():
    for dimension in DIMENSIONS:
        assert ledger_by(dimension) == agreements_by(dimension), dimension


# Recording -------------------------------------------------------------------------------------


def test_a_record_line_copies_every_dimension(app, parties):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    (line,) = lines_of(agreement)
    assert (line.kind, line.revision, line.count) == (LedgerKind.RECORD, 1, 1)
    assert line.amount == Decimal("108.00") and line.tech_amount == Decimal("100.50")
    assert line.contract_type == ContractType.TRANSFER
    assert line.signed_on == date(2025, 6, 18)
    assert line.county == "长葛市"  # the company's county, snapshotted
    assert line.field == "超硬材料"
    assert line.company_id == company.organization_id
    assert line.institute_id == institute.organization_id
    assert line.entered_by_id == bureau.id
    assert agreement.status == AgreementStatus.RECORDED


def test_recording_twice_writes_one_line_and_tells_each_party_once(app, parties):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    record_in_ledger(agreement.id)  # a duplicated or retried worker task
    tasks.record_agreement(agreement.id)
    tasks.record_agreement(agreement.id)
    again = submit_agreement(bureau, form(company, institute))  # the form sent again
    outbox.commit()
    assert again.id == agreement.id
    assert db.session.scalar(select(func.count(Agreement.id))) == 1
    assert len(lines_of(agreement)) == 1
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.event_key == f"agreement:{agreement.id}")
    ).all()
    assert sorted(told) == sorted([company.id, institute.id])


def test_an_unknown_agreement_records_nothing(app):
    assert record_in_ledger(424242) is None
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0


# Corrections -----------------------------------------------------------------------------------


def test_a_correction_writes_a_reversal_and_a_replacement(app, parties):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    correct(
        bureau,
        agreement,
        amount="118.00",
        tech_amount="110.00",
        contract_type="development",
        signed_on=date(2024, 12, 30),
        county="禹州市",
        field="新材料",
    )
    agreement = db.session.get(Agreement, agreement.id)
    record_line, reversal, replacement = lines_of(agreement)
    assert reversal.kind == LedgerKind.REVERSAL and replacement.kind == LedgerKind.REPLACEMENT
    assert reversal.revision == replacement.revision == agreement.revision == 2
    # The reversal negates revision 1 exactly, dimensions and all.
    assert (reversal.count, reversal.amount, reversal.tech_amount) == (
        -1,
        Decimal("-108.00"),
        Decimal("-100.50"),
    )
    for name in DIMENSIONS:
        assert getattr(reversal, name) == getattr(record_line, name), name
    # The replacement carries the new values; the agreement reads the same.
    assert (replacement.count, replacement.amount, replacement.tech_amount) == (
        1,
        Decimal("118.00"),
        Decimal("110.00"),
    )
    assert replacement.signed_on == agreement.signed_on == date(2024, 12, 30)
    assert replacement.contract_type == agreement.contract_type == ContractType.DEVELOPMENT
    assert replacement.county == agreement.county == "禹州市"
    assert replacement.field == agreement.field == "新材料"
    assert reversal.entered_by_id == replacement.entered_by_id == bureau.id
    assert reversal.reason == replacement.reason == "合同金额录入错误，按合同原件更正"
    assert sum(line.amount for line in lines_of(agreement)) == Decimal("118.00")
    assert_the_rule_holds()


def test_applying_a_correction_twice_writes_its_lines_once(app, parties):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    correction = correct(bureau, agreement, amount="99.99", tech_amount="99.99")
    assert apply_correction(correction.id) == []
    tasks.apply_agreement_correction(correction.id)
    outbox.commit()
    assert len(lines_of(agreement)) == 3
    assert db.session.get(Agreement, agreement.id).revision == 2
    resent = correct(bureau, agreement, amount="99.99", tech_amount="99.99")  # same key
    assert resent.id == correction.id
    assert db.session.scalar(select(func.count(AgreementCorrection.id))) == 1


def test_successive_corrections_keep_the_sums_exact(app, parties):
    company, institute, bureau = parties
    first = record(bureau, form(company, institute, key="a"))
    second = record(
        bureau,
        form(
            company, institute, key="b", amount="0.01", tech_amount="", signed_on=date(2023, 1, 2)
        ),
    )
    for n, amount in enumerate(("999999.99", "0.10", "4098.22")):
        correct(
            bureau, db.session.get(Agreement, first.id), key=f"c{n}", amount=amount, tech_amount=""
        )
    correct(bureau, db.session.get(Agreement, second.id), key="d", county="鄢陵县")
    first, second = db.session.get(Agreement, first.id), db.session.get(Agreement, second.id)
    assert first.revision == 4 and second.revision == 2
    assert first.amount == Decimal("4098.22") and first.tech_amount == Decimal("4098.22")
    total = db.session.scalar(select(func.sum(LedgerEntry.amount)))
    assert total == Decimal("4098.23")
    assert len(lines_of(first)) == 7  # record + 3 × (reversal + replacement)
    assert_the_rule_holds()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reason": "  "}, "reason", "请填写原因"),
        ({"amount": "12.345"}, "amount", "两位小数"),
        ({"amount": "50.00"}, "tech_amount", "不能超过合同金额"),
        ({"signed_on": date(2999, 1, 1)}, "signed_on", "不能晚于今天"),
        ({"county": "郑州市"}, "county", "县（市、区）"),
        ({"field": "航天"}, "field", "技术领域"),
        ({"contract_type": "gift"}, "contract_type", "合同类型"),
        ({}, "reason", "没有任何改动"),
    ],
)
def test_bad_corrections_are_refused_and_nothing_changes(app, parties, changes, field, message):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    with pytest.raises(DomainError) as error:
        correct(bureau, agreement, **changes)
    outbox.rollback()
    assert message in error.value.errors[field]
    assert db.session.scalar(select(func.count(AgreementCorrection.id))) == 0
    assert len(lines_of(agreement)) == 1
    assert db.session.get(Agreement, agreement.id).revision == 1


def test_a_stale_form_and_a_second_pending_correction_are_refused(app, parties):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    correct(bureau, agreement, amount="120.00")
    with pytest.raises(DomainError, match="已被他人更正"):
        correct(bureau, agreement, key="c-2", revision=1, amount="130.00")
    outbox.rollback()
    # A correction still waiting for the worker blocks another one.
    agreement = db.session.get(Agreement, agreement.id)
    pending = submit_correction(
        bureau,
        agreement.id,
        {
            "submission_key": "c-3",
            "revision": 2,
            "reason": "再次核对",
            "amount": "125.00",
            "title": agreement.title,
            "signed_on": agreement.signed_on,
            "tech_amount": "100.50",
            "contract_type": "transfer",
            "field": agreement.field,
        },
    )
    db.session.info.pop("outbox", None)
    db.session.commit()  # committed but not published: the worker has not run yet
    with pytest.raises(DomainError, match="正在处理"):
        correct(bureau, db.session.get(Agreement, agreement.id), key="c-4", amount="126.00")
    outbox.rollback()
    apply_correction(pending.id)
    db.session.commit()
    assert db.session.get(Agreement, agreement.id).amount == Decimal("125.00")
    assert_the_rule_holds()


def submitted_only(bureau, agreement, key, **changes) -> AgreementCorrection:
    """A correction committed while the worker has not run yet."""
    data = {
        "submission_key": key,
        "revision": agreement.revision,
        "reason": "按合同原件更正",
        "title": agreement.title,
        "contract_type": agreement.contract_type.value,
        "amount": str(agreement.amount),
        "tech_amount": str(agreement.tech_amount),
        "signed_on": agreement.signed_on,
        "field": agreement.field,
    }
    correction = submit_correction(bureau, agreement.id, data | changes)
    db.session.info.pop("outbox", None)
    db.session.commit()
    return correction


def test_a_correction_made_on_an_outdated_revision_is_rejected_and_its_author_told(
    app, parties, make_user
):
    company, institute, bureau = parties
    colleague = make_user(Role.BUREAU, name="李科员")
    agreement = record(bureau, form(company, institute))
    first = submitted_only(bureau, agreement, "c-1", amount="120.00", tech_amount="120.00")
    # A second correction of revision 1 that got past the submission checks (the race).
    stale = AgreementCorrection(
        agreement_id=agreement.id,
        kind=CorrectionKind.CORRECTION,
        submission_key="c-2",
        reason="另一位同事的更正",
        base_revision=1,
        submitted_by_id=colleague.id,
        title=agreement.title,
        contract_type=ContractType.TRANSFER,
        amount=Decimal("130.00"),
        tech_amount=Decimal("130.00"),
        signed_on=agreement.signed_on,
        county=agreement.county,
        field=agreement.field,
    )
    db.session.add(stale)
    db.session.commit()
    apply_correction(first.id)
    db.session.commit()
    assert apply_correction(stale.id) == []
    outbox.commit()
    agreement = db.session.get(Agreement, agreement.id)
    assert (agreement.amount, agreement.revision) == (Decimal("120.00"), 2)  # not overwritten
    assert len(lines_of(agreement)) == 3
    stale = db.session.get(AgreementCorrection, stale.id)
    assert stale.is_rejected and stale.applied_revision is None and stale.applied_at is not None
    assert db.session.get(AgreementCorrection, first.id).applied_revision == 2
    told = db.session.scalars(
        select(Notification).where(Notification.event_key.like(f"agreement:{agreement.id}:c%"))
    ).all()
    assert [n.user_id for n in told] == [colleague.id]
    assert "未执行" in told[0].subject and "第 1 版" in told[0].body and "第 2 版" in told[0].body
    tasks.apply_agreement_correction(stale.id)  # a retried task changes nothing
    outbox.commit()
    assert len(lines_of(agreement)) == 3
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.event_key.like(f"agreement:{agreement.id}:c%")
            )
        )
        == 1
    )
    # The rejected correction no longer blocks the agreement.
    correct(bureau, agreement, key="c-3", amount="125.00", tech_amount="125.00")
    assert db.session.get(Agreement, agreement.id).amount == Decimal("125.00")
    assert_the_rule_holds()


@pytest.mark.parametrize("submit", ["correction", "cancellation"])
def test_a_correction_without_the_revision_it_was_made_on_is_refused(app, parties, submit):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    data = {
        "submission_key": "c-1",
        "reason": "金额有误",
        "title": agreement.title,
        "amount": "1.00",
        "signed_on": agreement.signed_on,
    }
    service = submit_correction if submit == "correction" else submit_cancellation
    with pytest.raises(DomainError, match="请刷新页面"):
        service(bureau, agreement.id, data)
    outbox.rollback()
    assert db.session.scalar(select(func.count(AgreementCorrection.id))) == 0
    assert len(lines_of(agreement)) == 1


def test_simultaneous_corrections_queue_and_the_later_one_is_refused(app, backend, parties):
    """Two staff members correct one agreement at once: the later one waits, then is refused."""
    if backend != "postgresql":
        pytest.skip("row locks: SQLite lets one writer at a time anyway")
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    agreement_id, bureau_id = agreement.id, bureau.id
    outcome = {}

    def second_staff_member():
        with app.app_context():
            try:
                user = db.session.get(User, bureau_id)
                later = db.session.get(Agreement, agreement_id)
                submitted_only(user, later, "c-2", amount="130.00", tech_amount="130.00")
                outcome["result"] = "accepted"
            except DomainError as error:
                outcome["result"] = str(error)
                db.session.rollback()
            finally:
                db.session.remove()

    data = {
        "submission_key": "c-1",
        "revision": 1,
        "reason": "金额有误",
        "title": agreement.title,
        "contract_type": "transfer",
        "amount": "120.00",
        "tech_amount": "120.00",
        "signed_on": agreement.signed_on,
        "field": agreement.field,
    }
    submit_correction(bureau, agreement_id, data)  # flushed, holding the row, not committed
    thread = threading.Thread(target=second_staff_member)
    thread.start()
    with db.engine.connect() as watcher:
        for _ in range(100):  # until the second one waits on the lock (or has finished)
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting or not thread.is_alive():
                break
            time.sleep(0.05)
    outbox.commit()  # the first correction commits and the (eager) worker applies it
    thread.join(timeout=30)
    assert "正在处理" in outcome["result"] or "已被他人更正" in outcome["result"]
    assert db.session.scalar(select(func.count(AgreementCorrection.id))) == 1
    assert db.session.get(Agreement, agreement_id).amount == Decimal("120.00")
    assert_the_rule_holds()


def test_only_the_bureau_corrects_or_cancels(app, parties):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    with pytest.raises(PermissionDenied):
        correct(company, agreement, amount="1.00")
    with pytest.raises(PermissionDenied):
        submit_cancellation(institute, agreement.id, {"submission_key": "x", "reason": "错"})
    outbox.rollback()
    assert len(lines_of(agreement)) == 1


# Cancellations ---------------------------------------------------------------------------------


def test_a_cancellation_writes_a_reversal_only_and_the_agreement_no_longer_counts(app, parties):
    company, institute, bureau = parties
    kept = record(bureau, form(company, institute, key="kept", amount="20.00", tech_amount=""))
    agreement = record(bureau, form(company, institute))
    submit_cancellation(
        bureau, agreement.id, {"submission_key": "x-1", "reason": "双方解除合同", "revision": 1}
    )
    outbox.commit()
    agreement = db.session.get(Agreement, agreement.id)
    record_line, reversal = lines_of(agreement)
    assert reversal.kind == LedgerKind.REVERSAL and reversal.revision == 2
    assert (reversal.count, reversal.amount) == (-1, Decimal("-108.00"))
    assert reversal.reason == "双方解除合同"
    assert agreement.status == AgreementStatus.CANCELLED and agreement.revision == 2
    assert agreement.amount == Decimal("108.00")  # the record keeps what was signed
    count, amount = db.session.execute(
        select(func.sum(LedgerEntry.count), func.sum(LedgerEntry.amount))
    ).one()
    assert (count, amount) == (1, kept.amount)
    assert_the_rule_holds()
    with pytest.raises(DomainError, match="已作废"):
        submit_cancellation(bureau, agreement.id, {"submission_key": "x-2", "reason": "再作废"})
    with pytest.raises(DomainError, match="已作废"):
        correct(bureau, agreement, key="c-9", amount="1.00")
    outbox.rollback()
    assert len(lines_of(agreement)) == 2


def test_a_cancellation_needs_a_reason(app, parties):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    with pytest.raises(DomainError) as error:
        submit_cancellation(
            bureau, agreement.id, {"submission_key": "x-1", "revision": 1, "reason": ""}
        )
    outbox.rollback()
    assert "请填写原因" in error.value.errors["reason"]
    assert db.session.get(Agreement, agreement.id).status == AgreementStatus.RECORDED


# The ledger is append-only --------------------------------------------------------------------


def test_ledger_lines_cannot_be_changed_or_deleted(app, parties):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    (line,) = lines_of(agreement)
    line.amount = Decimal("1.00")
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(LedgerEntry, line.id))
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(LedgerIsAppendOnly):
        db.session.execute(update(LedgerEntry).values(count=1))
    with pytest.raises(LedgerIsAppendOnly):
        db.session.execute(delete(LedgerEntry))
    db.session.rollback()
    (line,) = lines_of(agreement)
    assert line.amount == Decimal("108.00")


def test_a_ledger_line_counts_one_agreement_at_most(app, parties):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    (line,) = lines_of(agreement)
    twice = LedgerEntry(
        agreement_id=agreement.id,
        kind=LedgerKind.REPLACEMENT,
        revision=9,
        count=2,
        amount=Decimal("1.00"),
        tech_amount=Decimal("1.00"),
        signed_on=line.signed_on,
        contract_type=line.contract_type,
        company_id=line.company_id,
        institute_id=line.institute_id,
    )
    db.session.add(twice)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# Through the web -------------------------------------------------------------------------------


def test_bureau_corrects_and_cancels_through_the_pages_and_the_audit_page_shows_why(
    client, auth, parties
):
    company, institute, bureau = parties
    agreement = record(bureau, form(company, institute))
    auth.login(bureau)
    page = client.get(f"/agreements/{agreement.id}/correct")
    assert page.status_code == 200 and "108.00" in page.text
    refused = client.post(
        f"/agreements/{agreement.id}/correct",
        data={
            "submission_key": "web-c0",
            "revision": "1",
            "title": agreement.title,
            "contract_type": "transfer",
            "amount": "118.00",
            "signed_on": "2025-06-18",
            "reason": "",
        },
    )
    assert refused.status_code == 400 and "请填写原因" in refused.text
    assert len(lines_of(agreement)) == 1
    response = client.post(
        f"/agreements/{agreement.id}/correct",
        data={
            "submission_key": "web-c1",
            "revision": "1",
            "title": agreement.title,
            "contract_type": "transfer",
            "amount": "118.00",
            "tech_amount": "100.50",
            "signed_on": "2025-06-18",
            "field": "超硬材料",
            "reason": "按合同原件更正金额",
        },
        follow_redirects=True,
    )
    assert "更正已提交" in response.text
    assert 'data-testid="ledger-amount">118.00<' in response.text
    audit = client.get(f"/agreements/{agreement.id}/audit").text
    assert audit.count('data-kind="reversal"') == 1 and audit.count('data-kind="replacement"') == 1
    assert "按合同原件更正金额" in audit and "-108.00" in audit and bureau.name in audit
    cancelled = client.post(
        f"/agreements/{agreement.id}/cancel",
        data={"submission_key": "web-x1", "revision": "2", "reason": "合同解除"},
        follow_redirects=True,
    )
    assert "作废已提交" in cancelled.text and "已作废" in cancelled.text
    assert 'data-testid="ledger-count">0<' in cancelled.text
    assert 'data-testid="ledger-amount">0.00<' in cancelled.text
    auth.logout()
    auth.login(company)
    assert client.get(f"/agreements/{agreement.id}/audit").status_code == 200  # a party
    assert client.get(f"/agreements/{agreement.id}/correct").status_code == 403
    assert client.post(f"/agreements/{agreement.id}/cancel", data={}).status_code == 403


# Migration -------------------------------------------------------------------------------------


@pytest.fixture
def old_schema_app(tmp_path, database_url):
    """An app whose database stands at the revision before this one (a51c0e7d1003)."""
    app = create_app(base_config(tmp_path, database_url))
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade(directory=str(ROOT / "market" / "migrations"), revision="a51c0e7d1003")
        yield app
        db.session.remove()
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.engine.dispose()


def test_the_upgrade_keeps_recorded_agreements_and_backfills_their_lines(old_schema_app):
    now = "2025-01-01 08:00:00+00:00"
    statements = [
        "INSERT INTO organizations (id, name, kind, county, created_at)"
        f" VALUES (1, '许昌旧公司', 'ENTERPRISE', '襄城县', '{now}'),"
        f" (2, '旧研究所', 'INSTITUTE', NULL, '{now}')",
        "INSERT INTO agreements (id, submission_key, title, company_id, institute_id, signed_on,"
        f" amount, status, created_at) VALUES (1, 'old-1', '旧合同', 1, 2, '2024-05-06', 12345,"
        f" 'RECORDED', '{now}')",
        "INSERT INTO ledger_entries (id, agreement_id, kind, count, amount, signed_on,"
        f" recorded_at) VALUES (1, 1, 'RECORD', 1, 12345, '2024-05-06', '{now}')",
    ]
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()
    upgrade(directory=str(ROOT / "market" / "migrations"))
    db.session.expire_all()
    agreement = db.session.get(Agreement, 1)
    assert agreement.amount == agreement.tech_amount == Decimal("123.45")
    assert agreement.contract_type == ContractType.DEVELOPMENT and agreement.revision == 1
    assert agreement.county == "襄城县"
    parties = db.session.scalars(select(AgreementParty).order_by(AgreementParty.position)).all()
    assert [(p.organization_id, p.role) for p in parties] == [
        (1, PartyRole.BUYER),
        (2, PartyRole.SELLER),
    ]
    (line,) = db.session.scalars(select(LedgerEntry)).all()
    assert (line.revision, line.kind, line.count) == (1, LedgerKind.RECORD, 1)
    assert line.amount == line.tech_amount == Decimal("123.45")
    assert (line.company_id, line.institute_id, line.county) == (1, 2, "襄城县")
    assert line.contract_type == ContractType.DEVELOPMENT

    db.session.remove()  # end the reading transaction: the downgrade needs its locks
    downgrade(directory=str(ROOT / "market" / "migrations"), revision="a51c0e7d1003")
    amount, kind = db.session.execute(text("SELECT amount, kind FROM ledger_entries")).one()
    assert (amount, kind) == (12345, "RECORD")
    db.session.remove()
    upgrade(directory=str(ROOT / "market" / "migrations"))
