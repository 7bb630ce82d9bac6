"""Relevance feedback: who may mark a match, how marks are stored, how they re-rank a list at
once and move a similar posting's matches, and how they are exported for evaluation."""

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from market import outbox
from market.accounts.models import Role
from market.extensions import db
from market.feedback.models import MatchFeedback
from market.feedback.services import FEEDBACK_MAX, mark_match
from market.matching.models import Match
from market.matching.services import compute_matches, matches_for

INFRARED_RESULT = {
    "title": "开关柜红外在线测温与触头过热监测系统",
    "body": "在开关柜柜门安装红外测温窗口和在线测温传感器，实时监测触头、母排温度，"
    "过热自动告警，适用于十千伏开关柜改造。",
    "keywords": "开关柜, 红外测温, 在线监测",
    "field": "电力装备",
    "cooperation_modes": ["技术转让"],
}
SIMILAR_PROBLEM = {
    "title": "开关柜触头发热，需要无线测温",
    "body": "我厂十千伏开关柜的触头和母排接头松动后发热，红外测温枪照不到柜内。"
    "希望在柜内长期安装无需电池的无线测温装置，在线监测触头发热。",
    "keywords": "开关柜, 测温, 触头发热",
    "field": "电力装备",
}
SIMILAR_RESULT = {
    "title": "无源无线声表面波温度传感器",
    "body": "声表面波谐振器做温敏元件，无需电池和取电，适合开关柜触头、母排等高电位接点"
    "长期在线测温，过热预警。",
    "keywords": "声表面波, 无线测温, 过热预警",
    "field": "电力装备",
    "cooperation_modes": ["技术许可"],
}


@pytest.fixture
def market(make_posting, make_user):
    """A problem matched by two results: the infrared one ranks first, the SAW one second."""
    saw = make_posting("result", publish=True)
    zzu = make_user(Role.INSTITUTE, org_name="郑州大学")
    infrared = make_posting("result", publish=True, author=zzu, **INFRARED_RESULT)
    problem = make_posting("problem", publish=True)
    return SimpleNamespace(
        problem=problem, saw=saw, infrared=infrared, make_user=make_user, post=make_posting
    )


def mark(client, pair, grade, listed, **extra):
    demand, supply = pair
    return client.post(
        f"/matches/{demand.id}/{supply.id}/feedback",
        data={"grade": grade, "listed": listed.id},
        **extra,
    )


def marks_on(demand, supply):
    return db.session.scalars(
        select(MatchFeedback).where(
            MatchFeedback.demand_id == demand.id, MatchFeedback.supply_id == supply.id
        )
    ).all()


def listed_titles(posting):
    return [other.title for _match, other in matches_for(posting)]


def test_the_match_list_offers_the_marks(client, auth, market):
    auth.login(market.problem.author)
    page = client.get(f"/postings/{market.problem.id}").text
    assert f'action="/matches/{market.problem.id}/{market.saw.id}/feedback"' in page
    assert ">相关</button>" in page and ">不相关</button>" in page
    assert listed_titles(market.problem) == [market.infrared.title, market.saw.title]


def test_only_the_two_parties_and_the_bureau_may_mark(client, auth, market):
    pair = (market.problem, market.saw)
    assert mark(client, pair, "1", market.problem).status_code == 302  # to the login page
    for outsider in (
        market.make_user(Role.ENTERPRISE, org_name="许昌第三方公司"),
        market.infrared.author,  # another result's institute
    ):
        auth.login(outsider)
        assert mark(client, pair, "1", market.problem).status_code == 403
        auth.logout()
    assert marks_on(*pair) == []
    for party, listed in (
        (market.problem.author, market.problem),
        (market.saw.author, market.saw),
        (market.make_user(Role.BUREAU), market.problem),
    ):
        auth.login(party)
        response = mark(client, pair, "1", listed)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/postings/{listed.id}#matches")
        auth.logout()
    assert len(marks_on(*pair)) == 3


