"""The bureau's tallies: every figure is SQL over the ledger and equals its drill-down.

Agreements are recorded through the real ledger path (`record_in_ledger`); corrections are
written here as the reversal + replacement lines the ledger's design prescribes, to prove
they net out in every breakdown. Every test runs on SQLite and PostgreSQL (the `app` fixture).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from market import outbox
from market.accounts.models import Organization, Role
from market.agreements.models import (
    Agreement,
    AgreementStatus,
    ContractType,
    LedgerEntry,
    LedgerKind,
)
from market.agreements.services import record_in_ledger
from market.dockings.models import Docking, DockingStatus
from market.errors import DomainError
from market.events.models import Event, EventKind
from market.extensions import db
from market.matching.models import Match
from market.postings.models import PostingStatus, Problem, Result
from market.stats import services
from market.stats.services import (
    DIMENSIONS,
    NONE,
    Filters,
    breakdown,
    drill_down,
    funnel,
    parse_filters,
    totals,
)

D = Decimal
ZERO = D("0.00")

# (company, institute, signed_on, amount, tech_amount, type, field, event)
AGREEMENTS = [
    ("瑞祥电气", "电工所", "2023-02-14", "120.00", "100.00", "DEVELOPMENT", "电力装备", "对接会"),
    ("瑞祥电气", "郑大", "2023-05-30", "0.01", "0.01", "SERVICE", "电力装备", None),
    ("黄河超硬", "郑大", "2023-11-03", "999999.99", "888888.88", "TRANSFER", "超硬材料", None),
    ("黄河超硬", "电工所", "2024-01-09", "45.50", "45.50", "LICENSING", "超硬材料", "对接会"),
    ("瑞贝卡发制品", "郑大", "2024-03-31", "12.34", "10.00", "CONSULTING", "发制品", "发布会"),
    ("瑞贝卡发制品", "电工所", "2024-04-01", "678.90", "600.00", "DEVELOPMENT", None, None),
    ("无县企业", "郑大", "2024-12-31", "3.33", "3.33", "SERVICE", "电子信息", "发布会"),
    ("瑞祥电气", "郑大", "2025-07-01", "1000.00", "950.55", "DEVELOPMENT", "电力装备", None),
]
COMPANIES = {
    "瑞祥电气": "魏都区",
    "黄河超硬": "长葛市",
    "瑞贝卡发制品": "禹州市",
    "无县企业": None,
}
INSTITUTES = ("电工所", "郑大")
EVENTS = ("对接会", "发布会")


class Market:
    """The organisations, events and agreements one test works with."""

    def __init__(self):
        self.orgs: dict[str, Organization] = {}
        self.events: dict[str, Event] = {}
        self.agreements: list[Agreement] = []

    def org(self, name: str) -> Organization:
        return self.orgs[name]


def _organization(name: str, kind: Role, county: str | None) -> Organization:
    org = Organization(name=f"许昌{name}有限公司" if kind == Role.ENTERPRISE else name, kind=kind)
    org.county = county
    db.session.add(org)
    return org


def record(market: Market, company, institute, signed_on, amount, tech, kind, field, event):
    agreement = Agreement(
        submission_key=uuid.uuid4().hex,
        title=f"{company}与{institute}{kind}合同{len(market.agreements) + 1}",
        company=market.org(company),
        institute=market.org(institute),
        signed_on=date.fromisoformat(signed_on),
        amount=D(amount),
        tech_amount=D(tech),
        contract_type=ContractType[kind],
        field=field,
        event_id=market.events[event].id if event else None,
    )
    db.session.add(agreement)
    db.session.flush()
    assert record_in_ledger(agreement.id) is not None
    outbox.commit()
    market.agreements.append(agreement)
    return agreement


def correct(agreement: Agreement, **changes) -> None:
    """A correction as the ledger prescribes: reverse the current line, add the replacement."""
    current = db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.agreement_id == agreement.id,
            LedgerEntry.revision == agreement.revision,
            LedgerEntry.kind != LedgerKind.REVERSAL,
        )
    )
    revision = agreement.revision + 1
    dims = {
        name: getattr(current, name)
        for name in (
            "signed_on",
            "contract_type",
            "county",
            "field",
            "company_id",
            "institute_id",
            "event_id",
        )
    }
    db.session.add(
        LedgerEntry(
            agreement_id=agreement.id,
            kind=LedgerKind.REVERSAL,
            revision=revision,
            count=-1,
            amount=-current.amount,
            tech_amount=-current.tech_amount,
            reason="更正",
            **dims,
        )
    )
    amount = changes.pop("amount", current.amount)
    tech = changes.pop("tech_amount", current.tech_amount)
    for name, value in changes.items():
        if hasattr(agreement, name):
            setattr(agreement, name, value)
    agreement.amount, agreement.tech_amount, agreement.revision = amount, tech, revision
    db.session.add(
        LedgerEntry(
            agreement_id=agreement.id,
            kind=LedgerKind.REPLACEMENT,
            revision=revision,
            count=1,
            amount=amount,
            tech_amount=tech,
            reason="更正",
            **{**dims, **changes},
        )
    )
    outbox.commit()


@pytest.fixture
def market(app) -> Market:
    market = Market()
    for name, county in COMPANIES.items():
        market.orgs[name] = _organization(name, Role.ENTERPRISE, county)
    for name in INSTITUTES:
        market.orgs[name] = _organization(name, Role.INSTITUTE, None)
    for i, title in enumerate(EVENTS):
        event = Event(
            kind=EventKind.MATCHMAKING,
            title=f"许昌产学研{title}",
            starts_at=datetime(2023, 1 + i, 10, tzinfo=UTC),
            capacity=100,
        )
        db.session.add(event)
        market.events[title] = event
    outbox.commit()
    for row in AGREEMENTS:
        record(market, *row)
    return market


def assert_matches_drill_down(groups, label=""):
    """Each group's figures are exactly the sum of the agreements its drill-down lists."""
    for group in groups:
        lines = drill_down(group.filters)
        where = f"{label} {group.key}"
        assert len(lines) == group.count, where
        assert len({line.id for line in lines}) == group.count, where
        assert sum((line.amount for line in lines), ZERO) == group.amount, where
        assert sum((line.tech_amount for line in lines), ZERO) == group.tech_amount, where
        assert all(isinstance(line.amount, Decimal) for line in lines)


