"""The whole journey in headless Chromium against the real portal (gunicorn + a Celery worker).

A company registers and posts a technical problem, an institute liaison registers and posts a
research result, the bureau publishes both, the worker matches them, the liaison asks for 对接,
the company accepts, the bureau records the contract and the dashboard's total grows by exactly
its amount. Plus: the site speaks Chinese by default and the language buttons switch it.

State: a fresh SQLite file, index and jieba cache under tmp_path, Redis database 14 (flushed)
as the broker, an SMTP server in this process. Needs /usr/bin/chromium and Redis: missing ones
fail the test in CI (CI=true) and skip it elsewhere.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import warnings
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from market.timeutil import today
from tests import live
from tests.conftest import PASSWORD, PROBLEM_DATA, REDIS_URL, RESULT_DATA

pytestmark = pytest.mark.browser

BROKER_URL = REDIS_URL.rsplit("/", 1)[0] + "/14"  # db 15 belongs to the worker tests
TIMEOUT_MS = 20_000
MATCH_WAIT_SECONDS = 60
LEDGER_WAIT_SECONDS = 60
SCREENS = Path("/tmp/market-screens")
ENGLISH_CATALOG = live.REPO / "market" / "translations" / "en" / "LC_MESSAGES" / "messages.mo"

BUREAU = {"email": "li.kz@kjj.xuchang.gov.cn", "name": "李科长", "org": "许昌市科学技术局"}
COMPANY = {
    "email": "zhang.gong@ruixiang-dianqi.cn",
    "name": "张工",
    "org": "许昌瑞祥电气有限公司",
    "county": "魏都区",
}
LIAISON = {"email": "liu.lx@mail.iee.ac.cn", "name": "刘联络", "org": "中国科学院电工研究所"}
CONTRACT_TITLE = "开关柜无源无线测温技术许可合同"
CONTRACT_AMOUNT = "123.45"


class Portal:
    def __init__(
        self, base_url: str, web: live.Service, worker: live.Service | None, smtp: live.SmtpSink
    ):
        self.base_url = base_url
        self.web = web
        self.worker = worker
        self.smtp = smtp

    def url(self, path: str) -> str:
        return self.base_url + path

    def logs(self) -> str:
        return "\n".join(s.tail(40) for s in (self.web, self.worker) if s is not None)


@contextlib.contextmanager
def running_portal(tmp_path: Path, *, with_worker: bool):
    """Schema by Alembic, the bureau officer by the CLI, gunicorn and (optionally) a worker."""
    redis = live.redis_db(BROKER_URL)  # flushed
    with contextlib.ExitStack() as stack:
        stack.callback(redis.close)
        stack.callback(redis.flushdb)
        smtp = live.SmtpSink().start()
        stack.callback(smtp.stop)
        port = live.free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = live.market_env(
            tmp_path,
            database_url=f"sqlite:///{tmp_path / 'market.sqlite3'}",
            broker_url=BROKER_URL,
            mail_port=smtp.port,
            base_url=base_url,
        )
        live.run_market(["db", "upgrade"], env, cwd=tmp_path)
        # Start both servers first: each spends seconds importing the app.
        web = live.launch_web(tmp_path, env, port)
        stack.callback(web.stop)
        worker = None
        if with_worker:
            worker = live.launch_worker(tmp_path, env)
            stack.callback(worker.stop)
            live.run_market(
                [
                    "users",
                    "create",
                    "--email",
                    BUREAU["email"],
                    "--password",
                    PASSWORD,
                    "--role",
                    "bureau",
                    "--org",
                    BUREAU["org"],
                    "--name",
                    BUREAU["name"],
                ],
                env,
                cwd=tmp_path,
            )
            live.wait_worker_ready(worker)
        live.wait_web_ready(web, port)
        yield Portal(base_url, web, worker, smtp)


@pytest.fixture
def portal(tmp_path):
    with running_portal(tmp_path, with_worker=True) as portal:
        yield portal


@pytest.fixture
def web_only(tmp_path):
    with running_portal(tmp_path, with_worker=False) as portal:
        yield portal


def new_page(browser):
    """A separate browser profile (cookies) for one person, speaking Chinese."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def save_screenshot(path: Path) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENS / path.name)


