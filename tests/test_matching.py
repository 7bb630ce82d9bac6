"""Published problems and results are matched both ways, explained, and searchable."""

from sqlalchemy import func, select

from market.accounts.models import Role
from market.extensions import db
from market.matching.models import Match
from market.matching.services import compute_matches, rebuild_index
from market.notifications.models import Notification

UNRELATED_RESULT = {
    "title": "鲜湿面条多重栅栏保鲜技术",
    "body": "通过调节水分活度、pH 与包装气调等多重栅栏，使生鲜湿面常温保质期由 2 天延长到 30 天，"
    "不添加防腐剂，适合面制品企业产线改造。",
    "keywords": "湿面, 保鲜, 栅栏技术",
    "field": "农副产品深加工",
}


def published_pair(make_posting, make_user):
    result = make_posting("result", publish=True)
    other = make_posting(
        "result",
        publish=True,
        author=make_user(Role.INSTITUTE, org_name="河南农业大学"),
        **UNRELATED_RESULT,
    )
    problem = make_posting("problem", publish=True)
    return problem, result, other


def test_publishing_matches_problems_and_results_both_ways(make_posting, make_user):
    problem, result, other = published_pair(make_posting, make_user)
    match = db.session.scalar(
        select(Match).where(Match.demand_id == problem.id, Match.supply_id == result.id)
    )
    assert match is not None
    assert match.strength >= 0.35
    assert "开关柜" in match.terms
    ranked = db.session.scalars(
        select(Match).where(Match.demand_id == problem.id).order_by(Match.score.desc())
    ).all()
    assert ranked[0].supply_id == result.id
    # A result sharing only incidental words is weaker than MARKET_MIN_MATCH: not stored.
    assert db.session.scalar(select(Match).where(Match.supply_id == other.id)) is None


def test_problem_page_lists_matches_with_reasons_for_its_owner(
    client, auth, make_posting, make_user
):
    problem, result, _other = published_pair(make_posting, make_user)
    auth.login(problem.author)
    page = client.get(f"/postings/{problem.id}").text
    assert result.title in page
    assert "匹配度" in page
    assert "匹配理由" in page
    assert "<mark>开关柜</mark>" in page
    assert "申请对接" in page


def test_result_page_lists_matched_problems_for_the_liaison(client, auth, make_posting, make_user):
    problem, result, _other = published_pair(make_posting, make_user)
    auth.login(result.author)
    page = client.get(f"/postings/{result.id}").text
    assert problem.title in page
    assert "匹配的企业需求" in page


def test_match_lists_are_not_shown_to_third_parties(client, auth, make_posting, make_user):
    problem, result, _other = published_pair(make_posting, make_user)
    auth.login(make_user(Role.ENTERPRISE, org_name="许昌第三方公司"))
    page = client.get(f"/postings/{problem.id}").text
    assert problem.title in page
    assert 'data-testid="matches"' not in page


def test_strong_matches_notify_both_sides_exactly_once(make_posting, make_user):
    problem, result, _other = published_pair(make_posting, make_user)
    key = f"match:{problem.id}:{result.id}"

    def told():
        return db.session.scalars(
            select(Notification.user_id).where(Notification.event_key == key)
        ).all()

    assert sorted(told()) == sorted([problem.author_id, result.author_id])
    compute_matches(problem.id)  # a retried or duplicated task
    compute_matches(result.id)
    db.session.commit()
    assert len(told()) == 2


def test_index_rebuild_restores_matching_from_the_database(app, make_posting, make_user):
    problem, result, _other = published_pair(make_posting, make_user)
    db.session.execute(Match.__table__.delete())
    db.session.commit()
    runner = app.test_cli_runner()
    outcome = runner.invoke(args=["index", "rebuild"])
    assert outcome.exit_code == 0, outcome.output
    assert "indexed 3 postings" in outcome.output
    compute_matches(problem.id)
    db.session.commit()
    assert db.session.scalar(select(func.count(Match.id)).where(Match.supply_id == result.id)) == 1
    assert rebuild_index() == 3


