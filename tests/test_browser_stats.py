"""The bureau's dashboard in headless Chromium after `market demo`: 44 agreements, 4,098.22 万元.

The real portal (Alembic schema, `market demo`, gunicorn) on a fresh SQLite file under tmp_path,
with the filesystem broker in its own instance folder (no worker and no Redis needed: the demo
records its agreements in the ledger itself). Checks the headline the bureau reports, that the
ECharts canvases rendered, that a bar's table row drills down to the agreements behind it, and
the public summary. Needs /usr/bin/chromium: missing, it fails in CI and is skipped elsewhere.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from market.demo import data as demo_data
from tests import live

pytestmark = pytest.mark.browser

TIMEOUT_MS = 20_000
SCREENS = Path("/tmp/market-screens")


@pytest.fixture
def demo_portal(tmp_path):
    """gunicorn over a database that `market demo` filled; yields the base URL."""
    env = live.market_env(
        tmp_path,
        database_url=f"sqlite:///{tmp_path / 'market.sqlite3'}",
        broker_url="filesystem://",
    )
    env["MARKET_INSTANCE_DIR"] = str(tmp_path / "instance")
    live.run_market(["db", "upgrade"], env, cwd=tmp_path)
    port = live.free_port()
    web = live.launch_web(tmp_path, env, port)
    with contextlib.ExitStack() as stack:
        stack.callback(web.stop)
        output = live.run_market(["demo"], env, cwd=tmp_path, timeout=600)
        assert "44 项, 4098.22 万元" in output, output
        live.wait_web_ready(web, port)
        yield f"http://127.0.0.1:{port}"


def figures(page) -> tuple[int, Decimal]:
    count = int(page.locator("[data-testid=count]").inner_text().strip())
    amount = Decimal(page.locator("[data-testid=amount]").inner_text().strip().replace(",", ""))
    return count, amount


def canvas_painted(page, chart: str) -> bool:
    """The chart's canvas exists, has a size, and is not blank."""
    return page.locator(f"[data-chart={chart}] canvas").first.evaluate(
        """canvas => {
            if (!canvas.width || !canvas.height) return false;
            const pixels = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
            return false;
        }"""
    )


def test_the_dashboard_reads_44_agreements_and_4098_22_after_the_demo(
    browser, demo_portal, tmp_path
):
    from playwright.sync_api import expect

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(demo_portal + "/accounts/login")
        page.get_by_label("邮箱", exact=True).fill(demo_data.BUREAU["email"])
        page.get_by_label("密码", exact=True).fill(demo_data.DEMO_PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page.locator(".who")).to_be_visible()

        page.goto(demo_portal + "/stats/dashboard")
        headline = page.get_by_test_id("dashboard-headline")
        expect(headline.get_by_test_id("count")).to_have_text("44")
        expect(headline.get_by_test_id("amount")).to_have_text("4,098.22")
        assert figures(page) == (44, Decimal("4098.22"))
        for chart in ("trend", "county", "institute", "funnel"):
            expect(page.locator(f"[data-chart={chart}] canvas").first).to_be_attached()
            assert canvas_painted(page, chart), f"the {chart} chart drew nothing"
        save = "el => echarts.getInstanceByDom(el).getOption().toolbox[0].feature.saveAsImage"
        assert page.locator("[data-chart=trend]").evaluate(save + ".title") == "保存为图片"
        page.screenshot(path=str(tmp_path / "stats-dashboard.png"), full_page=True)

        row = page.get_by_test_id("breakdown-county").locator("tbody tr").first
        expected = int(row.locator("td").nth(1).inner_text())
        row.locator("a").first.click()
        expect(page).to_have_url(re.compile(r"/stats/agreements\?county="))
        assert figures(page)[0] == expected
        expect(page.locator("[data-agreement]")).to_have_count(expected)

        page.goto(demo_portal + "/stats/dashboard?year=2024")
        expect(page.get_by_test_id("count")).not_to_have_text("44")

        public = context.new_page()
        public.goto(demo_portal + "/stats/public")
        expect(public.get_by_test_id("public-headline").get_by_test_id("count")).to_have_text("44")
        assert canvas_painted(public, "trend")
        public.screenshot(path=str(tmp_path / "stats-public.png"), full_page=True)
    finally:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(tmp_path / "stats-last.png"), full_page=True)
        context.close()
        SCREENS.mkdir(parents=True, exist_ok=True)
        for shot in tmp_path.glob("stats-*.png"):
            shutil.copy(shot, SCREENS / shot.name)
