"""A 对接 in headless Chromium against the real portal (gunicorn): the company accepts the
liaison's request, both sides exchange messages, the liaison closes it with an outcome, and the
company sees why on the timeline.

State: a fresh SQLite file migrated by Alembic and seeded in this process, Redis database 13
(flushed) as the broker nobody consumes. Needs /usr/bin/chromium and Redis: missing ones fail
the test in CI (CI=true) and skip it elsewhere.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from market import create_app, outbox
from market.accounts.models import Role
from market.accounts.services import create_user
from market.dockings.services import request_docking
from market.extensions import db
from market.postings.models import PostingKind
from market.postings.services import submit_posting
from market.review.services import publish_posting
from tests import live
from tests.conftest import PASSWORD, REDIS_URL, base_config, posting_data
from tests.test_browser import new_page

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/market-screens")
BROKER_URL = REDIS_URL.rsplit("/", 1)[0] + "/13"  # this file's own database
COMPANY = {"email": "zhang.gong@ruixiang-dianqi.cn", "name": "张工", "org": "许昌瑞祥电气有限公司"}
LIAISON = {"email": "liu.lx@mail.iee.ac.cn", "name": "刘联络", "org": "中国科学院电工研究所"}
BUREAU = {"email": "li.kz@kjj.xuchang.gov.cn", "name": "李科长", "org": "许昌市科学技术局"}


def seed(tmp_path, database_url: str) -> int:
    """Three people, a published problem and result, and the liaison's request: its id."""
    config = base_config(tmp_path, database_url)
    config["CELERY"] = {"broker_url": "memory://", "task_always_eager": False}
    app = create_app(config)
    with app.app_context():
        people = {}
        for key, person, role in (
            ("company", COMPANY, Role.ENTERPRISE),
            ("liaison", LIAISON, Role.INSTITUTE),
            ("bureau", BUREAU, Role.BUREAU),
        ):
            people[key] = create_user(
                email=person["email"],
                password=PASSWORD,
                name=person["name"],
                role=role,
                org_name=person["org"],
                county="魏都区" if role == Role.ENTERPRISE else None,
            )
        problem = submit_posting(people["company"], PostingKind.PROBLEM, posting_data("problem"))
        result = submit_posting(people["liaison"], PostingKind.RESULT, posting_data("result"))
        for posting in (problem, result):
            publish_posting(people["bureau"], posting.id)
        docking = request_docking(people["liaison"], problem.id, result.id, "可上门交流。")
        outbox.commit()
        docking_id = docking.id
        db.session.remove()
        db.engine.dispose()
    return docking_id


@pytest.fixture
def portal(tmp_path):
    redis = live.redis_db(BROKER_URL)  # flushed
    with contextlib.ExitStack() as stack:
        stack.callback(redis.close)
        stack.callback(redis.flushdb)
        port = live.free_port()
        database_url = f"sqlite:///{tmp_path / 'market.sqlite3'}"
        env = live.market_env(
            tmp_path,
            database_url=database_url,
            broker_url=BROKER_URL,
            base_url=f"http://127.0.0.1:{port}",
        )
        live.run_market(["db", "upgrade"], env, cwd=tmp_path)
        web = live.launch_web(tmp_path, env, port)
        stack.callback(web.stop)
        docking_id = seed(tmp_path, database_url)
        live.wait_web_ready(web, port)
        yield f"http://127.0.0.1:{port}", docking_id, web


def log_in(page, base_url: str, person: dict) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/accounts/login")
    page.get_by_label("邮箱", exact=True).fill(person["email"])
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator(".who")).to_contain_text(person["name"])


def test_accept_message_and_close_with_an_outcome(browser, portal, tmp_path):
    base_url, docking_id, web = portal
    company, liaison = new_page(browser), new_page(browser)
    try:
        _journey(base_url, docking_id, company, liaison)
    except BaseException:
        for who, page in (("company", company), ("liaison", liaison)):
            with contextlib.suppress(Exception):
                page.screenshot(path=str(tmp_path / f"failure-{who}.png"), full_page=True)
        print(web.tail(40))
        raise
    finally:
        for page in (company, liaison):
            with contextlib.suppress(Exception):
                page.context.close()