def by_key(groups) -> dict[str, tuple[int, Decimal]]:
    return {g.key: (g.count, g.amount) for g in groups}


# Figures


def test_totals_are_the_exact_sum_of_the_ledger(market):
    figures = totals()
    assert figures.count == 8
    assert figures.amount == D("1001860.07")
    assert figures.tech_amount == D("890598.27")
    assert services.agreement_totals(2024) == services.Totals(4, D("740.07"))


def test_breakdowns_give_the_expected_figures(market):
    assert by_key(breakdown("year")) == {
        "2023": (3, D("1000120.00")),
        "2024": (4, D("740.07")),
        "2025": (1, D("1000.00")),
    }
    assert by_key(breakdown("quarter")) == {
        "2023-Q1": (1, D("120.00")),
        "2023-Q2": (1, D("0.01")),
        "2023-Q4": (1, D("999999.99")),
        "2024-Q1": (2, D("57.84")),
        "2024-Q2": (1, D("678.90")),
        "2024-Q4": (1, D("3.33")),
        "2025-Q3": (1, D("1000.00")),
    }
    assert by_key(breakdown("month"))["2024-03"] == (1, D("12.34"))
    assert by_key(breakdown("county")) == {
        "长葛市": (2, D("1000045.49")),
        "魏都区": (3, D("1120.01")),
        "禹州市": (2, D("691.24")),
        NONE: (1, D("3.33")),
    }
    assert [g.key for g in breakdown("county")][:2] == ["长葛市", "魏都区"]  # largest first
    assert by_key(breakdown("type"))["development"] == (3, D("1798.90"))
    assert by_key(breakdown("field"))[NONE] == (1, D("678.90"))
    events = {g.label: (g.count, g.amount) for g in breakdown("event")}
    assert events == {
        "许昌产学研对接会": (2, D("165.50")),
        "许昌产学研发布会": (2, D("15.67")),
        "未关联活动": (4, D("1001678.90")),
    }
    institutes = {g.label: (g.count, g.amount) for g in breakdown("institute")}
    assert institutes == {"电工所": (3, D("844.40")), "郑大": (5, D("1001015.67"))}


