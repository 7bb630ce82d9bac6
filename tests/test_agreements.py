"""Agreements: bureau submits, the worker records them once in the ledger, sums stay exact."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from market import outbox
from market.accounts.models import Role
from market.agreements.models import Agreement, AgreementStatus, LedgerEntry
from market.agreements.services import record_in_ledger, submit_agreement
from market.dockings.models import Docking, DockingStatus
from market.dockings.services import accept_docking, request_docking
from market.errors import DomainError
from market.extensions import db
from market.notifications.models import Notification
from market.stats.services import agreement_totals
from market.timeutil import today


@pytest.fixture
def parties(make_user):
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
        "signed_on": "2026-03-18",
        "amount": "123.45",
    }
    data.update(overrides)
    return data


def ledger_count():
    return db.session.scalar(select(func.count(LedgerEntry.id)))


def test_bureau_records_an_agreement_and_both_parties_are_told(client, auth, parties):
    company, institute, bureau = parties
    auth.login(bureau)
    response = client.post(
        "/agreements/new", data=agreement_form(company, institute), follow_redirects=True
    )
    assert "已提交登记" in response.text
    agreement = db.session.scalar(select(Agreement))
    assert agreement.amount == Decimal("123.45")
    assert agreement.status == AgreementStatus.RECORDED  # the (eager) worker recorded it
    assert ledger_count() == 1
    assert agreement_totals() == agreement_totals(2026)
    assert agreement_totals().amount == Decimal("123.45")
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.event_key == f"agreement:{agreement.id}")
    ).all()
    assert sorted(told) == sorted([company.id, institute.id])
    page = client.get("/bureau/dashboard").text
    assert "123.45" in page and 'data-testid="count">1<' in page


def test_the_same_submission_twice_records_one_agreement(client, auth, parties):
    company, institute, bureau = parties
    auth.login(bureau)
    form = agreement_form(company, institute)
    client.post("/agreements/new", data=form)
    client.post("/agreements/new", data=form)  # double click / resent form
    assert db.session.scalar(select(func.count(Agreement.id))) == 1
    agreement = db.session.scalar(select(Agreement))
    record_in_ledger(agreement.id)  # a duplicated worker task
    record_in_ledger(agreement.id)
    outbox.commit()
    assert ledger_count() == 1
    assert agreement_totals().count == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "abc"}, "金额格式不正确"),
        ({"amount": "-10"}, "金额必须大于零"),
        ({"amount": "12.345"}, "两位小数"),
        ({"amount": "NaN"}, "金额格式不正确"),
        ({"amount": "99999999.00"}, "合理范围"),
        ({"amount": ""}, "请填写金额"),
        ({"title": ""}, "请填写合同名称"),
        ({"signed_on": (date.today() + timedelta(days=30)).isoformat()}, "不能晚于今天"),
        ({"signed_on": ""}, "请填写签订日期"),
        ({"company_id": ""}, "请选择签约企业"),
        ({"institute_id": "999999"}, "请选择签约科研机构"),
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
    assert db.session.scalar(select(func.count(Agreement.id))) == 0
    assert ledger_count() == 0


def test_swapped_parties_are_refused(client, auth, parties):
    company, institute, bureau = parties
    auth.login(bureau)
    form = agreement_form(company, institute, company_id=str(institute.organization_id))
    assert client.post("/agreements/new", data=form).status_code == 400
    assert db.session.scalar(select(func.count(Agreement.id))) == 0


def test_only_the_bureau_records_agreements(client, auth, parties):
    company, institute, _bureau = parties
    auth.login(company)
    assert (
        client.post("/agreements/new", data=agreement_form(company, institute)).status_code == 403
    )
    with pytest.raises(DomainError):
        submit_agreement(company, agreement_form(company, institute, signed_on=today()))
    assert db.session.scalar(select(func.count(Agreement.id))) == 0


def test_an_agreement_from_a_docking_marks_it_signed(client, auth, make_posting, make_user):
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
            "signed_on": today().isoformat(),
            "amount": "88.00",
        },
    )
    agreement = db.session.scalar(select(Agreement))
    assert agreement.company_id == problem.organization_id
    assert agreement.institute_id == result.organization_id
    assert db.session.get(Docking, docking.id).status == DockingStatus.SIGNED


def test_parties_see_their_own_agreements_only(client, auth, parties, make_user):
    company, institute, bureau = parties
    other = make_user(Role.ENTERPRISE, org_name="许昌另外一家公司")
    auth.login(bureau)
    client.post("/agreements/new", data=agreement_form(company, institute))
    auth.logout()
    auth.login(company)
    assert "开关柜无线测温技术合作开发合同" in client.get("/agreements/").text
    assert client.get("/bureau/dashboard").status_code == 403
    auth.logout()
    auth.login(other)
    assert "开关柜无线测温技术合作开发合同" not in client.get("/agreements/").text


def test_ledger_sums_are_exact_to_the_cent(app, parties):
    company, institute, bureau = parties
    amounts = [Decimal("0.01")] * 50 + [Decimal("999999.99"), Decimal("0.10"), Decimal("4098.22")]
    for n, amount in enumerate(amounts):
        signed = date(2024 if n % 2 else 2025, 1 + n % 12, 1 + n % 28)
        submit_agreement(
            bureau,
            agreement_form(
                company, institute, submission_key=f"k{n}", amount=str(amount), signed_on=signed
            ),
        )
        outbox.commit()
    totals = agreement_totals()
    assert totals.count == len(amounts)
    assert totals.amount == sum(amounts) == Decimal("1004098.81")
    by_year = agreement_totals(2024).amount + agreement_totals(2025).amount
    assert by_year == totals.amount
    stored = db.session.scalars(select(LedgerEntry.amount)).all()
    assert sum(stored) == totals.amount
    assert all(isinstance(a, Decimal) for a in stored)