def register(page, portal, person: dict, role_label: str, county: str | None) -> None:
    from playwright.sync_api import expect

    page.goto(portal.url("/accounts/register"))
    page.get_by_label("账号类型", exact=True).select_option(label=role_label)
    page.get_by_label("单位名称", exact=True).fill(person["org"])
    if county:
        page.get_by_label("所在县（市、区）", exact=True).select_option(county)
    page.get_by_label("联系人姓名", exact=True).fill(person["name"])
    page.get_by_label("邮箱", exact=True).fill(person["email"])
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="注册", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="注册成功")).to_be_visible()
    expect(page.locator(".who")).to_contain_text(person["org"])


def email_matches_at_once(page, portal) -> None:
    """Match emails default to the daily digest; this journey wants them straight away."""
    from playwright.sync_api import expect

    page.goto(portal.url("/notifications/settings"))
    page.get_by_label("新的匹配 · 邮件", exact=True).select_option(label="立即")
    page.get_by_role("button", name="保存设置", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="通知设置已保存")).to_be_visible()


def log_in(page, portal, person: dict) -> None:
    from playwright.sync_api import expect

    page.goto(portal.url("/accounts/login"))
    page.get_by_label("邮箱", exact=True).fill(person["email"])
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator(".who")).to_contain_text(person["name"])


def posting_id_of(page) -> int:
    match = re.search(r"/postings/(\d+)$", page.url)
    assert match, f"not on a posting page: {page.url}"
    return int(match.group(1))


def dashboard_figures(page) -> tuple[int, Decimal]:
    count = int(page.locator("[data-testid=count]").inner_text().strip())
    amount = Decimal(page.locator("[data-testid=amount]").inner_text().strip().replace(",", ""))
    return count, amount


