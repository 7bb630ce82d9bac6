"""Batch matching: `market match` (JSON lines, XLSX) on a fresh instance, and the bureau's page."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from market import create_app
from market.accounts.models import Role
from market.extensions import db
from market.matching.batch import CommandLineOperator, to_xlsx, top_results
from market.matching.models import Match
from market.matching.services import compute_matches, matches_for
from market.notifications.models import Notification
from market.postings.models import PostingKind, Problem, Result, Visibility

MARKET = Path(sys.executable).parent / "market"
HEADERS = ["需求编号", "需求名称", "企业", "所在县区", "排名", "成果编号", "成果名称", "科研机构"]
HEADERS += ["匹配度", "匹配理由"]

# Shaped like ../shared/data/xuchang_dev: plural kinds, fields outside the city's list, a
# cooperation written as a string (and as 技术服务), maturity with 阶段, no cooperation for
# problems.
RESULTS = [
    {
        "ref": "RT01",
        "title": "开关柜无源无线声表面波测温技术",
        "summary": "采用声表面波谐振器作为温敏元件，传感器无电池、无需取电，可安装于开关柜"
        "触头、母排搭接面等高电位接点，测温精度±1℃，支持过热分级预警与数据远传。",
        "keywords": ["声表面波", "无线测温", "开关柜", "过热预警"],
        "field": "电力装备",
        "institute": "中国科学院声学研究所",
        "maturity": "产业化",
        "cooperation": "技术许可",
    },
    {
        "ref": "RT02",
        "title": "母排接头红外在线测温与过热报警装置",
        "summary": "在开关柜母排接头处安装红外测温探头，实时监测接头温度，超温自动报警，"
        "数据通过无线方式传到值班室。",
        "keywords": ["红外测温", "开关柜", "过热报警"],
        "field": "电力装备",
        "institute": "华北电力大学",
        "maturity": "中试",
        "cooperation": "技术服务",
    },
    {
        "ref": "RT03",
        "title": "生鲜湿面多重栅栏保鲜技术",
        "summary": "以酸度调节、水分活度控制和包装阻隔组成多重栅栏，鲜湿面条常温保质期"
        "延长至七天以上，不加防腐剂，口感不变。",
        "keywords": ["鲜湿面", "保鲜", "栅栏技术"],
        "field": "农业食品",
        "institute": "河南工业大学",
        "maturity": "实验室阶段",
        "cooperation": "技术转让、合作开发",
    },
    {
        "ref": "RT04",
        "title": "人发角蛋白纤维低损伤漂白技术",
        "summary": "以温和氧化体系配合角蛋白保护剂漂白人发，断发率下降一半，漂浅色后"
        "发丝强度保持在九成以上。",
        "keywords": ["人发", "漂白", "角蛋白", "断发"],
        "field": "轻工纺织",
        "institute": "武汉纺织大学",
        "maturity": "小试",
        "cooperation": "合作开发",
    },
]
PROBLEMS = [
    {
        "ref": "PT01",
        "title": "开关柜里接头发热看不见，怕烧柜子",
        "description": "我们十千伏开关柜用了七八年，触头和母排接头一松就发热，红外测温枪照不到"
        "柜里，去年两台柜子烧了才发现。想在柜里长期装测温的东西，在办公室就能看温度。",
        "field": "电力装备",
        "company": "许昌润达配电运维服务有限公司",
        "county": "魏都区",
    },
    {
        "ref": "PT02",
        "title": "鲜面条夏天放两天就发酸",
        "description": "我们做鲜湿面条供应超市，夏天放两天就发酸发黏，退货很多，不想加防腐剂，"
        "想延长保鲜时间。",
        "field": "农业食品",
        "company": "许昌瑞丰面业有限公司",
        "county": "建安区",
    },
    {
        "ref": "PT03",
        "title": "漂浅色的人发断发多、退货率高",
        "description": "人发漂成浅金色后一梳就断，客户退货，想找损伤小的漂白办法。",
        "field": "轻工纺织",
        "company": "许昌恒顺人发原料有限公司",
        "county": "长葛市",
    },
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def market(instance: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the installed `market` command against this instance folder, defaults otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET_")}
    env["MARKET_INSTANCE_DIR"] = str(instance)
    return subprocess.run(
        [str(MARKET), *args], env=env, capture_output=True, text=True, timeout=300
    )


def instance_app(instance: Path):
    """An app on the instance's own SQLite database and index, to read what the CLI stored."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'market.sqlite3'}",
            "MARKET_INDEX_DIR": str(instance / "index"),
            "MARKET_JIEBA_CACHE_DIR": str(instance / "jieba-cache"),
            "CELERY": {"broker_url": "memory://", "task_always_eager": False},
        }
    )