def test_search_finds_published_postings_with_highlights(client, make_posting, make_user):
    problem, result, _other = published_pair(make_posting, make_user)
    hidden = make_posting("problem", title="未审核的开关柜需求标题")
    page = client.get("/search", query_string={"q": "开关柜 测温"}).text
    assert result.title in page or "<mark>开关柜</mark>" in page
    assert f"/postings/{problem.id}" in page
    assert f"/postings/{result.id}" in page
    assert hidden.title not in page
    only_results = client.get("/search", query_string={"q": "开关柜", "kind": "result"}).text
    assert f"/postings/{problem.id}" not in only_results


def test_search_survives_whoosh_syntax_and_odd_queries(client, make_posting, make_user):
    published_pair(make_posting, make_user)
    for query in [
        'AND OR NOT ( ) * ? ~ : "',
        "开关柜 AND (测温 OR",
        '"',
        "*",
        "~~~",
        "NOT",
        "title:开关柜",
        "开关柜" * 150,
        "<script>alert(1)</script>",
    ]:
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 200, query
        assert "<script>alert(1)" not in response.text
    too_long = client.get("/search", query_string={"q": "开关柜" * 150}).text
    assert "搜索词太长" in too_long
    nonsense = client.get("/search", query_string={"q": '( ) * ? ~ : "'}).text
    assert "请输入有意义的搜索词" in nonsense
    nothing = client.get("/search", query_string={"q": "AND OR NOT"}).text
    assert "没有找到相关信息" in nothing


def test_phrase_search_in_quotes(client, make_posting, make_user):
    _problem, result, _other = published_pair(make_posting, make_user)
    page = client.get("/search", query_string={"q": "“声表面波谐振器”"}).text
    assert f"/postings/{result.id}" in page


def test_experts_and_equipment_are_matched_to_problems_and_talent_needs(make_posting, make_user):
    liaison = make_user(Role.INSTITUTE, org_name="郑州大学")
    expert = make_posting(
        "expert",
        author=liaison,
        publish=True,
        title="王振华",
        expert_title="教授",
        unit="郑州大学材料学院",
        body="超硬刀具与聚晶立方氮化硼 PCBN 刀具刃口处理，刀具寿命与灰铸铁高速切削。",
        field="超硬材料",
        keywords="PCBN, 超硬刀具, 刀具寿命",
    )
    equipment = make_posting(
        "equipment",
        author=liaison,
        publish=True,
        title="刀具磨损检测显微镜",
        unit="郑州大学测试中心",
        body="检测 PCBN 刀具刃口磨损形貌，评估刀具寿命和崩刃原因。",
        sharing_mode="委托测试",
        field="超硬材料",
        keywords="刀具磨损, PCBN",
    )
    problem = make_posting(
        "problem",
        publish=True,
        title="PCBN 刀具寿命太短，加工灰铸铁频繁换刀",
        body="加工灰铸铁缸体时刀具寿命短，一个班换三次刀，希望提高刀具寿命，减少崩刃。",
        field="超硬材料",
        keywords="PCBN, 刀具寿命, 灰铸铁",
    )
    talent = make_posting(
        "talent",
        author=problem.author,
        publish=True,
        title="招聘超硬刀具研发工程师",
        position="刀具工程师",
        body="负责 PCBN 超硬刀具刃口处理和刀具寿命提升的研发工作，需要材料专业背景。",
        field="超硬材料",
        keywords="PCBN, 超硬刀具",
    )
    supplies = set(db.session.scalars(select(Match.supply_id).where(Match.demand_id == problem.id)))
    assert {expert.id, equipment.id} <= supplies
    assert db.session.scalar(
        select(Match).where(Match.demand_id == talent.id, Match.supply_id == expert.id)
    )
    assert not db.session.scalar(  # equipment does not fill a job
        select(Match).where(Match.demand_id == talent.id, Match.supply_id == equipment.id)
    )
