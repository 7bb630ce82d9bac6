"""Agreements: the bureau's form, validation, scanned contracts, permissions and the 登记表."""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from werkzeug.datastructures import FileStorage

from market import outbox
from market.accounts.models import Role
from market.agreements import export
from market.agreements import services as agreement_services
from market.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementStatus,
    ContractType,
    LedgerEntry,
    PartyRole,
)
from market.agreements.services import (
    agreements_visible_to,
    record_in_ledger,
    submit_agreement,
    submit_cancellation,
    submit_correction,
)
from market.dockings.models import Docking, DockingStatus
from market.dockings.services import accept_docking, request_docking
from market.errors import DomainError
from market.events.models import Event, EventKind
from market.extensions import db
from market.notifications.models import Notification
from market.timeutil import today
from tests.conftest import sql_statements

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def contract_dir(app, tmp_path):
    folder = tmp_path / "contracts"
    app.config["MARKET_CONTRACT_DIR"] = str(folder)
    return folder


@pytest.fixture
def parties(make_user, contract_dir):
    company = make_user(Role.ENTERPRISE)
    institute = make_user(Role.INSTITUTE)
    bureau = make_user(Role.BUREAU)
    return company, institute, bureau


def agreement_form(company, institute, **overrides):
    data = {
        "submission_key": "form-key-1",
        "company_id": str(company.organization_id),
        "institute_id": str(institute.organization_id),
        "title": "开关柜无线测温技术合作开发合同",
        "contract_type": "development",
        "signed_on": "2026-03-18",
        "amount": "123.45",
    }
    data.update(overrides)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def ledger_total() -> tuple[int, Decimal]:
    totals = export.ledger_totals()
    return totals.count, totals.amount


# Recording through the form --------------------------------------------------------------------


def test_bureau_records_an_agreement_and_both_parties_are_told(client, auth, parties):
    company, institute, bureau = parties
    auth.login(bureau)
    page = client.get("/agreements/new").text
    for label in (
        "合同类型",
        "技术交易额",
        "其他买方",
        "合同扫描件",
        'enctype="multipart/form-data"',
    ):
        assert label in page
    response = client.post(
        "/agreements/new", data=agreement_form(company, institute), follow_redirects=True
    )
    assert "已提交登记" in response.text
    agreement = db.session.scalar(select(Agreement))
    assert agreement.amount == agreement.tech_amount == Decimal("123.45")
    assert agreement.status == AgreementStatus.RECORDED  # the (eager) worker recorded it
    assert agreement.county == "魏都区"  # defaulted from the company
    assert ledger_total() == (1, Decimal("123.45"))
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.event_key == f"agreement:{agreement.id}")
    ).all()
    assert sorted(told) == sorted([company.id, institute.id])
    assert 'data-testid="ledger-amount">123.45<' in response.text


def test_the_full_form_stores_every_field_party_and_link(
    client, auth, parties, make_user, make_posting
):
    company, institute, bureau = parties
    partner = make_user(Role.ENTERPRISE, org_name="许昌第二家合作企业", county="长葛市")
    lab = make_user(Role.INSTITUTE, org_name="郑州大学")
    problem = make_posting("problem", author=company, publish=True)
    result = make_posting("result", author=institute, publish=True, field="新材料")
    event = Event(
        kind=EventKind.MATCHMAKING,
        title="产学研对接会",
        starts_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
        capacity=50,
        description="",
    )
    db.session.add(event)
    db.session.commit()
    auth.login(bureau)
    form = agreement_form(
        company,
        institute,
        title="  开关柜测温   多方合作开发  ",
        contract_type="licensing",
        amount="1,200.50",
        tech_amount="１０００．２５",
        term_start="2026-04-01",
        term_end="2027-03-31",
        county="建安区",
        extra_buyer_ids=[str(partner.organization_id)],
        extra_seller_ids=[str(lab.organization_id)],
        problem_id=str(problem.id),
        result_id=str(result.id),
        event_id=str(event.id),
    )
    assert client.post("/agreements/new", data=form).status_code == 302
    agreement = db.session.scalar(select(Agreement))
    assert agreement.title == "开关柜测温 多方合作开发"
    assert agreement.contract_type == ContractType.LICENSING
    assert (agreement.amount, agreement.tech_amount) == (Decimal("1200.50"), Decimal("1000.25"))
    assert (agreement.term_start, agreement.term_end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert agreement.county == "建安区"
    assert agreement.field == "电力装备"  # from the problem, which comes first
    assert (agreement.problem_id, agreement.result_id) == (problem.id, result.id)
    assert agreement.event_id == event.id
    parties_ = db.session.scalars(select(AgreementParty).order_by(AgreementParty.position)).all()
    assert [(p.organization_id, p.role) for p in parties_] == [
        (company.organization_id, PartyRole.BUYER),
        (institute.organization_id, PartyRole.SELLER),
        (partner.organization_id, PartyRole.BUYER),
        (lab.organization_id, PartyRole.SELLER),
    ]
    (line,) = db.session.scalars(select(LedgerEntry)).all()
    assert (line.county, line.field, line.event_id) == ("建安区", "电力装备", event.id)
    assert line.contract_type == ContractType.LICENSING
    assert line.tech_amount == Decimal("1000.25")
    # Every party is told, once per member.
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.event_key == f"agreement:{agreement.id}")
    ).all()
    assert sorted(told) == sorted([company.id, institute.id, partner.id, lab.id])
    page = client.get(f"/agreements/{agreement.id}").text
    for text in ("技术许可", "许昌第二家合作企业", "郑州大学", "1,000.25", "产学研对接会"):
        assert text in page