def test_every_breakdown_equals_its_drill_down(market):
    whole = totals()
    for by in DIMENSIONS:
        groups = breakdown(by)
        assert_matches_drill_down(groups, by)
        assert sum(g.count for g in groups) == whole.count, by
        assert sum((g.amount for g in groups), ZERO) == whole.amount, by


@pytest.mark.parametrize(
    "args",
    [
        {"year": "2024"},
        {"year": "2024", "quarter": "1"},
        {"year": "2023", "month": "11"},
        {"start": "2023-05-30", "end": "2024-03-31"},
        {"county": "魏都区"},
        {"county": NONE},
        {"field": "电力装备", "type": "development"},
        {"field": NONE},
        {"event": NONE},
        {"institute": "郑大"},
    ],
)
def test_filters_apply_to_every_figure_and_its_drill_down(market, args):
    if "institute" in args:
        args = {"institute": str(market.org(args["institute"]).id)}
    filters = parse_filters(args)
    whole = totals(filters)
    listed = drill_down(filters)
    assert whole.count == len(listed) > 0
    assert whole.amount == sum((line.amount for line in listed), ZERO)
    board = services.dashboard(filters)
    assert board.totals == whole
    for by, groups in board.breakdowns.items():
        assert sum(g.count for g in groups) == whole.count, by
        assert sum((g.amount for g in groups), ZERO) == whole.amount, by
        assert_matches_drill_down(groups, f"{args} {by}")


def test_a_figure_filtered_by_county_excludes_every_other_county(market):
    filters = Filters(county="禹州市")
    assert {line.county for line in drill_down(filters)} == {"禹州市"}
    assert by_key(breakdown("year", filters)) == {"2024": (2, D("691.24"))}
    assert totals(Filters(county="禹州市", year=2023)).count == 0


def test_reversal_and_replacement_lines_net_out_in_every_breakdown(market):
    moved = market.agreements[4]  # 瑞贝卡 2024-03-31 12.34 咨询 发制品, 禹州市
    correct(
        moved,
        amount=D("22.34"),
        tech_amount=D("20.00"),
        county="魏都区",
        contract_type=ContractType.SERVICE,
        signed_on=date(2025, 1, 2),
    )
    gone = market.agreements[6]  # the only 电子信息 agreement changes field
    correct(gone, field="电力装备")
    again = market.agreements[4]
    correct(again, amount=D("22.35"))  # a second correction of the same agreement

    whole = totals()
    assert whole.count == 8  # corrections never add or remove an agreement
    assert whole.amount == D("1001860.07") + D("10.01")
    assert db.session.query(LedgerEntry).count() == 8 + 2 * 3
    county = by_key(breakdown("county"))
    assert county["禹州市"] == (1, D("678.90"))
    assert county["魏都区"] == (4, D("1142.36"))
    assert "电子信息" not in by_key(breakdown("field"))  # netted out to nothing: left out
    assert "consulting" not in by_key(breakdown("type"))
    assert by_key(breakdown("year"))["2025"] == (2, D("1022.35"))
    for by in DIMENSIONS:
        assert_matches_drill_down(breakdown(by), by)
        assert_matches_drill_down(breakdown(by, Filters(county="魏都区")), f"魏都区 {by}")
    [line] = [x for x in drill_down() if x.id == again.id]
    assert (line.amount, line.county, line.signed_on) == (D("22.35"), "魏都区", date(2025, 1, 2))