def test_language_is_chinese_by_default_and_switches_to_english(browser, web_only):
    portal = web_only
    from playwright.sync_api import expect

    page = new_page(browser)
    html = page.locator("html")
    page.goto(portal.url("/postings/?kind=problem"))
    expect(html).to_have_attribute("lang", re.compile(r"^zh"))
    expect(
        page.locator("nav.site-nav").get_by_role("link", name="首页", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("button", name="简体中文", exact=True)).to_have_class(
        re.compile(r"\bactive\b")
    )

    page.get_by_role("button", name="English", exact=True).click()
    expect(html).to_have_attribute("lang", "en")
    assert page.url == portal.url("/postings/?kind=problem"), "the switch should come back here"
    expect(page.get_by_role("button", name="English", exact=True)).to_have_class(
        re.compile(r"\bactive\b")
    )
    page.reload()
    expect(html).to_have_attribute("lang", "en")  # kept in the session
    home = page.locator("nav.site-nav a").first
    if ENGLISH_CATALOG.exists():
        expect(home).not_to_have_text("首页")  # translated by the compiled catalog
    else:
        warnings.warn(
            f"English is selected but the page text stays Chinese: {ENGLISH_CATALOG} "
            "does not exist (no compiled translation catalog)",
            stacklevel=1,
        )

    page.get_by_role("button", name="简体中文", exact=True).click()
    expect(html).to_have_attribute("lang", re.compile(r"^zh"))
    page.context.close()


def test_problem_to_contract_journey(browser, portal, tmp_path):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    company, liaison, bureau = new_page(browser), new_page(browser), new_page(browser)
    try:
        _journey(portal, tmp_path, company, liaison, bureau)
    except BaseException:
        for who, page in (("company", company), ("liaison", liaison), ("bureau", bureau)):
            with contextlib.suppress(Exception):
                page.screenshot(path=str(tmp_path / f"failure-{who}.png"), full_page=True)
        raise
    finally:
        for page in (company, liaison, bureau):
            with contextlib.suppress(Exception):
                page.context.close()


def _journey(portal, tmp_path, company, liaison, bureau):
    from playwright.sync_api import expect

    # Chinese by default.
    company.goto(portal.url("/"))
    expect(company.locator("html")).to_have_attribute("lang", re.compile(r"^zh"))
    expect(company.get_by_role("link", name="首页", exact=True)).to_be_visible()

    # A Xuchang company registers and posts its technical problem.
    register(company, portal, COMPANY, "企业", COMPANY["county"])
    email_matches_at_once(company, portal)
    company.goto(portal.url("/postings/problems/new"))
    company.get_by_label("标题", exact=True).fill(PROBLEM_DATA["title"])
    company.get_by_label("详细描述", exact=True).fill(PROBLEM_DATA["body"])
    company.get_by_label("所属领域", exact=True).select_option(PROBLEM_DATA["field"])
    company.get_by_label("关键词", exact=True).fill(PROBLEM_DATA["keywords"])
    company.get_by_label("技术指标", exact=True).fill("测温精度±1℃，无需电池，单柜成本 800 元以内")
    company.get_by_label("预算区间", exact=True).select_option("10-50万元")
    company.get_by_label("预算金额（万元）", exact=True).fill(PROBLEM_DATA["budget"])
    company.get_by_label("合作方式", exact=True).select_option(PROBLEM_DATA["cooperation"])
    company.get_by_label("有效期至", exact=True).fill((today() + timedelta(days=90)).isoformat())
    # The form tells the poster, while typing, what would make the posting better.
    expect(company.get_by_test_id("completeness-score")).to_have_text(re.compile(r"^\d+%$"))
    expect(company.get_by_test_id("completeness-hints")).to_contain_text("现有基础")
    expect(company.get_by_test_id("completeness-hints")).not_to_contain_text("补充技术指标")
    expect(company.get_by_test_id("completeness-hints")).not_to_contain_text("预算区间")
    company.screenshot(path=str(tmp_path / "problem-form.png"), full_page=True)
    save_screenshot(tmp_path / "problem-form.png")
    company.get_by_role("button", name="提交审核", exact=True).click()
    expect(company.get_by_role("alert").filter(has_text="已提交")).to_be_visible()
    expect(company.get_by_test_id("status")).to_have_text("待审核")
    demand_id = posting_id_of(company)

    # An institute liaison registers and posts the research result.
    register(liaison, portal, LIAISON, "高校/科研机构", None)
    email_matches_at_once(liaison, portal)
    liaison.goto(portal.url("/postings/results/new"))
    liaison.get_by_label("标题", exact=True).fill(RESULT_DATA["title"])
    liaison.get_by_label("详细描述", exact=True).fill(RESULT_DATA["body"])
    liaison.get_by_label("所属领域", exact=True).select_option(RESULT_DATA["field"])
    liaison.get_by_label("关键词", exact=True).fill(RESULT_DATA["keywords"])
    liaison.get_by_label("成熟度", exact=True).select_option(RESULT_DATA["maturity"])
    for mode in RESULT_DATA["cooperation_modes"]:
        liaison.get_by_label(mode, exact=True).check()
    liaison.get_by_label("有效期至", exact=True).fill((today() + timedelta(days=365)).isoformat())
    liaison.get_by_role("button", name="提交审核", exact=True).click()
    expect(liaison.get_by_test_id("status")).to_have_text("待审核")
    supply_id = posting_id_of(liaison)

    # The bureau publishes both from its review queue.
    log_in(bureau, portal, BUREAU)
    bureau.goto(portal.url("/review/"))
    for title, posting_id in (
        (PROBLEM_DATA["title"], demand_id),
        (RESULT_DATA["title"], supply_id),
    ):
        item = bureau.locator("article.review-item", has_text=title)
        expect(item).to_have_attribute("data-posting-id", str(posting_id))
        item.get_by_role("button", name="发布", exact=True).click()
        expect(bureau.get_by_role("alert").filter(has_text=f"已发布“{title}”")).to_be_visible()
    expect(bureau.get_by_text("没有待审核的信息。")).to_be_visible()

    # The worker indexes and matches: the problem shows up on the result's page.
    liaison.goto(portal.url(f"/postings/{supply_id}"))
    expect(liaison.get_by_test_id("status")).to_have_text("已发布")
    matches = liaison.get_by_test_id("matches")
    problem_match = matches.locator("li.match", has_text=PROBLEM_DATA["title"])

    def match_listed() -> bool:
        portal.worker.check_alive()
        liaison.reload()
        return problem_match.count() == 1

    live.wait_for(
        match_listed,
        timeout=MATCH_WAIT_SECONDS,
        interval=1.0,
        what="the problem in the result page's match list",
        diagnostics=portal.logs,
    )
    expect(problem_match).to_have_attribute("data-match-id", str(demand_id))
    expect(problem_match.locator(".why").first).to_contain_text("开关柜")
    matches.screenshot(path=str(tmp_path / "matches.png"))
    save_screenshot(tmp_path / "matches.png")

    # Relevance feedback: marking 相关 updates the list in place (no reload), and it is kept.
    liaison.evaluate("window.__same_page = true")
    problem_match.get_by_role("button", name="相关", exact=True).click()
    expect(problem_match.get_by_test_id("mark")).to_have_text("已标记：相关")
    expect(problem_match).to_have_class(re.compile(r"\bmarked-relevant\b"))
    assert liaison.evaluate("window.__same_page === true")
    liaison.reload()
    expect(problem_match.get_by_test_id("mark")).to_have_text("已标记：相关")
    problem_match.get_by_role("button", name="清除标记", exact=True).click()
    expect(problem_match.get_by_test_id("mark")).to_be_hidden()

    # 对接: the liaison asks, the company accepts.
    problem_match.get_by_role("button", name="申请对接", exact=True).click()
    expect(liaison.get_by_role("alert").filter(has_text="对接请求已发出")).to_be_visible()
    company.goto(portal.url("/dockings/"))
    row = company.locator("tr[data-docking-id]", has_text=PROBLEM_DATA["title"])
    expect(row).to_contain_text("意向")
    docking_id = row.get_attribute("data-docking-id")
    row.get_by_role("button", name="接受", exact=True).click()
    expect(company.get_by_role("alert").filter(has_text="已接受对接")).to_be_visible()
    expect(company.locator(f"tr[data-docking-id='{docking_id}']")).to_contain_text("洽谈中")

    # The bureau reads the headline, records the contract, and the total grows by exactly it.
    bureau.goto(portal.url("/bureau/dashboard"))
    count_before, amount_before = dashboard_figures(bureau)
    bureau.goto(portal.url("/agreements/new"))
    docking_select = bureau.get_by_label("来自对接（可不选）", exact=True)
    option = docking_select.locator("option", has_text=PROBLEM_DATA["title"])
    expect(option).to_have_attribute("value", docking_id)
    docking_select.select_option(option.get_attribute("value"))
    bureau.get_by_label("合同名称（项目名称）", exact=True).fill(CONTRACT_TITLE)
    bureau.get_by_label("合同类型", exact=True).select_option(label="技术许可")
    bureau.get_by_label("签订日期", exact=True).fill((today() - timedelta(days=1)).isoformat())
    bureau.get_by_label("合同金额（万元，最多两位小数）", exact=True).fill(CONTRACT_AMOUNT)
    bureau.get_by_role("button", name="提交登记", exact=True).click()
    expect(bureau.get_by_role("alert").filter(has_text=CONTRACT_TITLE)).to_be_visible()
    assert re.search(r"/agreements/\d+$", bureau.url), bureau.url  # the agreement's own page
    bureau.goto(portal.url("/stats/dashboard"))

    expected = (count_before + 1, amount_before + Decimal(CONTRACT_AMOUNT))

    def ledger_caught_up():
        portal.worker.check_alive()
        bureau.reload()
        figures = dashboard_figures(bureau)
        assert figures[0] <= expected[0] and figures[1] <= expected[1], (
            f"the dashboard overshot: {figures} after expecting {expected}"
        )
        return figures == expected

    live.wait_for(
        ledger_caught_up,
        timeout=LEDGER_WAIT_SECONDS,
        interval=1.0,
        what=f"the dashboard to show {expected}",
        diagnostics=portal.logs,
    )
    contract = bureau.get_by_test_id("agreements").locator("tr", has_text=CONTRACT_TITLE)
    expect(contract).to_contain_text("已登记")
    expect(contract).to_contain_text("123.45")
    bureau.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    save_screenshot(tmp_path / "dashboard.png")

    # Both sides were emailed about the match, once each.
    def match_mail() -> list[str]:
        return sorted(
            r
            for rcpts, _raw, m in portal.smtp.messages
            if str(m["Subject"]).startswith("新的匹配")
            for r in rcpts
        )

    live.wait_for(
        lambda: len(match_mail()) >= 2, timeout=30, what="the match emails", diagnostics=portal.logs
    )
    assert match_mail() == sorted([COMPANY["email"], LIAISON["email"]])