def test_the_same_submission_twice_records_one_agreement(client, auth, parties):
    company, institute, bureau = parties
    auth.login(bureau)
    form = agreement_form(company, institute)
    client.post("/agreements/new", data=form)
    client.post("/agreements/new", data=form)  # double click / resent form
    assert count(Agreement) == 1
    agreement = db.session.scalar(select(Agreement))
    record_in_ledger(agreement.id)  # a duplicated worker task
    record_in_ledger(agreement.id)
    outbox.commit()
    assert count(LedgerEntry) == 1
    assert ledger_total() == (1, Decimal("123.45"))


# Validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "abc"}, "金额格式不正确"),
        ({"amount": "-10"}, "金额必须大于零"),
        ({"amount": "0"}, "金额必须大于零"),
        ({"amount": "12.345"}, "两位小数"),
        ({"amount": "NaN"}, "金额格式不正确"),
        ({"amount": "99999999.00"}, "合理范围"),
        ({"amount": ""}, "请填写金额"),
        ({"tech_amount": "200.00"}, "技术交易额不能超过合同金额"),
        ({"tech_amount": "1.001"}, "技术交易额：金额最多保留两位小数"),
        ({"tech_amount": "-1"}, "技术交易额：金额必须大于零"),
        ({"title": ""}, "请填写合同名称"),
        ({"title": "长" * 201}, "不能超过 200 个字"),
        ({"contract_type": "gift"}, "请选择合同类型"),
        ({"signed_on": (date.today() + timedelta(days=30)).isoformat()}, "不能晚于今天"),
        ({"signed_on": ""}, "请填写签订日期"),
        ({"term_start": "2026-05-01", "term_end": "2026-04-30"}, "结束日期不能早于开始日期"),
        ({"county": "郑州市"}, "请选择许昌市的县"),
        ({"field": "航天"}, "请选择列表中的技术领域"),
        ({"company_id": ""}, "请选择签约企业"),
        ({"institute_id": "999999"}, "请选择签约科研机构"),
        ({"extra_buyer_ids": ["999999"]}, "所选参与方不存在"),
        ({"problem_id": "999999"}, "所选技术需求不存在"),
        ({"result_id": "999999"}, "所选科技成果不存在"),
        ({"event_id": "999999"}, "所选活动不存在"),
        ({"docking_id": "999999"}, "只能为洽谈中的对接登记合同"),
    ],
)
def test_bad_agreements_are_refused_and_nothing_is_stored(
    client, auth, parties, overrides, message
):
    company, institute, bureau = parties
    auth.login(bureau)
    response = client.post("/agreements/new", data=agreement_form(company, institute, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert "合同信息有误" in response.text
    assert count(Agreement) == 0 and count(AgreementParty) == 0
    assert count(LedgerEntry) == 0


def test_every_mistake_is_reported_at_once(app, parties):
    company, institute, bureau = parties
    data = agreement_form(company, institute, amount="x", title="", county="外地", field="?")
    scan = FileStorage(io.BytesIO(b"GIF89a"), filename="合同.pdf")
    with pytest.raises(DomainError) as error:
        submit_agreement(bureau, data, contract=scan)
    assert set(error.value.errors) >= {"amount", "title", "county", "field", "contract"}


def test_parties_must_be_of_the_right_kind_and_appear_once(client, auth, parties, make_user):
    company, institute, bureau = parties
    auth.login(bureau)
    swapped = agreement_form(company, institute, company_id=str(institute.organization_id))
    assert client.post("/agreements/new", data=swapped).status_code == 400
    twice = agreement_form(company, institute, extra_seller_ids=[str(company.organization_id)])
    response = client.post("/agreements/new", data=twice)
    assert response.status_code == 400 and "参与方不能重复" in response.text
    also = make_user(Role.INSTITUTE, org_name="河南农业大学")
    both = agreement_form(
        company,
        institute,
        extra_buyer_ids=[str(also.organization_id)],
        extra_seller_ids=[str(also.organization_id)],
    )
    assert "参与方不能重复" in client.post("/agreements/new", data=both).text
    bureau_as_party = agreement_form(
        company, institute, extra_buyer_ids=[str(bureau.organization_id)]
    )
    assert "不是企业或科研机构" in client.post("/agreements/new", data=bureau_as_party).text
    assert count(Agreement) == 0


def test_linked_postings_and_events_must_fit(client, auth, parties, make_user, make_posting):
    company, institute, bureau = parties
    stranger = make_user(Role.ENTERPRISE, org_name="许昌无关企业")
    foreign_problem = make_posting("problem", author=stranger, publish=True)
    own_result = make_posting("result", author=institute, publish=True)
    later = Event(
        kind=EventKind.LAUNCH,
        title="成果发布会",
        starts_at=datetime(2026, 4, 1, 2, 0, tzinfo=UTC),
        capacity=10,
        description="",
    )
    db.session.add(later)
    db.session.commit()
    auth.login(bureau)
    cases = [
        ({"problem_id": str(foreign_problem.id)}, "不是买方发布的"),
        ({"result_id": str(foreign_problem.id)}, "不是卖方发布的"),  # a problem is no result
        ({"problem_id": str(own_result.id)}, "不是买方发布的"),
        ({"event_id": str(later.id)}, "签订日期早于所选活动的日期"),  # signed 2026-03-18
    ]
    for overrides, message in cases:
        response = client.post(
            "/agreements/new", data=agreement_form(company, institute, **overrides)
        )
        assert response.status_code == 400 and message in response.text, overrides
    assert count(Agreement) == 0


def test_only_the_bureau_records_agreements(client, auth, parties):
    company, institute, _bureau = parties
    auth.login(company)
    assert (
        client.post("/agreements/new", data=agreement_form(company, institute)).status_code == 403
    )
    with pytest.raises(DomainError):
        submit_agreement(company, agreement_form(company, institute, signed_on=today()))
    assert count(Agreement) == 0


def test_an_agreement_from_a_docking_takes_its_parties_and_postings(
    client, auth, make_posting, make_user, contract_dir
):
    result = make_posting("result", publish=True)
    problem = make_posting("problem", publish=True)
    docking = request_docking(result.author, problem.id, result.id)
    accept_docking(problem.author, docking.id)
    outbox.commit()
    auth.login(make_user(Role.BUREAU))
    assert f"#{docking.id}" in client.get(f"/agreements/new?docking_id={docking.id}").text
    client.post(
        "/agreements/new",
        data={
            "submission_key": "k-docking",
            "docking_id": str(docking.id),
            "title": "测温合同",
            "contract_type": "development",
            "signed_on": today().isoformat(),
            "amount": "88.00",
        },
    )
    agreement = db.session.scalar(select(Agreement))
    assert agreement.company_id == problem.organization_id
    assert agreement.institute_id == result.organization_id
    assert (agreement.problem_id, agreement.result_id) == (problem.id, result.id)
    assert agreement.field == "电力装备"
    assert db.session.get(Docking, docking.id).status == DockingStatus.SIGNED


def test_a_simultaneous_resubmission_returns_the_first_agreement_and_leaves_no_file(
    app, parties, contract_dir, monkeypatch
):
    company, institute, bureau = parties
    first = submit_agreement(bureau, agreement_form(company, institute))
    outbox.commit()
    # The twin request checked the key before the first one committed, so it did not see it.
    found = agreement_services._agreement_by_key
    calls = []

    def first_lookup_misses(key):
        calls.append(key)
        return None if len(calls) == 1 else found(key)

    monkeypatch.setattr(agreement_services, "_agreement_by_key", first_lookup_misses)
    scan = FileStorage(io.BytesIO(PDF), filename="合同扫描件.pdf")
    twin = submit_agreement(bureau, agreement_form(company, institute), contract=scan)
    outbox.commit()
    assert twin.id == first.id and twin.contract_file is None and len(calls) == 2
    assert count(Agreement) == 1 and ledger_total() == (1, Decimal("123.45"))
    assert not contract_dir.exists() or list(contract_dir.iterdir()) == []  # no orphan PDF


def test_two_simultaneous_submissions_of_one_form_record_one_agreement(
    app, backend, parties, contract_dir
):
    """The twin waits on the unique key, then gets the first agreement back (PostgreSQL)."""
    if backend != "postgresql":
        pytest.skip("SQLite lets one writer at a time: the twin sees the first one")
    company, institute, bureau = parties
    data, bureau_id, outcome = agreement_form(company, institute), bureau.id, {}

    def twin_request():
        with app.app_context():
            try:
                scan = FileStorage(io.BytesIO(PDF), filename="合同扫描件.pdf")
                user = db.session.get(type(bureau), bureau_id)
                outcome["id"] = submit_agreement(user, data, contract=scan).id
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports what it was
                outcome["error"] = repr(error)
            finally:
                db.session.remove()

    first = submit_agreement(bureau, data)  # flushed, holding the key, not committed
    thread = threading.Thread(target=twin_request)
    thread.start()
    wait_until_blocked(thread)
    outbox.commit()
    thread.join(timeout=30)
    assert outcome == {"id": first.id}
    assert count(Agreement) == 1 and ledger_total() == (1, Decimal("123.45"))
    assert list(contract_dir.iterdir()) == []  # the twin's PDF was removed


def wait_until_blocked(thread) -> None:
    """Until another PostgreSQL session waits on a lock (or the thread has finished)."""
    query = sql_text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with db.engine.connect() as watcher:
        for _ in range(100):
            if watcher.execute(query).scalar() or not thread.is_alive():
                return
            time.sleep(0.05)


def test_the_registration_number_keeps_the_year_the_agreement_was_registered_in(app, parties):
    company, institute, bureau = parties
    agreement = submit_agreement(bureau, agreement_form(company, institute, signed_on="2025-06-18"))
    outbox.commit()
    number = f"XC{today().year}{agreement.id:05d}"
    assert today().year != 2025 and agreement.registration_no == number
    submit_correction(
        bureau,
        agreement.id,
        {
            "submission_key": "c-year",
            "revision": 1,
            "reason": "签订日期录入错误",
            "title": agreement.title,
            "contract_type": "development",
            "signed_on": "2024-12-30",
            "amount": "123.45",
        },
    )
    outbox.commit()
    agreement = db.session.get(Agreement, agreement.id)
    assert agreement.signed_on == date(2024, 12, 30) and agreement.revision == 2
    assert agreement.registration_no == number  # the signing year changed, the number did not
    # Registered late on New Year's Eve UTC: already the next year in Xuchang.
    agreement.created_at = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).registration_no == f"XC2026{agreement.id:05d}"


# Scanned contracts -----------------------------------------------------------------------------


def upload(content: bytes, name: str = "合同扫描件.pdf"):
    return (io.BytesIO(content), name)


def test_a_scanned_contract_is_stored_outside_the_web_root_and_served_to_the_parties(
    client, auth, parties, make_user, contract_dir
):
    company, institute, bureau = parties
    colleague = make_user(Role.ENTERPRISE)  # same organisation as the company user
    outsider = make_user(Role.ENTERPRISE, org_name="许昌另外一家公司")
    auth.login(bureau)
    data = agreement_form(company, institute, contract=upload(PDF))
    response = client.post("/agreements/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    agreement = db.session.scalar(select(Agreement))
    assert agreement.contract_file_name == "合同扫描件.pdf"
    stored = list(contract_dir.iterdir())
    assert [p.name for p in stored] == [agreement.contract_file]
    assert agreement.contract_file.endswith(".pdf") and "合同" not in agreement.contract_file
    assert stored[0].read_bytes() == PDF
    for user in (bureau, company, colleague, institute):
        auth.logout()
        auth.login(user)
        pdf = client.get(f"/agreements/{agreement.id}/contract")
        assert pdf.status_code == 200, user
        assert pdf.mimetype == "application/pdf" and pdf.data == PDF
        assert pdf.headers["X-Content-Type-Options"] == "nosniff"
        assert "inline" in pdf.headers["Content-Disposition"]
    download = client.get(f"/agreements/{agreement.id}/contract?download=1")
    assert "attachment" in download.headers["Content-Disposition"]
    auth.logout()
    auth.login(outsider)
    assert client.get(f"/agreements/{agreement.id}/contract").status_code == 404
    assert client.get(f"/agreements/{agreement.id}").status_code == 404
    auth.logout()
    assert client.get(f"/agreements/{agreement.id}/contract").status_code == 302  # to login


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 not a pdf at all", "合同.pdf", "只能是 PDF 文件"),  # renamed executable
        (PDF, "合同.exe", "只能是 PDF 文件"),
        (b"<html><script>alert(1)</script>", "合同.pdf", "只能是 PDF 文件"),
        (b"", "合同.pdf", "空文件"),
        (PDF + b"0" * 2048, "合同.pdf", "不能超过"),
    ],
)
def test_bad_scanned_contracts_are_refused_and_nothing_is_stored(
    app, client, auth, parties, contract_dir, content, name, message
):
    company, institute, bureau = parties
    app.config["MARKET_CONTRACT_MAX_BYTES"] = 2048
    auth.login(bureau)
    data = agreement_form(company, institute, contract=upload(content, name))
    response = client.post("/agreements/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.text
    assert count(Agreement) == 0
    assert not contract_dir.exists() or not list(contract_dir.iterdir())


def test_a_request_over_the_upload_limit_gets_a_chinese_413(
    app, client, auth, parties, contract_dir
):
    company, institute, bureau = parties
    app.config["MARKET_CONTRACT_MAX_BYTES"] = 1024
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    auth.login(bureau)
    huge = PDF + b"0" * (600 * 1024)  # beyond the limit plus the form's allowance
    data = agreement_form(company, institute, contract=upload(huge))
    response = client.post("/agreements/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "提交的内容过大：合同扫描件不能超过" in response.text
    assert count(Agreement) == 0


def test_the_upload_page_accepts_more_than_the_app_wide_limit(
    app, client, auth, parties, contract_dir
):
    company, institute, bureau = parties
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config["MARKET_CONTRACT_MAX_BYTES"] = 256 * 1024
    auth.login(bureau)
    scan = PDF + b"0" * (200 * 1024)
    data = agreement_form(company, institute, contract=upload(scan))
    response = client.post("/agreements/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert (
        contract_dir / db.session.scalar(select(Agreement)).contract_file
    ).stat().st_size == len(scan)
    # Every other page keeps the app-wide limit.
    other = client.post("/agreements/1/cancel", data={"reason": "x" * (70 * 1024)})
    assert other.status_code == 413


def test_the_upload_limit_is_raised_before_the_csrf_check_reads_the_body(
    app, client, auth, parties, contract_dir
):
    company, institute, bureau = parties
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config["MARKET_CONTRACT_MAX_BYTES"] = 256 * 1024
    auth.login(bureau)
    app.config["WTF_CSRF_ENABLED"] = True
    scan = PDF + b"0" * (200 * 1024)
    data = agreement_form(company, institute, contract=upload(scan))
    response = client.post("/agreements/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400  # refused for the missing token, not as too large
    assert count(Agreement) == 0


def test_an_agreement_without_a_scan_has_no_file_to_serve(client, auth, parties):
    company, institute, bureau = parties
    agreement = submit_agreement(bureau, agreement_form(company, institute))
    outbox.commit()
    auth.login(company)
    assert client.get(f"/agreements/{agreement.id}/contract").status_code == 404


# Permissions -----------------------------------------------------------------------------------


def test_every_party_sees_its_agreements_and_only_the_bureau_sees_all(
    client, auth, parties, make_user
):
    company, institute, bureau = parties
    partner = make_user(Role.INSTITUTE, org_name="河南工业大学")
    other = make_user(Role.ENTERPRISE, org_name="许昌另外一家公司")
    mine = submit_agreement(
        bureau,
        agreement_form(company, institute, extra_seller_ids=[partner.organization_id]),
    )
    theirs = submit_agreement(
        bureau,
        agreement_form(other, institute, submission_key="k-2", title="另一家公司的技术服务合同"),
    )
    outbox.commit()
    assert {a.id for a in agreements_visible_to(partner)} == {mine.id}
    assert {a.id for a in agreements_visible_to(institute)} == {mine.id, theirs.id}
    assert {a.id for a in agreements_visible_to(other)} == {theirs.id}
    assert {a.id for a in agreements_visible_to(bureau)} == {mine.id, theirs.id}
    auth.login(partner)
    listing = client.get("/agreements/").text
    assert "开关柜无线测温技术合作开发合同" in listing and "另一家公司" not in listing
    assert client.get(f"/agreements/{mine.id}").status_code == 200
    assert client.get(f"/agreements/{theirs.id}").status_code == 404
    assert client.get(f"/agreements/{theirs.id}/audit").status_code == 404
    for path in ("/agreements/new", "/agreements/export.xlsx", "/agreements/export.csv"):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/agreements/{mine.id}/correct").status_code == 403
    auth.logout()
    assert client.get(f"/agreements/{mine.id}").status_code == 302  # to the login page
    auth.login(bureau)
    listing = client.get("/agreements/").text
    assert "另一家公司的技术服务合同" in listing and "导出技术合同登记表" in listing


# Loading lists in a fixed number of queries ----------------------------------------------------


def queries_for(client, path: str) -> int:
    with sql_statements() as sent:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(sent)


def add_agreements(bureau, company, institute, make_user, start: int, n: int) -> None:
    """n agreements, each with its own further buyer and seller (new organisations)."""
    for i in range(start, start + n):
        buyer = make_user(Role.ENTERPRISE, org_name=f"许昌合作企业{i}", county="长葛市")
        seller = make_user(Role.INSTITUTE, org_name=f"合作院所{i}")
        submit_agreement(
            bureau,
            agreement_form(
                company,
                institute,
                submission_key=f"n-{i}",
                title=f"第{i}份合同",
                extra_buyer_ids=[buyer.organization_id],
                extra_seller_ids=[seller.organization_id],
            ),
        )
        outbox.commit()


def test_agreement_lists_and_exports_take_the_same_queries_however_many_agreements(
    client, auth, parties, make_user
):
    company, institute, bureau = parties
    paths = ("/agreements/", "/agreements/export.csv", "/agreements/export.xlsx")
    add_agreements(bureau, company, institute, make_user, 0, 2)
    auth.login(bureau)
    few = {path: queries_for(client, path) for path in paths}
    auth.login(company)
    few["party"] = queries_for(client, "/agreements/")
    add_agreements(bureau, company, institute, make_user, 2, 4)
    many = {"party": queries_for(client, "/agreements/")}
    auth.login(bureau)
    many |= {path: queries_for(client, path) for path in paths}
    assert many == few
    listing = client.get("/agreements/").text
    assert listing.count("已登记") == 6 and "合作院所5" in listing  # |label names the status


def test_the_agreement_form_takes_the_same_queries_however_many_dockings_and_postings(
    client, auth, make_posting, make_user, contract_dir
):
    def accepted_docking():
        result = make_posting("result", publish=True)
        problem = make_posting("problem", publish=True)
        docking = request_docking(result.author, problem.id, result.id)
        accept_docking(problem.author, docking.id)
        outbox.commit()

    accepted_docking()
    auth.login(make_user(Role.BUREAU))
    few = queries_for(client, "/agreements/new")
    for _ in range(3):
        accepted_docking()
    assert queries_for(client, "/agreements/new") == few


# The 技术合同登记表 ------------------------------------------------------------------------------


@pytest.fixture
def register(app, parties, make_user):
    """Four agreements: one multi-party, one corrected, one cancelled, one in another year."""
    company, institute, bureau = parties
    partner = make_user(Role.ENTERPRISE, org_name="长葛市合作企业", county="长葛市")
    data = [
        agreement_form(
            company,
            institute,
            submission_key="r1",
            title="多方合作开发合同",
            amount="1200.50",
            tech_amount="1000.25",
            term_start="2026-01-01",
            term_end="2026-12-31",
            extra_buyer_ids=[partner.organization_id],
            field="电力装备",
        ),
        agreement_form(
            company, institute, submission_key="r2", title="=1+2 技术咨询", amount="0.01"
        ),
        agreement_form(company, institute, submission_key="r3", title="作废的合同", amount="50.00"),
        agreement_form(
            company,
            institute,
            submission_key="r4",
            title="去年的技术转让",
            contract_type="transfer",
            signed_on="2025-07-01",
            amount="2897.71",
        ),
    ]
    made = [submit_agreement(bureau, d) for d in data]
    outbox.commit()
    second, third = made[1], made[2]
    submit_correction(
        bureau,
        second.id,
        {
            "submission_key": "rc",
            "revision": 1,
            "reason": "金额更正",
            "title": second.title,
            "contract_type": "consulting",
            "signed_on": second.signed_on,
            "amount": "0.10",
            "tech_amount": "0.10",
        },
    )
    submit_cancellation(
        bureau, third.id, {"submission_key": "rx", "revision": 1, "reason": "合同解除"}
    )
    outbox.commit()
    return made


def test_the_register_as_xlsx_has_one_row_per_current_agreement_and_exact_totals(
    client, auth, parties, register
):
    _company, _institute, bureau = parties
    auth.login(bureau)
    response = client.get("/agreements/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "技术合同登记表"
    assert list(rows[1]) == export.headers()
    body, total = rows[2:-1], rows[-1]
    assert [r[1] for r in body] == ["去年的技术转让", "多方合作开发合同", "=1+2 技术咨询"]
    multi = body[1]
    assert multi[2] == "技术开发"
    assert multi[3] == "许昌瑞祥电气有限公司；长葛市合作企业"
    assert multi[4] == "河南省许昌市魏都区；河南省许昌市长葛市"
    assert multi[5] == "中国科学院电工研究所"
    assert Decimal(str(multi[7])) == Decimal("1200.50")
    assert Decimal(str(multi[8])) == Decimal("1000.25")
    assert multi[10] == "2026-01-01至2026-12-31" and multi[11] == "电力装备"
    assert body[2][2] == "技术咨询" and Decimal(str(body[2][7])) == Decimal("0.10")
    assert sheet.cell(row=5, column=2).data_type == "s"  # "=1+2" stays text
    assert body[0][2] == "技术转让" and body[0][9].date() == date(2025, 7, 1)
    assert total[0] == "合计（3 项）"
    expected = Decimal("1200.50") + Decimal("0.10") + Decimal("2897.71")
    assert Decimal(str(total[7])) == expected == Decimal("4098.31")
    assert sum(Decimal(str(r[7])) for r in body) == expected
    assert ledger_total() == (3, expected)
    assert sheet.cell(row=3, column=8).number_format == "#,##0.00"


def test_the_register_as_csv_opens_in_excel_and_filters_by_year(client, auth, parties, register):
    _company, _institute, bureau = parties
    auth.login(bureau)
    response = client.get("/agreements/export.csv?year=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == export.headers()
    body, total = rows[1:-1], rows[-1]
    assert [r[1] for r in body] == ["多方合作开发合同", "'=1+2 技术咨询"]  # no formula
    assert body[0][7:10] == ["1200.50", "1000.25", "2026-03-18"]
    assert total[0] == "合计（2 项）" and total[7] == "1200.60" and total[8] == "1000.35"
    assert sum(Decimal(r[7]) for r in body) == Decimal(total[7])
    assert export.ledger_totals(2026).amount == Decimal("1200.60")


def test_the_register_from_the_service_layer(app, register):
    sheet = load_workbook(io.BytesIO(export.to_xlsx(2025))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "技术合同登记表（2025年）"
    assert [r[1] for r in rows[2:-1]] == ["去年的技术转让"]
    assert Decimal(str(rows[-1][7])) == Decimal("2897.71")
    empty = export.to_csv(2019).decode("utf-8-sig").splitlines()
    assert len(empty) == 2 and empty[1].startswith("合计（0 项）")
    assert empty[1].split(",")[7] == "0.00"


def test_the_register_export_totals_are_the_dashboards_and_text_stays_text(app, register):
    from market.stats.services import Filters, totals

    for year in (None, 2025, 2026):
        assert export.ledger_totals(year) == totals(Filters(year=year))
        sheet = export.register_sheet(year)
        assert sheet.total[7:9] == [
            totals(Filters(year=year)).amount,
            totals(Filters(year=year)).tech_amount,
        ]
    multi = db.session.scalar(select(Agreement).where(Agreement.title == "多方合作开发合同"))
    multi.title = "@SUM(1)\x07多方合作"  # a pasted control character and an Excel function
    multi.company.name = "-2+3许昌瑞祥电气有限公司"
    outbox.commit()
    rows = list(load_workbook(io.BytesIO(export.to_xlsx(2026))).active.iter_rows())
    title, buyer = rows[2][1], rows[2][3]
    assert title.value == "@SUM(1)多方合作" and title.data_type == "s"
    assert buyer.value.startswith("-2+3许昌瑞祥电气有限公司") and buyer.data_type == "s"
    body = list(csv.reader(io.StringIO(export.to_csv(2026).decode("utf-8-sig"))))[1]
    assert body[1] == "'@SUM(1)\x07多方合作" and body[3].startswith("'-2+3许昌瑞祥")


# In a real browser -----------------------------------------------------------------------------


@pytest.mark.browser
def test_the_bureau_records_a_multi_party_agreement_with_its_scan_in_a_browser(
    browser, served, parties, make_user, contract_dir, tmp_path
):
    company, institute, bureau = parties
    partner = make_user(Role.INSTITUTE, org_name="郑州大学")
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(PDF)
    page = browser.new_page(locale="zh-CN")
    page.set_default_timeout(20_000)
    page.goto(served + "/accounts/login")
    page.fill("input[name=email]", bureau.email)
    page.fill("input[name=password]", "correct-horse-电池")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.goto(served + "/agreements/new")
    page.select_option("select[name=company_id]", str(company.organization_id))
    page.select_option("select[name=institute_id]", str(institute.organization_id))
    page.select_option("select[name=extra_seller_ids]", [str(partner.organization_id)])
    page.fill("input[name=title]", "开关柜测温三方合作开发合同")
    page.select_option("select[name=contract_type]", "development")
    page.fill("input[name=signed_on]", "2026-03-18")
    page.fill("input[name=amount]", "1,268.45")
    page.fill("input[name=tech_amount]", "1000")
    page.set_input_files("input[name=contract]", str(scan))
    page.locator("form[data-testid=agreement-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=agreement]")
    assert "已提交登记" in page.content()
    sellers = page.locator("dl.facts dd").nth(2).inner_text()
    assert "中国科学院电工研究所" in sellers and "郑州大学" in sellers
    assert page.inner_text("[data-testid=ledger-amount]") == "1,268.45"
    href = page.get_attribute("[data-testid=contract-link]", "href")
    pdf = page.request.get(served + href)
    assert pdf.status == 200 and pdf.body() == PDF
    page.get_by_role("link", name="更正").click()
    page.fill("input[name=amount]", "1268.54")
    page.fill("textarea[name=reason]", "金额两位数字颠倒，按原件更正")
    page.locator("form[data-testid=correction-form] button[type=submit]").click()
    page.wait_for_selector("text=更正已提交")
    assert page.inner_text("[data-testid=ledger-amount]") == "1,268.54"
    assert page.locator("tr[data-kind=reversal]").count() == 1
    page.goto(served + "/agreements/")
    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert rows[1][1] == "开关柜测温三方合作开发合同" and rows[1][7] == "1268.54"
    assert rows[-1][0] == "合计（1 项）" and rows[-1][7] == "1268.54"
    db.session.expire_all()
    assert ledger_total() == (1, Decimal("1268.54"))


# Paging the list in SQL -------------------------------------------------------------------


def add_dated_agreements(bureau, company, institute, first: date, n: int, tag: str) -> None:
    """n agreements signed on consecutive days from `first`, titled 合同{tag}{i:03d}号."""
    for i in range(n):
        submit_agreement(
            bureau,
            agreement_form(
                company,
                institute,
                submission_key=f"page-{tag}-{i}",
                title=f"合同{tag}{i:03d}号",
                signed_on=(first + timedelta(days=i)).isoformat(),
            ),
        )
    outbox.commit()


def listed_titles(html: str) -> list[str]:
    import re

    return re.findall(r"合同[AB]\d{3}号", html)


def test_the_agreement_list_is_paged_in_sql_and_keeps_the_year_filter(
    client, auth, parties, make_user
):
    company, institute, bureau = parties
    add_dated_agreements(bureau, company, institute, date(2026, 1, 1), 33, "A")
    add_dated_agreements(bureau, company, institute, date(2025, 3, 1), 3, "B")
    auth.login(bureau)
    first = client.get("/agreements/").text
    assert "共 36 项" in first and "第 1 / 2 页" in first
    # Newest first, 20 a page: 2026's last 20, then the page-2 link.
    assert listed_titles(first) == [f"合同A{i:03d}号" for i in range(32, 12, -1)]
    assert 'href="/agreements/?page=2"' in first
    second = client.get("/agreements/?page=2").text
    newest_2026 = [f"合同A{i:03d}号" for i in range(12, -1, -1)]
    assert listed_titles(second) == newest_2026 + ["合同B002号", "合同B001号", "合同B000号"]
    assert "共 36 项" in second and 'href="/agreements/?page=1"' in second
    assert "下一页" not in second

    # The year stays in the page links, and the count is the year's.
    year = client.get("/agreements/?year=2026").text
    assert "共 33 项" in year and 'href="/agreements/?year=2026&amp;page=2"' in year
    year2 = client.get("/agreements/?year=2026&page=2").text
    assert listed_titles(year2) == newest_2026
    assert 'href="/agreements/?year=2026&amp;page=1"' in year2
    only_2025 = client.get("/agreements/?year=2025").text
    assert "共 3 项" in only_2025 and "第 1 / 1 页" not in only_2025  # one page: no pager

    # Bad page numbers: the first page, as on the postings pages; past the end: none, 200.
    for bad in ("0", "-1", "abc", ""):
        response = client.get(f"/agreements/?page={bad}")
        assert response.status_code == 200
        assert listed_titles(response.text) == listed_titles(first), bad
    beyond = client.get("/agreements/?page=9")
    assert beyond.status_code == 200 and listed_titles(beyond.text) == []
    assert "共 36 项" in beyond.text and 'href="/agreements/?page=2"' in beyond.text  # back

    # A party pages through its own agreements only.
    outsider = make_user(Role.ENTERPRISE, org_name="许昌另外一家公司")
    auth.logout()
    auth.login(outsider)
    assert "共 0 项" in client.get("/agreements/").text
    auth.logout()
    auth.login(company)
    assert "共 36 项" in client.get("/agreements/?page=2").text


def test_the_agreement_list_page_reads_one_page_of_rows(client, auth, parties):
    company, institute, bureau = parties
    add_dated_agreements(bureau, company, institute, date(2026, 1, 1), 25, "A")
    auth.login(bureau)
    with sql_statements() as statements:
        assert client.get("/agreements/?page=2").status_code == 200
    rows = [s for s in statements if "FROM agreements" in s and "count(" not in s.lower()]
    assert rows and all("LIMIT" in s.upper() for s in rows)  # never every agreement
    assert any("count(" in s.lower() and "agreements" in s for s in statements)


# A failed commit leaves no scanned contract behind ---------------------------------------------


def test_a_contract_whose_agreement_fails_to_commit_is_removed(
    client, auth, parties, contract_dir, monkeypatch
):
    company, institute, bureau = parties
    auth.login(bureau)

    def commit_fails():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(outbox, "commit", commit_fails)
    data = agreement_form(company, institute, contract=upload(PDF))
    with pytest.raises(RuntimeError):
        client.post("/agreements/new", data=data, content_type="multipart/form-data")
    files = {p.name for p in contract_dir.iterdir()} if contract_dir.exists() else set()
    saved = set(db.session.scalars(select(Agreement.contract_file)))
    assert files == saved - {None}  # no orphan PDF, and no saved agreement without its PDF
    # On both databases: SQLite too, now that its savepoints sit inside a real transaction.
    assert files == set() and count(Agreement) == 0


def test_a_resubmission_that_fails_to_commit_keeps_the_earlier_contract(
    client, auth, parties, contract_dir, monkeypatch
):
    company, institute, bureau = parties
    auth.login(bureau)
    data = agreement_form(company, institute, contract=upload(PDF))
    response = client.post("/agreements/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    agreement = db.session.scalar(select(Agreement))
    stored = [p.name for p in contract_dir.iterdir()]
    assert stored == [agreement.contract_file]

    def commit_fails():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(outbox, "commit", commit_fails)
    again = agreement_form(company, institute, contract=upload(PDF))  # same submission key
    with pytest.raises(RuntimeError):
        client.post("/agreements/new", data=again, content_type="multipart/form-data")
    assert [p.name for p in contract_dir.iterdir()] == stored  # the saved agreement's scan
    assert count(Agreement) == 1