def test_a_cancelled_agreement_leaves_every_figure_and_drill_down(market):
    cancelled = market.agreements[2]  # the 999,999.99 transfer of 2023, 长葛市
    current = db.session.scalar(select(LedgerEntry).where(LedgerEntry.agreement_id == cancelled.id))
    db.session.add(  # 作废: a reversal and no replacement, at the next revision
        LedgerEntry(
            agreement_id=cancelled.id,
            kind=LedgerKind.REVERSAL,
            revision=2,
            count=-1,
            amount=-current.amount,
            tech_amount=-current.tech_amount,
            reason="合同作废",
            **{
                name: getattr(current, name)
                for name in ("signed_on", "contract_type", "county", "field")
                + ("company_id", "institute_id", "event_id")
            },
        )
    )
    cancelled.revision = 2
    outbox.commit()
    assert totals() == services.Totals(7, D("1001860.07") - D("999999.99"))
    assert "transfer" not in by_key(breakdown("type"))
    assert by_key(breakdown("county"))["长葛市"] == (1, D("45.50"))
    assert cancelled.id not in {line.id for line in drill_down()}
    for by in DIMENSIONS:
        assert_matches_drill_down(breakdown(by), by)


# Filter input


@pytest.mark.parametrize(
    "args, field, message",
    [
        ({"start": "2024-13-01"}, "start", "格式不正确"),
        ({"start": "2024-05-01", "end": "2024-04-01"}, "end", "开始日期不能晚于结束日期"),
        ({"year": "二〇二四"}, "year", "年份应为"),
        ({"year": "1800"}, "year", "年份应为"),
        ({"quarter": "2"}, "year", "请同时选择年份"),
        ({"year": "2024", "quarter": "5"}, "quarter", "季度应为"),
        ({"year": "2024", "quarter": "1", "month": "5"}, "month", "不在第1季度内"),
        ({"type": "卖瓜"}, "type", "合同类型"),
        ({"institute": "999999"}, "institute", "找不到科研机构"),
        ({"event": "abc"}, "event", "找不到活动"),
        ({"county": "县" * 41}, "county", "没有"),
        ({"county": "郑州市"}, "county", "没有“郑州市”这个县（市、区）"),
        ({"field": "航天"}, "field", "没有“航天”这个技术领域"),
    ],
)
def test_bad_filters_are_refused_with_a_clear_message(app, args, field, message):
    with pytest.raises(DomainError) as caught:
        parse_filters(args)
    assert field in caught.value.errors
    assert message in caught.value.errors[field]
    assert "筛选条件有误" in caught.value.message


def test_filters_accept_labels_and_names_and_round_trip_through_the_url(market):
    institute = market.org("郑大")
    filters = parse_filters({"type": "技术开发", "institute": "郑大", "year": " 2024 "})
    assert filters == Filters(type=ContractType.DEVELOPMENT, institute=institute.id, year=2024)
    assert parse_filters(filters.to_args()) == filters
    assert Filters(year=2024, quarter=2, start=date(2024, 5, 10)).period() == (
        date(2024, 5, 10),
        date(2024, 6, 30),
    )
    assert Filters(year=2024, month=2).period() == (date(2024, 2, 1), date(2024, 2, 29))


# The funnel