@pytest.fixture(scope="module")
def fresh_instance(tmp_path_factory):
    """The issue's exact command sequence on a fresh SQLite instance, with no worker."""
    instance = tmp_path_factory.mktemp("instance")
    data = tmp_path_factory.mktemp("data")
    results = write_jsonl(data / "results.jsonl", RESULTS)
    problems = write_jsonl(data / "problems.jsonl", PROBLEMS)
    steps = [
        ("db", "upgrade"),
        ("import", "results", str(results)),
        ("import", "problems", str(problems)),
        ("index", "rebuild"),
        ("match", "--all-problems", "--limit", "10", "--format", "jsonl"),
    ]
    for step in steps:
        done = market(instance, *step)
        assert done.returncode == 0, f"{step}: {done.stdout}\n{done.stderr}"
    return instance, [json.loads(line) for line in done.stdout.splitlines()]


def test_the_five_commands_write_one_line_per_problem_best_first(fresh_instance):
    _instance, lines = fresh_instance
    assert [line["problem"] for line in lines] == ["PT01", "PT02", "PT03"]
    for line in lines:
        assert set(line) == {"problem", "matches"}
        scores = [m["score"] for m in line["matches"]]
        assert scores == sorted(scores, reverse=True)
        for found in line["matches"]:
            assert set(found) == {"result", "score", "reasons"}
            assert found["result"].startswith("RT") and 0 < found["score"] <= 1
            assert found["reasons"] and all(isinstance(r, str) for r in found["reasons"])
    first = {line["problem"]: line["matches"][0]["result"] for line in lines}
    # Either temperature-monitoring result fits PT01; the other problems have one answer.
    assert first["PT01"] in {"RT01", "RT02"}
    assert (first["PT02"], first["PT03"]) == ("RT03", "RT04")
    assert any("开关柜" in reason for reason in lines[0]["matches"][0]["reasons"])  # why


def test_the_lines_follow_the_ranking_of_the_pages_and_notify_nobody(fresh_instance):
    instance, lines = fresh_instance
    app = instance_app(instance)
    with app.app_context():
        for line in lines:
            problem = db.session.scalar(select(Problem).where(Problem.ref == line["problem"]))
            shown = [
                (other.ref, round(match.strength, 4))
                for match, other in matches_for(problem)
                if other.kind == PostingKind.RESULT
            ]
            assert [(m["result"], m["score"]) for m in line["matches"]] == shown[:10]
        assert db.session.scalar(select(func.count(Notification.id))) == 0
        db.session.remove()
        db.engine.dispose()


def test_shared_data_values_are_imported_through_the_aliases(fresh_instance):
    instance, _lines = fresh_instance
    app = instance_app(instance)
    with app.app_context():
        by_ref = {p.ref: p for p in db.session.scalars(select(Result))}
        assert by_ref["RT02"].cooperation_modes == ["技术咨询"]  # 技术服务, a string
        assert by_ref["RT03"].cooperation_modes == ["技术转让", "合作开发"]
        assert (by_ref["RT03"].field, by_ref["RT03"].maturity) == ("农副产品深加工", "实验室")
        assert by_ref["RT04"].field == "轻工纺织"
        problems = {p.ref: p for p in db.session.scalars(select(Problem))}
        assert {p.cooperation for p in problems.values()} == {"合作开发"}
        assert problems["PT03"].organization.county == "长葛市"
        db.session.remove()
        db.engine.dispose()


def test_the_spreadsheet_for_the_bureau(fresh_instance, tmp_path):
    instance, lines = fresh_instance
    path = tmp_path / "matches.xlsx"
    done = market(instance, "match", "--problem", "PT01", "--format", "xlsx", "--output", str(path))
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["J"].width > sheet.column_dimensions["E"].width
    expected = lines[0]["matches"]
    assert len(rows) == 1 + len(expected)
    for rank, (row, found) in enumerate(zip(rows[1:], expected, strict=True), start=1):
        assert row[:5] == ("PT01", PROBLEMS[0]["title"], PROBLEMS[0]["company"], "魏都区", rank)
        assert row[5] == found["result"]
        assert row[8] == pytest.approx(found["score"])
        assert row[9] == "；".join(found["reasons"])
    result = next(r for r in RESULTS if r["ref"] == rows[1][5])
    assert (rows[1][6], rows[1][7]) == (result["title"], result["institute"])
    assert sheet["I2"].number_format == "0%"