def test_a_party_marks_only_on_its_own_list(client, auth, market):
    """The JSON answer lists the list's order: the SAW institute may not read the problem's."""
    auth.login(market.saw.author)
    response = mark(
        client,
        (market.problem, market.saw),
        "1",
        market.problem,
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 403 and "order" not in response.json
    assert marks_on(market.problem, market.saw) == []


def test_a_pair_without_a_stored_match_cannot_be_marked(client, auth, market):
    unmatched = market.make_user(Role.INSTITUTE, org_name="河南农业大学")
    auth.login(market.problem.author)
    response = client.post(
        f"/matches/{market.problem.id}/{unmatched.id + 9999}/feedback",
        data={"grade": "1", "listed": market.problem.id},
    )
    assert response.status_code == 404


def test_marking_again_changes_the_organisations_mark_and_clearing_removes_it(client, auth, market):
    pair = (market.problem, market.saw)
    colleague = market.make_user(Role.ENTERPRISE, org_name=market.problem.organization.name)
    auth.login(market.problem.author)
    mark(client, pair, "1", market.problem)
    auth.logout()
    auth.login(colleague)
    mark(client, pair, "0", market.problem)
    [row] = marks_on(*pair)
    assert (row.grade, row.user_id) == (0, colleague.id)
    assert row.organization_id == market.problem.organization_id
    mark(client, pair, "clear", market.problem)
    assert marks_on(*pair) == []
    assert mark(client, pair, "2", market.problem).status_code == 302  # refused, nothing stored
    assert marks_on(*pair) == []


def test_a_mark_reorders_the_list_at_once_without_recomputing(client, auth, market):
    problem, saw, infrared = market.problem, market.saw, market.infrared
    strengths = dict(db.session.execute(select(Match.supply_id, Match.strength)).all())
    auth.login(problem.author)
    mark(client, (problem, infrared), "0", problem)
    assert listed_titles(problem) == [saw.title, infrared.title]
    page = client.get(f"/postings/{problem.id}").text
    assert page.index(saw.title) < page.index(infrared.title)
    assert 'class="match marked-irrelevant"' in page and "已标记：不相关" in page
    assert "清除标记" in page
    mark(client, (problem, saw), "1", problem)
    rows = matches_for(problem)
    assert [(other.id, row.mark) for row in rows for other in [row[1]]] == [
        (saw.id, 1),
        (infrared.id, 0),
    ]
    assert dict(db.session.execute(select(Match.supply_id, Match.strength)).all()) == strengths


def test_a_list_follows_its_own_organisations_marks_then_the_bureaus(client, auth, market):
    problem, saw, infrared = market.problem, market.saw, market.infrared
    auth.login(infrared.author)  # the infrared institute judges the pair on its own list
    mark(client, (problem, infrared), "0", infrared)
    auth.logout()
    assert listed_titles(problem) == [infrared.title, saw.title]
    assert [row.mark for row in matches_for(infrared)] == [0]
    auth.login(market.make_user(Role.BUREAU))
    mark(client, (problem, infrared), "0", problem)
    auth.logout()
    assert listed_titles(problem) == [saw.title, infrared.title]
    auth.login(problem.author)  # the company's own mark wins over the bureau's
    mark(client, (problem, infrared), "1", problem)
    assert [row.mark for row in matches_for(problem)] == [1, None]


def test_the_pages_script_gets_the_new_order_as_json(client, auth, market):
    problem, saw, infrared = market.problem, market.saw, market.infrared
    auth.login(problem.author)
    json = {"headers": {"Accept": "application/json"}}
    response = mark(client, (problem, infrared), "0", problem, **json)
    assert response.status_code == 200
    assert response.json == {
        "order": [saw.id, infrared.id],
        "marks": {str(saw.id): None, str(infrared.id): 0},
        "mine": {str(infrared.id): 0},
    }
    auth.logout()
    auth.login(market.make_user(Role.ENTERPRISE, org_name="许昌第三方公司"))
    refused = mark(client, (problem, infrared), "1", problem, **json)
    assert refused.status_code == 403 and "error" in refused.json


def test_marks_on_a_similar_problem_move_a_new_problems_matches(market):
    problem, saw, infrared = market.problem, market.saw, market.infrared
    mark_match(problem.author, problem.id, infrared.id, 1)
    mark_match(problem.author, problem.id, saw.id, 0)
    outbox.commit()
    company = market.make_user(Role.ENTERPRISE, org_name="长葛市恒达电力设备厂")
    # Without the marks the engine ranks the SAW result first for this wording.
    similar = market.post("problem", author=company, publish=True, **SIMILAR_PROBLEM)
    rows = matches_for(similar)
    assert [other.id for _m, other in rows] == [infrared.id, saw.id]
    assert all(row.mark is None for row in rows)  # the similar company marked nothing
    by_supply = {m.supply_id: m for m, _other in rows}
    lifted, lowered = by_supply[infrared.id], by_supply[saw.id]
    assert lifted.explanation["feedback"]["relevant"] == [problem.id]
    assert lowered.explanation["feedback"]["irrelevant"] == [problem.id]
    for match, sign in ((lifted, 1), (lowered, -1)):
        feedback = match.explanation["feedback"]
        assert 0 < sign * feedback["adjustment"] <= FEEDBACK_MAX
        assert match.strength == pytest.approx(feedback["engine_strength"] + feedback["adjustment"])
    assert (
        lowered.explanation["feedback"]["engine_strength"]
        > lifted.explanation["feedback"]["engine_strength"]
    )


def test_marks_on_a_similar_result_move_a_new_results_matches(market):
    problem, saw = market.problem, market.saw
    institute = market.make_user(Role.INSTITUTE, org_name="浙江大学")
    twin = market.post("result", author=institute, publish=True, **SIMILAR_RESULT)
    before = db.session.scalar(select(Match).where(Match.supply_id == twin.id))
    plain_strength, plain_score = before.strength, before.score
    assert "feedback" not in before.explanation

    mark_match(saw.author, problem.id, saw.id, 1)  # the SAW institute: this problem fits us
    outbox.commit()
    compute_matches(twin.id)
    db.session.commit()
    after = db.session.scalar(select(Match).where(Match.supply_id == twin.id))
    assert after.demand_id == problem.id
    feedback = after.explanation["feedback"]
    assert feedback["relevant"] == [saw.id]
    assert 0 < feedback["adjustment"] <= FEEDBACK_MAX
    # Strength is a share, capped at 1; the score (the tie-breaker) moves by the same factor.
    assert after.strength == min(1.0, round(plain_strength + feedback["adjustment"], 4))
    assert after.score == pytest.approx(plain_score * (1 + feedback["adjustment"]))


def test_feedback_export_writes_problem_result_grade_lines(app, tmp_path, market):
    problem, saw, infrared = market.problem, market.saw, market.infrared
    problem.ref, saw.ref = "XQ-2026-001", "CG-0001"
    db.session.commit()
    bureau = market.make_user(Role.BUREAU)
    mark_match(bureau, problem.id, saw.id, 0)
    mark_match(problem.author, problem.id, saw.id, 1)  # the problem's company decides
    mark_match(infrared.author, problem.id, infrared.id, 1)
    mark_match(bureau, problem.id, infrared.id, 0)  # the bureau outranks the institute
    outbox.commit()
    runner = app.test_cli_runner()
    outcome = runner.invoke(args=["feedback", "export"])
    assert outcome.exit_code == 0, outcome.output
    # One line per pair, by problem then result (the SAW result was posted first).
    assert outcome.output.splitlines() == [
        "XQ-2026-001\tCG-0001\t1",
        f"XQ-2026-001\t#{infrared.id}\t0",
    ]
    target = tmp_path / "marks.tsv"
    written = runner.invoke(args=["feedback", "export", "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == outcome.output
    assert db.session.scalar(select(func.count(MatchFeedback.id))) == 4