@pytest.fixture
def pipeline(app, make_user):
    """Six problems: published in 2025 except one pending and one published in 2024."""
    company = make_user(Role.ENTERPRISE, org_name="许昌漏斗测试电气有限公司", county="魏都区")
    other = make_user(Role.ENTERPRISE, org_name="禹州漏斗测试超硬有限公司", county="禹州市")
    institute = make_user(Role.INSTITUTE, org_name="漏斗测试研究院")

    def problem(owner, field, published_at, status=PostingStatus.PUBLISHED):
        posting = Problem(
            title=f"{field}难题",
            body="描述",
            field=field,
            organization_id=owner.organization_id,
            status=status,
            published_at=published_at,
        )
        db.session.add(posting)
        return posting

    def when(day):
        return datetime(2025, 3, day, 4, tzinfo=UTC)

    result = Result(
        title="成果",
        body="成果描述",
        field="电力装备",
        organization_id=institute.organization_id,
        status=PostingStatus.PUBLISHED,
        published_at=when(1),
    )
    db.session.add(result)
    problems = [
        problem(company, "电力装备", when(1)),
        problem(company, "电力装备", when(2)),
        problem(company, "超硬材料", when(3)),
        problem(other, "超硬材料", when(4)),
        problem(other, "电力装备", None, PostingStatus.PENDING),
        problem(company, "电力装备", datetime(2024, 12, 31, 15, 59, tzinfo=UTC)),  # 2024-12-31
    ]
    db.session.flush()
    for p in problems[:3] + [problems[5]]:
        db.session.add(Match(demand_id=p.id, supply_id=result.id, score=1.0, strength=1.0))
    for p, status in (
        (problems[0], DockingStatus.SIGNED),
        (problems[1], DockingStatus.ACCEPTED),
        (problems[2], DockingStatus.DECLINED),
        (problems[3], DockingStatus.REQUESTED),
    ):
        db.session.add(
            Docking(
                demand_id=p.id,
                supply_id=result.id,
                requester_org_id=institute.organization_id,
                responder_org_id=p.organization_id,
                requested_by_id=institute.id,
                status=status,
            )
        )
    db.session.add(  # a contract on a problem without any 对接 (recorded directly)
        Agreement(
            submission_key="funnel-direct",
            title="直接登记的合同",
            company_id=company.organization_id,
            institute_id=institute.organization_id,
            signed_on=date(2025, 1, 5),
            amount=D("10.00"),
            problem_id=problems[5].id,
            status=AgreementStatus.RECORDED,
        )
    )
    outbox.commit()
    return problems


def counts(stages):
    return [s.count for s in stages]


def test_the_funnel_counts_problems_at_each_stage_with_conversion_rates(pipeline):
    stages = funnel()
    assert [s.key for s in stages] == ["published", "matched", "requested", "accepted", "signed"]
    assert counts(stages) == [5, 4, 5, 3, 2]
    assert [s.rate for s in stages] == [None, D("80.0"), D("125.0"), D("60.0"), D("66.7")]
    assert stages[-1].overall == D("40.0")


def test_the_funnel_follows_period_county_and_field(pipeline):
    assert counts(funnel(Filters(year=2025))) == [4, 3, 4, 2, 1]
    assert counts(funnel(Filters(year=2024, month=12))) == [1, 1, 1, 1, 1]  # Xuchang's date
    assert counts(funnel(Filters(county="禹州市"))) == [1, 0, 1, 0, 0]
    assert counts(funnel(Filters(field="超硬材料", year=2025))) == [2, 1, 2, 0, 0]
    empty = funnel(Filters(year=2023))
    assert counts(empty) == [0, 0, 0, 0, 0] and empty[1].rate is None
    assert services.funnel_ignores(Filters(year=2025, type=ContractType.SERVICE)) == ["type"]


# Pages


@pytest.fixture
def bureau(make_user):
    return make_user(Role.BUREAU, name="李科长")


def test_the_dashboard_shows_every_figure_with_links_to_its_drill_down(
    market, client, auth, bureau
):
    auth.login(bureau)
    page = client.get("/stats/dashboard")
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="count">8<' in html
    assert 'data-testid="amount">1,001,860.07<' in html
    for by in DIMENSIONS:
        assert f'data-testid="breakdown-{by}"' in html or by in ("month",), by
    assert "/stats/agreements?county=%E9%AD%8F%E9%83%BD%E5%8C%BA" in html  # 魏都区's row
    assert 'data-chart="trend"' in html and "echarts.min.js" in html
    assert 'data-testid="funnel"' in html
    recent = html.split('data-testid="agreements"')[1]  # the latest submissions, any status
    assert market.agreements[-1].title in recent and "已登记" in recent
    assert client.get("/bureau/dashboard").status_code == 200  # the old address still works

    drill = client.get("/stats/agreements", query_string={"county": "魏都区"}).text
    assert 'data-testid="count">3<' in drill and 'data-testid="amount">1,120.01<' in drill
    assert drill.count("data-agreement=") == 3