def test_after_the_sequence_the_index_checks_clean(fresh_instance):
    instance, _lines = fresh_instance
    done = market(instance, "index", "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "缺失 0，过期 0，多余 0" in done.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["match"], 2, "--all-problems"),
        (["match", "--all-problems", "--problem", "PT01"], 2, "二选一"),
        (["match", "--all-problems", "--format", "xlsx"], 2, "--output"),
        (["match", "--problem", "NOPE"], 1, "没有编号为“NOPE”的技术需求"),
    ],
)
def test_match_refuses_unclear_requests(app, args, code, message):
    outcome = app.test_cli_runner().invoke(args=args)
    assert outcome.exit_code == code
    assert message in outcome.output


def test_match_warns_when_the_index_was_never_built(app, make_posting):
    from market.matching.services import index_store

    problem = make_posting("problem", publish=True)
    index_store().delete(problem.id)
    outcome = app.test_cli_runner().invoke(args=["match", "--all-problems"])
    assert outcome.exit_code == 0
    assert "market index rebuild" in outcome.stderr
    assert json.loads(outcome.stdout) == {"problem": f"#{problem.id}", "matches": []}


def test_match_by_id_for_a_problem_without_ref_and_refuses_a_hidden_one(app, make_posting):
    problem = make_posting("problem", publish=True)
    make_posting("result", publish=True)
    runner = app.test_cli_runner()
    outcome = runner.invoke(args=["match", "--problem", f"#{problem.id}"])
    assert outcome.exit_code == 0, outcome.output
    line = json.loads(outcome.output)
    assert line["problem"] == f"#{problem.id}" and len(line["matches"]) == 1
    pending = make_posting("problem", title="尚未审核的需求")
    outcome = runner.invoke(args=["match", "--problem", f"#{pending.id}"])
    assert outcome.exit_code == 1 and "未发布或已过期" in outcome.output


# --- the bureau's page ------------------------------------------------------------------------


@pytest.fixture
def matched(make_posting):
    problem = make_posting("problem", publish=True, visibility=Visibility.ANONYMOUS.value)
    result = make_posting("result", publish=True)
    compute_matches(problem.id, notify_parties=False)
    db.session.commit()
    return problem, result


def test_only_the_bureau_sees_the_match_overview(app, client, auth, make_user, matched):
    assert client.get("/bureau/matches").status_code == 302  # to the login page
    for role in (Role.ENTERPRISE, Role.INSTITUTE):
        auth.login(make_user(role, org_name=f"某{role.value}单位"))
        assert client.get("/bureau/matches").status_code == 403
        assert client.get("/bureau/matches.xlsx").status_code == 403
        auth.logout()


def test_the_bureau_page_shows_problems_with_results_and_reasons(
    app, client, auth, make_user, matched
):
    problem, result = matched
    auth.login(make_user(Role.BUREAU))
    page = client.get("/bureau/matches")
    assert page.status_code == 200
    text = page.text
    assert problem.title in text and result.title in text and "共同关键词" in text
    assert "许昌瑞祥电气有限公司（匿名需求" in text  # the bureau sees, marked not to pass on
    assert "/bureau/matches.xlsx" in text
    assert "/bureau/matches" in client.get("/").text  # in the bureau's navigation


def test_the_bureau_downloads_the_same_table(app, client, auth, make_user, matched):
    problem, result = matched
    auth.login(make_user(Role.BUREAU))
    response = client.get("/bureau/matches.xlsx?limit=5")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    (row,) = rows[1:]
    assert row[1] == problem.title and row[6] == result.title and row[4] == 1
    assert row[9] == "；".join(top_results(problem)[0].reasons)


def test_an_anonymous_company_shows_only_to_insiders_in_the_sheet(app, make_user, matched):
    problem, _result = matched
    liaison = make_user(Role.INSTITUTE, org_name="郑州大学")

    def company_cell(viewer) -> str:
        entries = [(problem, top_results(problem))]
        from market.matching.batch import ProblemMatches

        sheet = to_xlsx([ProblemMatches(*e) for e in entries], viewer)
        return load_workbook(io.BytesIO(sheet)).active["C2"].value

    assert company_cell(CommandLineOperator()).startswith("许昌瑞祥电气有限公司（匿名需求")
    assert company_cell(liaison) == "匿名企业（接受对接后显示）"


def test_a_problem_without_matches_still_has_a_row(app, make_posting, make_user):
    problem = make_posting("problem", publish=True)
    assert db.session.scalar(select(func.count(Match.id))) == 0
    from market.matching.batch import ProblemMatches

    sheet = to_xlsx([ProblemMatches(problem, [])], CommandLineOperator())
    rows = list(load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == f"#{problem.id}" and rows[1][6] == "暂无匹配成果"