def _journey(base_url, docking_id, company, liaison):
    SCREENS.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import expect

    detail = f"{base_url}/dockings/{docking_id}"

    # The company opens the request from its list and accepts it on the detail page.
    log_in(company, base_url, COMPANY)
    company.goto(base_url + "/dockings/")
    row = company.locator(f"tr[data-docking-id='{docking_id}']")
    expect(row).to_contain_text("意向")
    row.get_by_role("link", name="详情", exact=True).click()
    expect(company.get_by_test_id("stage")).to_have_text("意向")
    expect(company.get_by_test_id("deadline")).to_contain_text("等待被邀请方答复")
    company.get_by_role("button", name="接受", exact=True).click()
    expect(company.get_by_role("alert").filter(has_text="已接受对接")).to_be_visible()
    expect(company.get_by_test_id("stage")).to_have_text("洽谈中")
    expect(company.get_by_test_id("deadline")).to_contain_text("等待双方报告洽谈进展")

    # An empty message is refused; a real one appears in the thread.
    company.get_by_role("button", name="发送留言", exact=True).click()
    expect(company.get_by_role("alert").filter(has_text="请填写留言内容")).to_be_visible()
    company.get_by_label("留言", exact=True).fill("样机下周到货，请安排现场测试。")
    company.get_by_role("button", name="发送留言", exact=True).click()
    expect(company.get_by_role("alert").filter(has_text="留言已发送")).to_be_visible()
    expect(company.get_by_test_id("messages")).to_contain_text("样机下周到货，请安排现场测试。")

    # The liaison reads it, answers, then closes the negotiation with an outcome.
    log_in(liaison, base_url, LIAISON)
    liaison.goto(detail)
    messages = liaison.get_by_test_id("messages")
    expect(messages).to_contain_text("样机下周到货")
    liaison.get_by_label("留言", exact=True).fill("测试后发现需要重新设计传感器封装。")
    liaison.get_by_role("button", name="发送留言", exact=True).click()
    expect(messages.locator("li.message")).to_have_count(2)

    close = liaison.get_by_role("button", name="结束洽谈（未达成）", exact=True)
    close.click()  # no outcome chosen: refused, nothing changes
    expect(liaison.get_by_role("alert").filter(has_text="请选择未达成的原因")).to_be_visible()
    expect(liaison.get_by_test_id("stage")).to_have_text("洽谈中")
    liaison.get_by_label("未达成原因", exact=True).select_option(label="技术不匹配")
    liaison.get_by_label("说明（原因为“其他”时必填）", exact=True).fill("封装需重新设计")
    liaison.get_by_role("button", name="结束洽谈（未达成）", exact=True).click()
    expect(liaison.get_by_role("alert").filter(has_text="已结束洽谈")).to_be_visible()
    expect(liaison.get_by_test_id("stage")).to_have_text("未达成")
    expect(liaison.get_by_test_id("outcome")).to_have_text("技术不匹配：封装需重新设计")

    # The company sees the outcome and the whole timeline; the thread is closed.
    company.goto(detail)
    expect(company.get_by_test_id("outcome")).to_contain_text("技术不匹配")
    timeline = company.get_by_test_id("timeline").locator("li")
    expect(timeline).to_have_count(5)
    expect(timeline.nth(0)).to_contain_text("发起对接（意向）")
    expect(timeline.nth(1)).to_contain_text("接受对接，进入洽谈")
    expect(timeline.nth(4)).to_contain_text(
        re.compile(r"结束了洽谈（未达成），原因：技术不匹配：封装需重新设计")
    )
    expect(company.get_by_role("button", name="发送留言", exact=True)).to_have_count(0)
    expect(company.locator(".bell [data-testid=unread]")).to_be_visible()  # told of the close
    company.screenshot(path=str(SCREENS / "docking-closed.png"), full_page=True)