def test_the_dashboard_applies_its_filters_to_every_figure(market, client, auth, bureau):
    auth.login(bureau)
    html = client.get("/stats/dashboard", query_string={"year": "2024", "county": "禹州市"}).text
    assert 'data-testid="count">2<' in html and 'data-testid="amount">691.24<' in html
    assert "长葛市" not in html.split('data-testid="breakdown-county"')[1].split("</table>")[0]
    assert "year=2024" in html and "county=%E7%A6%B9%E5%B7%9E%E5%B8%82" in html  # kept in links
    assert 'value="2024" selected' in html
    assert "成交趋势（按月份）" in html


def test_bad_filters_on_the_pages_say_what_is_wrong(market, client, auth, bureau):
    auth.login(bureau)
    page = client.get("/stats/dashboard", query_string={"quarter": "2"})
    assert page.status_code == 400
    assert "按季度或月份筛选时，请同时选择年份" in page.text
    assert 'data-testid="count"' not in page.text
    assert client.get("/stats/agreements", query_string={"year": "x"}).status_code == 400
    export = client.get("/stats/agreements.csv", query_string={"start": "yesterday"})
    assert export.status_code == 400 and "格式不正确" in export.text
    assert client.get("/stats/breakdown.csv", query_string={"by": "colour"}).status_code == 400
    assert client.get("/stats/agreements.pdf").status_code == 404


def test_the_drill_down_pages_through_long_lists(market, client, auth, bureau, monkeypatch):
    from market.stats import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    auth.login(bureau)
    first = client.get("/stats/agreements").text
    third = client.get("/stats/agreements", query_string={"page": 3}).text
    assert first.count("data-agreement=") == 3 and third.count("data-agreement=") == 2
    assert "第 1 / 3 页" in first and 'data-testid="count">8<' in third


@pytest.mark.parametrize(
    "path", ["/stats/dashboard", "/stats/agreements", "/stats/dashboard.xlsx", "/bureau/dashboard"]
)
def test_only_the_bureau_sees_the_tallies(market, client, auth, make_user, path):
    assert client.get(path).status_code == 302  # to the login page
    for role in (Role.ENTERPRISE, Role.INSTITUTE):
        user = make_user(role, org_name=f"看不到统计的单位{role.value}")
        auth.login(user)
        assert client.get(path).status_code == 403
        assert client.get("/stats/breakdown.csv?by=county").status_code == 403
        assert client.get("/stats/agreements.xlsx").status_code == 403
        auth.logout()


def test_the_public_page_shows_figures_and_no_personal_data(market, client, make_user):
    contact = make_user(
        Role.ENTERPRISE, org_name="许昌瑞祥电气有限公司", name="王联系人", email="wang@rx.cn"
    )
    assert contact.organization_id == market.org("瑞祥电气").id
    page = client.get("/stats/public")
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="count">8<' in html and "1,001,860.07" in html
    assert 'data-testid="public-year"' in html and "2025年" in html
    assert "魏都区" in html and "电力装备" in html and "echarts.min.js" in html
    for private in ("王联系人", "wang@rx.cn", "@", "许昌瑞祥电气有限公司", "郑大", "电工所"):
        assert private not in html.split('data-testid="public-summary"')[1], private
    assert "/stats/agreements" not in html


def test_the_pages_work_before_any_agreement_is_recorded(app, client, auth, bureau):
    assert totals() == services.Totals(0, ZERO, ZERO)
    assert all(groups == [] for groups in services.dashboard().breakdowns.values())
    assert 'data-testid="count">0<' in client.get("/stats/public").text
    auth.login(bureau)
    page = client.get("/stats/dashboard")
    assert page.status_code == 200 and 'data-testid="amount">0.00<' in page.text
    assert "没有符合条件的合同" in client.get("/stats/agreements").text


def test_the_home_page_links_to_the_public_summary(app, client):
    assert "/stats/public" in client.get("/").text


# Exports


