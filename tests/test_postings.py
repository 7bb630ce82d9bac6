"""Posting problems, talent needs and results; who sees what; bad input changes nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from market.accounts.models import Role
from market.extensions import db
from market.postings.models import Posting, PostingStatus, Problem, Result, TalentNeed
from market.timeutil import today
from tests.conftest import posting_data


def as_form(data: dict) -> dict:
    value = data["valid_until"]
    return {**data, "valid_until": value if isinstance(value, str) else value.isoformat()}


def problem_form(**overrides):
    return as_form(posting_data("problem", **overrides))


def result_form(**overrides):
    return as_form(posting_data("result", **overrides))


def posting_count():
    return db.session.scalar(select(func.count(Posting.id)))


def test_company_posts_a_problem_for_review(client, make_user, auth):
    company = make_user(Role.ENTERPRISE)
    auth.login(company)
    response = client.post("/postings/problems/new", data=problem_form(), follow_redirects=True)
    assert response.status_code == 200
    assert "科技局审核通过后公开" in response.text
    problem = db.session.scalar(select(Problem))
    assert problem.status == PostingStatus.PENDING
    assert str(problem.budget) == "30.00"
    assert problem.keywords == ["开关柜", "测温", "触头发热"]
    assert problem.organization == company.organization
    assert "待审核" in response.text


def test_company_posts_a_talent_need(client, make_user, auth):
    auth.login(make_user(Role.ENTERPRISE))
    form = problem_form(
        title="招聘超硬材料研发工程师",
        position="研发工程师",
        discipline="材料科学",
        degree="硕士",
        headcount="2",
        body="负责聚晶金刚石复合片的配方与烧结工艺研发，要求有高温高压合成经验。",
    )
    response = client.post("/postings/talent/new", data=form)
    assert response.status_code == 302
    need = db.session.scalar(select(TalentNeed))
    assert (need.position, need.degree, need.headcount) == ("研发工程师", "硕士", 2)


def test_liaison_posts_a_result(client, make_user, auth):
    auth.login(make_user(Role.INSTITUTE))
    response = client.post("/postings/results/new", data=result_form())
    assert response.status_code == 302
    result = db.session.scalar(select(Result))
    assert result.maturity == "产业化"
    assert result.cooperation_modes == ["技术许可", "合作开发"]


def test_each_role_may_post_only_its_own_kinds(client, make_user, auth):
    auth.login(make_user(Role.INSTITUTE))
    assert client.post("/postings/problems/new", data=problem_form()).status_code == 403
    auth.logout()
    auth.login(make_user(Role.ENTERPRISE))
    assert client.post("/postings/results/new", data=result_form()).status_code == 403
    auth.logout()
    auth.login(make_user(Role.BUREAU))
    assert client.get("/postings/problems/new").status_code == 403
    auth.logout()
    assert client.get("/postings/problems/new").status_code == 302  # to the login page
    assert posting_count() == 0


def test_bad_input_gets_a_chinese_message_and_stores_nothing(client, make_user, auth):
    auth.login(make_user(Role.ENTERPRISE))
    cases = [
        (problem_form(title=""), "请填写标题"),
        (problem_form(title="   "), "请填写标题"),
        (problem_form(body="x" * 100_000), "详细描述：不能超过 5000 个字"),
        (problem_form(body="太短"), "内容太短"),
        (problem_form(budget="abc"), "金额格式不正确"),
        (problem_form(budget="-3"), "金额必须大于零"),
        (problem_form(budget="1.234"), "两位小数"),
        (problem_form(budget="NaN"), "金额格式不正确"),
        (problem_form(budget="1e9"), "金额格式不正确"),
        (problem_form(field="不存在的领域"), "所属领域：请从列表中选择"),
        (problem_form(cooperation=""), "请填写合作方式"),
        (problem_form(valid_until=today().isoformat()), "有效期必须晚于今天"),
        (problem_form(valid_until=(today() + timedelta(days=1000)).isoformat()), "有效期最长两年"),
        (problem_form(valid_until="2026-13-45"), "日期格式不正确"),
        (problem_form(valid_until=""), "请填写有效期"),
    ]
    for form, message in cases:
        response = client.post("/postings/problems/new", data=form)
        assert response.status_code == 400, message
        assert message in response.text, message
    assert posting_count() == 0


def test_html_in_text_fields_is_shown_escaped(client, make_user, auth, make_posting):
    company = make_user(Role.ENTERPRISE)
    auth.login(company)
    script = "<script>alert('x')</script>"
    problem = make_posting(
        "problem",
        author=company,
        title=f"测温{script}",
        body=f"开关柜触头发热，希望在线监测温度。{script}<b>加粗</b>",
    )
    page = client.get(f"/postings/{problem.id}").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;b&gt;加粗&lt;/b&gt;" in page


def test_pending_postings_are_seen_only_by_their_owner_and_the_bureau(
    client, make_user, auth, make_posting
):
    company = make_user(Role.ENTERPRISE)
    problem = make_posting("problem", author=company)
    url = f"/postings/{problem.id}"
    assert client.get(url).status_code == 404  # anonymous
    auth.login(make_user(Role.ENTERPRISE, org_name="许昌另一家公司"))
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login(company)
    assert client.get(url).status_code == 200
    auth.logout()
    auth.login(make_user(Role.BUREAU))
    assert client.get(url).status_code == 200


def test_published_postings_are_public_and_listed(client, make_posting):
    problem = make_posting("problem", publish=True)
    assert client.get(f"/postings/{problem.id}").status_code == 200
    assert problem.title in client.get("/postings/?kind=problem").text
    assert problem.title in client.get("/").text


def test_expired_postings_are_no_longer_public(client, make_posting):
    problem = make_posting("problem", publish=True)
    problem.valid_until = today() - timedelta(days=1)
    db.session.commit()
    assert client.get(f"/postings/{problem.id}").status_code == 404
    assert problem.title not in client.get("/postings/?kind=problem").text


def test_my_postings_lists_only_my_organisation(client, make_user, auth, make_posting):
    mine = make_posting("problem")
    theirs = make_posting(
        "problem",
        author=make_user(Role.ENTERPRISE, org_name="许昌别家公司"),
        title="别家公司的需求标题",
    )
    auth.login(mine.author)
    page = client.get("/postings/mine").text
    assert mine.title in page
    assert theirs.title not in page