def test_the_drill_down_exports_to_csv_and_xlsx_with_exact_amounts(market, client, auth, bureau):
    auth.login(bureau)
    args = {"year": "2023"}
    response = client.get("/stats/agreements.csv", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 3
    amounts = sorted(D(r["合同金额（万元）"]) for r in rows)
    assert amounts == [D("0.01"), D("120.00"), D("999999.99")]
    assert {r["合同金额（万元）"] for r in rows} == {"0.01", "120.00", "999999.99"}
    assert {r["县（市、区）"] for r in rows} == {"魏都区", "长葛市"}

    response = client.get("/stats/agreements.xlsx", query_string=args)
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    column = header.index("合同金额（万元）")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert all(c.number_format == "0.00" and isinstance(c.value, float | int) for c in cells)
    assert sum(D(str(c.value)) for c in cells) == D("1000120.00")


def test_every_breakdown_exports_the_dashboards_figures(market, client, auth, bureau):
    auth.login(bureau)
    for by in DIMENSIONS:
        expected = breakdown(by, Filters(year=2024))
        response = client.get("/stats/breakdown.csv", query_string={"by": by, "year": "2024"})
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert rows[1:] == [
            [g.label, str(g.count), f"{g.amount:.2f}", f"{g.tech_amount:.2f}"] for g in expected
        ], by
        xlsx = client.get("/stats/breakdown.xlsx", query_string={"by": by, "year": "2024"})
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
        got = [(r[0].value, r[1].value, D(str(r[2].value))) for r in sheet.iter_rows(min_row=2)]
        assert got == [(g.label, g.count, g.amount) for g in expected], by
        assert all(r[2].number_format == "0.00" for r in sheet.iter_rows(min_row=2))


def test_the_whole_dashboard_exports_to_one_workbook_and_one_csv(market, client, auth, bureau):
    auth.login(bureau)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/stats/dashboard.xlsx").data))
    assert workbook.sheetnames[0] == "总计" and "县（市、区）" in workbook.sheetnames
    assert "对接漏斗" in workbook.sheetnames and len(workbook.sheetnames) == 10
    headline = workbook["总计"]
    assert headline["A2"].value == 8 and D(str(headline["B2"].value)) == D("1001860.07")
    assert headline["B2"].number_format == "0.00"
    rows = list(
        csv.reader(io.StringIO(client.get("/stats/dashboard.csv").data.decode("utf-8-sig")))
    )
    assert rows[1] == ["总计", "", "8", "1001860.07", "890598.27"]
    county = [r for r in rows if r[0] == "县（市、区）"]
    assert sum(D(r[3]) for r in county) == D("1001860.07")


FORMULA_TITLE = '=HYPERLINK("http://evil.example","合同")'


def test_exports_never_turn_typed_text_into_a_formula(market, client, auth, bureau):
    first = market.agreements[0]  # 2023-02-14, 瑞祥电气 with 电工所
    first.title = FORMULA_TITLE
    market.org("瑞祥电气").name = "+1+1许昌瑞祥电气有限公司"
    market.org("电工所").name = "@SUM(1)电工所"
    outbox.commit()
    auth.login(bureau)

    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/stats/agreements.csv", query_string={"year": "2023"}).data.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    row = next(r for r in csv_rows if r["合同编号"] == str(first.id))
    assert row["合同名称"] == "'" + FORMULA_TITLE
    assert row["企业"] == "'+1+1许昌瑞祥电气有限公司" and row["科研机构"] == "'@SUM(1)电工所"
    assert row["合同金额（万元）"] == "120.00"  # numbers are left alone

    response = client.get("/stats/agreements.xlsx", query_string={"year": "2023"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    line = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == first.id)
    title = line[header.index("合同名称")]
    assert title.value == FORMULA_TITLE and title.data_type == "s"  # text, not a formula

    by_institute = client.get("/stats/breakdown.csv", query_string={"by": "institute"})
    labels = [r[0] for r in csv.reader(io.StringIO(by_institute.data.decode("utf-8-sig")))]
    assert "'@SUM(1)电工所" in labels
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/stats/dashboard.xlsx").data))
    cells = [r[0] for r in workbook["科研机构"].iter_rows(min_row=2)]
    assert "@SUM(1)电工所" in [c.value for c in cells]
    assert all(c.data_type == "s" for c in cells)


def test_chart_tooltips_encode_the_names_people_typed(market, client, auth, bureau):
    market.org("电工所").name = '<img src=x onerror="window.__xss=1">电工所'
    outbox.commit()
    auth.login(bureau)
    html = client.get("/stats/dashboard").text
    assert "<img src=x" not in html  # the chart data is JSON with < escaped
    assert "encode(p.name)" in html and "echarts.format.encodeHTML" in html
    assert "return p.name +" not in html


@pytest.mark.browser
def test_a_tooltip_shows_an_html_name_as_text_in_a_browser(market, browser, served, bureau):
    evil = '<img src=x onerror="window.__xss=1">电工所'
    market.org("电工所").name = evil
    outbox.commit()
    page = browser.new_page(locale="zh-CN")
    page.set_default_timeout(20_000)
    page.goto(served + "/accounts/login")
    page.fill("input[name=email]", bureau.email)
    page.fill("input[name=password]", "correct-horse-电池")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.goto(served + "/stats/dashboard")
    shown = page.evaluate(
        """() => new Promise((done) => {
          const el = document.querySelector('[data-chart=institute]');
          const data = JSON.parse(document.getElementById('stats-charts').textContent);
          const index = data.charts.institute.labels.findIndex((l) => l.includes('<img'));
          echarts.getInstanceByDom(el).dispatchAction(
            { type: 'showTip', seriesIndex: 0, dataIndex: index });
          setTimeout(() => done({ index: index, text: el.innerText,
            images: el.querySelectorAll('img').length }), 500);
        })"""
    )
    page.wait_for_timeout(300)  # a broken image would have fired its onerror by now
    assert shown["index"] >= 0
    assert evil in shown["text"] and shown["images"] == 0
    assert page.evaluate("() => window.__xss") is None


# The command line


def test_market_stats_prints_the_dashboards_figures(market, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "--by", "county", "--format", "json"])
    assert result.exit_code == 0, result.output
    objects = json.loads(result.output)
    assert objects[0] == {
        "key": "长葛市",
        "label": "长葛市",
        "count": 2,
        "amount": "1000045.49",
        "tech_amount": "888934.38",
    }
    assert [(o["key"], o["count"], D(o["amount"])) for o in objects] == [
        (g.key, g.count, g.amount) for g in breakdown("county")
    ]

    result = runner.invoke(args=["stats", "--by", "year", "--format", "csv", "--county", "魏都区"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows == [
        ["key", "label", "count", "amount", "tech_amount"],
        ["2023", "2023年", "2", "120.01", "100.01"],
        ["2025", "2025年", "1", "1000.00", "950.55"],
    ]

    table = runner.invoke(args=["stats", "--by", "type", "--year", "2024"]).output
    assert "技术开发" in table and "678.90" in table
    assert table.splitlines()[-1].split() == ["total", "4", "740.07", "658.83"]

    plain = runner.invoke(args=["stats"]).output
    assert "agreements: 8" in plain and "total: 1001860.07 万元" in plain
    quarter = json.loads(
        runner.invoke(
            args=["stats", "--by", "quarter", "--format", "json", "--year", "2024"]
        ).output
    )
    assert [o["key"] for o in quarter] == ["2024-Q1", "2024-Q2", "2024-Q4"]


def test_market_stats_refuses_bad_options_with_a_message(market, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "--by", "year", "--month", "3"])
    assert result.exit_code == 2 and "请同时选择年份" in result.output
    result = runner.invoke(args=["stats", "--by", "colour"])
    assert result.exit_code == 2
    result = runner.invoke(args=["stats", "--by", "year", "--institute", "不存在的研究院"])
    assert result.exit_code == 2 and "找不到科研机构" in result.output
